import ArgumentParser
import Foundation
import HTTPServer
import Logging
import RelaisConfig
import RelaisDomain
import RelaisStore
import RelaisUseCases
import RelaisSender
import RelaisWeb
import ServiceLifecycle

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the daemon: web pages, JSON API and reminder sender.",
        discussion: """
            On an empty database, creates the account 'admin' and prints its one-time password once.
            SIGTERM or SIGINT lets requests in flight finish, then exits 0.
            """)

    @OptionGroup var installation: InstallationOptions

    @Option(help: ArgumentHelp("Address to listen on; overrides http.host.", valueName: "address"))
    var host: String?

    @Option(help: ArgumentHelp("Port to listen on (0: any free port); overrides http.port.", valueName: "port"))
    var port: Int?

    func run() async throws {
        var configuration = try installation.load()
        if let host { configuration.httpHost = host }
        if let port {
            guard (0...65535).contains(port) else { throw ArgumentParser.ValidationError("--port must be from 0 to 65535") }
            configuration.httpPort = port
        }
        try ConfigurationLoader.validate(configuration)

        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "relais")
        if !configuration.isLoopbackHost && !configuration.usesTLS {
            logger.warning("serving plain HTTP on \(configuration.httpHost) because http.allow_plain_http_on_lan is true: a TLS reverse proxy must be in front")
        }

        let store = try installation.openStore(configuration)
        let checkpointer = try store.checkpointInBackground()
        let cutoff = Date().addingTimeInterval(-Double(configuration.auditRetentionDays) * 86400)
        let purged = try store.purgeAudit(before: cutoff)
        if purged > 0 { logger.info("purged \(purged) audit rows older than \(configuration.auditRetentionDays) days") }

        let protocols = try loadProtocols(configuration)
        for renamed in protocols.instruments.instruments.flatMap(\.renamedSettings) {
            logger.warning("\(renamed): the former id still works; write the new one in the configuration")
        }
        var app = try RelaisApp(configuration: configuration, store: store, protocols: protocols, logger: logger)
        app.mailTester = try makeMailTester(configuration)
        if configuration.smsEnabled {
            app.smsTester = try makeSMSTester(configuration, store: store)
            app.smsDeliverySecret = try smsDeliverySecret(configuration, store: store)
        }
        try createFirstAdministrator(app.actions)

        let server: Server
        do {
            server = try Server(configuration: try app.serverConfiguration, pipeline: try app.pipeline(), logger: logger)
        } catch let error as RouteTableError {
            throw ConfigurationError(key: "routes", source: "RelaisWeb", reason: error.description)
        } catch let error as ServerStartError {
            throw ConfigurationError(key: "http.host/http.port", source: "configuration", reason: error.description)
        }
        // Links name the address actually served (with `--port 0`, the port just bound) unless
        // http.public_base_url says otherwise; it is recorded for `relais send-due` too.
        let served = ServedAddress.url(tls: configuration.usesTLS, host: configuration.httpHost, port: Int(server.port))
        do {
            try ServedAddress.record(served, dataDir: configuration.dataDir)
        } catch {
            logger.warning("\(error): relais send-due will not know the address served")
        }
        let linkBase = configuration.linkBaseURL(served: served)
        app.actions.settings.serveLinks(at: linkBase)
        if ServedAddress.isUnreachableFromOtherMachines(linkBase) {
            logger.warning("""
                links in mail and letters use \(linkBase), which participants outside this machine cannot open: \
                set http.public_base_url to the address they reach Relais at (for example https://relais.example.org)
                """)
        }
        let sender = try makeSender(configuration, store: store, instruments: protocols.instruments, logger: logger, publicBaseURL: linkBase)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: HTTPService(server: server, logger: logger)),
                       .init(service: SenderService(sender: sender, interval: configuration.mailSweepIntervalSeconds, logger: logger))],
            logger: logger))
        // Trapped before "listening on" is printed, so a signal right after it still drains.
        ShutdownSignals.trap { signal in
            logger.info("received signal \(signal)")
            Task { await group.triggerGracefulShutdown() }
        }
        logger.info("Relais \(RelaisVersion.current) listening on \(served) (data: \(configuration.dataDir))")

        try await group.run()
        withExtendedLifetime(checkpointer) {}
        logger.info("stopped")
    }

    /// A new installation has no account: create 'admin' with a random password that must be
    /// changed at first login, and show it once.
    private func createFirstAdministrator(_ actions: UseCases) throws {
        guard try !actions.hasAccounts() else { return }
        let password = Secrets.randomToken(byteCount: 12)
        _ = try actions.createAccount(name: "admin", displayName: "Administrateur", role: Role.admin.rawValue, email: nil, oneTimePassword: password,
                                      by: .commandLine("serve"))
        Console.error("""
            Created the administrator account 'admin' with this one-time password (shown once, to be changed at first login):
            \(password)
            """)
    }
}

/// The HTTP server as a lifecycle service: runs until graceful shutdown, then drains.
struct HTTPService: Service {
    let server: Server
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        logger.info("shutting down: finishing \(server.requestsInFlight) request(s) in flight")
        server.stop()
    }
}

/// The reminder sender as a lifecycle service: a sweep now, then one every interval. On
/// shutdown the sweep in progress finishes (each message is marked before the next is taken).
struct SenderService: Service {
    let sender: Sender
    let interval: Int
    let logger: Logger

    func run() async throws {
        logger.info("sender: \(sender.transport.name) transport for mail, \(sender.sms.map { "\($0.transport.name) for SMS" } ?? "SMS switched off"), a sweep every \(interval) s")
        while !Task.isShuttingDownGracefully {
            // Off the cooperative pool: a sweep blocks on SQLite and on the mail server.
            let result: Result<SweepReport, any Error> = await withCheckedContinuation { continuation in
                DispatchQueue.global().async { continuation.resume(returning: Result { try sender.sweep(at: Date()) }) }
            }
            switch result {
            case .success(let report) where report.sent + report.failed + report.retrying + report.tasksOpened > 0:
                logger.info("sweep: \(report.sent) sent (\(report.smsSent) SMS), \(report.retrying) to retry, \(report.failed) failed, \(report.tasksOpened) phone task(s)")
            case .failure(let error): logger.error("sweep failed: \(error)")
            default: break
            }
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(interval)) }
        }
    }
}
