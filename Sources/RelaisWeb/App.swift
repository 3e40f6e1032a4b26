import Foundation
import HTTPServer
import HTTPTypes
import Logging
import RelaisConfig
import RelaisDomain
import RelaisReports
import RelaisStore
import RelaisUseCases

/// The application: every route of the pages and the API over the use cases. Handlers read the
/// request, call one use case, and shape its answer; they never touch the store.
public struct RelaisApp: Sendable {
    public let configuration: Configuration
    public let actions: UseCases
    public let renderer: Renderer
    public let logger: Logger
    let resources: Resources
    /// The evaluation's documents (RelaisReports), loaded at start.
    let reports: EvaluationReports
    /// What `/healthz` answers: the database checked every second in the background.
    public let health: HealthMonitor
    /// Sends a test email to one recipient through the configured transport, synchronously,
    /// and describes what it did ("envoyé via smtp (…) à …"); set by `relais serve`. Nil: the
    /// settings page says that mail is not configured in this process.
    public var mailTester: (@Sendable (_ recipient: String) throws -> String)? = nil
    /// Sends a test SMS to one number (E.164) through the configured SMS transport, and describes
    /// what it did; set by `relais serve`. Nil: the settings page says SMS are not set up here.
    public var smsTester: (@Sendable (_ number: String) throws -> String)? = nil
    /// The secret of the delivery-report address the SMS gateway calls (`/sms/dlr/{secret}/…`);
    /// set by `relais serve`. Nil: reports are refused.
    public var smsDeliverySecret: String? = nil

    public init(configuration: Configuration, store: Store, protocols: ProtocolCatalog, logger: Logger, clock: Clock = .system) throws {
        self.configuration = configuration
        self.logger = logger
        let actions = UseCases(store: store, clock: clock, settings: UseCaseSettings(configuration), protocols: protocols)
        self.actions = actions
        health = HealthMonitor { actions.databaseIsHealthy() }
        renderer = try Renderer()
        resources = try Resources()
        reports = try EvaluationReports(protocols: protocols)
    }

    public var instruments: InstrumentCatalog { actions.instruments }
    public var templates: [ProgrammeTemplate] { actions.templates }
    public var clock: Clock { actions.clock }
    /// Today's date where the structure is.
    public var today: CalendarDate { actions.today }
    var structureZone: TimeZone { configuration.timeZone.zone }

    public func router() -> Router {
        var routes = Routes(app: self)
        registerHealth(&routes)
        registerAccessibility(&routes)
        registerAccountAPI(&routes)
        registerInstrumentAPI(&routes)
        registerAssessmentAPI(&routes)
        registerProgrammeAPI(&routes)
        registerParticipantAPI(&routes)
        registerTreatmentAPI(&routes)
        registerConsultationRecordAPI(&routes)
        registerFeeds(&routes)
        registerOutboxAPI(&routes)
        registerQuestionnaires(&routes)
        registerSMS(&routes)
        registerLogin(&routes)
        registerDashboard(&routes)
        registerAccountPages(&routes)
        registerProgrammePages(&routes)
        registerSessionPages(&routes)
        registerParticipantPages(&routes)
        registerTreatmentPages(&routes)
        registerEnrolmentPages(&routes)
        registerConsultationRecordPages(&routes)
        registerTaskPages(&routes)
        registerAdminPages(&routes)
        registerReportPages(&routes)
        registerReportAPI(&routes)
        return routes.router
    }

    /// Everything that answers a request: the routes, the middleware and the error answers.
    public func pipeline() throws -> Pipeline {
        try Pipeline(router: router(), middleware: middleware, logger: logger, errorResponder: errorResponder)
    }

    /// What every request goes through, after the server's access log and before its route.
    public var middleware: [any Middleware] { [RefuseControlCharacters(app: self)] }

    /// Answers for what the server decides itself (404, 405, 413, 500): the API's JSON error
    /// shape under /api/, a page elsewhere.
    public var errorResponder: ErrorResponder {
        let app = self
        return { error, request in
            if request == nil || request?.path.hasPrefix("/api/") == true || request?.path == "/healthz" {
                return APIError(status: error.status, code: APIError.code(for: error.status), message: error.message).response(app.renderer)
            }
            return app.errorPage(error.status, app.politeMessage(error.status, reference: error.reference), context: nil)
        }
    }

    public var serverConfiguration: ServerConfiguration {
        get throws {
            var server = ServerConfiguration()
            server.host = configuration.httpHost
            server.port = UInt16(configuration.httpPort)
            server.threads = configuration.effectiveHTTPThreads
            server.connectionTimeoutSeconds = configuration.httpConnectionTimeoutSeconds
            server.requestHeadTimeoutSeconds = configuration.httpRequestHeadTimeoutSeconds
            server.requestBodyTimeoutSeconds = configuration.httpRequestBodyTimeoutSeconds
            server.trustedProxies = configuration.httpTrustedProxies.compactMap(IPNetwork.init)
            server.connectionLimit = configuration.httpConnectionLimit
            server.perIPConnectionLimit = configuration.httpPerIPConnectionLimit
            server.connectionMemoryLimit = configuration.httpConnectionMemoryLimitBytes
            server.maxBodyBytes = configuration.httpMaxBodyBytes
            if let cert = configuration.httpTLSCertificateFile, let key = configuration.httpTLSKeyFile {
                server.tlsCertificatePEM = try String(contentsOfFile: cert, encoding: .utf8)
                server.tlsKeyPEM = try String(contentsOfFile: key, encoding: .utf8)
            }
            return server
        }
    }
}

/// Files served as they are, checked at start: a missing one stops Relais.
struct Resources: Sendable {
    let stylesheet: Data
    /// The bilan sheet's "Copier" buttons (the page works without it).
    let copyScript: Data
    /// The OpenAPI description (300 kB), read when a script asks for it rather than kept in memory.
    let openAPIFile: URL

    /// The OpenAPI description, or nil if it went missing since the start.
    var openAPI: Data? { try? Data(contentsOf: openAPIFile) }

    init() throws {
        guard let base = Bundle.module.resourceURL else { throw RendererError(message: "the resources of RelaisWeb are not installed") }
        func read(_ path: String) throws -> Data {
            do { return try Data(contentsOf: base.appendingPathComponent(path)) } catch {
                throw RendererError(message: "resource \(path) is missing from \(base.path)")
            }
        }
        stylesheet = try read("Static/relais.css")
        copyScript = try read("Static/copy.js")
        openAPIFile = base.appendingPathComponent("OpenAPI/openapi.json")
        guard FileManager.default.isReadableFile(atPath: openAPIFile.path) else {
            throw RendererError(message: "resource OpenAPI/openapi.json is missing from \(base.path)")
        }
    }
}

/// Why the administration page's test email failed: the server refused this recipient (or this
/// message), or the way out failed (connection, TLS, authentication, command). `detail` is the
/// server's or the transport's own words, shown as a technical detail after a French sentence.
/// Why a test SMS failed: the number was refused (by the gateway or the number rule), or the
/// gateway could not be used at all.
public struct SMSTestFailure: Error, Sendable, CustomStringConvertible {
    public var refusedNumber: Bool
    public var detail: String

    public init(refusedNumber: Bool, detail: String) {
        self.refusedNumber = refusedNumber
        self.detail = detail
    }

    public var description: String { detail }
}

public struct MailTestFailure: Error, Sendable, CustomStringConvertible {
    public var refusedRecipient: Bool
    public var detail: String

    public init(refusedRecipient: Bool, detail: String) {
        self.refusedRecipient = refusedRecipient
        self.detail = detail
    }

    public var description: String { detail }
}
