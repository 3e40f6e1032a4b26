import ArgumentParser
import Foundation
import Logging
import RelaisConfig
import RelaisDomain
import RelaisMail
import RelaisSender
import RelaisStore
import RelaisWeb

/// `relais demo`: a clearly fake structure in an empty data folder, so that a newcomer sees a
/// living system and `send-due` and the reports have something to work on.
struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fill an empty data folder with a fake structure (sites, staff, three programmes, participants).",
        discussion: """
            Everything it creates is marked FICTIF. The history is produced by Relais itself: the
            demo moves a simulated clock through the past programme and runs the sender each day,
            so the maildir already holds the mail of the past, and the next messages are pending:
            the 3-month follow-up of the past programme falls due two days after --today, the
            current programme has sessions to come, the future one has just been filled.
            Mail of the replayed past always goes to the maildir, whatever the configured transport.
            Then advance the clock with: relais send-due --now <instant>.
            """)

    @OptionGroup var installation: InstallationOptions

    @Option(help: ArgumentHelp("The day the demo treats as today (YYYY-MM-DD); the real date when omitted.", valueName: "date"))
    var today: String?

    func run() async throws {
        let configuration = try installation.load()
        try ConfigurationLoader.validate(configuration)
        let zone = configuration.timeZone.zone
        let todayDate: CalendarDate
        if let today {
            guard let parsed = CalendarDate(iso: today) else { throw Refusal("--today: expected a date YYYY-MM-DD, got '\(today)'") }
            todayDate = parsed
        } else {
            todayDate = LocalDateTime(Date(), in: zone).date
        }
        let store = try installation.openStore(configuration)
        let counts = try await store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM programme) + (SELECT COUNT(*) FROM participant)") ?? 0)
        }
        guard counts == 0 else {
            throw Refusal("the data folder \(configuration.dataDir) already holds programmes or participants: the demo needs an empty one (use --data-dir)")
        }
        let instruments = try loadInstruments(configuration)
        let templates = try loadTemplates(configuration, instruments: instruments)
        guard let template = templates.first(where: { $0.id == "3g2i" }) ?? templates.first else { throw Refusal("no programme template in Protocols/") }
        var demoConfiguration = configuration
        demoConfiguration.mailTransport = "maildir"
        var logger = Logger(label: "relais.demo")
        logger.logLevel = .error
        let sender = try makeSender(demoConfiguration, store: store, instruments: instruments, logger: logger)
        let builder = DemoBuilder(store: store, zone: zone, today: todayDate, template: template, instruments: instruments, sender: sender)
        let summary = try builder.build()
        Console.json(summary)
        Console.error("""
            Demo structure created (all of it FICTIF). Log in with one of the accounts above, or see what comes next with:
              relais send-due --data-dir \(configuration.dataDir) --now \(LocalDateTime(date: todayDate.addingDays(2), hour: 10, minute: 0)!.instant(in: zone).formatted(.iso8601))
            """)
    }
}

struct DemoBuilder {
    let store: Store
    let zone: TimeZone
    let today: CalendarDate
    let template: ProgrammeTemplate
    let instruments: InstrumentCatalog
    let sender: Sender

    static let actor = Actor.cli("demo")
    static let people: [(String, String, String)] = [
        ("Amandine", "Morel", "email"), ("Bruno", "Lefèvre", "email"), ("Chloé", "Garnier", "phone"), ("David", "Roux", "email"),
        ("Élodie", "Fournier", "email"), ("Farid", "Benali", "email"), ("Gisèle", "Marchand", "post"), ("Hugo", "Perrin", "email"),
        ("Inès", "Colin", "email"), ("Jules", "Mercier", "phone"), ("Karima", "Haddad", "email"), ("Louis", "Faure", "email"),
        ("Manon", "Blanc", "email"), ("Nicolas", "Guerin", "phone"), ("Océane", "Boyer", "email"), ("Pascal", "Lemoine", "email"),
        ("Rose", "Chevalier", "email"), ("Samir", "Aubert", "email"), ("Thérèse", "Dumas", "phone"), ("Victor", "Renaud", "email"),
        ("Yasmine", "Caron", "email"), ("Zoé", "Picard", "email"), ("Arthur", "Robin", "email"), ("Béatrice", "Noël", "phone"),
    ]

    func local(_ date: CalendarDate, _ hour: Int, _ minute: Int = 0) -> Date { LocalDateTime(date: date, hour: hour, minute: minute)!.instant(in: zone) }

