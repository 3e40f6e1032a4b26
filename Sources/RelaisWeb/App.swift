import Foundation
import HTTPServer
import Logging
import RelaisConfig
import RelaisDomain
import RelaisStore

/// The application: every route of the pages and the API over one store.
public struct RelaisApp: Sendable {
    public let configuration: Configuration
    public let store: Store
    public let accounts: Accounts
    public let assessments: Assessments
    public let participants: Participants
    public let sites: Sites
    public let programmes: Programmes
    public let enrolments: Enrolments
    public let consultations: Consultations
    public let feeds: Feeds
    public let outbox: Outbox
    public let tasks: Tasks
    public let questionnaires: Questionnaires
    public let instruments: InstrumentCatalog
    public let templates: [ProgrammeTemplate]
    public let renderer: Renderer
    public let logger: Logger
    public let clock: Clock
    /// Sends a test email to one recipient through the configured transport, synchronously,
    /// and describes what it did ("envoyé via smtp (…) à …"); set by `relais serve`. Nil: the
    /// settings page says that mail is not configured in this process.
    public var mailTester: (@Sendable (_ recipient: String) throws -> String)? = nil

    public init(configuration: Configuration, store: Store, instruments: InstrumentCatalog, templates: [ProgrammeTemplate],
                logger: Logger, clock: Clock = .system) throws {
        self.configuration = configuration
        self.store = store
        self.instruments = instruments
        self.templates = templates
        let zone = configuration.timeZone.zone
        self.participants = Participants(store: store, clock: clock, currentYear: {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            return calendar.component(.year, from: clock.now())
        })
        self.sites = Sites(store: store, clock: clock)
        self.programmes = Programmes(store: store, clock: clock)
        self.enrolments = Enrolments(store: store, clock: clock)
        self.consultations = Consultations(store: store, clock: clock)
        self.feeds = Feeds(store: store, clock: clock)
        self.outbox = Outbox(store: store, clock: clock)
        self.tasks = Tasks(store: store, clock: clock, timeZone: zone)
        self.questionnaires = Questionnaires(store: store, clock: clock)
        self.logger = logger
        self.clock = clock
        self.assessments = Assessments(store: store, clock: clock)
        self.accounts = Accounts(store: store, clock: clock,
                                 policy: LoginPolicy(maxFailures: configuration.loginMaxFailures,
                                                     window: TimeInterval(configuration.loginWindowMinutes * 60)))
        self.renderer = try Renderer()
    }

    public func router() -> Router {
        var router = Router()
        registerHealth(&router)
        registerStatic(&router)
        registerAccountAPI(&router)
        registerInstrumentAPI(&router)
        registerAssessmentAPI(&router)
        registerProgrammeAPI(&router)
        registerParticipantAPI(&router)
        registerFeeds(&router)
        registerOutboxAPI(&router)
        registerQuestionnaires(&router)
        registerLetters(&router)
        registerLogin(&router)
        registerDashboard(&router)
        registerAccountPages(&router)
        registerProgrammePages(&router)
        registerSessionPages(&router)
        registerParticipantPages(&router)
        registerTaskPages(&router)
        registerAdminPages(&router)
        registerReportPages(&router)
        registerReportAPI(&router)
        return router.wrapped(refusingControlCharacters)
    }

    /// No query value or form field may carry a control character other than a line break or a
    /// tab (JSON bodies are checked as they are parsed): refused with a 422 naming the field,
    /// before any handler, so that none reaches the store, a page, a mail or an export.
    func refusingControlCharacters(_ handler: @escaping Handler) -> Handler {
        let app = self
        return { request in
            let field = request.query.first { TextRules.hasForbiddenControl($0.value) || $0.value.contains("\n") }?.name
                ?? request.form.first { $0.filename == nil && TextRules.hasForbiddenControl($0.string) }?.name
            guard let field else { return try handler(request) }
            let error = APIError.invalid([field: "must not contain control characters"])
            guard !request.path.hasPrefix("/api/") else { return error.response }
            let strings = app.renderer.strings(app.configuration.language)
            return app.errorPage(422, strings.fill("error_message_invalid", ["field": field, "reason": app.localizedReason("must not contain control characters", language: app.configuration.language)]), context: nil)
        }
    }

    /// Answers for what the server decides itself (404, 405, 413, 500): the API's JSON error
    /// shape under /api/, a page elsewhere.
    public var errorResponder: ErrorResponder {
        let app = self
        return { error, request in
            if request == nil || request?.path.hasPrefix("/api/") == true || request?.path == "/healthz" {
                return APIError(status: error.status, code: APIError.code(for: error.status), message: error.message).response
            }
            return app.errorPage(error.status, app.politeMessage(error.status, reference: error.reference), context: nil)
        }
    }

    /// Today's date where the structure is.
    public var today: CalendarDate {
        LocalDateTime(clock.now(), in: configuration.timeZone.zone).date
    }

    public var serverConfiguration: ServerConfiguration {
        get throws {
            var server = ServerConfiguration()
            server.host = configuration.httpHost
            server.port = UInt16(configuration.httpPort)
            server.threads = configuration.httpThreads
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
