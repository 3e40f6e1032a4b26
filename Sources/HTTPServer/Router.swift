import HTTPTypes

/// Answers one request. Runs on one of libmicrohttpd's pool threads and may block (SQLite).
public typealias Responder = @Sendable (Request) throws -> Response

/// Something every request of a route (or of the whole server) goes through before its handler:
/// authentication, a role check, CSRF, the access log. It may answer by itself or call `next`.
public protocol Middleware: Sendable {
    func respond(to request: Request, next: Responder) throws -> Response
}

extension Array where Element == any Middleware {
    /// The responder that runs these middleware in order, then `last`.
    func chained(to last: @escaping Responder) -> Responder {
        reversed().reduce(last) { next, middleware in { request in try middleware.respond(to: request, next: next) } }
    }
}

/// Why a route table cannot serve: two routes answer the same method on the same path shape.
public struct RouteTableError: Error, CustomStringConvertible {
    public var duplicates: [String]
    public var description: String { "duplicate routes: " + duplicates.joined(separator: "; ") }
}

/// Routes `METHOD /path/{param}` patterns to handlers. Where several patterns fit a path, the
/// most specific wins, whatever the order they were added in: a literal segment beats a
/// parameter at the first place they differ (`/programmes/new` before `/programmes/{id}`).
/// Tells a wrong method (405) from an unknown path (404). A method and a path shape added twice
/// is refused when the server starts (`validate`).
public struct Router: Sendable {
    private struct Route: Sendable {
        var method: HTTPRequest.Method
        var segments: [Segment]
        var responder: Responder
        var pattern: String
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)

        var isLiteral: Bool { if case .literal = self { return true } else { return false } }
    }

    public enum Match: Sendable {
        case found(Responder, parameters: [String: String], pattern: String)
        case methodNotAllowed(allowed: [HTTPRequest.Method])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route; `{name}` segments capture a path parameter. `middleware` runs, in order,
    /// before the handler of this route only.
    public mutating func add(_ method: HTTPRequest.Method, _ pattern: String, middleware: [any Middleware] = [],
                             _ handler: @escaping Responder) {
        let segments = Self.split(pattern).map { part -> Segment in
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(part)
        }
        routes.append(Route(method: method, segments: segments, responder: middleware.chained(to: handler), pattern: pattern))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Responder) { add(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping Responder) { add(.post, pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping Responder) { add(.put, pattern, handler) }
    public mutating func patch(_ pattern: String, _ handler: @escaping Responder) { add(.patch, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Responder) { add(.delete, pattern, handler) }

    /// Every registered `(method, pattern)`, for checking routes against the OpenAPI description.
    public var patterns: [(method: HTTPRequest.Method, pattern: String)] {
        routes.map { ($0.method, $0.pattern) }
    }

    /// Throws when a method is routed twice on the same path shape (parameter names aside).
    public func validate() throws(RouteTableError) {
        var seen: [String: String] = [:]
        var duplicates: [String] = []
        for route in routes {
            let shape = route.method.rawValue + " /" + route.segments.map { segment in
                if case .literal(let text) = segment { return text } else { return "{}" }
            }.joined(separator: "/")
            if let first = seen[shape] { duplicates.append("\(route.method.rawValue) \(first) and \(route.pattern)") } else { seen[shape] = route.pattern }
        }
        if !duplicates.isEmpty { throw RouteTableError(duplicates: duplicates) }
    }

    public func match(_ method: HTTPRequest.Method, _ path: String) -> Match {
        let parts = Self.split(path)
        var candidates: [(route: Route, parameters: [String: String])] = []
        for route in routes {
            if let parameters = Self.bind(route.segments, to: parts) { candidates.append((route, parameters)) }
        }
        guard !candidates.isEmpty else { return .notFound }
        // HEAD is answered by the GET handler; libmicrohttpd leaves the body out.
        let wanted = method == .head ? [HTTPRequest.Method.head, .get] : [method]
        let fitting = candidates.filter { wanted.contains($0.route.method) }
        if let best = fitting.min(by: { Self.isMoreSpecific($0.route.segments, than: $1.route.segments) }) {
            return .found(best.route.responder, parameters: best.parameters, pattern: best.route.pattern)
        }
        var allowed: [HTTPRequest.Method] = []
        for candidate in candidates where !allowed.contains(candidate.route.method) { allowed.append(candidate.route.method) }
        return .methodNotAllowed(allowed: allowed)
    }

    /// Literal beats parameter at the first segment where two shapes differ.
    private static func isMoreSpecific(_ a: [Segment], than b: [Segment]) -> Bool {
        for (x, y) in zip(a, b) where x.isLiteral != y.isLiteral { return x.isLiteral }
        return false
    }

    /// The segments between slashes, cut on the scalar "/" (a combining mark after a slash must
    /// not join it into one Character). Empty segments are kept, so that "/sites//" or a decoded
    /// "%2F" never reaches the route of "/sites".
    private static func split(_ path: String) -> [String] {
        let parts = path.unicodeScalars.split(separator: "/", omittingEmptySubsequences: false).map { String(String.UnicodeScalarView($0)) }
        return parts.first == "" ? Array(parts.dropFirst()) : parts
    }

    private static func bind(_ segments: [Segment], to parts: [String]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text): if !text.unicodeScalars.elementsEqual(part.unicodeScalars) { return nil }
            case .parameter(let name):
                guard !part.isEmpty else { return nil }
                parameters[name] = part
            }
        }
        return parameters
    }
}
