/// Why something is refused, said once for every language: a stable code and the values its
/// sentence names. The sentences live in the locale files (`reason.<code>`, French and English),
/// so a page shows French, the API English, and nobody matches on the wording of a message.
public struct Reason: Sendable, Hashable, Codable, CustomStringConvertible {
    public var code: ReasonCode
    public var parameters: [String: String]

    public init(_ code: ReasonCode, _ parameters: [String: String] = [:]) {
        self.code = code
        self.parameters = parameters
    }

    /// The code and its values, for logs and test failures (never shown to users).
    public var description: String {
        parameters.isEmpty ? code.rawValue
            : code.rawValue + " " + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }

    public static let required = Reason(.required)
}

/// Input that cannot be accepted, with a reason per field, so that a form shows each message
/// next to its field and the API answers 422 naming them.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var fields: [String: Reason]

    public init(_ fields: [String: Reason]) { self.fields = fields }

    public init(field: String, _ reason: Reason) { self.fields = [field: reason] }

    public init(field: String, _ code: ReasonCode, _ parameters: [String: String] = [:]) {
        self.fields = [field: Reason(code, parameters)]
    }

    public var description: String {
        fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
    }
}

/// An action refused as a whole: what it names does not exist (404), the caller may not do it
/// (403), or it clashes with what is recorded (409). Field-by-field problems are a `ValidationError`.
public struct Refusal: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case notFound, forbidden, conflict
    }

    public var kind: Kind
    public var reason: Reason

    public init(_ kind: Kind, _ reason: Reason) {
        self.kind = kind
        self.reason = reason
    }

    public static func notFound(_ code: ReasonCode, _ parameters: [String: String] = [:]) -> Refusal {
        Refusal(.notFound, Reason(code, parameters))
    }

    public static func forbidden(_ code: ReasonCode = .forbiddenRole, _ parameters: [String: String] = [:]) -> Refusal {
        Refusal(.forbidden, Reason(code, parameters))
    }

    public static func conflict(_ code: ReasonCode, _ parameters: [String: String] = [:]) -> Refusal {
        Refusal(.conflict, Reason(code, parameters))
    }

    public var description: String { "\(kind): \(reason)" }
}
