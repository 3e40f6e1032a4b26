import Foundation
import Testing
@testable import RelaisDomain

/// The yearly evaluation over a small cohort whose figures are computed by hand in the comments.
@Suite("Evaluation: outcomes, rates and aggregates")
struct EvaluationTests {
    static func catalog() throws -> InstrumentCatalog {
        InstrumentCatalog(try ["fagerstrom", "hsi", "qmat", "co", "satisfaction_end", "impact_end", "followup_3m"].map { try shipped($0) })
    }

    static func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    static let sessions = [EvaluationFacts.Session(index: 1, date: day("2026-03-05"), attendanceRecorded: true),
                           EvaluationFacts.Session(index: 2, date: day("2026-03-12"), attendanceRecorded: true),
                           EvaluationFacts.Session(index: 3, date: day("2026-03-19"), attendanceRecorded: true)]

    static func fagerstrom(_ date: String, total: Double, q4: JSONValue) -> EvaluationFacts.Assessment {
        var answers: [String: JSONValue] = [:]
        if case .number(let count) = q4 {
            answers["q4_count"] = .number(count)
            answers["q4"] = .string(count <= 10 ? "le10" : count <= 20 ? "11to20" : count <= 30 ? "21to30" : "ge31")
        } else {
            answers["q4"] = q4
        }
        return .init(instrument: "fagerstrom", takenOn: day(date), total: total, derived: ["hsi": min(total, 6)], answers: answers)
    }

    static func followUp(_ date: String, _ status: String?, cigarettes: Double? = nil, orientation: String? = nil) -> EvaluationFacts.Assessment {
        var answers: [String: JSONValue] = [:]
        if let status { answers["status"] = .string(status) }
        if let cigarettes { answers["cigarettes_per_day"] = .number(cigarettes) }
        if let orientation { answers["orientation_followed"] = .string(orientation) }
        return .init(instrument: "followup_3m", takenOn: day(date), answers: answers)
    }

    static func qmat(_ date: String, _ total: Double) -> EvaluationFacts.Assessment { .init(instrument: "qmat", takenOn: day(date), total: total) }
    static func co(_ date: String, _ ppm: Double) -> EvaluationFacts.Assessment { .init(instrument: "co", takenOn: day(date), total: ppm) }

