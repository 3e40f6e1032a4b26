import Foundation
import HTTPTypes

/// A field of an urlencoded or multipart form; `filename` is set for uploaded files.
public struct FormField: Sendable {
    public var name: String
    public var data: Data
    public var filename: String?
    public var contentType: String?

    public init(name: String, data: Data, filename: String? = nil, contentType: String? = nil) {
        self.name = name
        self.data = data
        self.filename = filename
        self.contentType = contentType
    }

    public var string: String { String(decoding: data, as: UTF8.self) }
}

/// One request, fully read (headers and body), as handed to middleware and handlers.
public struct Request: Sendable {
    public var method: HTTPRequest.Method
    public var path: String
    /// Query arguments, already percent-decoded by libmicrohttpd; a bare `?flag` has an empty value.
    public var query: [(name: String, value: String)]
    public var headerFields: HTTPFields
    public var cookies: [String: String]
    public var body: Data
    /// Fields of an `application/x-www-form-urlencoded` or `multipart/form-data` body.
    public var form: [FormField]
    /// The client's address: the socket's peer, or the forwarded client behind a trusted proxy.
    public var clientAddress: String
    /// Values of `{name}` segments of the matched route.
    public var pathParameters: [String: String] = [:]
    /// The pattern of the matched route (`/q/{token}`): what logs show, so that they never carry
    /// a token or an id from the path.
    public var route: String?
    /// This request's id: the `X-Request-Id` it came with when well formed, else a fresh one.
    public var id: String
    /// What middleware learned for the handlers (the authenticated caller, for instance).
    public var context = RequestContext()

    public init(method: HTTPRequest.Method, path: String, query: [(name: String, value: String)] = [], headerFields: HTTPFields = [:],
                cookies: [String: String] = [:], body: Data = Data(), form: [FormField] = [], clientAddress: String = "",
                id: String = RequestID.make()) {
        self.method = method
        self.path = path
        self.query = query
        self.headerFields = headerFields
        self.cookies = cookies
        self.body = body
        self.form = form
        self.clientAddress = clientAddress
        self.id = id
    }

    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    public func formValue(_ name: String) -> String? { form.first { $0.name == name && $0.filename == nil }?.string }

    /// Every value of a repeated field (check boxes, multiple selects).
    public func formValues(_ name: String) -> [String] { form.filter { $0.name == name && $0.filename == nil }.map(\.string) }

    public func parameter(_ name: String) -> String { pathParameters[name] ?? "" }

    /// The media type of the body without its parameters, lowercased.
    public var contentType: String {
        (headerFields[.contentType] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    public var isForm: Bool {
        contentType == "application/x-www-form-urlencoded" || contentType == "multipart/form-data"
    }
}

/// Values middleware hands to the handlers, by key type: `request.context[Caller.self]`.
public struct RequestContext: Sendable {
    private var values: [ObjectIdentifier: any Sendable] = [:]

    public init() {}

    public subscript<Value: Sendable>(_ key: Value.Type) -> Value? {
        get { values[ObjectIdentifier(key)] as? Value }
        set { values[ObjectIdentifier(key)] = newValue }
    }
}

/// Request ids: the one a client or a proxy sent when it is a short token, else a new random one.
public enum RequestID {
    public static func make() -> String {
        String(UInt64.random(in: 0...UInt64.max), radix: 16)
    }

    static func accept(_ sent: String?) -> String {
        guard let sent, (1...64).contains(sent.utf8.count),
              sent.utf8.allSatisfy({ ($0 >= 48 && $0 <= 57) || ($0 >= 65 && $0 <= 90) || ($0 >= 97 && $0 <= 122) || $0 == 45 || $0 == 46 || $0 == 95 })
        else { return make() }
        return sent
    }
}

extension HTTPField.Name {
    public static let xRequestID = HTTPField.Name("X-Request-Id")!
    public static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    public static let xFrameOptions = HTTPField.Name("X-Frame-Options")!
    public static let referrerPolicy = HTTPField.Name("Referrer-Policy")!
}
