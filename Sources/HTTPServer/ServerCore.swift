import CMicroHTTPD
import Foundation
import Logging
import Synchronization

/// What the C callbacks reach through their `cls` pointer: immutable after start, but for the counter.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let router: Router
    let logger: Logger
    let errorResponder: ErrorResponder
    let inFlight = Atomic<Int>(0)
    let connections: ConnectionTracker

    init(configuration: ServerConfiguration, router: Router, logger: Logger, errorResponder: @escaping ErrorResponder) {
        self.configuration = configuration
        self.router = router
        self.logger = logger
        self.errorResponder = errorResponder
        connections = ConnectionTracker(headTimeoutSeconds: configuration.requestHeadTimeoutSeconds,
                                        bodyTimeoutSeconds: configuration.requestBodyTimeoutSeconds,
                                        perAddressLimit: configuration.perIPConnectionLimit, trustedProxies: configuration.trustedProxies)
    }

    static let plainErrorResponder: ErrorResponder = { error, _ in
        .text(error.message + "\n", status: error.status)
    }

    /// Routes a fully read request and runs its handler; a thrown error becomes a 500 whose
    /// body carries only a reference, the details going to the log.
    func respond(to request: Request) -> Response {
        switch router.match(request.method, request.path) {
        case .notFound:
            return errorResponder(ServerError(status: 404, message: "No resource at \(request.path)."), request)
        case .methodNotAllowed(let allowed):
            var response = errorResponder(ServerError(status: 405, message: "\(request.method.rawValue) is not allowed on \(request.path)."), request)
            response.headers.set("Allow", allowed.map(\.rawValue).joined(separator: ", "))
            return response
        case .found(let handler, let parameters):
            var routed = request
            routed.pathParameters = parameters
            do {
                return try handler(routed)
            } catch {
                let reference = String(UInt32.random(in: 0...UInt32.max), radix: 16)
                logger.error("handler failed", metadata: [
                    "error_id": "\(reference)", "method": "\(request.method.rawValue)", "path": "\(request.path)",
                    "error": "\(String(reflecting: error))",
                ])
                return errorResponder(ServerError(status: 500, message: "Internal error (reference \(reference)).", reference: reference), request)
            }
        }
    }

    /// Adds the default security headers the response did not set itself.
    func finalize(_ response: Response) -> Response {
        var response = response
        for (name, value) in configuration.defaultHeaders where !response.headers.contains(name) {
            response.headers.add(name, value)
        }
        if configuration.usesTLS && !response.headers.contains("Strict-Transport-Security") {
            response.headers.add("Strict-Transport-Security", "max-age=31536000")
        }
        return response
    }
}

/// Per-request state, kept in MHD's `*req_cls` from the first call to NOTIFY_COMPLETED.
final class RequestState {
    let method: String
    let url: String
    var body = Data()
    var received = 0
    var tooLarge = false
    var responded = false
    var postProcessor: OpaquePointer?
    var form: [FormField] = []
    var formFailed = false

    init(method: String, url: String) {
        self.method = method
        self.url = url
    }
}
