import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain

/// An error answer of the API, always shaped
/// `{"error":{"code":"…","message":"…","fields":{…},"reasons":{…}}}`: `fields` holds one English
/// sentence per faulty field (as scripts have always read them), `reasons` the same by stable
/// code and values, and `reason` the code of a refusal as a whole.
public struct APIError: Error, Sendable {
    public var status: Int
    public var code: String
    public var message: String
    public var fields: [String: Reason]?
    public var reason: Reason?

    public init(status: Int, code: String, message: String, fields: [String: Reason]? = nil, reason: Reason? = nil) {
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields
        self.reason = reason
    }

    /// 400: the body cannot be read as asked.
    public static func malformed(_ reason: Reason) -> APIError { APIError(status: 400, code: "malformed_request", message: "", reason: reason) }

    public static let unauthorized = APIError(status: 401, code: "unauthorized",
                                              message: "Send a valid API token in the header 'Authorization: Bearer <token>'.")

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

    /// What the use cases refuse, as the API says it; nil for unexpected errors (500).
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError: return error
        case let error as ValidationError:
            return APIError(status: 422, code: "validation_failed", message: "Some fields are invalid.", fields: error.fields)
        case let refusal as Refusal:
            let status: Int
            switch refusal.kind {
            case .notFound: status = 404
            case .forbidden: status = 403
            case .conflict: status = 409
            }
            return APIError(status: status, code: code(for: status), message: "", reason: refusal.reason)
        default: return nil
        }
    }

    struct Body: Encodable {
        struct Detail: Encodable {
            var code: String
            var message: String
            var fields: [String: String]?
            var reasons: [String: Reason]?
            var reason: Reason?
        }
        var error: Detail
    }

    /// The JSON answer, its sentences in English from the locale files.
    func response(_ renderer: Renderer) -> Response {
        let message = reason.map { renderer.text($0, language: "en", forAPI: true) } ?? self.message
        let detail = Body.Detail(code: code, message: message.isEmpty ? "Refused." : message,
                                 fields: fields?.mapValues { renderer.text($0, language: "en", forAPI: true) }, reasons: fields, reason: reason)
        return (try? JSONBody.response(Body(error: detail), status: status)) ?? .json(Data("{}".utf8), status: HTTPResponse.Status(code: status))
    }
}

/// JSON bodies in and out: requests decoded into the use cases' `Codable` types with every
/// faulty field named, responses encoded from `Encodable` types by `JSONStream`.
public enum JSONBody {
    public static func data<T: Encodable>(_ value: T) throws -> Data { try JSONStream.encode(value) }

    static func response<T: Encodable>(_ value: T, status: Int = 200) throws -> Response {
        .json(try JSONStream.encode(value), status: HTTPResponse.Status(code: status))
    }

    /// The body as `T`: 400 when it is not a JSON object, 422 naming every unknown field and every
    /// value of the wrong type.
    static func decode<T: RequestBody>(_ type: T.Type, from request: Request) throws -> T {
        let object = try self.object(from: request)
        var problems: [String: Reason] = [:]
        for key in object.keys where !T.fieldNames.contains(key) { problems[key] = Reason(.unknownField) }
        for (key, names) in T.nestedFieldNames {
            guard case .object(let nested)? = object[key] else { continue }
            for inner in nested.keys where !names.contains(inner) { problems["\(key).\(inner)"] = Reason(.unknownField) }
        }
        do {
            let value = try JSONDecoder().decode(T.self, from: request.body)
            guard problems.isEmpty else { throw ValidationError(problems) }
            return value
        } catch let error as DecodingError {
            var (field, reason) = describe(error)
            if field == "body", let culprit = culprit(T.self, in: object) { field = culprit }
            problems[field] = problems[field] ?? reason
            throw ValidationError(problems)
        }
    }

    /// The key whose value alone makes decoding fail: Foundation on Linux reports a number that
    /// does not fit its field (1e20 or 1.5 for a whole number) without naming the field.
    static func culprit<T: RequestBody>(_ type: T.Type, in object: [String: JSONValue]) -> String? {
        for (key, value) in object.sorted(by: { $0.key < $1.key }) {
            guard let alone = try? JSONEncoder().encode([key: value]) else { continue }
            do { _ = try JSONDecoder().decode(T.self, from: alone) } catch DecodingError.keyNotFound, DecodingError.valueNotFound {
                continue
            } catch {
                return key
            }
        }
        return nil
    }

