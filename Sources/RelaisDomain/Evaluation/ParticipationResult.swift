import Foundation

/// One time point of one participation: the end of the programme (`end`) or a follow-up
/// (`m3`…), as the evaluation classified it. Erasures keep these (`ErasedSnapshot`).
public struct TimePointResult: Sendable, Equatable, Codable {
    /// `end`, `m1`, `m3`, `m6`, `m12`.
    public var timePoint: String
    /// 0 for the end of the programme.
    public var months: Int
    public var dueOn: CalendarDate?
    /// Started, and the time point is reached (the programme finished, the follow-up due) or
    /// answered: in the base of the rates.
    public var due: Bool
    /// Its questionnaire was marked answered.
    public var answered: Bool
    /// For a smoker at entry: the classified status (nil for an ex-smoker).
    public var smoker: SmokingOutcome?
    /// The classification rests on an entry known only as a band.
    public var estimated: Bool
    /// For an ex-smoker at entry.
    public var exSmoker: ExSmokerOutcome?
    public var cigarettesPerDay: Double?
    /// What a CO reading says of a stop (or an ex-smoker's abstinence); `not_measured` otherwise.
    public var co: COCheck
    /// Follow-ups: stopped at the end and here, no relapse declared.
    public var maintainedStopped: Bool
    public var relapseDeclared: Bool
    /// Follow-ups: a quit attempt of 24 hours or more since the end (nil: not answered).
    public var quitAttempt: Bool?
    /// Follow-ups: the aids the participant said they used.
    public var aidsUsed: [String]
    /// Follow-ups: the phone task was closed as unreachable.
    public var unreachable: Bool

    public init(timePoint: String, months: Int, dueOn: CalendarDate? = nil, due: Bool = false, answered: Bool = false,
                smoker: SmokingOutcome? = nil, estimated: Bool = false, exSmoker: ExSmokerOutcome? = nil, cigarettesPerDay: Double? = nil,
                co: COCheck = .notMeasured, maintainedStopped: Bool = false, relapseDeclared: Bool = false, quitAttempt: Bool? = nil,
                aidsUsed: [String] = [], unreachable: Bool = false) {
        self.timePoint = timePoint
        self.months = months
        self.dueOn = dueOn
        self.due = due
        self.answered = answered
        self.smoker = smoker
        self.estimated = estimated
        self.exSmoker = exSmoker
        self.cigarettesPerDay = cigarettesPerDay
        self.co = co
        self.maintainedStopped = maintainedStopped
        self.relapseDeclared = relapseDeclared
        self.quitAttempt = quitAttempt
        self.aidsUsed = aidsUsed
        self.unreachable = unreachable
    }

    /// "end" or "m<months>".
    public static func id(months: Int) -> String { months == 0 ? "end" : "m\(months)" }

    /// A respondent: a status is known.
    public var responded: Bool { (smoker.map { $0 != .unknown } ?? false) || (exSmoker.map { $0 != .unknown } ?? false) }
}

/// What an erasure keeps of a participation for the evaluation: no name, contact, birth year,
/// postal code, date of a session or free text; the coarse breakdowns and the time points.
public struct ErasedSnapshot: Sendable, Equatable, Codable {
    public var smokerAtEntry: Bool
    public var sex: Sex?
    public var ageBand: AgeBand?
    public var departement: String?
    public var publics: [PriorityPublic]
    public var timePoints: [TimePointResult]
    /// The kinds of treatment received in the programme (codes only, no dose or date); nil in
    /// erasures older than the treatments.
    public var treatments: [String]?

    public init(smokerAtEntry: Bool, sex: Sex?, ageBand: AgeBand?, departement: String?, publics: [PriorityPublic], timePoints: [TimePointResult],
                treatments: [String]? = nil) {
        self.smokerAtEntry = smokerAtEntry
        self.sex = sex
        self.ageBand = ageBand
        self.departement = departement
        self.publics = publics
        self.timePoints = timePoints
        self.treatments = treatments
    }
}

/// What the evaluation found for one participation: the line of the pseudonymised export.
public struct ParticipationResult: Sendable {
    public var participantID: String
    public var programmeID: String
    public var erased: Bool
    public var status: String
    /// Smoker (not ex-smoker) at entry, from the baseline frozen at enrolment.
    public var smokerAtEntry: Bool
    /// Where the entry status came from (nil for an erased participant).
    public var smokingStatusSource: BaselineSource?
    /// Cigarette-equivalents a day at entry, a count or a band, and where it came from.
    public var entryConsumption: Consumption?
    public var entryConsumptionSource: BaselineSource?
    public var goal: SmokingGoal?
    /// The priority publics at entry, young adults (derived from the age) included.
    public var publics: Set<PriorityPublic>
    public var difficultCarePath: Bool
    public var sex: Sex?
    public var ageBand: AgeBand?
    public var departement: String?
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
    public var qmatEntry: Double?
    public var qmatEnd: Double?
    public var coEntry: Double?
    /// `end`, then each follow-up of the programme in order.
    public var timePoints: [TimePointResult]
    /// Item → option code.
    public var satisfaction: [String: String]
    /// Item → 0–10.
    public var impact: [String: Double]
    public var orientations: Int
    /// `yes`, `partly`, `no`, or nil (unknown / not oriented).
    public var orientationFollowed: String?
    /// The kinds of treatment received in the programme, each once, sorted.
    public var treatments: [String] = []

    public var started: Bool { sessionsAttended > 0 }
    public var smokerStatus: String { smokerAtEntry ? SmokerStatus.smoker.rawValue : SmokerStatus.exSmoker.rawValue }
    public var precarity: Bool { publics.contains(.precarity) }
    public var isolation: Bool { publics.contains(.isolation) }
    public func timePoint(_ id: String) -> TimePointResult? { timePoints.first { $0.timePoint == id } }
}