    /// Eleven enrolments in one programme of March 2026, the report on 23 November 2026.
    ///
    /// | who | status | sessions | consultations | Fagerström (q4) | 3 months |
    /// |---|---|---|---|---|---|
    /// | A | enrolled, precarity | 3/3 | 2 | 6 (20 cig.) | stopped, 0 cig., CO 5 ppm a day later |
    /// | B | enrolled, isolation | 3/3 | 2 | 4 (band 11–20 → 15.5) | reduced, 7 cig. (≤ 7.75) |
    /// | C | enrolled | 3/3 | 1 | 7 (20) | declares "reduced" but 12 cig. > 10 → unchanged |
    /// | D | enrolled | 2/3 | 0 | 2 (10) | stopped, no number, CO 12 ppm (above 10) |
    /// | E | enrolled | 3/3 | 0 | 5 (band 21–30 → 25.5) | no answer |
    /// | F | enrolled | 1/3 | 0 | 3 (5) | no answer |
    /// | G | withdrawn after session 1 | 1/3 | 0 | 8 (30) | no answer |
    /// | H | withdrawn before starting | – | – | – | not counted |
    /// | I | waiting list | – | – | – | not counted |
    /// | J | enrolled, never came | 0/3 | 0 | – | not eligible |
    /// | K | enrolled | 3/3 | 0 | 9 (20), again at the end: 10 cig. | increased, 25 cig. |
    static func cohort() -> EvaluationFacts {
        let p = "p1"
        let followUpDue = EvaluationFacts.Invitation(dueOn: day("2026-06-19"), answered: false)
        func participation(_ id: String, status: String = "enrolled", present: [Int], absent: [Int] = [], consultations: Int = 0,
                           precarity: Bool = false, isolation: Bool = false, answered: Bool = false, endAnswered: Bool? = nil) -> EvaluationFacts.Participation {
            var attendance: [Int: String] = [:]
            for index in present { attendance[index] = "present" }
            for index in absent { attendance[index] = "absent" }
            var invitation = followUpDue
            invitation.answered = answered
            return .init(participantID: id, programmeID: p, status: status, precarity: precarity, isolation: isolation, attendance: attendance,
                         consultationsDone: consultations,
                         endInvitation: present.contains(3) ? .init(dueOn: day("2026-03-19"), answered: endAnswered ?? false) : nil,
                         followUpInvitation: present.isEmpty ? nil : invitation)
        }
        let participations = [
            participation("A", present: [1, 2, 3], consultations: 2, precarity: true, answered: true, endAnswered: true),
            participation("B", present: [1, 2, 3], consultations: 2, isolation: true, answered: true, endAnswered: true),
            participation("C", present: [1, 2, 3], consultations: 1, answered: true, endAnswered: true),
            participation("D", present: [1, 2], absent: [3], answered: true),
            participation("E", present: [1, 2, 3]),
            participation("F", present: [1], absent: [2, 3]),
            participation("G", status: "withdrawn", present: [1]),
            participation("H", status: "withdrawn", present: []),
            participation("I", status: "waiting", present: []),
            participation("J", present: [], absent: [1, 2, 3]),
            participation("K", present: [1, 2, 3], answered: true),
        ]
        let assessments: [String: [EvaluationFacts.Assessment]] = [
            "A": [fagerstrom("2026-03-05", total: 6, q4: .number(20)), qmat("2026-03-12", 8), qmat("2026-03-19", 14),
                  .init(instrument: "satisfaction_end", takenOn: day("2026-03-25"), answers: ["overall": .string("very_satisfied")]),
                  .init(instrument: "impact_end", takenOn: day("2026-03-25"), answers: ["knowledge_dependence": .number(8)]),
                  followUp("2026-06-19", "stopped", cigarettes: 0), co("2026-06-20", 5)],
            "B": [fagerstrom("2026-03-05", total: 4, q4: .string("11to20")), qmat("2026-03-12", 12), qmat("2026-03-19", 12),
                  .init(instrument: "satisfaction_end", takenOn: day("2026-03-25"), answers: ["overall": .string("satisfied")]),
                  .init(instrument: "impact_end", takenOn: day("2026-03-25"), answers: ["knowledge_dependence": .number(6)]),
                  followUp("2026-06-22", "reduced", cigarettes: 7, orientation: "partly")],
            "C": [fagerstrom("2026-03-05", total: 7, q4: .number(20)), qmat("2026-03-12", 15),
                  .init(instrument: "satisfaction_end", takenOn: day("2026-03-26"), answers: ["overall": .string("little_satisfied")]),
                  followUp("2026-06-25", "reduced", cigarettes: 12)],
            "D": [fagerstrom("2026-03-05", total: 2, q4: .number(10)), followUp("2026-06-10", "stopped"), co("2026-06-10", 12)],
            "E": [fagerstrom("2026-03-05", total: 5, q4: .string("21to30"))],
            "F": [fagerstrom("2026-03-05", total: 3, q4: .number(5))],
            "G": [fagerstrom("2026-03-05", total: 8, q4: .number(30))],
            "K": [fagerstrom("2026-03-05", total: 9, q4: .number(20)), fagerstrom("2026-03-19", total: 7, q4: .number(10)),
                  followUp("2026-06-19", "increased", cigarettes: 25)],
        ]
        let windows = Dictionary(uniqueKeysWithValues: participations.map {
            ($0.participantID, [EvaluationFacts.Window(programmeID: p, firstDate: day("2026-03-05"), lastDate: day("2026-03-19"))])
        })
        return EvaluationFacts(
            scope: .year(2026, siteID: nil), asOf: day("2026-11-23"),
            programmes: [.init(id: p, title: "Printemps", sessions: sessions, consultationsPlanned: 2, plannedFollowUpDue: day("2026-06-19"))],
            participations: participations, windows: windows, assessments: assessments,
            orientations: [.init(participantID: "A", programmeID: p, kind: "medecin_traitant", createdOn: day("2026-03-19"), followed: "yes"),
                           .init(participantID: "B", programmeID: nil, kind: "csapa", createdOn: day("2026-03-19"))],
            messages: [.init(programmeID: p, kind: "session_reminder", state: "sent", count: 20),
                       .init(programmeID: p, kind: "session_reminder", state: "failed", count: 2),
                       .init(programmeID: p, kind: "follow_up_call", state: "sent", count: 3),
                       .init(programmeID: p, kind: "follow_up_invitation", state: "sent", count: 7)],
            tasks: [.init(programmeID: p, kind: "follow_up_call", state: "done", count: 2),
                    .init(programmeID: p, kind: "follow_up_call", state: "unreachable", count: 1)])
    }

