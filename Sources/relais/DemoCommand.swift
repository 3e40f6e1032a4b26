import ArgumentParser
import Foundation
import Logging
import RelaisConfig
import RelaisDomain
import RelaisMail
import RelaisSender
import RelaisStore
import RelaisUseCases
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
            Mail of the replayed past always goes to the maildir, and its SMS to the spool (var/sms/new),
            whatever the configured transports. Some participants are reached by SMS only.
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
            guard let parsed = CalendarDate(iso: today) else { throw Refused("--today: expected a date YYYY-MM-DD, got '\(today)'") }
            todayDate = parsed
        } else {
            todayDate = LocalDateTime(Date(), in: zone).date
        }
        let store = try installation.openStore(configuration)
        guard try !store.holdsRecords() else {
            throw Refused("the data folder \(configuration.dataDir) already holds programmes or participants: the demo needs an empty one (use --data-dir)")
        }
        let protocols = try loadProtocols(configuration)
        let instruments = protocols.instruments, templates = protocols.templates
        guard let template = templates.first(where: { $0.id == "3g2i" }) ?? templates.first else { throw Refused("no programme template in Protocols/") }
        var demoConfiguration = configuration
        demoConfiguration.mailTransport = "maildir"
        demoConfiguration.smsTransport = "spool"
        var logger = Logger(label: "relais.demo")
        logger.logLevel = .error
        let sender = try makeSender(demoConfiguration, store: store, instruments: instruments, logger: logger)
        let builder = DemoBuilder(store: store, configuration: configuration, zone: zone, today: todayDate, template: template,
                                  protocols: protocols, sender: sender)
        let summary = try builder.build()
        Console.json(summary)
        Console.error("""
            Demo structure created (all of it FICTIF). Log in with one of the accounts above, or see what comes next with:
              relais send-due --data-dir \(configuration.dataDir) --now \(builder.local(todayDate.addingDays(2), 10).formatted(.iso8601))
            """)
    }
}

/// Builds the demonstration through the use cases, as the people of the structure would: the
/// operator creates accounts, sites, participants and programmes; the tabacologues record
/// attendance and tests; the coordination enters paper questionnaires.
struct DemoBuilder {
    let store: Store
    let configuration: Configuration
    let zone: TimeZone
    let today: CalendarDate
    let template: ProgrammeTemplate
    let protocols: ProtocolCatalog
    var instruments: InstrumentCatalog { protocols.instruments }
    let sender: Sender

    static let operatorCaller = Caller.commandLine("demo")
    static let people: [(String, String, String)] = [
        ("Amandine", "Morel", "email"), ("Bruno", "Lefèvre", "email"), ("Chloé", "Garnier", "sms"), ("David", "Roux", "email"),
        ("Élodie", "Fournier", "email"), ("Farid", "Benali", "email"), ("Gisèle", "Marchand", "post"), ("Hugo", "Perrin", "email"),
        ("Inès", "Colin", "email"), ("Jules", "Mercier", "sms"), ("Karima", "Haddad", "email"), ("Louis", "Faure", "email"),
        ("Manon", "Blanc", "email"), ("Nicolas", "Guerin", "sms"), ("Océane", "Boyer", "email"), ("Pascal", "Lemoine", "email"),
        ("Rose", "Chevalier", "email"), ("Samir", "Aubert", "email"), ("Thérèse", "Dumas", "phone"), ("Victor", "Renaud", "email"),
        ("Yasmine", "Caron", "email"), ("Zoé", "Picard", "email"), ("Arthur", "Robin", "email"), ("Béatrice", "Noël", "sms"),
    ]

    func local(_ date: CalendarDate, _ hour: Int, _ minute: Int = 0) -> Date {
        (LocalDateTime(date: date, hour: hour, minute: minute) ?? LocalDateTime(startOf: date)).instant(in: zone)
    }

