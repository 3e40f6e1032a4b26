import Foundation

/// The yearly evaluation, computed from facts (no I/O): per-participation results first, then the
/// aggregates. Every rule is written out in `EvaluationDefinitions`, which the report carries.
public struct Evaluator: Sendable {
    public var settings: EvaluationSettings
    let instruments: [String: ConfiguredInstrument]

    let catalog: InstrumentCatalog

    /// The kinds of treatment in the order of their file: the report lists each, received or not.
    let treatmentKinds: [String]

    public init(settings: EvaluationSettings, instruments: InstrumentCatalog, treatmentKinds: [String] = []) {
        self.settings = settings
        catalog = instruments
        self.instruments = Dictionary(uniqueKeysWithValues: instruments.instruments.map { ($0.id, $0) })
        self.treatmentKinds = treatmentKinds
    }

    /// Instruments whose answers the evaluation reads (the store fetches only these, plus each
    /// programme's end and follow-up instruments).
    public static let instrumentsRead: Set<String> = ["fagerstrom", "hsi", "qmat", "co", "end_status", "satisfaction_end", "impact_end", "followup_3m"]
    /// Instruments whose answers are not needed (scores only).
    public static let scoresOnly: Set<String> = ["qmat", "co"]

    public func evaluate(_ facts: EvaluationFacts) -> EvaluationReport {
        let programmes = Dictionary(facts.programmes.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        let followUpInstruments = Set(facts.programmes.flatMap(\.followUpInstruments))
        var results: [ParticipationResult] = []
        var waiting = 0, withdrawnBefore = 0
        let orientationsByParticipant = Dictionary(grouping: facts.orientations, by: \.participantID)
        let treatmentsByParticipant = Dictionary(grouping: facts.treatments.filter { $0.start <= facts.asOf }, by: \.participantID)

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
            var one = result(participation, programme, attended: attended, facts: facts,
                             orientations: orientationsByParticipant[participation.participantID] ?? [],
                             followUpInstruments: followUpInstruments)
            one.treatments = treatmentKinds(treatmentsByParticipant[participation.participantID] ?? [], programme: programme.id,
                                            windows: (facts.windows[participation.participantID] ?? []).sorted { $0.firstDate < $1.firstDate })
            results.append(one)
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

    /// The kinds of treatment a participation received: those attached to its programme (directly
    /// or through their consultation), and those attached to none whose start attributes them to
    /// it, as for an orientation. Each kind once, sorted.
    func treatmentKinds(_ treatments: [EvaluationFacts.Treatment], programme: String, windows: [EvaluationFacts.Window]) -> [String] {
        let own = treatments.filter { treatment in
            if let id = treatment.programmeID { return id == programme }
            return (attributedProgramme("treatment", takenOn: treatment.start, windows: windows, followUpInstruments: []) ?? programme) == programme
        }
        return Set(own.map(\.kind)).sorted()
    }

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

    /// What an assessment answers at a time point: the `status` item and the
    /// `cigarettes_per_day` count (of cigarette-equivalents), and a declared relapse.
    static func statusAnswer(_ assessment: EvaluationFacts.Assessment) -> StatusAnswer? {
        var declared: SmokingOutcome?
        if case .string(let code)? = assessment.answers["status"] { declared = SmokingOutcome(rawValue: code) }
        var count: Double?
        if case .number(let value)? = assessment.answers["cigarettes_per_day"] { count = value }
        var relapse = false
        if case .string(let code)? = assessment.answers["relapse"] { relapse = code == "yes" }
        let answer = StatusAnswer(declared: declared, cigarettesPerDay: count, relapseDeclared: relapse)
        return answer.isEmpty ? nil : answer
    }


    func band(_ instrument: String, score: String, value: Double) -> String? {
        guard let configured = instruments[instrument], let scheme = configured.schemes[score] else { return nil }
        return scheme.band(value, parameters: configured.parameters)?.code
    }

    func bandCodes(_ instrument: String, score: String) -> [String] {
        instruments[instrument]?.schemes[score]?.codes ?? []
    }

    var classifier: OutcomeClassifier {
        OutcomeClassifier(reducedThresholdPercent: settings.reducedThresholdPercent, coThresholdPPM: settings.coThresholdPPM,
                          coWindowDays: settings.coWindowDays)
    }

    func result(_ participation: EvaluationFacts.Participation, _ programme: EvaluationFacts.Programme, attended: Int,
                facts: EvaluationFacts, orientations: [EvaluationFacts.Orientation], followUpInstruments: Set<String>) -> ParticipationResult {
        let asOf = facts.asOf
        let windows = (facts.windows[participation.participantID] ?? []).sorted { $0.firstDate < $1.firstDate }
        // What happened after the report's date is not known on it (a report as of a past date).
        let all = (facts.assessments[participation.participantID] ?? []).filter { $0.takenOn <= asOf }
        let mine = all.filter { assessment in
            let owner = assessment.programmeID
                ?? attributedProgramme(assessment.instrument, takenOn: assessment.takenOn, windows: windows, followUpInstruments: followUpInstruments)
            return (owner ?? programme.id) == programme.id
        }
        let active = programme.activeSessions
        let lastDate = programme.lastDate
        let finished = lastDate.map { $0 <= asOf } ?? false
        let started = attended > 0
        let baseline = participation.baseline
        let year = programme.firstDate?.year ?? asOf.year
        var publics = baseline.publics
        if PriorityPublic.isYoungAdult(birthYear: participation.birthYear, in: year) { publics.insert(.youngAdult) }

        var result = ParticipationResult(
            participantID: participation.participantID, programmeID: programme.id, erased: false, status: participation.status,
            smokerAtEntry: baseline.smokingStatus == .smoker, smokingStatusSource: baseline.smokingStatusSource, entryConsumption: nil,
            entryConsumptionSource: nil, goal: baseline.goal, publics: publics, difficultCarePath: participation.difficultCarePath,
            sex: participation.sex, ageBand: AgeBand(birthYear: participation.birthYear, in: year),
            departement: participation.postalCode.flatMap(Territory.departement(postalCode:)),
            sessionsPlanned: active.count, sessionsAttended: attended,
            completedSessions: finished ? (!active.isEmpty && attended == active.count) : nil,
            consultationsPlanned: programme.consultationsPlanned, consultationsDone: participation.consultationsDone,
            completedConsultations: finished && programme.consultationsPlanned > 0 ? participation.consultationsDone >= programme.consultationsPlanned : nil,
            fagerstromEntry: nil, fagerstromBand: nil, hsiEntry: nil, hsiBand: nil, qmatEntry: nil, qmatEnd: nil, coEntry: nil,
            timePoints: [], satisfaction: [:], impact: [:], orientations: 0, orientationFollowed: nil)

        // Entry: the first assessment of each instrument that has the score.
        if let fagerstrom = mine.first(where: { $0.instrument == "fagerstrom" && $0.total != nil }), let total = fagerstrom.total {
            result.fagerstromEntry = total
            result.fagerstromBand = band("fagerstrom", score: "total", value: total)
        }
        if let hsi = mine.first(where: { ($0.instrument == "fagerstrom" && $0.derived["hsi"] != nil) || ($0.instrument == "hsi" && $0.total != nil) }) {
            let value = hsi.instrument == "hsi" ? hsi.total ?? 0 : hsi.derived["hsi"] ?? 0
            result.hsiEntry = value
            result.hsiBand = hsi.instrument == "hsi" ? band("hsi", score: "total", value: value) : band("fagerstrom", score: "hsi", value: value)
        }
        let entryTest = mine.lazy.compactMap { self.catalog.entryConsumption(instrument: $0.instrument, answers: $0.answers) }.first
        if let (consumption, source) = baseline.entryConsumption(entryTest: entryTest) {
            result.entryConsumption = consumption
            result.entryConsumptionSource = source
        }
        if let qmat = mine.first(where: { $0.instrument == "qmat" && $0.total != nil }) {
            result.qmatEntry = qmat.total
            result.qmatEnd = mine.last { $0.instrument == "qmat" && $0.total != nil && $0.takenOn > qmat.takenOn }?.total
        }
        result.coEntry = mine.first { $0.instrument == "co" && $0.total != nil }?.total
        // CO readings of this programme only: a reading of another programme says nothing of this one.
        let readings = mine.compactMap { assessment in
            assessment.instrument == "co" ? assessment.total.map { COReading(date: assessment.takenOn, ppm: $0) } : nil
        }

        /// Classifies one time point's answer for this participant.
        func timePoint(_ id: String, months: Int, dueOn: CalendarDate?, due: Bool, answered: Bool,
                       answer: (EvaluationFacts.Assessment, StatusAnswer)?) -> TimePointResult {
            var point = TimePointResult(timePoint: id, months: months, dueOn: dueOn, due: started && (due || answer != nil || answered),
                                        answered: answered)
            let status = started ? answer?.1 : nil
            point.cigarettesPerDay = status?.cigarettesPerDay
            point.relapseDeclared = status?.relapseDeclared ?? false
            if result.smokerAtEntry {
                let classification = classifier.smoker(status, entry: result.entryConsumption)
                point.smoker = classification.outcome
                point.estimated = classification.estimated
                if classification.outcome == .stopped, let date = answer?.0.takenOn { point.co = classifier.coCheck(statusDate: date, readings: readings) }
            } else {
                let outcome = classifier.exSmoker(status)
                point.exSmoker = outcome
                if outcome == .abstinenceMaintained, let date = answer?.0.takenOn { point.co = classifier.coCheck(statusDate: date, readings: readings) }
            }
            return point
        }

        // End of programme: the latest end status of this programme, up to `endWindowDays` after its last session.
        let endInstruments = Set(programme.endInstruments).union(["end_status"]).subtracting(followUpInstruments)
        let endLimit = lastDate?.addingDays(settings.endWindowDays)
        let endAnswer = mine.reversed().lazy
            .filter { assessment in endInstruments.contains(assessment.instrument) && (endLimit.map { assessment.takenOn <= $0 } ?? true) }
            .compactMap { assessment in Self.statusAnswer(assessment).map { (assessment, $0) } }.first
        let endAnswered = finished && (participation.endInvitation?.answered
            ?? mine.contains { assessment in programme.endInstruments.contains(assessment.instrument) && (lastDate.map { assessment.takenOn >= $0 } ?? false) })
        let end = timePoint("end", months: 0, dueOn: lastDate, due: finished, answered: endAnswered, answer: endAnswer)
        result.timePoints.append(end)

        // Follow-ups: an answer belongs to the time point whose due date is nearest to it.
        let lastAttended = active.filter { participation.attendance[$0.index] == "present" }.map(\.date).max()
        let dues = programme.followUps.map { followUp in
            participation.followUpInvitations[followUp.months]?.dueOn
                ?? (lastAttended ?? lastDate).map { $0.addingMonths(followUp.months) }
        }
        var answers: [Int: (EvaluationFacts.Assessment, StatusAnswer)] = [:]
        var extras: [Int: EvaluationFacts.Assessment] = [:]
        for assessment in mine where programme.followUpInstruments.contains(assessment.instrument) {
            let candidates = programme.followUps.indices.filter { programme.followUps[$0].instrument == assessment.instrument }
            guard let nearest = candidates.min(by: { first, second in
                abs((dues[first]?.dayNumber ?? Int.max / 2) - assessment.takenOn.dayNumber) < abs((dues[second]?.dayNumber ?? Int.max / 2) - assessment.takenOn.dayNumber)
            }) else { continue }
            extras[nearest] = assessment
            if let answer = Self.statusAnswer(assessment) { answers[nearest] = (assessment, answer) }
        }
        for (position, followUp) in programme.followUps.enumerated() {
            let invitation = participation.followUpInvitations[followUp.months]
            let due = dues[position]
            var point = timePoint(followUp.timePoint, months: followUp.months, dueOn: due, due: due.map { $0 <= asOf } ?? false,
                                  answered: invitation?.answered ?? (extras[position] != nil), answer: answers[position])
            point.unreachable = participation.unreachableFollowUps.contains(followUp.months)
            if result.smokerAtEntry, let followUpSmoker = point.smoker {
                point.maintainedStopped = classifier.maintainedStopped(end: Classification(end.smoker ?? .unknown), followUp: Classification(followUpSmoker),
                                                                       followUpAnswer: answers[position]?.1)
            }
            if let assessment = extras[position], started {
                if case .array(let aids)? = assessment.answers["aids_used"] {
                    point.aidsUsed = aids.compactMap { if case .string(let code) = $0 { return code } else { return nil } }
                }
                if case .string(let code)? = assessment.answers["quit_attempt_24h"] { point.quitAttempt = code == "yes" }
            }
            result.timePoints.append(point)
        }

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
                for (_, assessment) in extras.sorted(by: { $0.key > $1.key }) {
                    if case .string(let code)? = assessment.answers["orientation_followed"], ["yes", "partly", "no"].contains(code) {
                        result.orientationFollowed = code
                        break
                    }
                }
            }
        }
        return result
    }