    @Test func theThreeMonthRatesDifferAmongRespondentsAndByIntentionToTreat() throws {
        let report = Evaluator(settings: EvaluationSettings(), instruments: try Self.catalog()).evaluate(Self.cohort())
        let followUp = report.followUp
        // Counted: A B C D E F G J K (9); started: all but J (8); all due by 23 November.
        #expect(report.participants.counted == 9)
        #expect(report.participants.started == 8)
        #expect(followUp.eligible == 8 && followUp.notYetDue == 0)
        // Respondents: A B C D K.
        #expect(followUp.respondents == 5)
        #expect(followUp.responseRate == 62.5)
        #expect(followUp.count(.stopped) == 2)   // A (0 cigarettes), D (declared, no number)
        #expect(followUp.count(.reduced) == 1)   // B: 7 ≤ 15.5 × 50 %
        #expect(followUp.count(.unchanged) == 1) // C: declared reduced, 12 > 20 × 50 %
        #expect(followUp.count(.increased) == 1) // K: 25 > 20
        #expect(followUp.count(.unknown) == 3)   // E F G: non-respondents
        let stopped = try #require(followUp.line("stopped"))
        #expect(stopped.amongRespondents == 40)    // 2 / 5
        #expect(stopped.intentionToTreat == 25)    // 2 / 8: non-respondents count as smokers
        #expect(followUp.line("reduced")?.amongRespondents == 20)
        #expect(followUp.line("reduced")?.intentionToTreat == 12.5)
        #expect(followUp.line("stopped_or_reduced")?.amongRespondents == 60)
        #expect(followUp.line("stopped_or_reduced")?.intentionToTreat == 37.5)
        #expect(followUp.line("unchanged")?.intentionToTreat == nil)
        // CO: A's 5 ppm a day after her answer validates; D's 12 ppm does not.
        #expect(followUp.coValidated == 1)
        #expect(followUp.coValidatedAmongRespondents == 20)
        #expect(followUp.coValidatedIntentionToTreat == 12.5)
        #expect(followUp.questionnairesAnswered == 5)
    }

    @Test func theReducedThresholdIsConfigurable() throws {
        // At 40 %, C's 12 cigarettes out of 20 (60 %) is a reduction.
        let report = Evaluator(settings: EvaluationSettings(reducedThresholdPercent: 40), instruments: try Self.catalog()).evaluate(Self.cohort())
        #expect(report.followUp.count(.reduced) == 2)
        #expect(report.followUp.count(.unchanged) == 0)
        #expect(report.followUp.line("reduced")?.amongRespondents == 40)
        #expect(report.followUp.line("reduced")?.intentionToTreat == 25)
        let definitions = EvaluationDefinitions.all(report.settings, language: "fr")
        #expect(definitions.first { $0.id == "outcomes" }?.text.contains("au moins 40 % de cigarettes par jour en moins") == true)
    }

