import CMicroHTTPD
import Foundation
import Logging
import Synchronization

public struct ServerStartError: Error, CustomStringConvertible {
    public var description: String
}

/// A running libmicrohttpd daemon. Requests are read completely (body capped), routed, and
/// answered synchronously on MHD's pool threads.
// The MHD daemon handle is guarded by a mutex; the log target is written once before start.
public final class Server: @unchecked Sendable {
    let core: ServerCore
    private let daemon: Mutex<OpaquePointer?>
    private let logTarget: UnsafeMutablePointer<relais_mhd_log_target>
    /// The port actually bound (useful with port 0).
    public let port: UInt16

    /// Starts serving `router`. Every request goes through the access log, then `middleware` in
    /// order, then its route's own middleware and handler. A route table with duplicates is
    /// refused here, at start-up.
    public convenience init(configuration: ServerConfiguration, router: Router, middleware: [any Middleware] = [], logger: Logger,
                errorResponder: ErrorResponder? = nil) throws {
        let pipeline: Pipeline
        do { pipeline = try Pipeline(router: router, middleware: middleware, logger: logger, errorResponder: errorResponder) } catch {
            throw ServerStartError(description: error.description)
        }
        try self.init(configuration: configuration, pipeline: pipeline, logger: logger)
    }

    /// Starts serving `pipeline`.
    public init(configuration: ServerConfiguration, pipeline: Pipeline, logger: Logger) throws {
        let core = ServerCore(configuration: configuration, pipeline: pipeline, logger: logger)
        self.core = core
        let coreCls = Unmanaged.passUnretained(core).toOpaque()
        let target = UnsafeMutablePointer<relais_mhd_log_target>.allocate(capacity: 1)
        target.initialize(to: relais_mhd_log_target(log: mhdLog, cls: coreCls))
        logTarget = target

        var error = [CChar](repeating: 0, count: 256)
        let started: OpaquePointer? = configuration.host.withCString { host in
            withOptionalCString(configuration.tlsCertificatePEM) { cert in
                withOptionalCString(configuration.tlsKeyPEM) { key in
                    var options = relais_mhd_options(
                        host: host, port: configuration.port, threads: UInt32(max(1, configuration.threads)),
                        connection_timeout_seconds: UInt32(configuration.connectionTimeoutSeconds),
                        connection_limit: UInt32(configuration.connectionLimit),
                        per_ip_connection_limit: 0,
                        connection_memory_limit: configuration.connectionMemoryLimit,
                        tls_cert_pem: cert, tls_key_pem: key, log_target: target)
                    return relais_mhd_start(&options, mhdAccessHandler, coreCls, mhdRequestCompleted, coreCls,
                                            mhdAcceptPolicy, mhdNotifyConnection, coreCls, &error, error.count)
                }
            }
        }
        guard let started else {
            target.deallocate()
            throw ServerStartError(description: String(cString: error))
        }
        port = relais_mhd_bound_port(started)
        daemon = Mutex(started)
        core.connections.startWatchdog()
    }

    deinit {
        stop()
        logTarget.deallocate()
    }

    /// Requests between their first byte and their completion.
    public var requestsInFlight: Int { core.inFlight.load(ordering: .acquiring) }

    /// Stops accepting connections, lets requests in flight finish (up to `drainSeconds`),
    /// then closes everything. Safe to call more than once.
    public func stop() {
        daemon.withLock { daemon in
            guard let running = daemon else { return }
            let listener = MHD_quiesce_daemon(running)
            if listener >= 0 { close(listener) }
            let deadline = Date().addingTimeInterval(core.configuration.drainSeconds)
            while core.inFlight.load(ordering: .acquiring) > 0 && Date() < deadline {
                usleep(10_000)
            }
            MHD_stop_daemon(running)
            core.connections.stop()
            daemon = nil
        }
    }
}

private func withOptionalCString<R>(_ string: String?, _ body: (UnsafePointer<CChar>?) -> R) -> R {
    guard let string else { return body(nil) }
    return string.withCString { body($0) }
}
