import CMicroHTTPD
import Foundation
import HTTPTypes
import Logging
import Synchronization

/// What the C callbacks reach through their `cls` pointer: immutable after start, but for the counter.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let logger: Logger
    let errorResponder: ErrorResponder
    let inFlight = Atomic<Int>(0)
    let connections: ConnectionTracker
    let router: Router
    /// Every request goes through these, in order, before its route's own middleware and handler
    /// (404s and 405s too, so that they are logged like the rest).
    let middleware: [any Middleware]

    init(configuration: ServerConfiguration, router: Router, middleware: [any Middleware], logger: Logger,
         errorResponder: @escaping ErrorResponder) {
        self.configuration = configuration
        self.logger = logger
        self.errorResponder = errorResponder
        connections = ConnectionTracker(headTimeoutSeconds: configuration.requestHeadTimeoutSeconds,
                                        bodyTimeoutSeconds: configuration.requestBodyTimeoutSeconds,
                                        perAddressLimit: configuration.perIPConnectionLimit, trustedProxies: configuration.trustedProxies)
        self.router = router
        self.middleware = [AccessLog(logger: logger)] + middleware
    }

    static let plainErrorResponder: ErrorResponder = { error, _ in
        .text(error.message + "\n", status: HTTPResponse.Status(code: error.status))
    }

    /// Runs the middleware and the handler; an error nothing caught becomes a 500 whose body
    /// carries only a reference, the details going to the log.
    func respond(to request: Request) -> Response {
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

    /// Adds the default security headers the response did not set itself, and the request id.
    func finalize(_ response: Response, requestID: String?) -> Response {
        var response = response
        for (name, value) in configuration.defaultHeaders where !response.headerFields.contains(name) {
            response.headerFields[name] = value
        }
        if configuration.usesTLS && !response.headerFields.contains(.strictTransportSecurity) {
            response.headerFields[.strictTransportSecurity] = "max-age=31536000"
        }
        if let requestID { response.headerFields[.xRequestID] = requestID }
        return response
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