    @Test func aCOReadingValidatesOnlyBelowTheThresholdInsideTheWindow() throws {
        let catalog = try Self.catalog()
        var facts = Self.cohort()
        // D's reading at 12 ppm validates with a threshold of 15 (CO parameter configured)...
        let lenient = Evaluator(settings: EvaluationSettings(coThresholdPPM: 15), instruments: catalog).evaluate(facts)
        #expect(lenient.followUp.coValidated == 2)
        // ...and A's 5 ppm no longer does when taken 31 days after her answer.
        facts.assessments["A"]?[6] = Self.co("2026-07-20", 5)
        let late = Evaluator(settings: EvaluationSettings(), instruments: catalog).evaluate(facts)
        #expect(late.followUp.coValidated == 0)
        // An entry reading (before the last session) never validates, even when low.
        facts.assessments["A"]?[6] = Self.co("2026-03-05", 3)
        facts.assessments["A"]?[5] = Self.followUp("2026-04-01", "stopped", cigarettes: 0)
        #expect(Evaluator(settings: EvaluationSettings(), instruments: catalog).evaluate(facts).followUp.coValidated == 0)
        // The threshold comes from the configured CO instrument.
        let configured = InstrumentCatalog([try shipped("co", settings: ["parameters.abstinence_threshold_ppm": "6"])])
        #expect(EvaluationSettings(instruments: configured).coThresholdPPM == 6)
        #expect(EvaluationSettings(instruments: InstrumentCatalog([try shipped("co")])).coThresholdPPM == 10)
    }

    @Test func attendanceCompletionAndPublic() throws {
        let report = Evaluator(settings: EvaluationSettings(), instruments: try Self.catalog()).evaluate(Self.cohort())
        #expect(report.programmes.planned == 1 && report.programmes.held == 1 && report.programmes.finished == 1)
        #expect(report.participants.waiting == 1 && report.participants.withdrawnBeforeStarting == 1)
        #expect(report.participants.withdrawnAfterStarting == 1 && report.participants.neverAttended == 1)
        #expect(report.participants.precarity == Proportion(1, of: 9))
        #expect(report.participants.priority == Proportion(2, of: 9))
        let sessions = report.attendance.sessions
        #expect(sessions.map(\.present) == [8, 6, 5])
        #expect(sessions.map(\.expected) == [9, 9, 9])
        #expect(sessions[1].absent == 2 && sessions[1].notRecorded == 1) // F and J absent, G withdrawn
        #expect(sessions[0].presentShare.percent == 88.9)
        // 3/3: A B C E K; 2/2 consultations: A B; out of the 9 counted.
        #expect(report.attendance.completedSessions == Proportion(5, of: 9))
        #expect(report.attendance.completedConsultations == Proportion(2, of: 9))
        #expect(report.attendance.consultationsDone == 5)
    }

    @Test func entryScoresQMATChangeSatisfactionAndOrientations() throws {
        let report = Evaluator(settings: EvaluationSettings(), instruments: try Self.catalog()).evaluate(Self.cohort())
        let fagerstrom = report.entryScores.fagerstrom
        #expect(fagerstrom.n == 8 && fagerstrom.mean == 5.5) // 44 / 8; K's second test is not an entry
        #expect(fagerstrom.bands.map(\.code) == ["none", "low", "medium", "high"])
        #expect(fagerstrom.bands.map(\.count) == [1, 2, 2, 3])
        #expect(report.entryScores.hsi.bands.map(\.code) == ["low", "medium", "high"])
        // (20 + 15.5 + 20 + 10 + 25.5 + 5 + 30 + 20) / 8; B and E gave a band.
        #expect(report.entryScores.cigarettesPerDay.mean == 18.25)
        #expect(report.entryScores.cigarettesPerDay.fromBand == 2)
        // Q-MAT: A 8 → 14, B 12 → 12; C has no later test.
        #expect(report.qmatChange.pairs == 2 && report.qmatChange.entryMean == 10 && report.qmatChange.endMean == 13)
        #expect(report.qmatChange.meanChange == 3 && report.qmatChange.higher == 1 && report.qmatChange.same == 1)
        #expect(report.entryScores.qmat.n == 3)
        // Satisfaction on 1–4: very satisfied 4, satisfied 3, a little 2.
        let overall = try #require(report.satisfaction.items.first { $0.item == "overall" })
        #expect(overall.n == 3 && overall.mean == 3 && overall.satisfied == Proportion(2, of: 3))
        #expect(overall.distribution.map(\.count) == [1, 1, 1, 0])
        #expect(report.impact.items.first { $0.item == "knowledge_dependence" }?.mean == 7)
        // Orientations: A's (followed, noted on it), B's (no programme, attributed by date; "partly" from her follow-up).
        #expect(report.orientations.made == 2 && report.orientations.participantsOriented == 2)
        #expect(report.orientations.followed.map(\.count) == [1, 1, 0, 0])
        #expect(report.orientations.byKind.first { $0.code == "csapa" }?.count == 1)
        // Messages to participants only (the follow-up call is an action), and tasks.
        #expect(report.messages.sent == 27 && report.messages.failed == 2)
        #expect(report.phoneTasks.done == 2 && report.phoneTasks.unreachable == 1)
        #expect(report.peerHelpers.sessionsHeld == 3 && report.peerHelpers.sessionsCoLed.count == 0)
    }

