/// Handles one request. Runs on one of libmicrohttpd's pool threads and may block (SQLite).
public typealias Handler = @Sendable (Request) throws -> Response

/// Routes `METHOD /path/{param}` patterns to handlers; tells a wrong method (405) from an unknown path (404).
public struct Router: Sendable {
    private struct Route: Sendable {
        var method: HTTPMethod
        var segments: [Segment]
        var handler: Handler
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    public enum Match: Sendable {
        case found(Handler, parameters: [String: String])
        case methodNotAllowed(allowed: [HTTPMethod])
        case notFound
    }

    private var routes: [Route] = []

    public init() {}

    /// Adds a route; `{name}` segments capture a path parameter.
    public mutating func add(_ method: HTTPMethod, _ pattern: String, _ handler: @escaping Handler) {
        let segments = Self.split(pattern).map { part -> Segment in
            if part.hasPrefix("{") && part.hasSuffix("}") { return .parameter(String(part.dropFirst().dropLast())) }
            return .literal(part)
        }
        routes.append(Route(method: method, segments: segments, handler: handler))
    }

    public mutating func get(_ pattern: String, _ handler: @escaping Handler) { add(.get, pattern, handler) }
    public mutating func post(_ pattern: String, _ handler: @escaping Handler) { add(.post, pattern, handler) }
    public mutating func put(_ pattern: String, _ handler: @escaping Handler) { add(.put, pattern, handler) }
    public mutating func patch(_ pattern: String, _ handler: @escaping Handler) { add(.patch, pattern, handler) }
    public mutating func delete(_ pattern: String, _ handler: @escaping Handler) { add(.delete, pattern, handler) }

    /// The same routes with every handler wrapped by `transform`: what applies to all requests.
    public func wrapped(_ transform: (@escaping Handler) -> Handler) -> Router {
        var copy = self
        copy.routes = routes.map { route in
            var route = route
            route.handler = transform(route.handler)
            return route
        }
        return copy
    }

    /// Every registered `(method, pattern)`, for checking routes against the OpenAPI description.
    public var patterns: [(method: HTTPMethod, pattern: String)] {
        routes.map { route in
            (route.method, "/" + route.segments.map { segment in
                switch segment {
                case .literal(let text): return text
                case .parameter(let name): return "{\(name)}"
                }
            }.joined(separator: "/"))
        }
    }

    public func match(_ method: HTTPMethod, _ path: String) -> Match {
        let parts = Self.split(path)
        var allowed: [HTTPMethod] = []
        for route in routes {
            guard let parameters = Self.bind(route.segments, to: parts) else { continue }
            // HEAD is answered by the GET handler; libmicrohttpd leaves the body out.
            if route.method == method || (method == .head && route.method == .get) {
                return .found(route.handler, parameters: parameters)
            }
            allowed.append(route.method)
        }
        return allowed.isEmpty ? .notFound : .methodNotAllowed(allowed: allowed)
    }

    private static func split(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    private static func bind(_ segments: [Segment], to parts: [String]) -> [String: String]? {
        guard segments.count == parts.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, parts) {
            switch segment {
            case .literal(let text): if text != part { return nil }
            case .parameter(let name): parameters[name] = part
            }
        }
        return parameters
    }
}
