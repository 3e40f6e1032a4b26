import Foundation
import RelaisConfig
import RelaisDomain
import RelaisReports
import RelaisStore
import RelaisUseCases
import Testing

/// A year of evaluation in a real SQLite file, written through RelaisStore as the pages would:
/// one programme of April 2026 at "Centre Nord" (the shipped 3g2i template: sessions on 2, 9 and
/// 16 April, a 3-month follow-up), eight participants, each enrolled with a baseline. The end
/// status (`end_status`) is taken at the last session, on 16 April; the follow-up (`followup_3m`)
/// is answered on 1 August; CO readings are recorded for the programme.
///
/// | # | baseline (cig./day) | sex, born, postal code | sessions | end (16/04) | CO | 3 months (01/08) |
/// |---|---|---|---|---|---|---|
/// | 0 | smoker 20, precarity | F 1990 59000 | 3/3 | stopped, 0 | 4 ppm on 16/04: validated | stopped 0, no relapse, patches |
/// | 1 | smoker 20 | M 1980 59000 | 3/3 | reduced, 8 (≤ 10) | — | reduced 5, patches + vaping |
/// | 2 | smoker 15, chronic illness | F 1970 62000 | 3/3 | stopped, 0 | 12 ppm on 18/04: not abstinent | unchanged 15, a quit attempt, none |
/// | 3 | smoker, no count: Fagerström q4 "11 to 20" | M 2003 75001 | 3/3 | reduced, 8: estimated | — | — |
/// | 4 | smoker 10, isolation | F 1960 — | 2/3 | — | — | — |
/// | 5 | ex-smoker | F 1985 59000 | 3/3 | stopped, 0: abstinence maintained | — | relapse, 3 a day: relapsed, none |
/// | 6 | smoker 25 | — — — | 0/3 | — | — | — |
/// | 7 | smoker 30 | M 1995 59800 | 3/3 | stopped, 0 | none: not measured | — |
///
/// Counted 8, started 7 (6 never came). Smokers at entry who started: 0, 1, 2, 3, 4, 7.
///
/// End of programme (all due): base 6; stopped 3 (0, 2, 7), reduced 2 (1, 3), unknown 1 (4);
/// respondents 5. Intention to treat: stopped 3/6 = 50 %, stopped or reduced 5/6 = 83.3 %; among
/// respondents 3/5 = 60 %; response 5/6 = 83.3 %. Estimated 1 (3). CO: measured 2 of the 3 stops,
/// validated 1 (16.7 % ITT), not abstinent 1, not measured 1. Ex-smokers: base 1, abstinence 1.
///
/// 3 months (due from 9 or 16 July): base 6; stopped 1 (0), reduced 1 (1: 5 ≤ 10), unchanged 1
/// (2), unknown 3; respondents 3, response 50 %; ITT stopped 1/6 = 16.7 %, among respondents
/// 33.3 %; stopped or reduced 2/6 = 33.3 %. Maintained 1 (0): 16.7 %. No CO near 1 August: the
/// stop is not measured. Ex-smokers: relapsed 1. Quit attempts 1; aids: patches 2, vaping 1, none 2.
///
/// Breakdowns: women 4 (0, 2, 4, 5: end base 3, 2 stopped), men 3 (1, 3, 7: base 3, 1 stopped),
/// not recorded 1; département 59 (Nord) 4, 62 1, 75 1, unknown 2. A second site, "Antenne Sud",
/// has no programme.
struct EvaluationYear {
    static let protocols = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Protocols").path
    /// Every time point is due by then.
    static let asOf = CalendarDate(iso: "2026-12-31")!

    let store: Store
    let catalog: ProtocolCatalog
    var instruments: InstrumentCatalog { catalog.instruments }
    let north: SiteRecord, south: SiteRecord
    let programmeID: String
    let people: [ParticipantRecord]
    let reports: EvaluationReports

