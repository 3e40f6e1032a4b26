import Foundation
import RelaisConfig
import RelaisDomain
import RelaisReports
import RelaisStore
import RelaisUseCases
import Testing

/// A year of evaluation in a real SQLite file, written through RelaisStore as the pages would:
/// one programme of April 2026 at "Centre Nord" (the shipped 3g2i template: three group
/// sessions) and five participants, P4 absent from the second session. At three months P0 has
/// stopped and P1 has gone from 15 cigarettes a day to 5; the others have not answered.
///
/// Counted 5; respondents 2 of 5 eligible (40 %); stopped 1: 50 % of respondents, 20 % by
/// intention to treat. A second site, "Antenne Sud", has no programme.
struct EvaluationYear {
    static let protocols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocols").path
    /// Every follow-up is due by then.
    static let asOf = CalendarDate(iso: "2026-12-31")!

    let store: Store
    let instruments: InstrumentCatalog
    let templates: [ProgrammeTemplate]
    let north: SiteRecord, south: SiteRecord
    let programmeID: String
    let people: [ParticipantRecord]
    let reports: EvaluationReports

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-reports-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try Store(path: folder.appendingPathComponent("relais.sqlite").path)
        instruments = try ProtocolsLoader.instruments(directory: Self.protocols)
        templates = try ProtocolsLoader.templates(directory: Self.protocols, instruments: instruments)
        reports = try EvaluationReports(instruments: instruments)
        let sites = Sites(store: store)
        north = try sites.create(name: "Centre Nord", address: "2 place du Marché", by: .system)
        south = try sites.create(name: "Antenne Sud", address: "", by: .system)
        let lead = try Accounts(store: store).createUser(name: "lead", displayName: "Dr Lead", role: .tabacologue, password: "a long password", by: .system)
        let template = try #require(templates.first { $0.id == "3g2i" })
        let paris = TimeZone(identifier: "Europe/Paris")!
        let plan = try Planner.plan(template: template, start: LocalDateTime(iso: "2026-04-02T18:00")!, timeZone: paris)
        let (programme, sessions) = try Programmes(store: store).create(ProgrammeDraft(
            template: template, title: "Souffle d'avril", siteID: north.id, roomID: nil, modality: .inPerson, visioURL: nil, capacity: 10,
            timeZone: paris, leadID: lead.id, peerHelperID: nil, sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) },
            followUpDue: plan.followUpDue), by: .system)
        programmeID = programme.id

        let enrolments = Enrolments(store: store), assessments = Assessments(store: store)
        let participants = Participants(store: store, currentYear: { 2026 })
        people = try (0..<5).map { index in
            try participants.create(ParticipantDetails(
                firstName: "Camille\(index)", lastName: "Essai\(index)", birthYear: 1970 + index, email: "camille\(index)@example.org",
                phone: "07 00 00 00 0\(index)", postalAddress: "\(index) impasse des Tests", preferredChannel: .email, consentDataProcessing: true,
                consentEmail: true, consentFollowUp: true, precarity: index == 0).validated(currentYear: 2026), by: .system)
        }
        for person in people { _ = try enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system) }
        for session in sessions {
            try enrolments.recordAttendance(sessionID: session.id, people.enumerated().map { index, person in
                (participantID: person.id, status: index == 4 && session.index == 2 ? AttendanceStatus.absent : .present)
            }, note: nil, by: .system)
        }
        func record(_ person: ParticipantRecord, _ instrument: String, _ answers: [String: JSONValue], on day: String) throws {
            let result = try #require(instruments[instrument]).score(answers)
            _ = try assessments.record(participantID: person.id, result: result, takenOn: CalendarDate(iso: day)!, partial: false,
                                       source: .staff, by: .system)
        }
        for (index, person) in people.enumerated() {
            try record(person, "fagerstrom", ["q1": .string("6to30"), "q2": .string("no"), "q3": .string("other"), "q4": .number(Double(10 + 5 * index)),
                                              "q5": .string("no"), "q6": .string("no")], on: "2026-04-02")
        }
        for (index, status, cigarettes) in [(0, "stopped", 0.0), (1, "reduced", 5.0)] {
            try record(people[index], "followup_3m", ["status": .string(status), "cigarettes_per_day": .number(cigarettes), "aids_used": .array([.string("patches")]),
                                                      "orientation_followed": .string("not_applicable"), "would_recommend": .string("yes")], on: "2026-08-01")
        }
    }


    /// The use cases over this year's store, as `relais report` has them.
    var actions: UseCases {
        UseCases(store: store, settings: UseCaseSettings(timeZone: TimeZone(identifier: "Europe/Paris")!, publicBaseURL: "http://127.0.0.1"),
                 protocols: (try? ProtocolsLoader.catalog(directory: Self.protocols)) ?? .unused)
    }

    /// The evaluation of `scope` as of the end of the year, asked by the operator.
    func report(_ scope: EvaluationScope) throws -> EvaluationReport {
        try actions.evaluation(scope, reducedThresholdPercent: 50, asOf: Self.asOf, by: .commandLine("report"))
    }

    /// An export as `relais report` makes it: audited first, then written.
    func export(_ file: ReportExport, of report: EvaluationReport, scope: EvaluationScope) throws -> String {
        try actions.recordExport(file.rawValue, scope: scope, by: .commandLine("report"))
        return reports.text(of: file, report, language: "fr")
    }
}
