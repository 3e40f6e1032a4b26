import Foundation

/// An HTTP method, as sent by the client.
public enum HTTPMethod: String, Sendable, Hashable, CaseIterable {
    case get = "GET", head = "HEAD", post = "POST", put = "PUT", patch = "PATCH", delete = "DELETE", options = "OPTIONS"
}

/// Header names compared without case, as RFC 9110 requires.
public struct HTTPHeaders: Sendable, Sequence {
    private var entries: [(name: String, value: String)] = []

    public init(_ pairs: [(String, String)] = []) {
        for (name, value) in pairs { add(name, value) }
    }

    public mutating func add(_ name: String, _ value: String) { entries.append((name, value)) }

    /// Replaces every value of `name` by `value`.
    public mutating func set(_ name: String, _ value: String) {
        remove(name)
        add(name, value)
    }

    public mutating func remove(_ name: String) {
        entries.removeAll { $0.name.caseInsensitiveCompare(name) == .orderedSame }
    }

    public subscript(_ name: String) -> String? {
        entries.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
    }

    public func contains(_ name: String) -> Bool { self[name] != nil }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> { entries.makeIterator() }
}

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

/// One request, fully read (headers and body), as handed to a handler.
public struct Request: Sendable {
    public var method: HTTPMethod
    public var path: String
    /// Query arguments, already percent-decoded by libmicrohttpd; a bare `?flag` has an empty value.
    public var query: [(name: String, value: String)]
    public var headers: HTTPHeaders
    public var cookies: [String: String]
    public var body: Data
    /// Fields of an `application/x-www-form-urlencoded` or `multipart/form-data` body.
    public var form: [FormField]
    public var clientAddress: String
    /// Values of `{name}` segments of the matched route.
    public var pathParameters: [String: String] = [:]

    public init(method: HTTPMethod, path: String, query: [(name: String, value: String)] = [], headers: HTTPHeaders = HTTPHeaders(),
                cookies: [String: String] = [:], body: Data = Data(), form: [FormField] = [], clientAddress: String = "") {
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.cookies = cookies
        self.body = body
        self.form = form
        self.clientAddress = clientAddress
    }

    public func queryValue(_ name: String) -> String? { query.first { $0.name == name }?.value }

    public func formValue(_ name: String) -> String? { form.first { $0.name == name && $0.filename == nil }?.string }

    /// Every value of a repeated field (check boxes, multiple selects).
    public func formValues(_ name: String) -> [String] { form.filter { $0.name == name && $0.filename == nil }.map(\.string) }

    public func parameter(_ name: String) -> String { pathParameters[name] ?? "" }

    /// The media type of the body without its parameters, lowercased.
    public var contentType: String {
        (headers["Content-Type"] ?? "").split(separator: ";").first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
    }

    public var isForm: Bool {
        contentType == "application/x-www-form-urlencoded" || contentType == "multipart/form-data"
    }
}
