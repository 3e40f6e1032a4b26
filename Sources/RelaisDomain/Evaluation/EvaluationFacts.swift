import Foundation

/// What a yearly (or per-programme) evaluation is computed over.
public enum EvaluationScope: Sendable, Equatable, Hashable {
    /// The programmes whose first session falls in `year` (local date), of one site or all.
    case year(Int, siteID: String?)
    /// The programmes whose first session falls from `from` to `to` (local dates, both included),
    /// of one site or all: a reporting period other than a calendar year.
    case period(from: CalendarDate, to: CalendarDate, siteID: String?)
    /// One programme.
    case programme(String)

    /// The first and last days of a year or period.
    public var dates: ClosedRange<CalendarDate>? {
        switch self {
        case .year(let year, _):
            guard let first = CalendarDate(year: year, month: 1, day: 1), let last = CalendarDate(year: year, month: 12, day: 31) else { return nil }
            return first...last
        case .period(let from, let to, _): return from <= to ? from...to : nil
        case .programme: return nil
        }
    }

    public var siteID: String? {
        switch self {
        case .year(_, let site), .period(_, _, let site): return site
        case .programme: return nil
        }
    }
}

/// What the evaluation needs of the stored data, gathered by `RelaisStore` in a few set-based
/// queries and handed to `Evaluator` (pure computation, no I/O). Names, contact details and
/// free text are never part of it: only ids, codes, counts, dates, scores and answers.
public struct EvaluationFacts: Sendable {
    public var scope: EvaluationScope
    /// The report's date (local): what is due, finished or not yet is judged against it.
    public var asOf: CalendarDate
    /// The site's name when the scope is one site.
    public var siteName: String?
    /// The programmes of the scope, cancelled ones included (they are counted apart).
    public var programmes: [Programme]
    /// Every enrolment of those programmes (waiting and withdrawn ones included: the evaluator
    /// decides who is counted).
    public var participations: [Participation]
    /// Participant id → the programmes they took part in (enrolled or withdrawn), in any year:
    /// an assessment is attributed to one of them by its date.
    public var windows: [String: [Window]]
    /// Participant id → their assessments of the instruments the evaluation reads, sorted by
    /// date taken, then by the time they were recorded.
    public var assessments: [String: [Assessment]]
    public var orientations: [Orientation]
    /// Outbox rows of the scope's programmes, counted by programme, kind and state.
    public var messages: [Count]
    /// Phone tasks of the scope's programmes, counted by programme, kind and state.
    public var tasks: [Count]
    /// Anonymous rows kept by erasures (migration v5-erasure) for the scope.
    public var erased: [Erased]
    /// Treatments of the participants of the scope (kind and dates only).
    public var treatments: [Treatment]

    public init(scope: EvaluationScope, asOf: CalendarDate, siteName: String? = nil, programmes: [Programme] = [],
                participations: [Participation] = [], windows: [String: [Window]] = [:], assessments: [String: [Assessment]] = [:],
                orientations: [Orientation] = [], messages: [Count] = [], tasks: [Count] = [], erased: [Erased] = [],
                treatments: [Treatment] = []) {
        self.scope = scope
        self.asOf = asOf
        self.siteName = siteName
        self.programmes = programmes
        self.participations = participations
        self.windows = windows
        self.assessments = assessments
        self.orientations = orientations
        self.messages = messages
        self.tasks = tasks
        self.erased = erased
        self.treatments = treatments
    }

    public struct Programme: Sendable, Equatable {
        public var id: String
        public var title: String
        public var siteID: String?
        public var siteName: String?
        public var templateID: String
        public var cancelled: Bool
        /// A peer helper co-leads its sessions.
        public var coLedByPeerHelper: Bool
        /// Its group sessions, in order.
        public var sessions: [Session]
        /// Individual consultations per participant in its template (2 for 3g2i).
        public var consultationsPlanned: Int
        public var endInstruments: [String]
        /// Its follow-ups (months and instrument of each), sorted: each a time point.
        public var followUps: [FollowUpTemplate]
        /// The follow-up date planned with the programme (three months after its last session).
        public var plannedFollowUpDue: CalendarDate?
        /// `in_person`, `visio` or `mixed`.
        public var modality: String
        public var moisSansTabac: Bool

