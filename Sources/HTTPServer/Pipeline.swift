import Foundation
import HTTPTypes
import Logging

/// What answers a request once it is read: the access log, the global middleware in order, then
/// the route's own middleware and handler; 404 and 405 through the same chain, so that they are
/// logged like the rest. The server runs it on its threads; tests run it in-process, on the same
/// path as a real request but for the network.
public struct Pipeline: Sendable {
    let router: Router
    let middleware: [any Middleware]
    let errorResponder: ErrorResponder
    let logger: Logger

    /// A route table with duplicates is refused here, at start-up.
    public init(router: Router, middleware: [any Middleware] = [], logger: Logger, errorResponder: ErrorResponder? = nil) throws(RouteTableError) {
        try router.validate()
        self.router = router
        self.middleware = [AccessLog(logger: logger)] + middleware
        self.errorResponder = errorResponder ?? Self.plainErrorResponder
        self.logger = logger
    }

    static let plainErrorResponder: ErrorResponder = { error, _ in
        .text(error.message + "\n", status: HTTPResponse.Status(code: error.status))
    }

    /// Runs the middleware and the handler; an error nothing caught becomes a 500 whose body
    /// carries only a reference, the details going to the log.
    public func respond(to request: Request) -> Response {
        var request = request
        let endpoint: Responder
        switch router.match(request.method, request.path) {
        case .found(let handler, let parameters, let pattern):
            request.pathParameters = parameters
            request.route = pattern
            endpoint = handler
        case .notFound:
            endpoint = { [errorResponder] request in
                errorResponder(ServerError(status: 404, message: "No resource at \(request.path)."), request)
            }
        case .methodNotAllowed(let allowed):
            endpoint = { [errorResponder] request in
                var response = errorResponder(ServerError(status: 405, message: "\(request.method.rawValue) is not allowed on \(request.path)."), request)
                response.headerFields[.allow] = allowed.map(\.rawValue).joined(separator: ", ")
                return response
            }
        }
        do {
            return try middleware.chained(to: endpoint)(request)
        } catch {
            let reference = String(UInt32.random(in: 0...UInt32.max), radix: 16)
            logger.error("handler failed", metadata: [
                "error_id": "\(reference)", "request_id": "\(request.id)", "method": "\(request.method.rawValue)",
                "route": "\(request.route ?? "-")", "error": "\(String(reflecting: error))",
            ])
            return errorResponder(ServerError(status: 500, message: "Internal error (reference \(reference)).", reference: reference), request)
        }
    }

}

/// One line per request: method, route pattern (never the raw path, which may carry a token),
/// status, duration, the request id (also sent back in `X-Request-Id`) and the client address.
struct AccessLog: Middleware {
    let logger: Logger

    func respond(to request: Request, next: Responder) throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        var status = 500
        defer {
            let milliseconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
            logger.info("\(request.method.rawValue) \(request.route ?? "-") \(status)", metadata: [
                "request_id": "\(request.id)", "client": "\(request.clientAddress)",
                "duration_ms": "\(String(format: "%.1f", milliseconds))",
            ])
        }
        let response = try next(request)
        status = response.status.code
        return response
    }
}