    /// An erased participant's participation, from what the erasure kept: its time points since
    /// v8, else the end and follow-up statuses as they were answered (older erasures).
    func erasedResult(_ row: EvaluationFacts.Erased, _ programme: EvaluationFacts.Programme?, asOf: CalendarDate) -> ParticipationResult {
        let planned = programme?.activeSessions.count ?? 0
        let finished = programme?.lastDate.map { $0 <= asOf }
        let started = row.sessionsAttended > 0
        let consultationsPlanned = programme?.consultationsPlanned ?? 0
        let snapshot = row.snapshot
        let smokerAtEntry = snapshot?.smokerAtEntry ?? (row.smokerStatus == SmokerStatus.smoker.rawValue)
        var publics = Set(snapshot?.publics ?? [])
        if row.precarity { publics.insert(.precarity) }
        if row.isolation { publics.insert(.isolation) }
        var timePoints = snapshot?.timePoints ?? []
        if snapshot == nil {
            // Older erasures kept the declared statuses only: classified without an entry count.
            func point(_ id: String, months: Int, code: String?, answered: Bool?, due: Bool) -> TimePointResult {
                let answer = StatusAnswer(declared: code.flatMap(SmokingOutcome.init(rawValue:)), cigarettesPerDay: nil)
                var point = TimePointResult(timePoint: id, months: months, due: started && due, answered: answered ?? false)
                if smokerAtEntry { point.smoker = started ? classifier.smoker(answer, entry: nil).outcome : .unknown } else {
                    point.exSmoker = started ? classifier.exSmoker(answer) : .unknown
                }
                return point
            }
            timePoints.append(point("end", months: 0, code: row.endOutcome, answered: row.endAnswered, due: finished ?? (row.endAnswered != nil)))
            let followUp = programme?.followUps.first { $0.months == 3 } ?? programme?.followUps.first
            let months = followUp?.months ?? 3
            let dueOn = programme?.plannedFollowUpDue
            var last = point(TimePointResult.id(months: months), months: months, code: row.followUpOutcome, answered: row.followUpAnswered,
                             due: row.followUpAnswered == true || row.followUpOutcome.map { $0 != "unknown" } ?? false
                                || (dueOn.map { $0 <= asOf } ?? (row.followUpAnswered != nil)))
            last.dueOn = dueOn
            last.unreachable = row.followUpUnreachable
            timePoints.append(last)
        }
        return ParticipationResult(
            participantID: "", programmeID: row.programmeID ?? "", erased: true, status: row.status ?? "enrolled", smokerAtEntry: smokerAtEntry,
            smokingStatusSource: nil, entryConsumption: nil, entryConsumptionSource: nil, goal: nil, publics: publics,
            difficultCarePath: row.difficultCarePath, sex: snapshot?.sex, ageBand: snapshot?.ageBand, departement: snapshot?.departement,
            sessionsPlanned: planned, sessionsAttended: row.sessionsAttended,
            completedSessions: finished == true && planned > 0 ? row.sessionsAttended >= planned : nil,
            consultationsPlanned: consultationsPlanned, consultationsDone: row.consultationsDone,
            completedConsultations: finished == true && consultationsPlanned > 0 ? row.consultationsDone >= consultationsPlanned : nil,
            fagerstromEntry: nil, fagerstromBand: nil, hsiEntry: nil, hsiBand: nil, qmatEntry: nil, qmatEnd: nil, coEntry: nil,
            timePoints: timePoints, satisfaction: [:], impact: [:], orientations: 0, orientationFollowed: nil,
            treatments: snapshot?.treatments ?? [])
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
        case .period(let from, let to, let siteID):
            scope = .init(kind: "period", year: nil, siteId: siteID, siteName: facts.siteName, programmeId: nil, programmeTitle: nil,
                          from: from, to: to)
        case .programme(let id):
            let programme = programmes[id]
            scope = .init(kind: "programme", year: programme?.firstDate?.year, siteId: programme?.siteID, siteName: programme?.siteName,
                          programmeId: id, programmeTitle: programme?.title)
        }

