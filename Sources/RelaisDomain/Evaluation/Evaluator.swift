import Foundation

/// The yearly evaluation, computed from facts (no I/O): per-participation results first, then the
/// aggregates. Every rule is written out in `EvaluationDefinitions`, which the report carries.
public struct Evaluator: Sendable {
    public var settings: EvaluationSettings
    let instruments: [String: ConfiguredInstrument]

    public init(settings: EvaluationSettings, instruments: InstrumentCatalog) {
        self.settings = settings
        self.instruments = Dictionary(uniqueKeysWithValues: instruments.instruments.map { ($0.id, $0) })
    }

    /// Instruments whose answers the evaluation reads (the store fetches only these, plus each
    /// programme's end and follow-up instruments).
    public static let instrumentsRead: Set<String> = ["fagerstrom", "hsi", "qmat", "co", "satisfaction_end", "impact_end", "followup_3m"]
    /// Instruments whose answers are not needed (scores only).
    public static let scoresOnly: Set<String> = ["qmat", "co"]

    public func evaluate(_ facts: EvaluationFacts) -> EvaluationReport {
        let programmes = Dictionary(facts.programmes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let followUpInstruments = Set(facts.programmes.map(\.followUpInstrument))
        var results: [ParticipationResult] = []
        var waiting = 0, withdrawnBefore = 0
        let orientationsByParticipant = Dictionary(grouping: facts.orientations, by: \.participantID)

        for participation in facts.participations {
            guard let programme = programmes[participation.programmeID], !programme.cancelled else { continue }
            let attended = programme.activeSessions.filter { participation.attendance[$0.index] == "present" }.count
            switch participation.status {
            case "enrolled": break
            case "withdrawn" where attended > 0: break
            case "waiting":
                waiting += 1
                continue
            default:
                withdrawnBefore += 1
                continue
            }
            results.append(result(participation, programme, attended: attended, facts: facts,
                                   orientations: orientationsByParticipant[participation.participantID] ?? [],
                                   followUpInstruments: followUpInstruments))
        }
        var erasedNotCounted = 0
        for row in facts.erased {
            let programme = row.programmeID.flatMap { programmes[$0] }
            if programme?.cancelled == true { continue }
            let counted = row.status == "enrolled" || (row.status == "withdrawn" && row.sessionsAttended > 0)
            guard counted else {
                erasedNotCounted += 1
                if row.status == "waiting" { waiting += 1 } else if row.status == "withdrawn" { withdrawnBefore += 1 }
                continue
            }
            results.append(erasedResult(row, programme, asOf: facts.asOf))
        }
        return aggregate(facts, programmes: programmes, results: results, waiting: waiting, withdrawnBefore: withdrawnBefore,
                         erasedNotCounted: erasedNotCounted)
    }

    // MARK: - One participation

    /// The programme an assessment belongs to among the participant's programmes (sorted by first
    /// date): a follow-up answer to the latest programme whose last session is on or before it;
    /// anything else to the latest programme that began at most `entrySlackDays` after it; the
    /// first programme when none fits.
    func attributedProgramme(_ assessmentInstrument: String, takenOn: CalendarDate, windows: [EvaluationFacts.Window],
                             followUpInstruments: Set<String>) -> String? {
        guard windows.count > 1 else { return windows.first?.programmeID }
        if followUpInstruments.contains(assessmentInstrument) {
            return (windows.last { $0.lastDate <= takenOn } ?? windows.first)?.programmeID
        }
        let limit = takenOn.addingDays(settings.entrySlackDays)
        return (windows.last { $0.firstDate <= limit } ?? windows.first)?.programmeID
    }

    /// Cigarettes per day given by an assessment: `cigarettes_per_day`, or a Fagerström / HSI `q4`
    /// (the number given, else its band's midpoint). The flag says whether it is a midpoint.
    static func cigarettes(_ assessment: EvaluationFacts.Assessment) -> (Double, Bool)? {
        if case .number(let count)? = assessment.answers["cigarettes_per_day"] { return (count, false) }
        guard assessment.instrument == "fagerstrom" || assessment.instrument == "hsi" else { return nil }
        if case .number(let count)? = assessment.answers["q4_count"] { return (count, false) }
        if case .string(let code)? = assessment.answers["q4"], let midpoint = EvaluationSettings.cigaretteBandMidpoints[code] {
            return (midpoint, true)
        }
        return nil
    }

    static func declaredStatus(_ assessment: EvaluationFacts.Assessment) -> String? {
        if case .string(let code)? = assessment.answers["status"], SmokingOutcome(rawValue: code) != nil, code != "unknown" { return code }
        return nil
    }

    func band(_ instrument: String, score: String, value: Double) -> String? {
        guard let configured = instruments[instrument], let scheme = configured.schemes[score] else { return nil }
        return scheme.bands.first { $0.contains(value, parameters: configured.parameters) }?.code
    }

    func bandCodes(_ instrument: String, score: String) -> [String] {
        instruments[instrument]?.schemes[score]?.bands.map(\.code) ?? []
    }

    func result(_ participation: EvaluationFacts.Participation, _ programme: EvaluationFacts.Programme, attended: Int,
                facts: EvaluationFacts, orientations: [EvaluationFacts.Orientation], followUpInstruments: Set<String>) -> ParticipationResult {
        let asOf = facts.asOf
        let windows = (facts.windows[participation.participantID] ?? []).sorted { $0.firstDate < $1.firstDate }
        let all = facts.assessments[participation.participantID] ?? []
        let mine = all.filter {
            (attributedProgramme($0.instrument, takenOn: $0.takenOn, windows: windows, followUpInstruments: followUpInstruments)
                ?? programme.id) == programme.id
        }
        let active = programme.activeSessions
        let lastDate = programme.lastDate
        let finished = lastDate.map { $0 <= asOf } ?? false
        let started = attended > 0

        var result = ParticipationResult(
            participantID: participation.participantID, programmeID: programme.id, erased: false, status: participation.status,
            smokerStatus: participation.smokerStatus, precarity: participation.precarity, isolation: participation.isolation,
            difficultCarePath: participation.difficultCarePath, sessionsPlanned: active.count, sessionsAttended: attended,
            completedSessions: finished ? (!active.isEmpty && attended == active.count) : nil,
            consultationsPlanned: programme.consultationsPlanned, consultationsDone: participation.consultationsDone,
            completedConsultations: finished && programme.consultationsPlanned > 0 ? participation.consultationsDone >= programme.consultationsPlanned : nil,
            fagerstromEntry: nil, fagerstromBand: nil, hsiEntry: nil, hsiBand: nil, cigarettesEntry: nil, cigarettesEntryEstimated: false,
            qmatEntry: nil, qmatEnd: nil, coEntry: nil, endEligible: false, endAnswered: false, endStatus: .unknown, endCOValidated: false,
            followUpDue: nil, followUpEligible: false, followUpAnswered: false, followUpStatus: .unknown, followUpCigarettes: nil,
            followUpCOValidated: false, followUpUnreachable: participation.followUpUnreachable, satisfaction: [:], impact: [:],
            orientations: 0, orientationFollowed: nil)

        // Entry: the first assessment of each instrument that has the score.
        if let fagerstrom = mine.first(where: { $0.instrument == "fagerstrom" && $0.total != nil }), let total = fagerstrom.total {
            result.fagerstromEntry = total
            result.fagerstromBand = band("fagerstrom", score: "total", value: total)
        }
        if let hsi = mine.first(where: { ($0.instrument == "fagerstrom" && $0.derived["hsi"] != nil) || ($0.instrument == "hsi" && $0.total != nil) }) {
            let value = hsi.instrument == "hsi" ? hsi.total! : hsi.derived["hsi"]!
            result.hsiEntry = value
            result.hsiBand = hsi.instrument == "hsi" ? band("hsi", score: "total", value: value) : band("fagerstrom", score: "hsi", value: value)
        }
        var entryCigarettesIndex: Int?
        if let index = mine.firstIndex(where: { ($0.instrument == "fagerstrom" || $0.instrument == "hsi") && Self.cigarettes($0) != nil }),
           let (count, estimated) = Self.cigarettes(mine[index]) {
            entryCigarettesIndex = index
            result.cigarettesEntry = count
            result.cigarettesEntryEstimated = estimated
        }
        if let qmat = mine.first(where: { $0.instrument == "qmat" && $0.total != nil }) {
            result.qmatEntry = qmat.total
            result.qmatEnd = mine.last { $0.instrument == "qmat" && $0.total != nil && $0.takenOn > qmat.takenOn }?.total
        }
        result.coEntry = mine.first { $0.instrument == "co" && $0.total != nil }?.total

        /// Stopped, and a CO reading below the threshold within the window around `date`, not
        /// before the last group session.
        func coValidated(_ date: CalendarDate) -> Bool {
            var from = date.addingDays(-settings.coWindowDays)
            if let lastDate, lastDate > from { from = lastDate }
            let to = date.addingDays(settings.coWindowDays)
            return all.contains { $0.instrument == "co" && ($0.total ?? .infinity) < settings.coThresholdPPM && $0.takenOn >= from && $0.takenOn <= to }
        }

        // End of programme: the latest status known from the last session to `endWindowDays` after.
        if finished, started, let lastDate {
            result.endEligible = true
            let windowEnd = lastDate.addingDays(settings.endWindowDays)
            for (index, assessment) in mine.enumerated().reversed()
            where index != entryCigarettesIndex && !followUpInstruments.contains(assessment.instrument)
                && assessment.takenOn >= lastDate && assessment.takenOn <= windowEnd {
                let declared = Self.declaredStatus(assessment)
                let count = Self.cigarettes(assessment)?.0
                guard declared != nil || count != nil else { continue }
                result.endStatus = settings.classify(declared: declared, cigarettesPerDay: count, entryCigarettesPerDay: result.cigarettesEntry)
                if result.endStatus == .stopped { result.endCOValidated = coValidated(assessment.takenOn) }
                break
            }
        }
        if finished {
            result.endAnswered = participation.endInvitation?.answered
                ?? mine.contains { assessment in
                    programme.endInstruments.contains(assessment.instrument) && (lastDate.map { assessment.takenOn >= $0 } ?? false)
                }
        }

        // Follow-up: the latest answer to the programme's follow-up instrument.
        let lastAttended = active.filter { participation.attendance[$0.index] == "present" }.map(\.date).max()
        let due = participation.followUpInvitation?.dueOn
            ?? (lastAttended ?? lastDate).map { $0.addingMonths(programme.followUpMonths) }
        result.followUpDue = due
        let followUps = mine.filter { $0.instrument == programme.followUpInstrument }
        if let answer = followUps.last(where: { Self.declaredStatus($0) != nil || Self.cigarettes($0) != nil }) {
            let count = Self.cigarettes(answer)?.0
            result.followUpCigarettes = count
            result.followUpStatus = settings.classify(declared: Self.declaredStatus(answer), cigarettesPerDay: count,
                                                      entryCigarettesPerDay: result.cigarettesEntry)
            if result.followUpStatus == .stopped { result.followUpCOValidated = coValidated(answer.takenOn) }
        }
        result.followUpAnswered = participation.followUpInvitation?.answered ?? !followUps.isEmpty
        if !started {
            result.followUpStatus = .unknown
            result.followUpCOValidated = false
            result.endStatus = .unknown
        }
        result.followUpEligible = started && ((due.map { $0 <= asOf } ?? false) || result.followUpAnswered || result.followUpStatus != .unknown)

        // End questionnaires: the latest of each.
        if let satisfaction = mine.last(where: { $0.instrument == "satisfaction_end" }) {
            for (item, value) in satisfaction.answers { if case .string(let code) = value { result.satisfaction[item] = code } }
        }
        if let impact = mine.last(where: { $0.instrument == "impact_end" }) {
            for (item, value) in impact.answers { if case .number(let number) = value { result.impact[item] = number } }
        }

        // Orientations of this programme (or of no programme, attributed by date).
        let own = orientations.filter { orientation in
            if let id = orientation.programmeID { return id == programme.id }
            return (attributedProgramme("orientation", takenOn: orientation.createdOn, windows: windows, followUpInstruments: [])
                ?? programme.id) == programme.id
        }
        result.orientations = own.count
        if !own.isEmpty {
            let recorded = Set(own.compactMap(\.followed))
            result.orientationFollowed = ["yes", "partly", "no"].first { recorded.contains($0) }
            if result.orientationFollowed == nil {
                for answer in followUps.reversed() {
                    if case .string(let code)? = answer.answers["orientation_followed"], ["yes", "partly", "no"].contains(code) {
                        result.orientationFollowed = code
                        break
                    }
                }
            }
        }
        return result
    }

    func erasedResult(_ row: EvaluationFacts.Erased, _ programme: EvaluationFacts.Programme?, asOf: CalendarDate) -> ParticipationResult {
        let planned = programme?.activeSessions.count ?? 0
        let finished = programme?.lastDate.map { $0 <= asOf }
        let started = row.sessionsAttended > 0
        let consultationsPlanned = programme?.consultationsPlanned ?? 0
        func outcome(_ code: String?) -> SmokingOutcome {
            code.flatMap(SmokingOutcome.init(rawValue:)) ?? .unknown
        }
        let endEligible = started && (finished ?? (row.endAnswered != nil))
        let followUpDue = programme?.plannedFollowUpDue
        let followUpStatus = started ? outcome(row.followUpOutcome) : .unknown
        let followUpEligible = started && (row.followUpAnswered == true || followUpStatus != .unknown
                                           || (followUpDue.map { $0 <= asOf } ?? (row.followUpAnswered != nil)))
        return ParticipationResult(
            participantID: "", programmeID: row.programmeID ?? "", erased: true, status: row.status ?? "enrolled",
            smokerStatus: row.smokerStatus, precarity: row.precarity, isolation: row.isolation, difficultCarePath: row.difficultCarePath,
            sessionsPlanned: planned, sessionsAttended: row.sessionsAttended,
            completedSessions: finished == true && planned > 0 ? row.sessionsAttended >= planned : nil,
            consultationsPlanned: consultationsPlanned, consultationsDone: row.consultationsDone,
            completedConsultations: finished == true && consultationsPlanned > 0 ? row.consultationsDone >= consultationsPlanned : nil,
            fagerstromEntry: nil, fagerstromBand: nil, hsiEntry: nil, hsiBand: nil, cigarettesEntry: nil, cigarettesEntryEstimated: false,
            qmatEntry: nil, qmatEnd: nil, coEntry: nil, endEligible: endEligible, endAnswered: row.endAnswered ?? false,
            endStatus: endEligible ? outcome(row.endOutcome) : .unknown, endCOValidated: false, followUpDue: followUpDue,
            followUpEligible: followUpEligible, followUpAnswered: row.followUpAnswered ?? false, followUpStatus: followUpStatus,
            followUpCigarettes: nil, followUpCOValidated: false, followUpUnreachable: row.followUpUnreachable, satisfaction: [:],
            impact: [:], orientations: 0, orientationFollowed: nil)
    }

    // MARK: - Aggregates

    func aggregate(_ facts: EvaluationFacts, programmes: [String: EvaluationFacts.Programme], results: [ParticipationResult],
                   waiting: Int, withdrawnBefore: Int, erasedNotCounted: Int) -> EvaluationReport {
        // Results are large values: the passes below read them in place (indices, lazy filters)
        // rather than copying them into intermediate arrays.
        let asOf = facts.asOf
        let active = facts.programmes.filter { !$0.cancelled }.sorted { ($0.firstDate ?? asOf, $0.title) < ($1.firstDate ?? asOf, $1.title) }
        var indicesByProgramme: [String: [Int]] = [:]
        for (index, result) in results.enumerated() { indicesByProgramme[result.programmeID, default: []].append(index) }
        let live = results.indices.filter { !results[$0].erased }

        // Scope.
        var scope: EvaluationReport.Scope
        switch facts.scope {
        case .year(let year, let siteID):
            scope = .init(kind: "year", year: year, siteId: siteID, siteName: facts.siteName, programmeId: nil, programmeTitle: nil)
        case .programme(let id):
            let programme = programmes[id]
            scope = .init(kind: "programme", year: programme?.firstDate?.year, siteId: programme?.siteID, siteName: programme?.siteName,
                          programmeId: id, programmeTitle: programme?.title)
        }

        // Programmes.
        let lines = facts.programmes.sorted { ($0.firstDate ?? asOf, $0.title) < ($1.firstDate ?? asOf, $1.title) }.map { programme in
            let own = (indicesByProgramme[programme.id] ?? []).lazy.map { results[$0] }
            var completed = 0, finished = 0, eligible = 0, respondents = 0, stopped = 0
            for result in own {
                if let complete = result.completedSessions {
                    finished += 1
                    if complete { completed += 1 }
                }
                if result.followUpEligible {
                    eligible += 1
                    if result.followUpStatus != .unknown { respondents += 1 }
                    if result.followUpStatus == .stopped { stopped += 1 }
                }
            }
            return EvaluationReport.ProgrammeLine(
                id: programme.id, title: programme.title, templateId: programme.templateID, siteName: programme.siteName,
                firstDate: programme.firstDate, lastDate: programme.lastDate,
                status: programme.cancelled ? "cancelled" : programme.isHeld ? "held" : "planned",
                sessionsPlanned: programme.activeSessions.count, sessionsHeld: programme.heldSessions.count,
                coLedByPeerHelper: programme.coLedByPeerHelper, participants: programme.cancelled ? 0 : own.count,
                completedSessions: Proportion(completed, of: finished), followUpRespondents: Proportion(respondents, of: eligible),
                followUpStopped: stopped)
        }
        let programmeSummary = EvaluationReport.ProgrammeSummary(
            planned: active.count, held: active.filter(\.isHeld).count, notYetHeld: active.filter { !$0.isHeld }.count,
            cancelled: facts.programmes.count - active.count, finished: active.filter { $0.lastDate.map { $0 <= asOf } ?? false }.count,
            lines: lines)

        // Participants, and the completion of sessions and consultations: one pass.
        var started = 0, withdrawnAfter = 0, smokers = 0, exSmokers = 0, precarity = 0, isolation = 0, difficult = 0, priority = 0, erased = 0
        var sessionsFinished = 0, sessionsCompleted = 0, consultationsFinished = 0, consultationsCompleted = 0, consultationsDone = 0
        for result in results {
            if result.started { started += 1 }
            if result.status == "withdrawn" { withdrawnAfter += 1 }
            if result.smokerStatus == "smoker" { smokers += 1 } else if result.smokerStatus == "ex_smoker" { exSmokers += 1 }
            if result.precarity { precarity += 1 }
            if result.isolation { isolation += 1 }
            if result.difficultCarePath { difficult += 1 }
            if result.precarity || result.isolation || result.difficultCarePath { priority += 1 }
            if result.erased { erased += 1 }
            if let complete = result.completedSessions {
                sessionsFinished += 1
                if complete { sessionsCompleted += 1 }
            }
            if let complete = result.completedConsultations {
                consultationsFinished += 1
                if complete { consultationsCompleted += 1 }
            }
            consultationsDone += result.consultationsDone
        }
        let counted = results.count
        let participants = EvaluationReport.ParticipantSummary(
            counted: counted, started: started, neverAttended: counted - started, withdrawnAfterStarting: withdrawnAfter,
            withdrawnBeforeStarting: withdrawnBefore, waiting: waiting, smokers: smokers, exSmokers: exSmokers,
            precarity: Proportion(precarity, of: counted), isolation: Proportion(isolation, of: counted),
            difficultCarePath: Proportion(difficult, of: counted), priority: Proportion(priority, of: counted), erased: erased)

        // Attendance per session index, over the counted participants (erased ones excluded).
        let participationsByProgramme = Dictionary(grouping: facts.participations.indices, by: { facts.participations[$0].programmeID })
        var countedKeys = Set<ParticipationKey>()
        countedKeys.reserveCapacity(live.count)
        for index in live { countedKeys.insert(ParticipationKey(programme: results[index].programmeID, participant: results[index].participantID)) }
        let indexes = Set(active.flatMap { $0.sessions.map(\.index) }).sorted()
        let single: EvaluationFacts.Programme? = {
            if case .programme(let id) = facts.scope { return programmes[id] }
            return nil
        }()
        var tallies = Dictionary(uniqueKeysWithValues: indexes.map { ($0, [0, 0, 0, 0, 0, 0]) }) // held, expected, present, excused, absent, not recorded
        for programme in active {
            let held = programme.sessions.filter { !$0.cancelled && $0.attendanceRecorded }.map(\.index)
            guard !held.isEmpty else { continue }
            for index in held { tallies[index]![0] += 1 }
            for position in participationsByProgramme[programme.id] ?? [] {
                let participation = facts.participations[position]
                guard countedKeys.contains(ParticipationKey(programme: programme.id, participant: participation.participantID)) else { continue }
                for index in held {
                    tallies[index]![1] += 1
                    switch participation.attendance[index] {
                    case "present": tallies[index]![2] += 1
                    case "excused": tallies[index]![3] += 1
                    case "absent": tallies[index]![4] += 1
                    default: tallies[index]![5] += 1
                    }
                }
            }
        }
        let sessions = indexes.map { index -> EvaluationReport.SessionAttendance in
            let tally = tallies[index]!
            let session = single?.sessions.first { $0.index == index }
            return .init(index: index, date: session?.date, cancelled: session?.cancelled ?? false, held: tally[0], expected: tally[1],
                         present: tally[2], excused: tally[3], absent: tally[4], notRecorded: tally[5], presentShare: Proportion(tally[2], of: tally[1]))
        }
        let attendance = EvaluationReport.AttendanceSummary(
            sessions: sessions, completedSessions: Proportion(sessionsCompleted, of: sessionsFinished),
            completedConsultations: Proportion(consultationsCompleted, of: consultationsFinished), consultationsDone: consultationsDone,
            sessionsPerProgramme: Set(active.map { $0.activeSessions.count }).sorted(),
            consultationsPerProgramme: Set(active.map(\.consultationsPlanned)).sorted())

        // Scores at entry (bands were recomputed once, per participation).
        func summary(_ instrument: String, _ score: String, _ values: [(Double, String?)], codes known: [String]? = nil) -> EvaluationReport.ScoreSummary {
            var codes = known ?? bandCodes(instrument, score: score)
            var byCode: [String: Int] = [:]
            for case let code? in values.lazy.map(\.1) {
                byCode[code, default: 0] += 1
                if !codes.contains(code) { codes.append(code) }
            }
            let numbers = values.map(\.0)
            return .init(instrument: instrument, score: score, n: numbers.count, mean: Evaluation.mean(numbers), minimum: numbers.min(),
                         maximum: numbers.max(), bands: codes.map { CodeCount($0, byCode[$0] ?? 0) })
        }
        var fagerstroms: [(Double, String?)] = [], hsis: [(Double, String?)] = [], qmats: [(Double, String?)] = [], cos: [(Double, String?)] = []
        var cigarettes: [(Double, Bool)] = [], pairs: [(Double, Double, String?, String?)] = []
        for index in live {
            let result = results[index]
            if let value = result.fagerstromEntry { fagerstroms.append((value, result.fagerstromBand)) }
            if let value = result.hsiEntry { hsis.append((value, result.hsiBand)) }
            if let value = result.qmatEntry {
                let entryBand = band("qmat", score: "total", value: value)
                qmats.append((value, entryBand))
                if let end = result.qmatEnd { pairs.append((value, end, entryBand, band("qmat", score: "total", value: end))) }
            }
            if let value = result.coEntry { cos.append((value, band("co", score: "total", value: value))) }
            if let value = result.cigarettesEntry { cigarettes.append((value, result.cigarettesEntryEstimated)) }
        }
        let entryScores = EvaluationReport.EntryScores(
            fagerstrom: summary("fagerstrom", "total", fagerstroms),
            hsi: summary("hsi", "total", hsis,
                         codes: instruments["fagerstrom"]?.schemes["hsi"] != nil ? bandCodes("fagerstrom", score: "hsi") : bandCodes("hsi", score: "total")),
            qmat: summary("qmat", "total", qmats),
            cigarettesPerDay: .init(n: cigarettes.count, mean: Evaluation.mean(cigarettes.map(\.0)),
                                    fromCount: cigarettes.filter { !$0.1 }.count, fromBand: cigarettes.filter(\.1).count),
            coPPM: summary("co", "total", cos))

        // Q-MAT entry versus end, same participants.
        let qmatCodes = bandCodes("qmat", score: "total")
        let qmatChange = EvaluationReport.QMATChange(
            pairs: pairs.count, entryMean: Evaluation.mean(pairs.map(\.0)), endMean: Evaluation.mean(pairs.map(\.1)),
            meanChange: Evaluation.mean(pairs.map { $0.1 - $0.0 }), higher: pairs.filter { $0.1 > $0.0 }.count,
            same: pairs.filter { $0.1 == $0.0 }.count, lower: pairs.filter { $0.1 < $0.0 }.count,
            entryBands: qmatCodes.map { code in CodeCount(code, pairs.filter { $0.2 == code }.count) },
            endBands: qmatCodes.map { code in CodeCount(code, pairs.filter { $0.3 == code }.count) })

        // Outcomes.
        let end = outcome("end_of_programme", results, eligible: { $0.endEligible }, status: { $0.endStatus },
                          validated: { $0.endCOValidated }, answered: { $0.endAnswered }, unreachable: { _ in false })
        let followUp = outcome("follow_up", results, eligible: { $0.followUpEligible }, status: { $0.followUpStatus },
                               validated: { $0.followUpCOValidated }, answered: { $0.followUpAnswered }, unreachable: { $0.followUpUnreachable })

        // Satisfaction (1–4, the first option highest) and impact (0–10).
        let satisfactionRespondents = live.filter { !results[$0].satisfaction.isEmpty }
        let satisfactionItems: [(String, [String])] = instruments["satisfaction_end"]?.definition.items.filter { $0.type == .singleChoice }
            .map { ($0.id, ($0.options ?? []).map(\.code)) }
            ?? Set(satisfactionRespondents.flatMap { results[$0].satisfaction.keys }).sorted().map { ($0, []) }
        let satisfaction = EvaluationReport.SatisfactionSummary(
            instrument: "satisfaction_end", respondents: satisfactionRespondents.count,
            items: satisfactionItems.map { item, options in
                var codes = options
                let position = Dictionary(options.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
                var byCode: [String: Int] = [:], values: [Double] = [], best = 0, n = 0
                for index in satisfactionRespondents {
                    guard let code = results[index].satisfaction[item] else { continue }
                    n += 1
                    byCode[code, default: 0] += 1
                    if let rank = position[code] {
                        values.append(Double(options.count - rank))
                        if rank < 2 { best += 1 }
                    } else if !codes.contains(code) {
                        codes.append(code)
                    }
                }
                return .init(item: item, n: n, mean: Evaluation.mean(values), satisfied: Proportion(best, of: n),
                             distribution: codes.map { CodeCount($0, byCode[$0] ?? 0) })
            })
        let impactRespondents = live.filter { !results[$0].impact.isEmpty }
        let impactItems = instruments["impact_end"]?.definition.items.filter { $0.type == .integer || $0.type == .number }.map(\.id)
            ?? Set(impactRespondents.flatMap { results[$0].impact.keys }).sorted()
        let impact = EvaluationReport.ImpactSummary(
            instrument: "impact_end", respondents: impactRespondents.count,
            items: impactItems.map { item in
                let values = impactRespondents.compactMap { results[$0].impact[item] }
                return .init(item: item, n: values.count, mean: Evaluation.mean(values), minimum: values.min(), maximum: values.max())
            })

        // Orientations.
        var made = 0, oriented = 0
        var followed: [String: Int] = [:]
        for index in live where results[index].orientations > 0 {
            oriented += 1
            made += results[index].orientations
            followed[results[index].orientationFollowed ?? "unknown", default: 0] += 1
        }
        var kinds: [String: Int] = [:]
        for orientation in facts.orientations {
            let programmeID = orientation.programmeID
                ?? attributedProgramme("orientation", takenOn: orientation.createdOn,
                                       windows: (facts.windows[orientation.participantID] ?? []).sorted { $0.firstDate < $1.firstDate },
                                       followUpInstruments: [])
            guard let programmeID, countedKeys.contains(ParticipationKey(programme: programmeID, participant: orientation.participantID)) else { continue }
            kinds[orientation.kind, default: 0] += 1
        }
        let kindOrder = ["medecin_traitant", "csapa", "hospital_consultation", "self_help_group", "tabac_info_service", "other"]
        let orientationSummary = EvaluationReport.OrientationSummary(
            made: made, participantsOriented: oriented,
            byKind: (kindOrder + kinds.keys.filter { !kindOrder.contains($0) }.sorted()).map { CodeCount($0, kinds[$0] ?? 0) },
            followed: ["yes", "partly", "no", "unknown"].map { CodeCount($0, followed[$0] ?? 0) },
            followedShare: Proportion((followed["yes"] ?? 0) + (followed["partly"] ?? 0), of: oriented))

        // Peer helpers.
        let held = active.flatMap(\.heldSessions).count
        let coLed = active.filter(\.coLedByPeerHelper).flatMap(\.heldSessions).count
        let peerHelpers = EvaluationReport.PeerHelperSummary(sessionsHeld: held, sessionsCoLed: Proportion(coLed, of: held),
                                                             programmesCoLed: active.filter(\.coLedByPeerHelper).count)

        // Messages and phone tasks.
        let activeIDs = Set(active.map(\.id))
        let mail = facts.messages.filter { activeIDs.contains($0.programmeID) && (MessageKind(rawValue: $0.kind)?.isParticipantMail ?? true) }
        func total(_ counts: [EvaluationFacts.Count], _ state: String) -> Int { counts.lazy.filter { $0.state == state }.map(\.count).reduce(0, +) }
        let messages = EvaluationReport.MessageSummary(
            byKind: Self.kindStates(mail, order: MessageKind.allCases.map(\.rawValue), states: ["sent", "failed", "pending", "cancelled", "skipped"]),
            sent: total(mail, "sent"), failed: total(mail, "failed"), pending: total(mail, "pending"),
            cancelled: total(mail, "cancelled"), skipped: total(mail, "skipped"))
        let tasks = facts.tasks.filter { activeIDs.contains($0.programmeID) }
        let phoneTasks = EvaluationReport.TaskSummary(
            byKind: Self.kindStates(tasks, order: ["follow_up_call", "questionnaire_call", "session_change_call", "delivery_failed", "other"],
                                    states: ["done", "unreachable", "open"]),
            done: total(tasks, "done"), unreachable: total(tasks, "unreachable"), open: total(tasks, "open"))

        return EvaluationReport(
            scope: scope, asOf: asOf, settings: settings, programmes: programmeSummary, participants: participants, attendance: attendance,
            entryScores: entryScores, qmatChange: qmatChange, endOfProgramme: end, followUp: followUp, satisfaction: satisfaction,
            impact: impact, orientations: orientationSummary, peerHelpers: peerHelpers, messages: messages, phoneTasks: phoneTasks,
            erased: .init(counted: erased, notCounted: erasedNotCounted), participations: results)
    }

    static func kindStates(_ counts: [EvaluationFacts.Count], order: [String], states: [String]) -> [EvaluationReport.KindStates] {
        let byKind = Dictionary(grouping: counts, by: \.kind)
        let kinds = order.filter { byKind[$0] != nil } + byKind.keys.filter { !order.contains($0) }.sorted()
        return kinds.map { kind in
            let rows = byKind[kind] ?? []
            var stateOrder = states
            for row in rows where !stateOrder.contains(row.state) { stateOrder.append(row.state) }
            return .init(kind: kind, states: stateOrder.map { state in CodeCount(state, rows.filter { $0.state == state }.map(\.count).reduce(0, +)) },
                         total: rows.map(\.count).reduce(0, +))
        }
    }

    func outcome(_ timePoint: String, _ results: [ParticipationResult], eligible: (ParticipationResult) -> Bool,
                 status: (ParticipationResult) -> SmokingOutcome, validated: (ParticipationResult) -> Bool,
                 answered: (ParticipationResult) -> Bool, unreachable: (ParticipationResult) -> Bool) -> EvaluationReport.OutcomeSummary {
        var started = 0, pool = 0, respondents = 0, answeredCount = 0, lost = 0, coValidated = 0
        var counts: [SmokingOutcome: Int] = [:]
        for result in results where result.started {
            started += 1
            guard eligible(result) else { continue }
            pool += 1
            let outcome = status(result)
            counts[outcome, default: 0] += 1
            if outcome != .unknown { respondents += 1 }
            if answered(result) { answeredCount += 1 }
            if unreachable(result) { lost += 1 }
            if outcome == .stopped && validated(result) { coValidated += 1 }
        }
        func count(_ outcome: SmokingOutcome) -> Int { counts[outcome] ?? 0 }
        var lines = SmokingOutcome.allCases.map { outcome -> EvaluationReport.OutcomeLine in
            let n = count(outcome)
            let itt = outcome == .stopped || outcome == .reduced
            return .init(status: outcome.rawValue, count: n,
                         amongRespondents: outcome == .unknown ? nil : Evaluation.percent(n, respondents),
                         intentionToTreat: itt ? Evaluation.percent(n, pool) : nil)
        }
        let either = count(.stopped) + count(.reduced)
        lines.append(.init(status: "stopped_or_reduced", count: either, amongRespondents: Evaluation.percent(either, respondents),
                           intentionToTreat: Evaluation.percent(either, pool)))
        return .init(timePoint: timePoint, started: started, eligible: pool, notYetDue: started - pool,
                     respondents: respondents, responseRate: Evaluation.percent(respondents, pool),
                     questionnairesAnswered: answeredCount, lostToFollowUp: lost, lines: lines, coValidated: coValidated,
                     coValidatedAmongRespondents: Evaluation.percent(coValidated, respondents),
                     coValidatedIntentionToTreat: Evaluation.percent(coValidated, pool))
    }
}

/// (programme, participant): a participation.
struct ParticipationKey: Hashable {
    let programme: String
    let participant: String
}
