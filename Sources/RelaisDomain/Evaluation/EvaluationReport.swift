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
    public var endOfProgramme: OutcomeSummary
    public var followUp: OutcomeSummary
    public var satisfaction: SatisfactionSummary
    public var impact: ImpactSummary
    public var orientations: OrientationSummary
    public var peerHelpers: PeerHelperSummary
    public var messages: MessageSummary
    public var phoneTasks: TaskSummary
    public var erased: ErasedSummary
    /// One line per participation (the pseudonymised CSV export); not part of the JSON.
    public var participations: [ParticipationResult]

    enum CodingKeys: String, CodingKey {
        case scope, asOf, settings, programmes, participants, attendance, entryScores, qmatChange, endOfProgramme, followUp
        case satisfaction, impact, orientations, peerHelpers, messages, phoneTasks, erased
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
        try container.encode(endOfProgramme, forKey: .endOfProgramme)
        try container.encode(followUp, forKey: .followUp)
        try container.encode(satisfaction, forKey: .satisfaction)
        try container.encode(impact, forKey: .impact)
        try container.encode(orientations, forKey: .orientations)
        try container.encode(peerHelpers, forKey: .peerHelpers)
        try container.encode(messages, forKey: .messages)
        try container.encode(phoneTasks, forKey: .phoneTasks)
        try container.encode(erased, forKey: .erased)
    }

    public struct Scope: Sendable, Equatable, Encodable {
        /// `year` or `programme`.
        public var kind: String
        public var year: Int?
        public var siteId: String?
        public var siteName: String?
        public var programmeId: String?
        public var programmeTitle: String?
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
        public var n: Int
        public var mean: Double?
        /// Entries given as a number, and as a band (counted at its midpoint).
        public var fromCount: Int
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

    public struct ErasedSummary: Sendable, Encodable {
        /// Anonymous rows counted among the participants.
        public var counted: Int
        /// Rows of the scope not counted (waiting list, withdrawn before starting).
        public var notCounted: Int
    }
}

/// What the evaluation found for one participation: the line of the pseudonymised export.
public struct ParticipationResult: Sendable {
    public var participantID: String
    public var programmeID: String
    public var erased: Bool
    public var status: String
    public var smokerStatus: String
    public var precarity: Bool
    public var isolation: Bool
    public var difficultCarePath: Bool
    public var sessionsPlanned: Int
    public var sessionsAttended: Int
    /// Nil while the programme is not finished.
    public var completedSessions: Bool?
    public var consultationsPlanned: Int
    public var consultationsDone: Int
    public var completedConsultations: Bool?
    public var fagerstromEntry: Double?
    public var fagerstromBand: String?
    public var hsiEntry: Double?
    public var hsiBand: String?
    public var cigarettesEntry: Double?
    /// The entry count is a band's midpoint.
    public var cigarettesEntryEstimated: Bool
    public var qmatEntry: Double?
    public var qmatEnd: Double?
    public var coEntry: Double?
    public var endEligible: Bool
    public var endAnswered: Bool
    public var endStatus: SmokingOutcome
    public var endCOValidated: Bool
    public var followUpDue: CalendarDate?
    public var followUpEligible: Bool
    public var followUpAnswered: Bool
    public var followUpStatus: SmokingOutcome
    public var followUpCigarettes: Double?
    public var followUpCOValidated: Bool
    public var followUpUnreachable: Bool
    /// Item → option code.
    public var satisfaction: [String: String]
    /// Item → 0–10.
    public var impact: [String: Double]
    public var orientations: Int
    /// `yes`, `partly`, `no`, or nil (unknown / not oriented).
    public var orientationFollowed: String?

    public var started: Bool { sessionsAttended > 0 }
}
