import Foundation
import RelaisDomain
import RelaisStore

/// What the use cases need to know of the installation, read once from its configuration.
public struct UseCaseSettings: Sendable {
    public var timeZone: TimeZone
    /// The base of the links the use cases write (letters, calendar feeds): `http.public_base_url`,
    /// else the address the daemon serves, which it learns only once it has bound its port.
    public var publicBaseURL: String { linkBase.current }
    private let linkBase: LinkBase
    public var questionnaireTokenDays: Int
    public var protocolsDirectory: String
    public var loginPolicy: LoginPolicy
    public var sessionIdleSeconds: TimeInterval
    /// The evaluation's defaults: the reduction threshold and the CO window.
    public var reducedThresholdPercent: Double = 50
    public var coWindowDays: Int = 7
    /// How many days before a participant's first programme an assessment may be dated (the
    /// entry tests are often taken at the enrolment interview).
    public var entrySlackDays: Int = 30

    public init(timeZone: TimeZone, publicBaseURL: String, questionnaireTokenDays: Int = 60, protocolsDirectory: String = "./Protocols",
                loginPolicy: LoginPolicy = LoginPolicy(), sessionIdleSeconds: TimeInterval = 30 * 60) {
        self.timeZone = timeZone
        linkBase = LinkBase(publicBaseURL)
        self.questionnaireTokenDays = questionnaireTokenDays
        self.protocolsDirectory = protocolsDirectory
        self.loginPolicy = loginPolicy
        self.sessionIdleSeconds = sessionIdleSeconds
    }
}

extension UseCaseSettings {
    /// Links name `url` from now on: what `relais serve` calls once its port is bound, when
    /// `http.public_base_url` is not set (`--port 0` binds a port nobody knew before). Every copy
    /// of these settings (the app's, its handlers') sees the change.
    public func serveLinks(at url: String) { linkBase.set(url) }
}

/// The base URL of links, shared by the copies of the settings and set once the daemon has bound.
final class LinkBase: @unchecked Sendable {
    private let lock = NSLock()
    private var url: String

    init(_ url: String) { self.url = url }

    var current: String { lock.withLock { url } }

    func set(_ url: String) { lock.withLock { self.url = url.hasSuffix("/") ? String(url.dropLast()) : url } }
}

/// The application's actions, one function each, shared by the JSON API, the pages and the
/// command line. Each checks the caller's permission (the role table and the rules of
/// `Access`), validates what it is given, and writes the fact with its audit and outbox rows in
/// one transaction of the store; it returns records or throws a `ValidationError` (422) or a
/// `Refusal` (403, 404, 409), each with a stable code.
public struct UseCases: Sendable {
    // `package` so that tests can arrange and inspect the store; the application's modules go
    // through the use cases (the architecture test checks it).
    package let store: Store
    public let clock: Clock
    public let settings: UseCaseSettings
    public let protocols: ProtocolCatalog
    public var instruments: InstrumentCatalog { protocols.instruments }
    public var templates: [ProgrammeTemplate] { protocols.templates }

    package let accounts: Accounts
    package let participants: Participants
    package let participantRecords: ParticipantRecords
    package let sites: Sites
    package let programmes: Programmes
    package let enrolments: Enrolments
    package let consultations: Consultations
    package let clinicalRecords: ClinicalRecords
    package let assessments: Assessments
    package let questionnaires: Questionnaires
    package let tasks: Tasks
    package let outbox: Outbox
    package let feeds: Feeds
    package let treatments: Treatments

    public init(store: Store, clock: Clock = .system, settings: UseCaseSettings, protocols: ProtocolCatalog) {
        self.store = store
        self.clock = clock
        self.settings = settings
        self.protocols = protocols
        let zone = settings.timeZone
        accounts = Accounts(store: store, clock: clock, policy: settings.loginPolicy)
        participants = Participants(store: store, clock: clock, currentYear: { LocalDateTime(clock.now(), in: zone).date.year })
        participantRecords = ParticipantRecords(store: store, clock: clock)
        sites = Sites(store: store, clock: clock)
        programmes = Programmes(store: store, clock: clock)
        enrolments = Enrolments(store: store, clock: clock)
        consultations = Consultations(store: store, clock: clock)
        clinicalRecords = ClinicalRecords(store: store, clock: clock)
        assessments = Assessments(store: store, clock: clock)
        questionnaires = Questionnaires(store: store, clock: clock)
        tasks = Tasks(store: store, clock: clock, timeZone: zone)
        outbox = Outbox(store: store, clock: clock)
        feeds = Feeds(store: store, clock: clock)
        treatments = Treatments(store: store, clock: clock)
    }

    /// Today's date where the structure is.
    public var today: CalendarDate { LocalDateTime(clock.now(), in: settings.timeZone).date }

    /// The structure's current year, for the adult check.
    public var currentYear: Int { today.year }

    func template(_ id: String) -> ProgrammeTemplate? { templates.first { $0.id == id } }

    func instrument(_ id: String) throws(Refusal) -> ConfiguredInstrument {
        guard let instrument = instruments[id] else {
            throw Refusal.notFound(.instrumentNotFound, ["id": String(id.prefix(40)), "known": instruments.instruments.map(\.id).joined(separator: ", ")])
        }
        return instrument
    }

    /// Whether the database file reads and the store answers: the check behind `/healthz`,
    /// run in the background by a `HealthMonitor`, never on a request.
    public func databaseIsHealthy() -> Bool { store.isHealthy() }
}
