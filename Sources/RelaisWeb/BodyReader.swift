import Foundation
import HTTPServer

/// Reads a JSON object body field by field, collecting one reason per faulty field so that a
/// 422 names all of them at once. Unknown fields are refused: a misspelt key silently ignored
/// would leave a wrong value in place.
struct BodyReader {
    private let body: [String: Any]
    private(set) var problems: [String: String] = [:]

    init(_ request: Request, allowed: Set<String>) throws {
        body = try JSON.object(from: request)
        for key in body.keys where !allowed.contains(key) { problems[key] = "unknown field" }
    }

    func raw(_ key: String) -> Any? { has(key) ? body[key] : nil }

    /// The key was sent as JSON null (for fields where null means "clear").
    func isNull(_ key: String) -> Bool { body[key] is NSNull }

    func has(_ key: String) -> Bool { body[key] != nil && !(body[key] is NSNull) }

    mutating func string(_ key: String, required: Bool = false) -> String? {
        guard has(key) else {
            if required { problems[key] = "required" }
            return nil
        }
        guard let value = body[key] as? String else { problems[key] = "expected a string"; return nil }
        if required && value.trimmingCharacters(in: .whitespaces).isEmpty { problems[key] = "required" }
        return value
    }

    mutating func int(_ key: String, required: Bool = false) -> Int? {
        guard has(key) else {
            if required { problems[key] = "required" }
            return nil
        }
        guard let number = body[key] as? NSNumber, !Self.isBoolean(number), let value = Int(exactly: number.doubleValue) else {
            problems[key] = "expected a whole number"
            return nil
        }
        return value
    }

    mutating func bool(_ key: String) -> Bool? {
        guard has(key) else { return nil }
        guard let number = body[key] as? NSNumber, Self.isBoolean(number) else {
            problems[key] = "expected true or false"
            return nil
        }
        return number.boolValue
    }

    /// JSON true/false arrive as NSNumber; their Objective-C type is "c" (char).
    static func isBoolean(_ number: NSNumber) -> Bool { String(cString: number.objCType) == "c" }

    mutating func strings(_ key: String, required: Bool = false) -> [String]? {
        guard has(key) else {
            if required { problems[key] = "required" }
            return nil
        }
        guard let values = body[key] as? [String] else { problems[key] = "expected a list of strings"; return nil }
        return values
    }

    mutating func enumeration<T: RawRepresentable & CaseIterable>(_ key: String, _ type: T.Type, required: Bool = false) -> T? where T.RawValue == String {
        guard let text = string(key, required: required) else { return nil }
        guard let value = T(rawValue: text) else {
            problems[key] = "expected one of \(T.allCases.map(\.rawValue).joined(separator: ", "))"
            return nil
        }
        return value
    }

    mutating func fail(_ key: String, _ reason: String) { problems[key] = reason }

    /// Throws the 422 when any field was faulty.
    func check() throws {
        if !problems.isEmpty { throw APIError.invalid(problems) }
    }
}
