import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// An error answer of the API, always shaped
/// `{"error":{"code":"…","message":"…","fields":{…}}}`.
public struct APIError: Error, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var fields: [String: String]?

    public init(status: Int, code: String, message: String, fields: [String: String]? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
    }

    public static func malformed(_ message: String) -> APIError { APIError(status: 400, code: "malformed_request", message: message) }
    public static let unauthorized = APIError(status: 401, code: "unauthorized",
                                              message: "Send a valid API token in the header 'Authorization: Bearer <token>'.")
    public static func forbidden(_ message: String = "Your role does not allow this.") -> APIError {
        APIError(status: 403, code: "forbidden", message: message)
    }
    public static func notFound(_ message: String) -> APIError { APIError(status: 404, code: "not_found", message: message) }
    public static func conflict(_ message: String) -> APIError { APIError(status: 409, code: "conflict", message: message) }
    public static func invalid(_ fields: [String: String], message: String = "Some fields are invalid.") -> APIError {
        APIError(status: 422, code: "validation_failed", message: message, fields: fields)
    }

    /// The usual code for a status the server itself answers (404, 405, 413...).
    static func code(for status: Int) -> String {
        switch status {
        case 400: return "malformed_request"
        case 401: return "unauthorized"
        case 403: return "forbidden"
        case 404: return "not_found"
        case 405: return "method_not_allowed"
        case 409: return "conflict"
        case 413: return "payload_too_large"
        case 422: return "validation_failed"
        case 429: return "throttled"
        default: return status >= 500 ? "internal_error" : "error"
        }
    }

    /// Maps the errors of the lower layers to their API answer; nil for unexpected errors (500).
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case let error as ValidationError: return .invalid(error.fields)
        case StoreError.notFound(let what): return .notFound("\(what.prefix(1).uppercased())\(what.dropFirst()) not found.")
        case StoreError.conflict(let message): return .conflict(message)
        case StoreError.invalid(let field, let reason): return .invalid([field: reason])
        default: return nil
        }
    }

    var response: Response {
        var body: [String: Any] = ["code": code, "message": message]
        if let fields { body["fields"] = fields }
        return JSON.response(["error": body], status: status)
    }
}

enum JSON {
    static func response(_ object: Any, status: Int = 200) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
        return .json(data, status: status)
    }

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .custom { date, encoder in
            var container = encoder.singleValueContainer()
            try container.encode(ISO8601.instant(date))
        }
        return encoder
    }()

    static func response<T: Encodable>(encoding value: T, status: Int = 200) throws -> Response {
        .json(try encoder.encode(value), status: status)
    }

    /// The request body as a JSON object; 400 naming the problem when it is not one.
    static func object(from request: Request) throws -> [String: Any] {
        guard request.contentType == "application/json" || request.contentType.isEmpty else {
            throw APIError.malformed("Expected 'Content-Type: application/json', got '\(request.contentType)'.")
        }
        guard !request.body.isEmpty else { throw APIError.malformed("The request body is empty; a JSON object was expected.") }
        let parsed: Any
        do {
            parsed = try JSONSerialization.jsonObject(with: request.body, options: [.fragmentsAllowed])
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw APIError.malformed("The request body is not valid JSON: \(detail)")
        }
        guard let object = parsed as? [String: Any] else {
            throw APIError.malformed("The request body must be a JSON object ({…}).")
        }
        if let path = controlCharacterPath(object, path: "") {
            throw APIError.invalid([path: "must not contain control characters"])
        }
        return object
    }

    /// The path of the first string holding a control character other than a line break or a
    /// tab (`records[0].note`), or nil.
    static func controlCharacterPath(_ value: Any, path: String) -> String? {
        switch value {
        case let text as String:
            return TextRules.hasForbiddenControl(text) ? (path.isEmpty ? "body" : path) : nil
        case let object as [String: Any]:
            for (key, element) in object.sorted(by: { $0.key < $1.key }) {
                if TextRules.hasForbiddenControl(key) { return path.isEmpty ? "body" : path }
                if let found = controlCharacterPath(element, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
            return nil
        case let list as [Any]:
            for (index, element) in list.enumerated() {
                if let found = controlCharacterPath(element, path: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}

/// ISO 8601 as the API writes it: instants in UTC with `Z`.
public enum ISO8601 {
    public static func instant(_ date: Date) -> String {
        date.formatted(.iso8601)
    }

    /// Parses an instant with its offset (`Z` or `+02:00`), with or without fractional seconds.
    /// A local time without offset is refused: it would not say which instant is meant.
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