    @Test func theEndOfProgrammeStatusComesFromATestTakenAgainAndIsUnknownOtherwise() throws {
        let report = Evaluator(settings: EvaluationSettings(), instruments: try Self.catalog()).evaluate(Self.cohort())
        let end = report.endOfProgramme
        #expect(end.eligible == 8)
        #expect(end.respondents == 1)                 // K: 10 cigarettes at the last session, 20 at entry
        #expect(end.count(.reduced) == 1 && end.count(.unknown) == 7)
        #expect(end.line("reduced")?.amongRespondents == 100)
        #expect(end.line("reduced")?.intentionToTreat == 12.5)
        #expect(end.questionnairesAnswered == 3)
    }

    @Test func nothingIsDueBeforeItsDate() throws {
        var facts = Self.cohort()
        facts.asOf = Self.day("2026-05-01")
        let report = Evaluator(settings: EvaluationSettings(), instruments: try Self.catalog()).evaluate(facts)
        // On 1 May no follow-up is due: only those who already answered are eligible (A B C D K).
        #expect(report.followUp.eligible == 5, "those who already answered count")
        #expect(report.followUp.notYetDue == 3)
        // A programme still running: nothing finished, no completion share yet.
        facts.asOf = Self.day("2026-03-15")
        let running = Evaluator(settings: EvaluationSettings(), instruments: try Self.catalog()).evaluate(facts)
        #expect(running.programmes.finished == 0 && running.attendance.completedSessions.denominator == 0)
        #expect(running.endOfProgramme.eligible == 0)
    }

    @Test func erasedParticipantsCountWhereTheirAnonymousRowsAllow() throws {
        var facts = Self.cohort()
        facts.erased = [
            .init(programmeID: "p1", status: "enrolled", sessionsAttended: 3, consultationsDone: 2, endAnswered: true, endOutcome: "unknown",
                  followUpAnswered: true, followUpOutcome: "stopped", precarity: true),
            .init(programmeID: "p1", status: "withdrawn", sessionsAttended: 0),
        ]
        let report = Evaluator(settings: EvaluationSettings(), instruments: try Self.catalog()).evaluate(facts)
        #expect(report.participants.counted == 10 && report.participants.erased == 1)
        #expect(report.participants.precarity == Proportion(2, of: 10))
        #expect(report.attendance.completedSessions == Proportion(6, of: 10))
        #expect(report.attendance.sessions.map(\.expected) == [9, 9, 9], "not in the attendance per session")
        #expect(report.followUp.eligible == 9 && report.followUp.respondents == 6 && report.followUp.count(.stopped) == 3)
        #expect(report.entryScores.fagerstrom.n == 8, "no scores kept")
        #expect(report.erased.notCounted == 1)
    }