        // Programmes: their primary follow-up (3 months when they have one), smokers at entry.
        let lines = facts.programmes.sorted { ($0.firstDate ?? asOf, $0.title) < ($1.firstDate ?? asOf, $1.title) }.map { programme in
            let own = (indicesByProgramme[programme.id] ?? []).lazy.map { results[$0] }
            let primary = TimePointResult.id(months: (programme.followUps.first { $0.months == 3 } ?? programme.followUps.first)?.months ?? 3)
            var completed = 0, finished = 0, eligible = 0, respondents = 0, stopped = 0
            for result in own {
                if let complete = result.completedSessions {
                    finished += 1
                    if complete { completed += 1 }
                }
                if result.smokerAtEntry, let point = result.timePoint(primary), point.due {
                    eligible += 1
                    if point.responded { respondents += 1 }
                    if point.smoker == .stopped { stopped += 1 }
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
            if result.smokerAtEntry { smokers += 1 } else { exSmokers += 1 }
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
        var cigarettes: [Double] = [], fromBand = 0, pairs: [(Double, Double, String?, String?)] = []
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
            switch result.entryConsumption {
            case .exact(let value)? where result.smokerAtEntry: cigarettes.append(value)
            case .band? where result.smokerAtEntry: fromBand += 1
            default: break
            }
        }
        let entryScores = EvaluationReport.EntryScores(
            fagerstrom: summary("fagerstrom", "total", fagerstroms),
            hsi: summary("hsi", "total", hsis,
                         codes: instruments["fagerstrom"]?.schemes["hsi"] != nil ? bandCodes("fagerstrom", score: "hsi") : bandCodes("hsi", score: "total")),
            qmat: summary("qmat", "total", qmats),
            cigarettesPerDay: .init(n: cigarettes.count, mean: Evaluation.mean(cigarettes), fromCount: cigarettes.count, fromBand: fromBand),
            coPPM: summary("co", "total", cos))

        // Q-MAT entry versus end, same participants.
        let qmatCodes = bandCodes("qmat", score: "total")
        let qmatChange = EvaluationReport.QMATChange(
            pairs: pairs.count, entryMean: Evaluation.mean(pairs.map(\.0)), endMean: Evaluation.mean(pairs.map(\.1)),
            meanChange: Evaluation.mean(pairs.map { $0.1 - $0.0 }), higher: pairs.filter { $0.1 > $0.0 }.count,
            same: pairs.filter { $0.1 == $0.0 }.count, lower: pairs.filter { $0.1 < $0.0 }.count,
            entryBands: qmatCodes.map { code in CodeCount(code, pairs.filter { $0.2 == code }.count) },
            endBands: qmatCodes.map { code in CodeCount(code, pairs.filter { $0.3 == code }.count) })

        // Outcomes, one per time point (the end, then every follow-up of the scope's programmes), and breakdowns.
        let followUpMonths = Set(facts.programmes.filter { !$0.cancelled }.flatMap { $0.followUps.map(\.months) })
            .union(results.flatMap { $0.timePoints.map(\.months) }).subtracting([0]).sorted()
        let outcomes = [outcome(months: 0, results)] + followUpMonths.map { outcome(months: $0, results) }
        let primaryMonths = followUpMonths.contains(3) ? 3 : followUpMonths.first ?? 3
        let end = EvaluationReport.OutcomeSummary(outcomes[0], timePoint: "end_of_programme", results: results)
        let followUp = EvaluationReport.OutcomeSummary(outcomes.first { $0.months == primaryMonths } ?? outcome(months: primaryMonths, results),
                                                       timePoint: "follow_up", results: results)
        let breakdowns = breakdown(results, programmes: programmes, timePoints: outcomes.map(\.timePoint))

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

        // Treatments: counted participations (erased ones by what their erasure kept), per kind.
        var treated = 0
        var treatmentCounts: [String: Int] = [:]
        for result in results where !result.treatments.isEmpty {
            treated += 1
            for kind in result.treatments { treatmentCounts[kind, default: 0] += 1 }
        }
        let treatmentSummary = EvaluationReport.TreatmentSummary(
            participantsTreated: Proportion(treated, of: results.count),
            byKind: (treatmentKinds + treatmentCounts.keys.filter { !treatmentKinds.contains($0) }.sorted()).map { CodeCount($0, treatmentCounts[$0] ?? 0) })

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
            entryScores: entryScores, qmatChange: qmatChange, outcomes: outcomes, breakdowns: breakdowns, endOfProgramme: end, followUp: followUp,
            satisfaction: satisfaction,
            impact: impact, orientations: orientationSummary, peerHelpers: peerHelpers, messages: messages, phoneTasks: phoneTasks,
            erased: .init(counted: erased, notCounted: erasedNotCounted), treatments: treatmentSummary, participations: results)
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

    /// One time point over the counted participations: smokers at entry in the quit and
    /// reduction rates (base: started and due, intention to treat), ex-smokers apart.
    func outcome(months: Int, _ results: [ParticipationResult]) -> EvaluationReport.TimePointOutcome {
        let id = TimePointResult.id(months: months)
        var smokers = EvaluationReport.SmokerCounts(), exSmokers = EvaluationReport.ExSmokerCounts()
        var notYetDue = 0, answered = 0, lost = 0, attempts = 0
        var aids: [String: Int] = [:]
        for result in results where result.started {
            guard let point = result.timePoint(id) else { continue }
            guard point.due else {
                notYetDue += 1
                continue
            }
            if point.answered { answered += 1 }
            if point.unreachable { lost += 1 }
            if point.quitAttempt == true { attempts += 1 }
            for aid in point.aidsUsed { aids[aid, default: 0] += 1 }
            if result.smokerAtEntry {
                smokers.add(point, followUp: months > 0)
            } else {
                exSmokers.add(point)
            }
        }
        if months == 0 { smokers.maintainedStopped = nil }
        let aidCodes = instruments.values.filter { $0.definition.items.contains { $0.id == "aids_used" } }
            .flatMap { $0.definition.items.first { $0.id == "aids_used" }?.options?.map(\.code) ?? [] }
        var order: [String] = []
        for code in aidCodes where !order.contains(code) { order.append(code) }
        for code in aids.keys.sorted() where !order.contains(code) { order.append(code) }
        return EvaluationReport.TimePointOutcome(
            timePoint: id, months: months, notYetDue: notYetDue, questionnairesAnswered: answered, lostToFollowUp: lost, smokers: smokers,
            exSmokers: exSmokers, rates: EvaluationReport.OutcomeRates(smokers: smokers, exSmokers: exSmokers),
            aidsUsed: months == 0 ? [] : order.map { CodeCount($0, aids[$0] ?? 0) }, quitAttempts: months == 0 ? nil : attempts)
    }
}

/// (programme, participant): a participation.
struct ParticipationKey: Hashable {
    let programme: String
    let participant: String
}