    init() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("relais-reports-" + UUID().uuidString.prefix(8))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try Store(path: folder.appendingPathComponent("relais.sqlite").path)
        catalog = try ProtocolsLoader.catalog(directory: Self.protocols)
        reports = try EvaluationReports(protocols: catalog)
        let sites = Sites(store: store)
        north = try sites.create(name: "Centre Nord", address: "2 place du Marché, 59000 Lille", by: .system)
        south = try sites.create(name: "Antenne Sud", address: "", by: .system)
        let lead = try Accounts(store: store).createUser(name: "lead", displayName: "Dr Lead", role: .tabacologue, password: "a long password", by: .system)
        let template = try #require(catalog.templates.first { $0.id == "3g2i" })
        let paris = TimeZone(identifier: "Europe/Paris")!
        let plan = try Planner.plan(template: template, start: LocalDateTime(iso: "2026-04-02T18:00")!, timeZone: paris)
        let (programme, sessions) = try Programmes(store: store).create(ProgrammeDraft(
            template: template, title: "Souffle d'avril", siteID: north.id, roomID: nil, modality: .inPerson, visioURL: nil, capacity: 10,
            timeZone: paris, leadID: lead.id, peerHelperID: nil, sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) },
            followUpDue: plan.followUpDue), by: .system)
        programmeID = programme.id

        let enrolments = Enrolments(store: store), assessments = Assessments(store: store)
        let participants = Participants(store: store, currentYear: { 2026 })
        // (sex, birth year, postal code, baseline)
        let rows: [(Sex?, Int?, String?, Baseline)] = [
            (.female, 1990, "59000", Baseline(smokingStatus: .smoker, cigarettesPerDay: 20, goal: .stop, publics: [.precarity])),
            (.male, 1980, "59000", Baseline(smokingStatus: .smoker, cigarettesPerDay: 20, goal: .reduce)),
            (.female, 1970, "62000", Baseline(smokingStatus: .smoker, cigarettesPerDay: 15, publics: [.chronicIllness])),
            (.male, 2003, "75001", Baseline(smokingStatus: .smoker)),
            (.female, 1960, nil, Baseline(smokingStatus: .smoker, cigarettesPerDay: 10, publics: [.isolation])),
            (.female, 1985, "59000", Baseline(smokingStatus: .exSmoker, goal: .consolidate)),
            (nil, nil, nil, Baseline(smokingStatus: .smoker, cigarettesPerDay: 25)),
            (.male, 1995, "59800", Baseline(smokingStatus: .smoker, cigarettesPerDay: 30)),
        ]
        people = try rows.enumerated().map { index, row in
            let person = try participants.create(ParticipantDetails(
                firstName: "Camille\(index)", lastName: "Essai\(index)", birthYear: row.1, email: "camille\(index)@example.org",
                phone: "07 00 00 00 0\(index)", postalAddress: "\(index) impasse des Tests", preferredChannel: .email, consentDataProcessing: true,
                consentEmail: true, consentFollowUp: true, sex: row.0, postalCode: row.2).validated(currentYear: 2026), by: .system)
            _ = try enrolments.enrol(programmeID: programme.id, participantID: person.id, baseline: row.3, waitingList: false, by: .system)
            return person
        }
        for session in sessions {
            try enrolments.recordAttendance(sessionID: session.id, people.enumerated().map { index, person in
                (participantID: person.id, status: index == 6 || (index == 4 && session.index == 3) ? AttendanceStatus.absent : .present)
            }, note: nil, by: .system)
        }
        func record(_ index: Int, _ instrument: String, _ answers: [String: JSONValue], on day: String) throws {
            let result = try #require(catalog.instruments[instrument]).score(answers)
            _ = try assessments.record(participantID: people[index].id, programmeID: programme.id, result: result, takenOn: CalendarDate(iso: day)!,
                                       partial: false, source: .staff, by: .system)
        }
        try record(3, "fagerstrom", ["q1": .string("6to30"), "q2": .string("no"), "q3": .string("other"), "q4": .string("11to20"),
                                     "q5": .string("no"), "q6": .string("no")], on: "2026-04-02")
        for (index, status, count) in [(0, "stopped", 0.0), (1, "reduced", 8), (2, "stopped", 0), (3, "reduced", 8), (5, "stopped", 0), (7, "stopped", 0)] {
            try record(index, "end_status", ["status": .string(status), "cigarettes_per_day": .number(count)], on: "2026-04-16")
        }
        try record(0, "co", ["ppm": .number(4)], on: "2026-04-16")
        try record(2, "co", ["ppm": .number(12)], on: "2026-04-18")
        let followUps: [(Int, String, Double, String, String, [String])] = [
            (0, "stopped", 0, "no", "no", ["patches"]), (1, "reduced", 5, "not_stopped", "no", ["patches", "vaping"]),
            (2, "unchanged", 15, "not_stopped", "yes", ["none"]), (5, "stopped", 3, "yes", "no", ["none"]),
        ]
        for (index, status, count, relapse, attempt, aids) in followUps {
            try record(index, "followup_3m", ["status": .string(status), "cigarettes_per_day": .number(count), "relapse": .string(relapse),
                                              "quit_attempt_24h": .string(attempt), "aids_used": .array(aids.map { .string($0) }),
                                              "orientation_followed": .string("not_applicable"), "would_recommend": .string("yes")], on: "2026-08-01")
        }
    }

    /// The use cases over this year's store, as `relais report` has them.
    var actions: UseCases {
        UseCases(store: store, settings: UseCaseSettings(timeZone: TimeZone(identifier: "Europe/Paris")!, publicBaseURL: "http://127.0.0.1"),
                 protocols: catalog)
    }

    /// The evaluation of `scope` as of the end of the year, asked by the operator.
    func report(_ scope: EvaluationScope) throws -> EvaluationReport {
        try actions.evaluation(scope, reducedThresholdPercent: 50, asOf: Self.asOf, by: .commandLine("report"))
    }

    /// An export as `relais report` makes it: audited first, then written.
    func export(_ file: ReportExport, of report: EvaluationReport, scope: EvaluationScope, language: String = "fr") throws -> String {
        try actions.recordExport(file.rawValue, scope: scope, by: .commandLine("report"))
        return reports.text(of: file, report, language: language)
    }
}
