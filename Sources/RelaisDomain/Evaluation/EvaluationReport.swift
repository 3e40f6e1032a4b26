import Foundation

/// A count out of a denominator, with its percentage (one decimal; nil when the denominator is 0).
public struct Proportion: Sendable, Equatable, Encodable {
    public var count: Int
    public var denominator: Int

    public init(_ count: Int, of denominator: Int) {
        self.count = count
        self.denominator = denominator
    }

    public var percent: Double? { Evaluation.percent(count, denominator) }

    enum CodingKeys: String, CodingKey { case count, denominator, percent }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(count, forKey: .count)
        try container.encode(denominator, forKey: .denominator)
        try container.encode(percent, forKey: .percent)
    }
}

/// A code with its count (a band, an answer option, a kind).
public struct CodeCount: Sendable, Equatable, Encodable {
    public var code: String
    public var count: Int

    public init(_ code: String, _ count: Int) {
        self.code = code
        self.count = count
    }
}

/// Helpers shared by the evaluation's types.
public enum Evaluation {
    /// count / denominator × 100, rounded to one decimal; nil when the denominator is 0.
    public static func percent(_ count: Int, _ denominator: Int) -> Double? {
        guard denominator > 0 else { return nil }
        return rounded(Double(count) * 100 / Double(denominator), places: 1)
    }

    public static func rounded(_ value: Double, places: Int) -> Double {
        let factor = pow(10, Double(places))
        return (value * factor).rounded() / factor
    }

    /// The mean rounded to two decimals; nil for no value.
    public static func mean(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        return rounded(values.reduce(0, +) / Double(values.count), places: 2)
    }
}

/// Everything the funder's form asks, for one year (one site or all) or one programme. Counts
/// and codes only: labels come from the instrument files and the page's strings.
public struct EvaluationReport: Sendable, Encodable {
    public var scope: Scope
    public var asOf: CalendarDate
    public var settings: EvaluationSettings
    public var programmes: ProgrammeSummary
    public var participants: ParticipantSummary
    public var attendance: AttendanceSummary
    public var entryScores: EntryScores
    public var qmatChange: QMATChange
    /// One per time point: `end`, then `m1`, `m3`, `m6`, `m12` as the programmes' templates plan them.
    public var outcomes: [TimePointOutcome]
    /// The funders' breakdowns: sex, age band, priority publics, territory, modality, Mois sans tabac.
    public var breakdowns: [Breakdown]
    /// The end and the primary follow-up (3 months) as the report's first version gave them,
    /// derived from `outcomes` (smokers at entry only).
    public var endOfProgramme: OutcomeSummary
    public var followUp: OutcomeSummary
    public var satisfaction: SatisfactionSummary
    public var impact: ImpactSummary
    public var orientations: OrientationSummary
    public var peerHelpers: PeerHelperSummary
    public var messages: MessageSummary
    public var phoneTasks: TaskSummary
    public var erased: ErasedSummary
    /// Participants per kind of treatment received.
    public var treatments: TreatmentSummary
    /// One line per participation (the pseudonymised CSV export); not part of the JSON.
    public var participations: [ParticipationResult]