    @Test func classificationRules() {
        let settings = EvaluationSettings()
        #expect(settings.classify(declared: nil, cigarettesPerDay: nil, entryCigarettesPerDay: 20) == .unknown)
        #expect(settings.classify(declared: "reduced", cigarettesPerDay: 0, entryCigarettesPerDay: 20) == .stopped)
        #expect(settings.classify(declared: "stopped", cigarettesPerDay: nil, entryCigarettesPerDay: nil) == .stopped)
        #expect(settings.classify(declared: "reduced", cigarettesPerDay: 10, entryCigarettesPerDay: 20) == .reduced) // exactly 50 %
        #expect(settings.classify(declared: "reduced", cigarettesPerDay: 11, entryCigarettesPerDay: 20) == .unchanged)
        #expect(settings.classify(declared: "unchanged", cigarettesPerDay: 21, entryCigarettesPerDay: 20) == .increased)
        #expect(settings.classify(declared: "stopped", cigarettesPerDay: 2, entryCigarettesPerDay: 20) == .reduced)
        #expect(settings.classify(declared: "stopped", cigarettesPerDay: 2, entryCigarettesPerDay: nil) == .unknown)
        #expect(settings.classify(declared: "reduced", cigarettesPerDay: nil, entryCigarettesPerDay: 20) == .reduced, "not checkable: as declared")
        #expect(settings.classify(declared: nil, cigarettesPerDay: 8, entryCigarettesPerDay: nil) == .unknown)
        #expect(settings.classify(declared: "maybe", cigarettesPerDay: nil, entryCigarettesPerDay: nil) == .unknown)
        #expect(EvaluationSettings(reducedThresholdPercent: 30).classify(declared: nil, cigarettesPerDay: 14, entryCigarettesPerDay: 20) == .reduced)
    }

    @Test func assessmentsAreAttributedToTheRightProgrammeOfAParticipant() throws {
        let evaluator = Evaluator(settings: EvaluationSettings(), instruments: try Self.catalog())
        let windows = [EvaluationFacts.Window(programmeID: "spring", firstDate: Self.day("2026-03-05"), lastDate: Self.day("2026-03-19")),
                       EvaluationFacts.Window(programmeID: "autumn", firstDate: Self.day("2026-11-05"), lastDate: Self.day("2026-11-19"))]
        func owner(_ instrument: String, _ date: String) -> String? {
            evaluator.attributedProgramme(instrument, takenOn: Self.day(date), windows: windows, followUpInstruments: ["followup_3m"])
        }
        #expect(owner("fagerstrom", "2026-02-20") == "spring")  // 13 days before the first session
        #expect(owner("fagerstrom", "2026-10-10") == "autumn")  // 26 days before the autumn programme
        #expect(owner("fagerstrom", "2026-09-01") == "spring")
        #expect(owner("followup_3m", "2026-11-10") == "spring") // the autumn programme is not over
        #expect(owner("followup_3m", "2027-02-19") == "autumn")
        #expect(owner("qmat", "2025-01-01") == "spring")         // before everything: the first
    }

    @Test func smallCountsAreMasked() {
        #expect(SmallCounts.count(0, threshold: 5) == "0")
        #expect(SmallCounts.count(3, threshold: 5) == "< 5")
        #expect(SmallCounts.count(5, threshold: 5) == "5")
        #expect(SmallCounts.percent(3, of: 40, threshold: 5) == "< 5")
        #expect(SmallCounts.percent(10, of: 40, threshold: 5) == "25")
        #expect(SmallCounts.percent(0, of: 3, threshold: 5) == "< 5", "a base under 5 is masked")
        #expect(SmallCounts.mean(5.5, n: 4, threshold: 5) == "< 5")
        #expect(SmallCounts.mean(5.25, n: 6, threshold: 5) == "5.25")
    }

    @Test func theDefinitionsNameEveryThreshold() {
        let settings = EvaluationSettings(reducedThresholdPercent: 50, coThresholdPPM: 6)
        let french = EvaluationDefinitions.all(settings, language: "fr")
        let english = EvaluationDefinitions.all(settings, language: "en")
        #expect(french.map(\.id) == english.map(\.id))
        let text = french.map(\.text).joined(separator: " ")
        #expect(text.contains("inférieure à 6 ppm") && text.contains("50 %") && text.contains("Russell Standard"))
        #expect(text.contains("15,5"))
        #expect(english.map(\.text).joined().contains("non-respondents are counted as smokers"))
    }
}