    /// The body as a JSON object; 400 naming the problem when it is not one, 422 naming a field
    /// that holds a control character.
    static func object(from request: Request) throws -> [String: JSONValue] {
        guard request.contentType == "application/json" || request.contentType.isEmpty else {
            throw APIError.malformed(Reason(.bodyContentType, ["got": String(request.contentType.prefix(60))]))
        }
        guard !request.body.isEmpty else { throw APIError.malformed(Reason(.bodyEmpty)) }
        let parsed: JSONValue
        do {
            parsed = try JSONDecoder().decode(JSONValue.self, from: request.body)
        } catch {
            throw APIError.malformed(Reason(.bodyInvalidJSON, ["detail": String(describing: error).prefix(200).description]))
        }
        guard case .object(let object) = parsed else { throw APIError.malformed(Reason(.bodyNotObject)) }
        if let path = controlCharacterPath(parsed, path: "") { throw ValidationError(field: path, .textControlCharacters) }
        return object
    }

    /// The field and reason of a decoding failure, the field written `records[0].status`.
    static func describe(_ error: DecodingError) -> (String, Reason) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.reduce("") { path, key in
                if let index = key.intValue { return path + "[\(index)]" }
                return path.isEmpty ? key.stringValue : path + "." + key.stringValue
            }
        }
        switch error {
        case .typeMismatch(let type, let context):
            let expected: ReasonCode
            if type == String.self { expected = .expectedString } else if type == Bool.self { expected = .expectedBoolean }
            else if type == Int.self || type == Double.self { expected = .expectedWholeNumber }
            else if "\(type)".hasPrefix("Array") { expected = .expectedList } else { expected = .expectedObject }
            return (path(context.codingPath).nilIfEmpty ?? "body", Reason(expected))
        case .valueNotFound(_, let context):
            return (path(context.codingPath).nilIfEmpty ?? "body", .required)
        case .keyNotFound(let key, let context):
            return (path(context.codingPath + [key]), .required)
        case .dataCorrupted(let context):
            let number = context.debugDescription.localizedCaseInsensitiveContains("number")
            return (path(context.codingPath).nilIfEmpty ?? "body", Reason(number ? .expectedWholeNumber : .invalidValue))
        @unknown default:
            return ("body", Reason(.invalidValue))
        }
    }

    /// The path of the first string (or key) holding a control character other than a line
    /// break or a tab, or nil.
    static func controlCharacterPath(_ value: JSONValue, path: String) -> String? {
        switch value {
        case .string(let text):
            return TextRules.hasForbiddenControl(text) ? (path.isEmpty ? "body" : path) : nil
        case .object(let object):
            for (key, element) in object.sorted(by: { $0.key < $1.key }) {
                if TextRules.hasForbiddenControl(key) { return path.isEmpty ? "body" : path }
                if let found = controlCharacterPath(element, path: path.isEmpty ? key : "\(path).\(key)") { return found }
            }
            return nil
        case .array(let list):
            for (index, element) in list.enumerated() {
                if let found = controlCharacterPath(element, path: "\(path)[\(index)]") { return found }
            }
            return nil
        default:
            return nil
        }
    }
}

/// A request body type: its JSON field names, so that a misspelt key is refused rather than
/// silently ignored.
protocol RequestBody: Decodable {
    static var fieldNames: Set<String> { get }
    /// The field names of the objects nested under a key, checked the same way.
    static var nestedFieldNames: [String: Set<String>] { get }
}

extension RequestBody where Self: Decodable {
    static var nestedFieldNames: [String: Set<String>] { [:] }

    static func names<K: CodingKey & CaseIterable>(_ keys: K.Type) -> Set<String> { Set(K.allCases.map(\.stringValue)) }
}

/// A value encoded as `null` when absent (Swift's encoding leaves absent optionals out, but the
/// API has always written `"birthYear": null`).
@propertyWrapper
public struct Nullable<Value: Encodable & Sendable>: Encodable, Sendable {
    public var wrappedValue: Value?

    public init(wrappedValue: Value?) { self.wrappedValue = wrappedValue }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        if let wrappedValue { try container.encode(wrappedValue) } else { try container.encodeNil() }
    }
}