    func build() throws -> [String: Any] {
        // The past programme's last session is three months before today + 2 days, so that its
        // follow-up falls due just after "today"; the demo starts a month before it.
        let pastLast = today.addingDays(2).addingMonths(-3)
        let pastStart = pastLast.addingDays(-2 * template.cadenceDays)
        let clock = ManualClock(local(pastStart.addingDays(-30), 9))
        let actions = UseCases(store: store, clock: clock.clock, settings: UseCaseSettings(configuration), protocols: protocols)
        let demo = Self.operatorCaller

        // Staff.
        var passwords: [String: String] = [:]
        func staff(_ name: String, _ display: String, _ role: Role, _ email: String?) throws -> User {
            let password = Secrets.randomToken(byteCount: 9)
            passwords[name] = password
            return try actions.createAccount(name: name, displayName: display, role: role.rawValue, email: email, password: password, by: demo)
        }
        let coordinator = try staff("demo.coordination", "Claire Coordination (FICTIF)", .coordinator, "coordination@exemple.invalid")
        let lead = try staff("demo.tabaco", "Dr Thomas Tabaco (FICTIF)", .tabacologue, "t.tabaco@exemple.invalid")
        let lead2 = try staff("demo.tabaco2", "Sophie Sevrage (FICTIF)", .tabacologue, "s.sevrage@exemple.invalid")
        let helper = try staff("demo.pair", "Patrick Pair-aidant (FICTIF)", .peerHelper, nil)

        // Sites.
        let centre = try actions.createSite(name: "Centre de santé Les Tilleuls (FICTIF)", address: "12 rue des Tilleuls, 75000 Exemple-sur-Seine", by: demo)
        let room = try actions.addRoom(siteID: centre.id, name: "Arc-en-ciel", capacity: 16, by: demo)
        let north = try actions.createSite(name: "Antenne Nord (FICTIF)", address: "3 place du Marché, 75000 Exemple-sur-Seine", by: demo)
        let northRoom = try actions.addRoom(siteID: north.id, name: "Salle 1", capacity: 12, by: demo)

        // Participants, marked FICTIF in their last name.
        var people: [ParticipantRecord] = []
        for (index, person) in Self.people.enumerated() {
            let (first, last, channel) = person
            let slug = (first + "." + last).folding(options: .diacriticInsensitive, locale: nil).lowercased()
            var request = ParticipantRequest()
            request.firstName = first
            request.lastName = "\(last) (FICTIF)"
            request.birthYear = 1960 + index
            request.preferredChannel = channel
            request.consentDataProcessing = true
            request.consentFollowUp = index % 7 != 6
            request.precarity = index % 5 == 0
            request.isolation = index % 6 == 1
            request.difficultCarePath = index % 8 == 2
            request.sex = index % 2 == 0 ? "female" : "male"
            request.postalCode = ["75011", "93200", "59000", "69003", "13001", "33000"][index % 6]
            request.pregnant = index == 4
            request.chronicIllness = index % 7 == 3
            request.mentalIllness = index % 9 == 5
            request.complementaireSanteSolidaire = index % 4 == 1
            request.smokerStatus = index == 7 || index == 13 ? "ex_smoker" : "smoker"
            switch channel {
            case "email":
                request.email = "\(slug)@exemple.invalid"
                request.consentEmail = true
            case "phone": request.phone = "06 00 00 \(String(format: "%02d", index)) \(String(format: "%02d", index * 3 % 100))"
            case "sms":
                // Reached by SMS only: a mobile of the range ARCEP keeps for fiction (06 39 98 xx xx).
                request.mobile = "06 39 98 \(String(format: "%02d", index)) \(String(format: "%02d", index * 3 % 100))"
                request.consentSms = true
            default: request.postalAddress = "\(index + 1) allée des Exemples, 75000 Exemple-sur-Seine"
            }
            people.append(try actions.createParticipant(request, by: demo))
        }

        func programme(_ title: String, start: CalendarDate, site: SiteRecord, room: RoomRecord, lead: User, helper: User?,
                       moisSansTabac: Bool = false) throws -> (ProgrammeRecord, [SessionRecord]) {
            var request = ProgrammeRequest()
            request.template = template.id
            request.title = title
            request.siteID = site.id
            request.roomID = room.id
            request.capacity = 12
            request.start = start.iso + "T18:00"
            request.leadID = lead.id
            request.peerHelperID = helper?.id
            request.moisSansTabac = moisSansTabac
            let (programme, sessions, _) = try actions.createProgramme(request, by: demo)
            return (programme, sessions)
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
        func enter(_ id: String, _ answers: [String: JSONValue], for participantID: String, on date: CalendarDate, source: String, by caller: Caller,
                   programme: String? = nil) throws {
            guard instruments[id] != nil else { throw Refused("instrument \(id) missing from Protocols/") }
            _ = try actions.recordAssessment(participantID: participantID, AssessmentRequest(instrument: id, answers: answers, date: date.iso, source: source,
                                                                                             programmeID: programme), by: caller)
        }
        let leadCaller = Caller(user: lead, clientAddress: ""), lead2Caller = Caller(user: lead2, clientAddress: "")

        // The past programme: enrolled a month before, three sessions held, tests recorded.
        let (past, pastSessions) = try programme("Arrêter ensemble — printemps (FICTIF)", start: pastStart, site: centre, room: room, lead: lead, helper: helper)
        let pastGroup = Array(people[0..<10])
        // Their baseline: a count a day for most (one with cigarillos), the Fagerström's for a few, an ex-smoker consolidating.
        for (index, person) in pastGroup.enumerated() {
            var baseline = BaselineInput(goal: ["stop", "reduce", "stop", "take_stock"][index % 4])
            if person.smokerStatus == .exSmoker {
                baseline = BaselineInput(goal: "consolidate", quitDate: pastStart.addingDays(-90).iso)
            } else if index == 2 {
                baseline.products = ["cigarette": 10, "cigarillo": 2]
            } else if index % 4 != 3 {
                baseline.cigarettesPerDay = Double(8 + index * 3)
            }
            _ = try actions.enrol(programmeID: past.id, participantID: person.id, baseline: baseline, by: demo)
        }
        for session in pastSessions {
            try replay(until: LocalDateTime(session.startsAt, in: zone).date)
            clock.set(session.endsAt.addingTimeInterval(1800))
            let records = pastGroup.enumerated().map { index, person in
                (participantID: person.id, status: (index + session.index) % 6 == 0 ? AttendanceStatus.absent : .present)
            }
            _ = try actions.recordAttendance(sessionID: session.id, AttendanceSheet(records: records.map {
                AttendanceSheet.Entry(participantID: $0.participantID, status: $0.status.rawValue)
            }, note: "Séance animée (données fictives)."), by: leadCaller)
            let takenOn = LocalDateTime(session.startsAt, in: zone).date
            for (index, record) in records.enumerated() where record.status == .present {
                if session.index == 1 {
                    let parity = index % 2 == 0 ? "yes" : "no"
                    var fagerstrom: [String: JSONValue] = [:]
                    fagerstrom["q1"] = .string(["within5", "6to30", "31to60"][index % 3])
                    fagerstrom["q2"] = .string(parity)
                    fagerstrom["q3"] = .string(index % 3 == 0 ? "first_morning" : "other")
                    fagerstrom["q4"] = .number(Double(8 + index * 3))
                    fagerstrom["q5"] = .string(parity)
                    fagerstrom["q6"] = .string(index % 4 == 0 ? "yes" : "no")
                    try enter("fagerstrom", fagerstrom, for: record.participantID, on: takenOn, source: "staff", by: leadCaller)
                    try enter("co", ["ppm": .number(Double(12 + index * 2))], for: record.participantID, on: takenOn, source: "staff", by: leadCaller)
                    // Half of them leave with a treatment prescribed at the first session's interview.
                    if index % 2 == 0 {
                        let (kind, dose) = [("nicotine_patch", "21 mg/24 h"), ("varenicline", "0,5 mg puis 1 mg deux fois par jour"),
                                            ("nicotine_gum", "2 mg, 8 à 12 par jour"), ("e_cigarette", "12 mg/mL")][(index / 2) % 4]
                        _ = try actions.recordTreatment(participantID: record.participantID, TreatmentRequest(
                            kind: kind, dose: dose, start: takenOn.iso, programmeID: past.id, note: "Données fictives."), by: leadCaller)
                    }
                }
                if session.index == 2, let qmat = instruments["qmat"] {
                    let answers = Dictionary(uniqueKeysWithValues: qmat.definition.items.map { item in
                        (item.id, JSONValue.string(item.options?[(index + item.id.count) % (item.options?.count ?? 1)].code ?? ""))
                    })
                    try enter(qmat.id, answers, for: record.participantID, on: takenOn, source: "staff", by: leadCaller)
                }
                // The last session: where each one stands, and a CO reading for those who say they stopped.
                if session.index == pastSessions.count {
                    let stopped = index % 3 == 0 || pastGroup[index].smokerStatus == .exSmoker
                    let status: [String: JSONValue] = stopped ? ["status": .string("stopped"), "cigarettes_per_day": .number(0)]
                        : index % 3 == 1 ? ["status": .string("reduced"), "cigarettes_per_day": .number(Double(2 + index))]
                        : ["status": .string("unchanged"), "cigarettes_per_day": .number(Double(8 + index * 3))]
                    try enter("end_status", status, for: record.participantID, on: takenOn, source: "staff", by: leadCaller, programme: past.id)
                    if stopped {
                        try enter("co", ["ppm": .number(Double(3 + index))], for: record.participantID, on: takenOn, source: "staff", by: leadCaller,
                                  programme: past.id)
                    }
                }
            }
        }
        // A few end-of-programme questionnaires came back on paper.
        try replay(until: pastLast.addingDays(5))
        for person in pastGroup.prefix(3) {
            for id in ["satisfaction_end", "impact_end"] {
                guard let instrument = instruments[id] else { continue }
                try enter(id, Self.sampleAnswers(instrument), for: person.id, on: LocalDateTime(clock.now, in: zone).date, source: "paper",
                           by: Caller(user: coordinator, clientAddress: ""))
            }
        }
        try replay(until: today.addingDays(-14))

        // The current programme: started a week ago, session 1 held.
        let (current, currentSessions) = try programme("Mois sans tabac — groupe du jeudi (FICTIF)", start: today.addingDays(-7),
                                                        site: north, room: northRoom, lead: lead2, helper: nil, moisSansTabac: true)
        let currentGroup = Array(people[10..<18])
        for person in currentGroup { _ = try actions.enrol(programmeID: current.id, participantID: person.id, by: demo) }
        try replay(until: today.addingDays(-6))
        clock.set(currentSessions[0].endsAt.addingTimeInterval(1800))
        _ = try actions.recordAttendance(sessionID: currentSessions[0].id,
                                         AttendanceSheet(records: currentGroup.map { AttendanceSheet.Entry(participantID: $0.id, status: "present") }),
                                         by: lead2Caller)
        try replay(until: today)

        // The future programme: planned today, places filling.
        clock.set(local(today, 9, 30))
        let (future, _) = try programme("Arrêter ensemble — nouvelle session (FICTIF)", start: today.addingDays(21), site: centre, room: room,
                                        lead: lead, helper: helper)
        for person in people[18...] { _ = try actions.enrol(programmeID: future.id, participantID: person.id, by: demo) }

        let outbox = try actions.outboxCounts(by: demo)
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