    func build() throws -> [String: Any] {
        // The past programme's last session is three months before today + 2 days, so that its
        // follow-up falls due just after "today"; the demo starts a month before it.
        let pastLast = today.addingDays(2).addingMonths(-3)
        let pastStart = pastLast.addingDays(-2 * template.cadenceDays)
        let clock = ManualClock(local(pastStart.addingDays(-30), 9))
        let accounts = Accounts(store: store, clock: clock.clock)
        let sites = Sites(store: store, clock: clock.clock)
        let participants = Participants(store: store, clock: clock.clock, currentYear: { today.year })
        let programmes = Programmes(store: store, clock: clock.clock)
        let enrolments = Enrolments(store: store, clock: clock.clock)
        let assessments = Assessments(store: store, clock: clock.clock)

        // Staff.
        var passwords: [String: String] = [:]
        func staff(_ name: String, _ display: String, _ role: Role, _ email: String?) throws -> User {
            let password = Secrets.randomToken(byteCount: 9)
            passwords[name] = password
            return try accounts.createUser(name: name, displayName: display, role: role, password: password, email: email, by: Self.actor)
        }
        let coordinator = try staff("demo.coordination", "Claire Coordination (FICTIF)", .coordinator, "coordination@exemple.invalid")
        let lead = try staff("demo.tabaco", "Dr Thomas Tabaco (FICTIF)", .tabacologue, "t.tabaco@exemple.invalid")
        let lead2 = try staff("demo.tabaco2", "Sophie Sevrage (FICTIF)", .tabacologue, "s.sevrage@exemple.invalid")
        let helper = try staff("demo.pair", "Patrick Pair-aidant (FICTIF)", .peerHelper, nil)

        // Sites.
        let centre = try sites.create(name: "Centre de santé Les Tilleuls (FICTIF)", address: "12 rue des Tilleuls, 75000 Exemple-sur-Seine", by: Self.actor)
        let room = try sites.addRoom(siteID: centre.id, name: "Arc-en-ciel", capacity: 16, by: Self.actor)
        let north = try sites.create(name: "Antenne Nord (FICTIF)", address: "3 place du Marché, 75000 Exemple-sur-Seine", by: Self.actor)
        let northRoom = try sites.addRoom(siteID: north.id, name: "Salle 1", capacity: 12, by: Self.actor)

        // Participants, marked FICTIF in their last name.
        var people: [ParticipantRecord] = []
        for (index, person) in Self.people.enumerated() {
            let (first, last, channel) = person
            let slug = (first + "." + last).folding(options: .diacriticInsensitive, locale: nil).lowercased()
            var details = ParticipantDetails(firstName: first, lastName: "\(last) (FICTIF)", birthYear: 1960 + index,
                                             preferredChannel: ContactChannel(rawValue: channel) ?? .email, consentDataProcessing: true,
                                             consentFollowUp: index % 7 != 6, precarity: index % 5 == 0, isolation: index % 6 == 1,
                                             difficultCarePath: index % 8 == 2)
            switch channel {
            case "email":
                details.email = "\(slug)@exemple.invalid"
                details.consentEmail = true
            case "phone": details.phone = "06 00 00 \(String(format: "%02d", index)) \(String(format: "%02d", index * 3 % 100))"
            default: details.postalAddress = "\(index + 1) allée des Exemples, 75000 Exemple-sur-Seine"
            }
            people.append(try participants.create(details.validated(currentYear: today.year), by: Self.actor))
        }

        func programme(_ title: String, start: CalendarDate, site: SiteRecord, room: RoomRecord, lead: User, helper: User?) throws -> (ProgrammeRecord, [SessionRecord]) {
            let plan = try Planner.plan(template: template, start: LocalDateTime(date: start, hour: 18, minute: 0)!, timeZone: zone)
            let draft = ProgrammeDraft(template: template, title: title, siteID: site.id, roomID: room.id, modality: .inPerson, visioURL: nil,
                                       capacity: 12, timeZone: zone, leadID: lead.id, peerHelperID: helper?.id,
                                       sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) }, followUpDue: plan.followUpDue)
            return try programmes.create(draft, by: Self.actor)
        }

        var sweeps = 0
        /// Runs the sender once a day at 10:00 from the clock's day up to (not including) `day`.
        func replay(until day: CalendarDate) throws {
            var current = LocalDateTime(clock.now, in: zone).date
            while current < day {
                let instant = local(current, 10)
                if instant > clock.now {
                    clock.set(instant)
                    _ = try sender.sweep(at: instant)
                    sweeps += 1
                }
                current = current.addingDays(1)
            }
        }
        func scored(_ id: String, _ answers: [String: JSONValue]) throws -> ScoreResult {
            guard let instrument = instruments[id] else { throw Refusal("instrument \(id) missing from Protocols/") }
            return try instrument.score(answers)
        }

        // The past programme: enrolled a month before, three sessions held, tests recorded.
        let (past, pastSessions) = try programme("Arrêter ensemble — printemps (FICTIF)", start: pastStart, site: centre, room: room, lead: lead, helper: helper)
        let pastGroup = Array(people[0..<10])
        for person in pastGroup { _ = try enrolments.enrol(programmeID: past.id, participantID: person.id, waitingList: true, by: Self.actor) }
        for session in pastSessions {
            try replay(until: LocalDateTime(session.startsAt, in: zone).date)
            clock.set(session.endsAt.addingTimeInterval(1800))
            let records = pastGroup.enumerated().map { index, person in
                (participantID: person.id, status: (index + session.index) % 6 == 0 ? AttendanceStatus.absent : .present)
            }
            try enrolments.recordAttendance(sessionID: session.id, records, note: "Séance animée (données fictives).", by: lead.actor)
            let takenOn = LocalDateTime(session.startsAt, in: zone).date
            for (index, record) in records.enumerated() where record.status == .present {
                if session.index == 1 {
                    _ = try assessments.record(participantID: record.participantID, result: try scored("fagerstrom", [
                        "q1": .string(["within5", "6to30", "31to60"][index % 3]), "q2": .string(index % 2 == 0 ? "yes" : "no"),
                        "q3": .string(index % 3 == 0 ? "first_morning" : "other"), "q4": .number(Double(8 + index * 3)),
                        "q5": .string(index % 2 == 0 ? "yes" : "no"), "q6": .string(index % 4 == 0 ? "yes" : "no"),
                    ]), takenOn: takenOn, partial: false, source: .staff, by: lead.actor)
                    _ = try assessments.record(participantID: record.participantID, result: try scored("co", ["ppm": .number(Double(12 + index * 2))]),
                                               takenOn: takenOn, partial: false, source: .staff, by: lead.actor)
                }
                if session.index == 2, let qmat = instruments["qmat"] {
                    let answers = Dictionary(uniqueKeysWithValues: qmat.definition.items.map { item in
                        (item.id, JSONValue.string(item.options?[(index + item.id.count) % (item.options?.count ?? 1)].code ?? ""))
                    })
                    _ = try assessments.record(participantID: record.participantID, result: try qmat.score(answers),
                                               takenOn: takenOn, partial: false, source: .staff, by: lead.actor)
                }
            }
        }
        // A few end-of-programme questionnaires came back on paper.
        try replay(until: pastLast.addingDays(5))
        for person in pastGroup.prefix(3) {
            for id in ["satisfaction_end", "impact_end"] {
                guard let instrument = instruments[id] else { continue }
                _ = try assessments.record(participantID: person.id, result: try scored(id, Self.sampleAnswers(instrument)),
                                           takenOn: LocalDateTime(clock.now, in: zone).date, partial: false, source: .paper, by: coordinator.actor)
            }
        }
        try replay(until: today.addingDays(-14))

        // The current programme: started a week ago, session 1 held.
        let (current, currentSessions) = try programme("Mois sans tabac — groupe du jeudi (FICTIF)", start: today.addingDays(-7),
                                                        site: north, room: northRoom, lead: lead2, helper: nil)
        let currentGroup = Array(people[10..<18])
        for person in currentGroup { _ = try enrolments.enrol(programmeID: current.id, participantID: person.id, waitingList: true, by: Self.actor) }
        try replay(until: today.addingDays(-6))
        clock.set(currentSessions[0].endsAt.addingTimeInterval(1800))
        try enrolments.recordAttendance(sessionID: currentSessions[0].id, currentGroup.map { (participantID: $0.id, status: AttendanceStatus.present) },
                                        note: nil, by: lead2.actor)
        try replay(until: today)

        // The future programme: planned today, places filling.
        clock.set(local(today, 9, 30))
        let (future, _) = try programme("Arrêter ensemble — nouvelle session (FICTIF)", start: today.addingDays(21), site: centre, room: room,
                                        lead: lead, helper: helper)
        for person in people[18...] { _ = try enrolments.enrol(programmeID: future.id, participantID: person.id, waitingList: true, by: Self.actor) }

        let outbox = try Outbox(store: store).counts()
        return [
            "today": today.iso,
            "accounts": [coordinator, lead, lead2, helper].map { ["name": $0.name, "role": $0.role.rawValue, "password": passwords[$0.name] ?? ""] },
            "programmes": ["past": past.id, "current": current.id, "future": future.id],
            "participants": people.count,
            "sweepsReplayed": sweeps,
            "outbox": Dictionary(uniqueKeysWithValues: outbox.map { ($0.key.rawValue, $0.value) }),
        ]
    }

    /// Plausible answers for a questionnaire: the first option of each choice, mid-range numbers.
    static func sampleAnswers(_ instrument: ConfiguredInstrument) -> [String: JSONValue] {
        var answers: [String: JSONValue] = [:]
        for item in instrument.definition.items where item.isRequired {
            switch item.type {
            case .singleChoice: if let option = item.options?.first { answers[item.id] = .string(option.code) }
            case .multipleChoice: if let option = item.options?.first { answers[item.id] = .array([.string(option.code)]) }
            case .integer, .number: answers[item.id] = .number(((item.min ?? 0) + (item.max ?? 10)) / 2)
            case .text: answers[item.id] = .string("Très bon accompagnement (réponse fictive).")
            case .date: answers[item.id] = .string("2026-01-01")
            }
        }
        return answers
    }
}
