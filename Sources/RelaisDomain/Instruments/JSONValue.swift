/// A JSON value, so that the domain can take answers as people and scripts send them
/// (`{"q1":"within5","q4":25}`) without depending on a JSON library.
public enum JSONValue: Sendable, Equatable, Codable {
    case string(String)
    case number(Double)
    case bool(Bool)
    case array([JSONValue])
    case object([String: JSONValue])
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let value = try? container.decode(Bool.self) { self = .bool(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode(String.self) { self = .string(value) }
        else if let value = try? container.decode([JSONValue].self) { self = .array(value) }
        else { self = .object(try container.decode([String: JSONValue].self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .string(let value): try container.encode(value)
        case .number(let value):
            if let whole = Int(exactly: value) { try container.encode(whole) } else { try container.encode(value) }
        case .bool(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        case .null: try container.encodeNil()
        }
    }

    /// How the value reads in an error message.
    var shortDescription: String {
        switch self {
        case .string(let value): return "'\(value)'"
        case .number(let value): return Int(exactly: value).map(String.init) ?? String(value)
        case .bool(let value): return String(value)
        case .array: return "a list"
        case .object: return "an object"
        case .null: return "null"
        }
    }
}

// Literals, so that documents of free shape (FHIR resources, instrument definitions) are
// written as typed JSON trees.
extension JSONValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByFloatLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) { self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last })) }
    public init(nilLiteral: ()) { self = .null }

    /// An optional value, `null` when absent.
    public init<T: JSONValueConvertible>(_ value: T?) { self = value.map(\.jsonValue) ?? .null }
}

/// Swift values that have an obvious JSON form.
public protocol JSONValueConvertible {
    var jsonValue: JSONValue { get }
}

extension String: JSONValueConvertible { public var jsonValue: JSONValue { .string(self) } }
extension Int: JSONValueConvertible { public var jsonValue: JSONValue { .number(Double(self)) } }
extension Double: JSONValueConvertible { public var jsonValue: JSONValue { .number(self) } }
extension Bool: JSONValueConvertible { public var jsonValue: JSONValue { .bool(self) } }