    enum CodingKeys: String, CodingKey {
        case scope, asOf, settings, programmes, participants, attendance, entryScores, qmatChange, outcomes, breakdowns, endOfProgramme, followUp
        case satisfaction, impact, orientations, peerHelpers, messages, phoneTasks, erased, treatments
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scope, forKey: .scope)
        try container.encode(asOf, forKey: .asOf)
        try container.encode(settings, forKey: .settings)
        try container.encode(programmes, forKey: .programmes)
        try container.encode(participants, forKey: .participants)
        try container.encode(attendance, forKey: .attendance)
        try container.encode(entryScores, forKey: .entryScores)
        try container.encode(qmatChange, forKey: .qmatChange)
        try container.encode(outcomes, forKey: .outcomes)
        try container.encode(breakdowns, forKey: .breakdowns)
        try container.encode(endOfProgramme, forKey: .endOfProgramme)
        try container.encode(followUp, forKey: .followUp)
        try container.encode(satisfaction, forKey: .satisfaction)
        try container.encode(impact, forKey: .impact)
        try container.encode(orientations, forKey: .orientations)
        try container.encode(peerHelpers, forKey: .peerHelpers)
        try container.encode(messages, forKey: .messages)
        try container.encode(phoneTasks, forKey: .phoneTasks)
        try container.encode(erased, forKey: .erased)
        try container.encode(treatments, forKey: .treatments)
    }

    public struct Scope: Sendable, Equatable, Encodable {
        /// `year`, `period` or `programme`.
        public var kind: String
        public var year: Int?
        public var siteId: String?
        public var siteName: String?
        public var programmeId: String?
        public var programmeTitle: String?
        /// The reporting period of a `period` (first and last day).
        public var from: CalendarDate?
        public var to: CalendarDate?

        public init(kind: String, year: Int?, siteId: String?, siteName: String?, programmeId: String?, programmeTitle: String?,
                    from: CalendarDate? = nil, to: CalendarDate? = nil) {
            self.kind = kind
            self.year = year
            self.siteId = siteId
            self.siteName = siteName
            self.programmeId = programmeId
            self.programmeTitle = programmeTitle
            self.from = from
            self.to = to
        }
    }

    public struct ProgrammeSummary: Sendable, Encodable {
        /// Not cancelled, first session in the year.
        public var planned: Int
        /// Planned, with at least one session whose attendance is recorded.
        public var held: Int
        /// Planned, no attendance recorded yet.
        public var notYetHeld: Int
        public var cancelled: Int
        /// Planned programmes whose last session is on or before the report's date.
        public var finished: Int
        public var lines: [ProgrammeLine]
    }

    public struct ProgrammeLine: Sendable, Encodable {
        public var id: String
        public var title: String
        public var templateId: String
        public var siteName: String?
        public var firstDate: CalendarDate?
        public var lastDate: CalendarDate?
        /// `held`, `planned` (not held yet) or `cancelled`.
        public var status: String
        public var sessionsPlanned: Int
        public var sessionsHeld: Int
        public var coLedByPeerHelper: Bool
        public var participants: Int
        public var completedSessions: Proportion
        public var followUpRespondents: Proportion
        public var followUpStopped: Int
    }

    public struct ParticipantSummary: Sendable, Encodable {
        /// Enrolled, or withdrawn after attending a session (erased participants included).
        public var counted: Int
        /// Counted and present at one group session at least.
        public var started: Int
        public var neverAttended: Int
        public var withdrawnAfterStarting: Int
        /// Not counted: withdrawn before attending any session.
        public var withdrawnBeforeStarting: Int
        /// Not counted: still on a waiting list.
        public var waiting: Int
        public var smokers: Int
        public var exSmokers: Int
        public var precarity: Proportion
        public var isolation: Proportion
        public var difficultCarePath: Proportion
        /// At least one of the three priority flags.
        public var priority: Proportion
        /// Anonymous rows of erased participants included in `counted`.
        public var erased: Int
    }

    public struct SessionAttendance: Sendable, Encodable {
        public var index: Int
        /// For one programme: the session's date.
        public var date: CalendarDate?
        public var cancelled: Bool
        /// Programmes where this session was held (attendance recorded).
        public var held: Int
        /// Counted participants of those programmes (erased ones excluded).
        public var expected: Int
        public var present: Int
        public var excused: Int
        public var absent: Int
        public var notRecorded: Int
        public var presentShare: Proportion
    }

    public struct AttendanceSummary: Sendable, Encodable {
        public var sessions: [SessionAttendance]
        /// Among counted participants of finished programmes: present at every session not cancelled.
        public var completedSessions: Proportion
        /// Among counted participants of finished programmes: every consultation of the template done.
        public var completedConsultations: Proportion
        public var consultationsDone: Int
        /// The template counts used (e.g. "3/3", "2/2"), one per distinct value.
        public var sessionsPerProgramme: [Int]
        public var consultationsPerProgramme: [Int]
    }

    public struct ScoreSummary: Sendable, Encodable {
        public var instrument: String
        public var score: String
        public var n: Int
        public var mean: Double?
        public var minimum: Double?
        public var maximum: Double?
        /// Every band of the configured scheme, in order, with its count.
        public var bands: [CodeCount]
    }

    public struct CigarettesSummary: Sendable, Encodable {
        /// Smokers at entry whose consumption is known as a count.
        public var n: Int
        public var mean: Double?
        /// Counts entered at enrolment, and counts from the entry test.
        public var fromCount: Int
        /// Entries known only as a band of the entry test (not in the mean).
        public var fromBand: Int
    }

    public struct EntryScores: Sendable, Encodable {
        public var fagerstrom: ScoreSummary
        public var hsi: ScoreSummary
        public var qmat: ScoreSummary
        public var cigarettesPerDay: CigarettesSummary
        public var coPPM: ScoreSummary
    }

    public struct QMATChange: Sendable, Encodable {
        public var pairs: Int
        public var entryMean: Double?
        public var endMean: Double?
        public var meanChange: Double?
        public var higher: Int
        public var same: Int
        public var lower: Int
        /// Bands at entry and at the end, for the same participants.
        public var entryBands: [CodeCount]
        public var endBands: [CodeCount]
    }

    public struct OutcomeLine: Sendable, Encodable {
        public var status: String
        public var count: Int
        /// Among respondents (nil for `unknown`).
        public var amongRespondents: Double?
        /// Intention to treat: among eligible participants, non-respondents counted as smokers
        /// (given for `stopped`, `reduced` and `stopped_or_reduced` only).
        public var intentionToTreat: Double?
    }

    /// Smokers at entry at one time point. The base: those who attended a group session at least
    /// and whose time point is due (intention to treat: non-respondents count as smokers).
    public struct SmokerCounts: Sendable, Encodable, Equatable {
        public var base = 0
        public var respondents = 0
        public var stopped = 0
        public var reduced = 0
        public var unchanged = 0
        public var increased = 0
        public var unknown = 0
        /// Stopped, with a CO reading of the programme in the window.
        public var coMeasured = 0
        /// Stopped, the nearest reading below the threshold.
        public var stoppedCoValidated = 0
        /// Follow-ups only: stopped at the end and at this follow-up, no relapse declared.
        public var maintainedStopped: Int? = 0
        /// Classified against an entry known only as a band, the declared status standing.
        public var estimated = 0

        public init() {}

        mutating func add(_ point: TimePointResult, followUp: Bool) {
            base += 1
            switch point.smoker ?? .unknown {
            case .stopped: stopped += 1
            case .reduced: reduced += 1
            case .unchanged: unchanged += 1
            case .increased: increased += 1
            case .unknown: unknown += 1
            }
            if point.smoker.map({ $0 != .unknown }) ?? false { respondents += 1 }
            if point.smoker == .stopped && point.co != .notMeasured { coMeasured += 1 }
            if point.smoker == .stopped && point.co == .validated { stoppedCoValidated += 1 }
            if followUp && point.maintainedStopped { maintainedStopped = (maintainedStopped ?? 0) + 1 }
            if point.estimated { estimated += 1 }
        }

        public func count(_ outcome: SmokingOutcome) -> Int {
            switch outcome {
            case .stopped: stopped
            case .reduced: reduced
            case .unchanged: unchanged
            case .increased: increased
            case .unknown: unknown
            }
        }
    }

    /// Ex-smokers at entry at one time point: never in the quit or reduction rates.
    public struct ExSmokerCounts: Sendable, Encodable, Equatable {
        public var base = 0
        public var abstinenceMaintained = 0
        public var relapsed = 0
        public var unknown = 0

        public init(base: Int = 0, abstinenceMaintained: Int = 0, relapsed: Int = 0, unknown: Int = 0) {
            self.base = base
            self.abstinenceMaintained = abstinenceMaintained
            self.relapsed = relapsed
            self.unknown = unknown
        }

        mutating func add(_ point: TimePointResult) {
            base += 1
            switch point.exSmoker ?? .unknown {
            case .abstinenceMaintained: abstinenceMaintained += 1
            case .relapsed: relapsed += 1
            case .unknown: unknown += 1
            }
        }
    }

    /// The rates beside the counts, in percent (one decimal; nil for an empty base).
    public struct OutcomeRates: Sendable, Encodable, Equatable {
        /// Intention to treat (the headline): among the base.
        public var stoppedIntentionToTreat: Double?
        public var reducedIntentionToTreat: Double?
        public var stoppedOrReducedIntentionToTreat: Double?
        public var stoppedCoValidatedIntentionToTreat: Double?
        public var maintainedStoppedIntentionToTreat: Double?
        /// Among respondents (complete-case), beside it.
        public var stoppedAmongRespondents: Double?
        public var reducedAmongRespondents: Double?
        public var responseRate: Double?
        /// Ex-smokers: abstinence maintained among them.
        public var abstinenceMaintainedExSmokers: Double?

        public init(smokers: SmokerCounts, exSmokers: ExSmokerCounts) {
            let base = smokers.base
            stoppedIntentionToTreat = Evaluation.percent(smokers.stopped, base)
            reducedIntentionToTreat = Evaluation.percent(smokers.reduced, base)
            stoppedOrReducedIntentionToTreat = Evaluation.percent(smokers.stopped + smokers.reduced, base)
            stoppedCoValidatedIntentionToTreat = Evaluation.percent(smokers.stoppedCoValidated, base)
            maintainedStoppedIntentionToTreat = smokers.maintainedStopped.flatMap { Evaluation.percent($0, base) }
            stoppedAmongRespondents = Evaluation.percent(smokers.stopped, smokers.respondents)
            reducedAmongRespondents = Evaluation.percent(smokers.reduced, smokers.respondents)
            responseRate = Evaluation.percent(smokers.respondents, base)
            abstinenceMaintainedExSmokers = Evaluation.percent(exSmokers.abstinenceMaintained, exSmokers.base)
        }
    }

    /// One time point of the report: what `outcomes` holds for scripts.
    public struct TimePointOutcome: Sendable, Encodable {
        /// `end`, `m1`, `m3`, `m6`, `m12`.
        public var timePoint: String
        public var months: Int
        /// Started participants whose time point is not reached yet: outside every base.
        public var notYetDue: Int
        /// Questionnaires of that time point marked answered.
        public var questionnairesAnswered: Int
        /// Follow-up phone tasks closed as unreachable.
        public var lostToFollowUp: Int
        public var smokers: SmokerCounts
        public var exSmokers: ExSmokerCounts
        public var rates: OutcomeRates
        /// Follow-ups: the aids participants said they used (codes of the follow-up instrument).
        public var aidsUsed: [CodeCount]
        /// Follow-ups: quit attempts of 24 hours or more since the end.
        public var quitAttempts: Int?
    }

    /// A breakdown of the participants by one dimension, with the quit figures of each group.
    public struct Breakdown: Sendable, Encodable {
        /// `sex`, `ageBand`, `publics`, `territory`, `modality`, `moisSansTabac`.
        public var dimension: String
        public var groups: [BreakdownGroup]
    }

    public struct BreakdownGroup: Sendable, Encodable {
        /// The group's code (`female`, `25-34`, `pregnant`, `59`, `visio`, `yes`…; `unknown` when not recorded).
        public var code: String
        /// Counted participants of the group.
        public var participants: Int
        public var smokersAtEntry: Int
        public var exSmokersAtEntry: Int
        /// Per time point: smokers at entry in the base, and stopped (intention to treat).
        public var outcomes: [GroupOutcome]
    }

    public struct GroupOutcome: Sendable, Encodable {
        public var timePoint: String
        public var base: Int
        public var respondents: Int
        public var stopped: Int
        public var reduced: Int
    }

    public struct OutcomeSummary: Sendable, Encodable {
        /// `end_of_programme` or `follow_up`.
        public var timePoint: String
        /// Counted participants who started (attended a session).
        public var started: Int
        /// Started, and the time point is reached (programme finished / follow-up due) or answered.
        public var eligible: Int
        /// Started, time point not reached: outside every rate.
        public var notYetDue: Int
        /// Eligible with a known status.
        public var respondents: Int
        public var responseRate: Double?
        /// Questionnaires of that time point marked answered.
        public var questionnairesAnswered: Int
        /// Follow-up phone tasks closed as unreachable.
        public var lostToFollowUp: Int
        /// `stopped`, `reduced`, `unchanged`, `increased`, `unknown` (= eligible − respondents), then `stopped_or_reduced`.
        public var lines: [OutcomeLine]
        /// Stopped, with a CO reading below the threshold in the window.
        public var coValidated: Int
        public var coValidatedAmongRespondents: Double?
        public var coValidatedIntentionToTreat: Double?

        public func count(_ outcome: SmokingOutcome) -> Int { lines.first { $0.status == outcome.rawValue }?.count ?? 0 }
        public func line(_ status: String) -> OutcomeLine? { lines.first { $0.status == status } }

        /// The view of a time point the report's first version gave: smokers at entry only.
        init(_ outcome: TimePointOutcome, timePoint: String, results: [ParticipationResult]) {
            let smokers = outcome.smokers
            self.timePoint = timePoint
            started = results.filter { $0.started && $0.smokerAtEntry }.count
            eligible = smokers.base
            notYetDue = started - smokers.base
            respondents = smokers.respondents
            responseRate = outcome.rates.responseRate
            questionnairesAnswered = outcome.questionnairesAnswered
            lostToFollowUp = outcome.lostToFollowUp
            lines = SmokingOutcome.allCases.map { status in
                let count = smokers.count(status)
                return OutcomeLine(status: status.rawValue, count: count,
                                   amongRespondents: status == .unknown ? nil : Evaluation.percent(count, smokers.respondents),
                                   intentionToTreat: status == .stopped || status == .reduced ? Evaluation.percent(count, smokers.base) : nil)
            }
            lines.append(OutcomeLine(status: "stopped_or_reduced", count: smokers.stopped + smokers.reduced,
                                     amongRespondents: Evaluation.percent(smokers.stopped + smokers.reduced, smokers.respondents),
                                     intentionToTreat: Evaluation.percent(smokers.stopped + smokers.reduced, smokers.base)))
            coValidated = smokers.stoppedCoValidated
            coValidatedAmongRespondents = Evaluation.percent(coValidated, smokers.respondents)
            coValidatedIntentionToTreat = Evaluation.percent(coValidated, smokers.base)
        }
    }

    public struct SatisfactionItem: Sendable, Encodable {
        public var item: String
        public var n: Int
        /// 1–4, 4 = the first option (very satisfied).
        public var mean: Double?
        /// The two best options.
        public var satisfied: Proportion
        /// Every option, in the instrument's order.
        public var distribution: [CodeCount]
    }

    public struct SatisfactionSummary: Sendable, Encodable {
        public var instrument: String
        public var respondents: Int
        public var items: [SatisfactionItem]
    }

    public struct ImpactItem: Sendable, Encodable {
        public var item: String
        public var n: Int
        public var mean: Double?
        public var minimum: Double?
        public var maximum: Double?
    }

    public struct ImpactSummary: Sendable, Encodable {
        public var instrument: String
        public var respondents: Int
        public var items: [ImpactItem]
    }

    public struct OrientationSummary: Sendable, Encodable {
        public var made: Int
        public var participantsOriented: Int
        public var byKind: [CodeCount]
        /// Per oriented participant: `yes`, `partly`, `no`, `unknown`.
        public var followed: [CodeCount]
        /// Followed fully or partly, among oriented participants.
        public var followedShare: Proportion
    }

    public struct PeerHelperSummary: Sendable, Encodable {
        public var sessionsHeld: Int
        public var sessionsCoLed: Proportion
        public var programmesCoLed: Int
    }

    public struct KindStates: Sendable, Encodable {
        public var kind: String
        public var states: [CodeCount]
        public var total: Int
    }

    public struct MessageSummary: Sendable, Encodable {
        public var byKind: [KindStates]
        public var sent: Int
        public var failed: Int
        public var pending: Int
        public var cancelled: Int
        public var skipped: Int
    }

    public struct TaskSummary: Sendable, Encodable {
        public var byKind: [KindStates]
        public var done: Int
        public var unreachable: Int
        public var open: Int
    }

    /// The treatments the counted participants received (withdrawn ones as they count elsewhere;
    /// erased ones by the kinds their erasure kept).
    public struct TreatmentSummary: Sendable, Encodable {
        /// Counted participants with at least one treatment of the programme.
        public var participantsTreated: Proportion
        /// Every kind of the kinds file in its order, then any other code recorded: the counted
        /// participants who received it (one participant counts once per kind).
        public var byKind: [CodeCount]
    }

    public struct ErasedSummary: Sendable, Encodable {
        /// Anonymous rows counted among the participants.
        public var counted: Int
        /// Rows of the scope not counted (waiting list, withdrawn before starting).
        public var notCounted: Int
    }
}
