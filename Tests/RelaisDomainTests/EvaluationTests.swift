import Foundation
import Testing
@testable import RelaisDomain

/// The yearly evaluation over a small cohort whose figures are computed by hand in the comments.
@Suite("Evaluation: outcomes, rates and aggregates")
struct EvaluationTests {
    static func catalog() throws -> InstrumentCatalog {
        InstrumentCatalog(try ["fagerstrom", "hsi", "qmat", "co", "end_status", "satisfaction_end", "impact_end", "followup_3m"].map { try shipped($0) })
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

    static func status(_ instrument: String, _ date: String, _ status: String?, cigarettes: Double? = nil, orientation: String? = nil,
                       relapse: String? = nil, aids: [String] = [], attempt: String? = nil) -> EvaluationFacts.Assessment {
        var answers: [String: JSONValue] = [:]
        if let status { answers["status"] = .string(status) }
        if let cigarettes { answers["cigarettes_per_day"] = .number(cigarettes) }
        if let orientation { answers["orientation_followed"] = .string(orientation) }
        if let relapse { answers["relapse"] = .string(relapse) }
        if !aids.isEmpty { answers["aids_used"] = .array(aids.map(JSONValue.string)) }
        if let attempt { answers["quit_attempt_24h"] = .string(attempt) }
        return .init(instrument: instrument, takenOn: day(date), answers: answers)
    }

    static func end(_ date: String, _ status: String?, cigarettes: Double? = nil) -> EvaluationFacts.Assessment {
        Self.status("end_status", date, status, cigarettes: cigarettes)
    }

    static func followUp(_ date: String, _ status: String?, cigarettes: Double? = nil, orientation: String? = nil, relapse: String? = nil,
                         aids: [String] = [], attempt: String? = nil) -> EvaluationFacts.Assessment {
        Self.status("followup_3m", date, status, cigarettes: cigarettes, orientation: orientation, relapse: relapse, aids: aids, attempt: attempt)
    }

    static func qmat(_ date: String, _ total: Double) -> EvaluationFacts.Assessment { .init(instrument: "qmat", takenOn: day(date), total: total) }
    static func co(_ date: String, _ ppm: Double, programme: String? = nil) -> EvaluationFacts.Assessment {
        .init(instrument: "co", takenOn: day(date), total: ppm, programmeID: programme)
    }

    /// Thirteen enrolments in one "Mois sans tabac" programme of March 2026 (sessions on 5, 12
    /// and 19 March), the report on 23 November 2026. The baseline is the one frozen at enrolment.
    ///
    /// | who | baseline | sessions | end (19 March) | 3 months |
    /// |---|---|---|---|---|
    /// | A | smoker, 20 a day entered, precarity, born 2003, female, 59000 | 3/3 | stopped, 0, CO 4 ppm the same day | stopped, 0, no relapse, CO 5 ppm a day later, patches |
    /// | B | smoker, Fagerström band 11–20, pregnant, born 1980, male, 75011 | 3/3 | reduced, 7: 7 > 5.5, the declared reduction stands (estimated) | reduced, 5 ≤ 5.5: reduced for sure; vaping and patches |
    /// | C | smoker, 20 entered (10 cigarettes + 5 cigarillos), female, 20167 | 3/3 | reduced, 12 > 10: unchanged | reduced, 0: reduced, not stopped |
    /// | D | smoker, Fagerström 10, male | 2/3 | no answer: unknown | stopped, no count; CO 12 ppm two days later: not abstinent |
    /// | E | smoker, 25 entered | 3/3 | stopped, 2: classified by the count, reduced | no answer |
    /// | F | smoker, Fagerström band ≤ 10 | 1/3 | stopped, 0; no CO: not measured | stopped, 0, but relapsed since; CO 14 days before: not measured; a quit attempt |
    /// | G | smoker, 30 entered, withdrew after session 1 | 1/3 | nothing | nothing |
    /// | H | withdrew before starting | – | not counted | |
    /// | I | waiting list | – | not counted | |
    /// | J | smoker, never came | 0/3 | not in any base | |
    /// | K | smoker, 20 entered | 3/3 | increased, 25 | unchanged, 20 |
    /// | X | ex-smoker (quit December 2025), female | 3/3 | stopped, 0: abstinent | stopped, no relapse: abstinent |
    /// | Y | ex-smoker | 2/3 | no answer: unknown | reduced, 3: relapsed |
    static func cohort() -> EvaluationFacts {
        let p = "p1"
        func participation(_ id: String, status: String = "enrolled", present: [Int], absent: [Int] = [], consultations: Int = 0,
                           smoker: Bool = true, count: Double? = nil, publics: Set<PriorityPublic> = [], sex: Sex? = nil, born: Int? = nil,
                           postalCode: String? = nil, answered: Bool = false, endAnswered: Bool? = nil) -> EvaluationFacts.Participation {
            var attendance: [Int: String] = [:]
            for index in present { attendance[index] = "present" }
            for index in absent { attendance[index] = "absent" }
            let baseline = Baseline(smokingStatus: smoker ? .smoker : .exSmoker, smokingStatusSource: .declared, cigarettesPerDay: count,
                                    quitDate: smoker ? nil : day("2025-12-01"), publics: publics)
            let lastAttended = present.max().map { ["2026-03-05", "2026-03-12", "2026-03-19"][$0 - 1] }
            return .init(participantID: id, programmeID: p, status: status, baseline: baseline, sex: sex, birthYear: born, postalCode: postalCode,
                         attendance: attendance, consultationsDone: consultations,
                         endInvitation: present.contains(3) ? .init(dueOn: day("2026-03-19"), answered: endAnswered ?? false) : nil,
                         followUpInvitations: lastAttended.map { [3: .init(dueOn: day($0).addingMonths(3), answered: answered)] } ?? [:])
        }
        let participations = [
            participation("A", present: [1, 2, 3], consultations: 2, count: 20, publics: [.precarity], sex: .female, born: 2003, postalCode: "59000",
                          answered: true, endAnswered: true),
            participation("B", present: [1, 2, 3], consultations: 2, publics: [.pregnant], sex: .male, born: 1980, postalCode: "75011", answered: true,
                          endAnswered: true),
            participation("C", present: [1, 2, 3], consultations: 1, count: 20, sex: .female, postalCode: "20167", answered: true, endAnswered: true),
            participation("D", present: [1, 2], absent: [3], sex: .male, answered: true),
            participation("E", present: [1, 2, 3], count: 25),
            participation("F", present: [1], absent: [2, 3], answered: true),
            participation("G", status: "withdrawn", present: [1], count: 30),
            participation("H", status: "withdrawn", present: []),
            participation("I", status: "waiting", present: []),
            participation("J", present: [], absent: [1, 2, 3]),
            participation("K", present: [1, 2, 3], count: 20, answered: true),
            participation("X", present: [1, 2, 3], smoker: false, sex: .female, answered: true),
            participation("Y", present: [1, 2], absent: [3], smoker: false, answered: true),
        ]
        let assessments: [String: [EvaluationFacts.Assessment]] = [
            "A": [fagerstrom("2026-03-05", total: 6, q4: .number(20)), qmat("2026-03-12", 8), qmat("2026-03-19", 14),
                  end("2026-03-19", "stopped", cigarettes: 0), co("2026-03-19", 4),
                  .init(instrument: "satisfaction_end", takenOn: day("2026-03-25"), answers: ["overall": .string("very_satisfied")]),
                  .init(instrument: "impact_end", takenOn: day("2026-03-25"), answers: ["knowledge_dependence": .number(8)]),
                  followUp("2026-06-19", "stopped", cigarettes: 0, relapse: "no", aids: ["patches"]), co("2026-06-20", 5)],
            "B": [fagerstrom("2026-03-05", total: 4, q4: .string("11to20")), qmat("2026-03-12", 12), qmat("2026-03-19", 12),
                  end("2026-03-19", "reduced", cigarettes: 7),
                  .init(instrument: "satisfaction_end", takenOn: day("2026-03-25"), answers: ["overall": .string("satisfied")]),
                  .init(instrument: "impact_end", takenOn: day("2026-03-25"), answers: ["knowledge_dependence": .number(6)]),
                  followUp("2026-06-22", "reduced", cigarettes: 5, orientation: "partly", aids: ["vaping", "patches"])],
            "C": [fagerstrom("2026-03-05", total: 7, q4: .number(10)), qmat("2026-03-12", 15), end("2026-03-19", "reduced", cigarettes: 12),
                  .init(instrument: "satisfaction_end", takenOn: day("2026-03-26"), answers: ["overall": .string("little_satisfied")]),
                  followUp("2026-06-25", "reduced", cigarettes: 0)],
            "D": [fagerstrom("2026-03-05", total: 2, q4: .number(10)), followUp("2026-06-10", "stopped"), co("2026-06-12", 12)],
            "E": [fagerstrom("2026-03-05", total: 5, q4: .string("21to30")), end("2026-03-19", "stopped", cigarettes: 2)],
            "F": [fagerstrom("2026-03-05", total: 3, q4: .string("le10")), end("2026-03-19", "stopped", cigarettes: 0), co("2026-05-25", 3),
                  followUp("2026-06-08", "stopped", cigarettes: 0, relapse: "yes", attempt: "yes")],
            "G": [fagerstrom("2026-03-05", total: 8, q4: .number(30))],
            "K": [fagerstrom("2026-03-05", total: 9, q4: .number(20)), end("2026-03-19", "increased", cigarettes: 25),
                  followUp("2026-06-19", "unchanged", cigarettes: 20)],
            "X": [end("2026-03-19", "stopped", cigarettes: 0), followUp("2026-06-19", "stopped", relapse: "no")],
            "Y": [followUp("2026-06-12", "reduced", cigarettes: 3)],
        ]
        let windows = Dictionary(uniqueKeysWithValues: participations.map {
            ($0.participantID, [EvaluationFacts.Window(programmeID: p, firstDate: day("2026-03-05"), lastDate: day("2026-03-19"))])
        })
        return EvaluationFacts(
            scope: .year(2026, siteID: nil), asOf: day("2026-11-23"),
            programmes: [.init(id: p, title: "Printemps", sessions: sessions, consultationsPlanned: 2, plannedFollowUpDue: day("2026-06-19"),
                               moisSansTabac: true)],
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

    static func evaluate(_ facts: EvaluationFacts = cohort(), settings: EvaluationSettings = EvaluationSettings()) throws -> EvaluationReport {
        Evaluator(settings: settings, instruments: try catalog()).evaluate(facts)
    }

    @Test func theEndOfTheProgrammeLeadsWithIntentionToTreatAndKeepsExSmokersApart() throws {
        let report = try Self.evaluate()
        #expect(report.outcomes.map(\.timePoint) == ["end", "m3"])
        let end = report.outcomes[0]
        // Smokers at entry who started: A B C D E F G K (8), all due (the programme is over).
        #expect(end.smokers.base == 8 && end.notYetDue == 0)
        #expect(end.smokers.stopped == 2)     // A, F (E declared a stop but smokes 2: reduced)
        #expect(end.smokers.reduced == 2)     // B (declared, estimated), E
        #expect(end.smokers.unchanged == 1)   // C: 12 of 20
        #expect(end.smokers.increased == 1)   // K
        #expect(end.smokers.unknown == 2)     // D, G
        #expect(end.smokers.respondents == 6 && end.smokers.estimated == 1)
        #expect(end.smokers.coMeasured == 1 && end.smokers.stoppedCoValidated == 1) // A's 4 ppm; F not measured
        #expect(end.smokers.maintainedStopped == nil, "only at follow-ups")
        #expect(end.rates.stoppedIntentionToTreat == 25 && end.rates.stoppedAmongRespondents == 33.3 && end.rates.responseRate == 75)
        #expect(end.rates.stoppedCoValidatedIntentionToTreat == 12.5)
        // Ex-smokers: X abstinent, Y unknown; never in the rates above.
        #expect(end.exSmokers == EvaluationReport.ExSmokerCounts(base: 2, abstinenceMaintained: 1, relapsed: 0, unknown: 1))
        // Invitations marked answered (A B C), and F, who was sent none but gave her end status.
        #expect(end.questionnairesAnswered == 4)
    }

    @Test func theThreeMonthsCountMaintainedStopsAndValidateByTheNearestReading() throws {
        let report = try Self.evaluate()
        let m3 = try #require(report.outcomes.first { $0.timePoint == "m3" })
        #expect(m3.months == 3 && m3.smokers.base == 8)
        #expect(m3.smokers.stopped == 3)      // A, D (declared, no count), F
        #expect(m3.smokers.reduced == 2)      // B (5 ≤ 5.5 for sure), C (0 with a reduction declared)
        #expect(m3.smokers.unchanged == 1 && m3.smokers.increased == 0 && m3.smokers.unknown == 2)
        #expect(m3.smokers.estimated == 0)
        #expect(m3.smokers.coMeasured == 2)           // A (5 ppm), D (12 ppm); F's reading is 14 days away
        #expect(m3.smokers.stoppedCoValidated == 1)   // A only
        #expect(m3.smokers.maintainedStopped == 1)    // A; F relapsed in between, D's end is unknown
        #expect(m3.rates.stoppedIntentionToTreat == 37.5 && m3.rates.stoppedAmongRespondents == 50)
        #expect(m3.rates.maintainedStoppedIntentionToTreat == 12.5)
        #expect(m3.exSmokers == EvaluationReport.ExSmokerCounts(base: 2, abstinenceMaintained: 1, relapsed: 1, unknown: 0))
        #expect(m3.aidsUsed.first { $0.code == "patches" }?.count == 2 && m3.aidsUsed.first { $0.code == "vaping" }?.count == 1)
        #expect(m3.aidsUsed.first { $0.code == "none" }?.count == 0, "every option listed")
        #expect(m3.quitAttempts == 1)
        // The first version's view: the same smokers, the same figures.
        #expect(report.followUp.eligible == 8 && report.followUp.respondents == 6 && report.followUp.count(.stopped) == 3)
        #expect(report.followUp.line("stopped")?.intentionToTreat == 37.5)
        #expect(report.endOfProgramme.count(.reduced) == 2)
        // The programme's line counts its smokers' 3-month figures.
        #expect(report.programmes.lines[0].followUpRespondents == Proportion(6, of: 8) && report.programmes.lines[0].followUpStopped == 3)
    }

    @Test func aReadingOfAnotherProgrammeSaysNothing() throws {
        var facts = Self.cohort()
        // A's 5 ppm of 20 June was taken for another programme of hers: A's stop is no longer measured.
        facts.assessments["A"]?[8] = Self.co("2026-06-20", 5, programme: "other")
        let m3 = try #require(try Self.evaluate(facts).outcomes.first { $0.timePoint == "m3" })
        #expect(m3.smokers.coMeasured == 1 && m3.smokers.stoppedCoValidated == 0)
        // A wider window reaches F's reading of 25 May (14 days): measured, and under the threshold.
        let wide = try #require(try Self.evaluate(settings: EvaluationSettings(coWindowDays: 14)).outcomes.first { $0.timePoint == "m3" })
        #expect(wide.smokers.coMeasured == 3 && wide.smokers.stoppedCoValidated == 2)
        // The threshold comes from the configured CO instrument.
        let configured = InstrumentCatalog([try shipped("co", settings: ["parameters.abstinence_threshold_ppm": "6"])])
        #expect(EvaluationSettings(instruments: configured).coThresholdPPM == 6)
        #expect(EvaluationSettings(instruments: InstrumentCatalog([try shipped("co")])).coThresholdPPM == 10)
        #expect(EvaluationSettings().coWindowDays == 7)
    }

    @Test func theReducedThresholdIsConfigurable() throws {
        // At 40 %, C's 12 cigarettes out of 20 (60 %) is a reduction at the end.
        let report = try Self.evaluate(settings: EvaluationSettings(reducedThresholdPercent: 40))
        #expect(report.outcomes[0].smokers.reduced == 3 && report.outcomes[0].smokers.unchanged == 0)
        let definitions = EvaluationDefinitions.all(report.settings, language: "fr")
        #expect(definitions.first { $0.id == "outcomes" }?.text.contains("au moins 40 % de cigarettes par jour en moins") == true)
    }

    @Test func attendanceCompletionAndPublic() throws {
        let report = try Self.evaluate()
        #expect(report.programmes.planned == 1 && report.programmes.held == 1 && report.programmes.finished == 1)
        // Counted: A B C D E F G J K X Y (11).
        #expect(report.participants.counted == 11 && report.participants.started == 10)
        #expect(report.participants.smokers == 9 && report.participants.exSmokers == 2)
        #expect(report.participants.waiting == 1 && report.participants.withdrawnBeforeStarting == 1)
        #expect(report.participants.withdrawnAfterStarting == 1 && report.participants.neverAttended == 1)
        #expect(report.participants.precarity == Proportion(1, of: 11))
        let sessions = report.attendance.sessions
        #expect(sessions.map(\.present) == [10, 8, 6])
        #expect(sessions.map(\.expected) == [11, 11, 11])
        // 3/3: A B C E K X; 2/2 consultations: A B.
        #expect(report.attendance.completedSessions == Proportion(6, of: 11))
        #expect(report.attendance.completedConsultations == Proportion(2, of: 11))
    }

    @Test func theBreakdownsTheFundersAskFor() throws {
        let report = try Self.evaluate()
        func group(_ dimension: String, _ code: String) -> EvaluationReport.BreakdownGroup? {
            report.breakdowns.first { $0.dimension == dimension }?.groups.first { $0.code == code }
        }
        #expect(report.breakdowns.map(\.dimension) == ["sex", "ageBand", "publics", "territory", "modality", "moisSansTabac"])
        #expect(group("sex", "female")?.participants == 3 && group("sex", "male")?.participants == 2 && group("sex", "unknown")?.participants == 6)
        let women = try #require(group("sex", "female")?.outcomes.first { $0.timePoint == "m3" })
        #expect(women.base == 2 && women.stopped == 1 && women.reduced == 1) // A stopped, C reduced; X is an ex-smoker
        #expect(group("ageBand", "18-24")?.participants == 1 && group("ageBand", "35-49")?.participants == 1)
        #expect(group("ageBand", "65+")?.participants == 0, "every band is listed")
        // Publics: A precarity and young adult (23 in 2026), B pregnant.
        #expect(group("publics", "young_adult")?.participants == 1 && group("publics", "precarity")?.participants == 1)
        #expect(group("publics", "pregnant")?.participants == 1 && group("publics", "none")?.participants == 9)
        #expect(group("territory", "59")?.participants == 1 && group("territory", "2A")?.participants == 1)
        #expect(group("territory", "unknown")?.participants == 8)
        #expect(group("modality", "in_person")?.participants == 11 && group("moisSansTabac", "yes")?.participants == 11)
        #expect(group("moisSansTabac", "no")?.participants == 0)
    }

    @Test func entryScoresQMATChangeSatisfactionAndOrientations() throws {
        let report = try Self.evaluate()
        let fagerstrom = report.entryScores.fagerstrom
        #expect(fagerstrom.n == 8 && fagerstrom.mean == 5.5)
        // Counts at entry: A 20, C 20, E 25, G 30, K 20 entered; D 10 from the test; B and F only a band (not in the mean).
        #expect(report.entryScores.cigarettesPerDay.n == 6 && report.entryScores.cigarettesPerDay.fromBand == 2)
        #expect(report.entryScores.cigarettesPerDay.mean == 20.83)
        #expect(report.qmatChange.pairs == 2 && report.qmatChange.meanChange == 3)
        let overall = try #require(report.satisfaction.items.first { $0.item == "overall" })
        #expect(overall.n == 3 && overall.mean == 3 && overall.satisfied == Proportion(2, of: 3))
        #expect(report.orientations.made == 2 && report.orientations.followed.map(\.count) == [1, 1, 0, 0])
        #expect(report.messages.sent == 27 && report.phoneTasks.unreachable == 1)
    }

    @Test func nothingIsDueBeforeItsDate() throws {
        var facts = Self.cohort()
        // As the data stood then: no follow-up invitation answered yet.
        for index in facts.participations.indices {
            facts.participations[index].followUpInvitations = facts.participations[index].followUpInvitations.mapValues { .init(dueOn: $0.dueOn, answered: false) }
        }
        facts.asOf = Self.day("2026-05-01")
        let report = try Self.evaluate(facts)
        let m3 = try #require(report.outcomes.first { $0.timePoint == "m3" })
        // On 1 May no follow-up is due and the answers of June are not known yet.
        #expect(m3.smokers.base == 0 && m3.notYetDue == 10)
        #expect(report.outcomes[0].smokers.base == 8, "the end is")
        facts.asOf = Self.day("2026-06-10")
        let june = try #require(try Self.evaluate(facts).outcomes.first { $0.timePoint == "m3" })
        // On 10 June: due for F and G (last session 5 March), and D who answered that day.
        #expect(june.smokers.base == 3 && june.notYetDue == 7)
        #expect(june.smokers.stopped == 2 && june.smokers.unknown == 1) // D and F stopped; G unknown
        facts.asOf = Self.day("2026-03-15")
        let running = try Self.evaluate(facts)
        #expect(running.programmes.finished == 0 && running.attendance.completedSessions.denominator == 0)
        #expect(running.outcomes[0].smokers.base == 0, "an answer dated after the report's date is not known on it")
    }

    @Test func severalFollowUpsAreEachATimePoint() throws {
        var facts = Self.cohort()
        facts.programmes[0].followUps = [FollowUpTemplate(months: 3, instrument: "followup_3m"), FollowUpTemplate(months: 6, instrument: "followup_3m")]
        // A answers again at six months (19 September): still stopped; the other answers stay at three months.
        facts.assessments["A"]?.append(Self.followUp("2026-09-21", "stopped", cigarettes: 0, relapse: "no"))
        let report = try Self.evaluate(facts)
        #expect(report.outcomes.map(\.timePoint) == ["end", "m3", "m6"])
        let m6 = report.outcomes[2]
        #expect(m6.smokers.base == 8 && m6.smokers.stopped == 1 && m6.smokers.respondents == 1 && m6.smokers.maintainedStopped == 1)
        #expect(report.outcomes[1].smokers.stopped == 3, "the 3-month answers did not move")
    }

    @Test func erasedParticipantsCountWhereTheirAnonymousRowsAllow() throws {
        var facts = Self.cohort()
        let kept = ErasedSnapshot(smokerAtEntry: true, sex: .female, ageBand: .from50to64, departement: "59", publics: [.justice], timePoints: [
            TimePointResult(timePoint: "end", months: 0, due: true, answered: true, smoker: .stopped, co: .validated),
            TimePointResult(timePoint: "m3", months: 3, due: true, answered: true, smoker: .stopped, co: .notMeasured, maintainedStopped: true),
        ])
        facts.erased = [
            .init(programmeID: "p1", status: "enrolled", sessionsAttended: 3, consultationsDone: 2, snapshot: kept),
            // An erasure older than the time points: its declared 3-month status only.
            .init(programmeID: "p1", status: "enrolled", sessionsAttended: 2, followUpAnswered: true, followUpOutcome: "stopped", precarity: true),
            .init(programmeID: "p1", status: "withdrawn", sessionsAttended: 0),
        ]
        let report = try Self.evaluate(facts)
        #expect(report.participants.counted == 13 && report.participants.erased == 2)
        #expect(report.attendance.sessions.map(\.expected) == [11, 11, 11], "not in the attendance per session")
        let end = report.outcomes[0], m3 = report.outcomes[1]
        #expect(end.smokers.base == 10 && end.smokers.stopped == 3 && end.smokers.stoppedCoValidated == 2)
        #expect(m3.smokers.base == 10 && m3.smokers.stopped == 5 && m3.smokers.maintainedStopped == 2)
        #expect(report.breakdowns.first { $0.dimension == "publics" }?.groups.first { $0.code == "justice" }?.participants == 1)
        #expect(report.erased.notCounted == 1)
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
        #expect(text.contains("7 jours avant ou après") && text.contains("non mesuré"))
        let englishText = english.map(\.text).joined()
        #expect(englishText.contains("non-respondents are counted as smokers") && englishText.contains("attended at least one group session"))
        #expect(french.contains { $0.id == "ex_smokers" } && french.contains { $0.id == "breakdowns" })
    }
}
