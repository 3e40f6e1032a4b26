import CMicroHTTPD
import Foundation
import HTTPTypes
import Logging
import Synchronization

/// What the C callbacks reach through their `cls` pointer: immutable after start, but for the counter.
final class ServerCore: Sendable {
    let configuration: ServerConfiguration
    let logger: Logger
    let pipeline: Pipeline
    var errorResponder: ErrorResponder { pipeline.errorResponder }
    let inFlight = Atomic<Int>(0)
    let connections: ConnectionTracker

    init(configuration: ServerConfiguration, pipeline: Pipeline, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
        self.pipeline = pipeline
        connections = ConnectionTracker(headTimeoutSeconds: configuration.requestHeadTimeoutSeconds,
                                        bodyTimeoutSeconds: configuration.requestBodyTimeoutSeconds,
                                        perAddressLimit: configuration.perIPConnectionLimit, trustedProxies: configuration.trustedProxies)
    }

    func respond(to request: Request) -> Response { pipeline.respond(to: request) }

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