        public init(id: String, title: String, siteID: String? = nil, siteName: String? = nil, templateID: String = "3g2i",
                    cancelled: Bool = false, coLedByPeerHelper: Bool = false, sessions: [Session], consultationsPlanned: Int = 2,
                    endInstruments: [String] = ["end_status", "satisfaction_end", "impact_end"],
                    followUps: [FollowUpTemplate] = [FollowUpTemplate(months: 3, instrument: "followup_3m")],
                    plannedFollowUpDue: CalendarDate? = nil, modality: String = "in_person", moisSansTabac: Bool = false) {
            self.id = id
            self.title = title
            self.siteID = siteID
            self.siteName = siteName
            self.templateID = templateID
            self.cancelled = cancelled
            self.coLedByPeerHelper = coLedByPeerHelper
            self.sessions = sessions.sorted { $0.index < $1.index }
            self.consultationsPlanned = consultationsPlanned
            self.endInstruments = endInstruments
            self.followUps = followUps.sorted { $0.months < $1.months }
            self.plannedFollowUpDue = plannedFollowUpDue
            self.modality = modality
            self.moisSansTabac = moisSansTabac
        }

        /// The instruments its follow-ups are answered with.
        public var followUpInstruments: Set<String> { Set(followUps.map(\.instrument)) }

        /// The local date of its first session, whatever its status: the programme's year.
        public var firstDate: CalendarDate? { sessions.map(\.date).min() }
        /// Sessions that were not cancelled.
        public var activeSessions: [Session] { sessions.filter { !$0.cancelled } }
        /// The local date of its last session that was not cancelled.
        public var lastDate: CalendarDate? { activeSessions.map(\.date).max() }
        /// Sessions held: not cancelled, with attendance recorded.
        public var heldSessions: [Session] { sessions.filter { !$0.cancelled && $0.attendanceRecorded } }
        public var isHeld: Bool { !cancelled && !heldSessions.isEmpty }
    }

    public struct Session: Sendable, Equatable {
        public var index: Int
        /// Local date, in the programme's time zone.
        public var date: CalendarDate
        public var cancelled: Bool
        /// At least one attendance row is recorded.
        public var attendanceRecorded: Bool

        public init(index: Int, date: CalendarDate, cancelled: Bool = false, attendanceRecorded: Bool = false) {
            self.index = index
            self.date = date
            self.cancelled = cancelled
            self.attendanceRecorded = attendanceRecorded
        }
    }

    public struct Invitation: Sendable, Equatable {
        public var dueOn: CalendarDate
        public var answered: Bool

        public init(dueOn: CalendarDate, answered: Bool) {
            self.dueOn = dueOn
            self.answered = answered
        }
    }

    /// One enrolment: the participant's baseline (frozen when they enrolled), what the breakdowns
    /// ask of them, and what happened in the programme.
    public struct Participation: Sendable, Equatable {
        public var participantID: String
        public var programmeID: String
        /// `enrolled`, `waiting` or `withdrawn`.
        public var status: String
        public var baseline: Baseline
        public var difficultCarePath: Bool
        public var sex: Sex?
        public var birthYear: Int?
        public var postalCode: String?
        /// Session index → `present`, `excused` or `absent`.
        public var attendance: [Int: String]
        /// Distinct consultation indexes whose status is `done`.
        public var consultationsDone: Int
        public var endInvitation: Invitation?
        /// Follow-up invitations by months.
        public var followUpInvitations: [Int: Invitation]
        /// The months of the follow-ups whose phone task was closed as unreachable (lost to follow-up).
        public var unreachableFollowUps: Set<Int>

        public init(participantID: String, programmeID: String, status: String = "enrolled", baseline: Baseline = Baseline(smokingStatus: .smoker),
                    difficultCarePath: Bool = false, sex: Sex? = nil, birthYear: Int? = nil, postalCode: String? = nil,
                    attendance: [Int: String] = [:], consultationsDone: Int = 0, endInvitation: Invitation? = nil,
                    followUpInvitations: [Int: Invitation] = [:], unreachableFollowUps: Set<Int> = []) {
            self.participantID = participantID
            self.programmeID = programmeID
            self.status = status
            self.baseline = baseline
            self.difficultCarePath = difficultCarePath
            self.sex = sex
            self.birthYear = birthYear
            self.postalCode = postalCode
            self.attendance = attendance
            self.consultationsDone = consultationsDone
            self.endInvitation = endInvitation
            self.followUpInvitations = followUpInvitations
            self.unreachableFollowUps = unreachableFollowUps
        }

        public var sessionsAttended: Int { attendance.values.filter { $0 == "present" }.count }
        public var precarity: Bool { baseline.publics.contains(.precarity) }
        public var isolation: Bool { baseline.publics.contains(.isolation) }
        public var priority: Bool { precarity || isolation || difficultCarePath }
    }

    /// A programme a participant took part in, with its dates (local).
    public struct Window: Sendable, Equatable {
        public var programmeID: String
        public var firstDate: CalendarDate
        public var lastDate: CalendarDate

