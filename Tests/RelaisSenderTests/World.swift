import Foundation
import Logging
import RelaisConfig
import RelaisDomain
import RelaisMail
import RelaisSender
import RelaisStore
import RelaisTestSupport

/// A structure in a real SQLite file: a tabacologue, a site and room, the shipped 3g2i template
/// and instruments, the shipped mail templates, and a clock.
final class World: @unchecked Sendable {
    static let protocols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocols").path
    static let paris = TimeZone(identifier: "Europe/Paris")!

    let directory = TemporaryDirectory()
    let store: Store
    let time: ManualClock
    let instruments: InstrumentCatalog
    let template: ProgrammeTemplate
    let lead: User
    let site: SiteRecord
    let room: RoomRecord

    /// The lead gets the daily staff digest only when given an email.
    init(now: String = "2027-02-01T10:00:00Z", leadEmail: String? = nil, policy: ReminderPolicy = ReminderPolicy()) throws {
        time = ManualClock(ISO8601DateFormatter().date(from: now)!)
        store = try Store(path: directory.file("relais.sqlite"), reminderPolicy: policy)
        instruments = try ProtocolsLoader.instruments(directory: Self.protocols)
        template = try ProtocolsLoader.templates(directory: Self.protocols, instruments: instruments).first { $0.id == "3g2i" }!
        lead = try Accounts(store: store, clock: time.clock).createUser(name: "lead", displayName: "Dr Lead", role: .tabacologue,
                                                                        password: "long enough password", email: leadEmail, by: .system)
        site = try Sites(store: store, clock: time.clock).create(name: "Centre", address: "1 rue Exemple", by: .system)
        room = try Sites(store: store, clock: time.clock).addRoom(siteID: site.id, name: "Salle A", capacity: 12, by: .system)
    }

    var programmes: Programmes { Programmes(store: store, clock: time.clock) }
    var enrolments: Enrolments { Enrolments(store: store, clock: time.clock) }
    var participants: Participants { Participants(store: store, clock: time.clock, currentYear: { 2027 }) }
    var assessments: Assessments { Assessments(store: store, clock: time.clock) }
    var questionnaires: Questionnaires { Questionnaires(store: store, clock: time.clock) }
    var tasks: Tasks { Tasks(store: store, clock: time.clock, timeZone: Self.paris) }
    var outbox: Outbox { Outbox(store: store, clock: time.clock) }

    static func instant(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }

    /// A programme whose first session starts at `start` (local time, Paris), weekly.
    func programme(start: String, followUps: [FollowUpTemplate]? = nil) throws -> (ProgrammeRecord, [SessionRecord]) {
        var template = template
        if let followUps { template.followUps = followUps }
        let plan = try Planner.plan(template: template, start: LocalDateTime(iso: start)!, timeZone: Self.paris)
        let draft = ProgrammeDraft(template: template, title: "Arrêter ensemble", siteID: site.id, roomID: room.id, modality: .inPerson,
                                   visioURL: nil, capacity: 12, timeZone: Self.paris, leadID: lead.id, peerHelperID: nil,
                                   sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) }, followUpDue: plan.followUpDue)
        return try programmes.create(draft, by: .system)
    }

    /// The March 2027 programme, with `participant` enrolled and present at the last session
    /// (the clock is left at its end): the end questionnaires and the follow-up are planned.
    @discardableResult
    func programmeAttendedToTheEnd(by participant: ParticipantRecord) throws -> [SessionRecord] {
        let (programme, sessions) = try self.programme(start: "2027-03-04T18:00")
        _ = try enrolments.enrol(programmeID: programme.id, participantID: participant.id, waitingList: false, by: .system)
        time.set(sessions[2].endsAt)
        try enrolments.recordAttendance(sessionID: sessions[2].id, [(participant.id, .present)], note: nil, by: .system)
        return sessions
    }

    func participant(_ first: String, email: String?, consentEmail: Bool = true, followUp: Bool = true, language: String = "fr") throws -> ParticipantRecord {
        let details = ParticipantDetails(firstName: first, lastName: "Test", birthYear: 1980, email: email,
                                         phone: email == nil ? "06 12 34 56 78" : nil, preferredChannel: email == nil ? .phone : .email,
                                         consentDataProcessing: true, consentEmail: email != nil && consentEmail, consentFollowUp: followUp,
                                         language: language)
        return try participants.create(try details.validated(currentYear: 2027), by: .system)
    }

    func sender(_ transport: any MailTransport, policy: ReminderPolicy = ReminderPolicy()) throws -> Sender {
        let templates = try MailTemplates(directory: Self.protocols + "/mail")
        let composer = MessageComposer(templates: templates, structureName: "Centre de test", from: MailAddress("relais@example.org", displayName: "Centre de test"),
                                       replyTo: MailAddress("contact@example.org"), publicBaseURL: "https://relais.example.org",
                                       instrumentTitles: Dictionary(uniqueKeysWithValues: instruments.instruments.map { ($0.id, $0.definition.title) }),
                                       programmeTemplates: [template])
        var sender = Sender(outbox: outbox, transport: transport, composer: composer, window: SendingWindow(timeZone: Self.paris),
                            policy: policy, evaluationDate: "01-15", logger: Logger(label: "test"))
        sender.lockPath = directory.file("sender.lock")
        return sender
    }

    func smtp(_ server: SMTPTestServer) -> SMTPTransport {
        SMTPTransport(settings: SMTPSettings(host: "127.0.0.1", port: server.port, security: .none, timeoutSeconds: 5))
    }

    func pending(_ kind: MessageKind) throws -> [OutboxRecord] { try outbox.list(state: .pending, kind: kind, participantID: nil) }
}