        public init(programmeID: String, firstDate: CalendarDate, lastDate: CalendarDate) {
            self.programmeID = programmeID
            self.firstDate = firstDate
            self.lastDate = lastDate
        }
    }

    /// One assessment. The store hands them sorted by date taken, then by the time they were
    /// recorded: "first" and "last" below follow that order.
    public struct Assessment: Sendable, Equatable {
        public var instrument: String
        public var takenOn: CalendarDate
        public var partial: Bool
        public var total: Double?
        /// Derived scores (e.g. `hsi` of a Fagerström test) by id.
        public var derived: [String: Double]
        /// The stored answers (counts kept under `<item>_count`); empty when the evaluation
        /// does not need them (Q-MAT, CO).
        public var answers: [String: JSONValue]
        /// The programme it was attached to when recorded; nil: attributed by its date.
        public var programmeID: String?

        public init(instrument: String, takenOn: CalendarDate, partial: Bool = false, total: Double? = nil, derived: [String: Double] = [:],
                    answers: [String: JSONValue] = [:], programmeID: String? = nil) {
            self.instrument = instrument
            self.takenOn = takenOn
            self.partial = partial
            self.total = total
            self.derived = derived
            self.answers = answers
            self.programmeID = programmeID
        }
    }

    public struct Orientation: Sendable, Equatable {
        public var participantID: String
        public var programmeID: String?
        public var kind: String
        public var createdOn: CalendarDate
        /// `yes`, `partly` or `no` when recorded.
        public var followed: String?

        public init(participantID: String, programmeID: String?, kind: String, createdOn: CalendarDate, followed: String? = nil) {
            self.participantID = participantID
            self.programmeID = programmeID
            self.kind = kind
            self.createdOn = createdOn
            self.followed = followed
        }
    }

    /// A treatment: its kind, its dates, and the programme it was attached to (directly or
    /// through its consultation); nil: attributed by its start like an orientation.
    public struct Treatment: Sendable, Equatable {
        public var participantID: String
        public var programmeID: String?
        public var kind: String
        public var start: CalendarDate
        public var end: CalendarDate?

        public init(participantID: String, programmeID: String?, kind: String, start: CalendarDate, end: CalendarDate? = nil) {
            self.participantID = participantID
            self.programmeID = programmeID
            self.kind = kind
            self.start = start
            self.end = end
        }
    }

    public struct Count: Sendable, Equatable {
        public var programmeID: String
        public var kind: String
        public var state: String
        public var count: Int

        public init(programmeID: String, kind: String, state: String, count: Int) {
            self.programmeID = programmeID
            self.kind = kind
            self.state = state
            self.count = count
        }
    }

    /// What an erasure kept of one participation (migrations v5-erasure and v8-baseline-outcomes).
    /// Since v8 an erasure keeps the participation's evaluated time points (`snapshot`); older rows
    /// have only the end and follow-up statuses as they were answered.
    public struct Erased: Sendable, Equatable {
        public var snapshot: ErasedSnapshot?
        public var programmeID: String?
        public var status: String?
        public var sessionsAttended: Int
        public var consultationsDone: Int
        /// Nil: no end-of-programme questionnaire was sent.
        public var endAnswered: Bool?
        public var endOutcome: String?
        /// Nil: no follow-up was sent.
        public var followUpAnswered: Bool?
        public var followUpOutcome: String?
        public var followUpUnreachable: Bool
        public var smokerStatus: String
        public var precarity: Bool
        public var isolation: Bool
        public var difficultCarePath: Bool

        public init(programmeID: String?, status: String?, sessionsAttended: Int, consultationsDone: Int = 0, endAnswered: Bool? = nil,
                    endOutcome: String? = nil, followUpAnswered: Bool? = nil, followUpOutcome: String? = nil,
                    followUpUnreachable: Bool = false, smokerStatus: String = "smoker", precarity: Bool = false,
                    isolation: Bool = false, difficultCarePath: Bool = false, snapshot: ErasedSnapshot? = nil) {
            self.snapshot = snapshot
            self.programmeID = programmeID
            self.status = status
            self.sessionsAttended = sessionsAttended
            self.consultationsDone = consultationsDone
            self.endAnswered = endAnswered
            self.endOutcome = endOutcome
            self.followUpAnswered = followUpAnswered
            self.followUpOutcome = followUpOutcome
            self.followUpUnreachable = followUpUnreachable
            self.smokerStatus = smokerStatus
            self.precarity = precarity
            self.isolation = isolation
            self.difficultCarePath = difficultCarePath
        }

        public var priority: Bool { precarity || isolation || difficultCarePath }
    }
}
