import Foundation
import GRDB
import RelaisDomain

/// A stored, scored instrument: the answers with the scores computed by the server and the
/// instrument version they were computed with.
public struct AssessmentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "assessment"
    public var id: String
    public var participantId: String
    public var instrumentId: String
    public var instrumentVersion: String
    public var takenOn: String
    public var answers: String
    public var total: Double?
    public var band: String?
    public var derived: String?
    public var partial: Bool
    public var source: AssessmentSource
    public var recordedBy: String?
    public var recordedAt: Date
    /// The programme it belongs to, when it was said; nil: attributed by its date.
    public var programmeId: String?
    /// Withdrawn (entered in error): kept in the history, counted nowhere.
    public var withdrawnAt: Date?
    public var withdrawnBy: String?
    public var withdrawnReason: String?

    enum CodingKeys: String, CodingKey {
        case id, answers, total, band, derived, partial, source
        case participantId = "participant_id", instrumentId = "instrument_id", instrumentVersion = "instrument_version"
        case takenOn = "taken_on", recordedBy = "recorded_by", recordedAt = "recorded_at", programmeId = "programme_id"
        case withdrawnAt = "withdrawn_at", withdrawnBy = "withdrawn_by", withdrawnReason = "withdrawn_reason"
    }

    public var isWithdrawn: Bool { withdrawnAt != nil }

    public var answerValues: [String: JSONValue] {
        (try? JSONDecoder().decode([String: JSONValue].self, from: Data(answers.utf8))) ?? [:]
    }

    public var derivedScores: [String: ScoreValue] { Self.scores(derived) }

    /// The derived scores of a stored `derived` text (`{"hsi":{"total":N,"band":"…"}}`).
    static func scores(_ derived: String?) -> [String: ScoreValue] {
        guard let derived, let object = try? JSONDecoder().decode([String: [String: JSONValue]].self, from: Data(derived.utf8)) else { return [:] }
        return object.mapValues { value in
            var total: Double?
            if case .number(let number)? = value["total"] { total = number }
            var band: String?
            if case .string(let code)? = value["band"] { band = code }
            return ScoreValue(total: total, band: band)
        }
    }
}

/// One version an assessment had before a correction, with the reason, who and when.
public struct AssessmentCorrection: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "assessment_correction"
    public var id: String
    public var assessmentId: String
    public var previousVersion: String
    public var previousTakenOn: String
    public var previousAnswers: String
    public var previousTotal: Double?
    public var previousBand: String?
    public var previousDerived: String?
    public var reason: String
    public var correctedBy: String?
    public var correctedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reason
        case assessmentId = "assessment_id", previousVersion = "previous_version", previousTakenOn = "previous_taken_on"
        case previousAnswers = "previous_answers", previousTotal = "previous_total", previousBand = "previous_band"
        case previousDerived = "previous_derived", correctedBy = "corrected_by", correctedAt = "corrected_at"
    }

    public var previousAnswerValues: [String: JSONValue] {
        (try? JSONDecoder().decode([String: JSONValue].self, from: Data(previousAnswers.utf8))) ?? [:]
    }

    public var previousDerivedScores: [String: ScoreValue] { AssessmentRecord.scores(previousDerived) }
}

/// A participant's assessments (or one) with what happened to them: the corrections of each,
/// oldest first, and the display names of the staff who recorded, corrected or withdrew them.
public struct AssessmentHistory: Sendable, Equatable {
    /// Oldest first, withdrawn ones included (marked).
    public var assessments: [AssessmentRecord]
    /// By assessment id, oldest first.
    public var corrections: [String: [AssessmentCorrection]]
    /// Display names by user id.
    public var names: [String: String]

    public init(assessments: [AssessmentRecord], corrections: [String: [AssessmentCorrection]] = [:], names: [String: String] = [:]) {
        self.assessments = assessments
        self.corrections = corrections
        self.names = names
    }

    /// Those still counted: not withdrawn.
    public var counted: [AssessmentRecord] { assessments.filter { !$0.isWithdrawn } }

    static func read(_ db: Database, _ assessments: [AssessmentRecord]) throws -> AssessmentHistory {
        let ids = assessments.map(\.id)
        let corrections = ids.isEmpty ? [] : try AssessmentCorrection.filter(ids.contains(Column("assessment_id")))
            .order(Column("corrected_at"), Column.rowID).fetchAll(db)
        let users = Set(assessments.flatMap { [$0.recordedBy, $0.withdrawnBy] }.compactMap { $0 } + corrections.compactMap(\.correctedBy))
        let names = users.isEmpty ? [] : try Row.fetchAll(db, sql: "SELECT id, display_name FROM user WHERE id IN (SELECT value FROM json_each(?))",
                                                           arguments: [String(decoding: try JSONEncoder().encode(users.sorted()), as: UTF8.self)])
        return AssessmentHistory(assessments: assessments, corrections: Dictionary(grouping: corrections, by: \.assessmentId),
                                 names: Dictionary(names.map { ($0["id"] as String, $0["display_name"] as String) }, uniquingKeysWith: { a, _ in a }))
    }
}

public struct Assessments: Sendable {
    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Stores a scored assessment and its audit row in one transaction; a complete answer to a
    /// pending questionnaire invitation also closes it and cancels its reminders. `programmeID`
    /// attaches it to one of the participant's programmes (refused, naming `programmeId`, when
    /// they never enrolled in it).
    public func record(participantID: String, programmeID: String? = nil, result: ScoreResult, takenOn: CalendarDate, partial: Bool,
                       source: AssessmentSource, by actor: Actor) throws -> AssessmentRecord {
        let now = clock.now()
        return try store.pool.write { db in
            try Self.record(db, participantID: participantID, programmeID: programmeID, result: result, takenOn: takenOn, partial: partial,
                            source: source, by: actor, at: now)
        }
    }

    /// `record`, inside the caller's transaction (a consultation record writes its CO reading with itself).
    static func record(_ db: Database, participantID: String, programmeID: String?, result: ScoreResult, takenOn: CalendarDate, partial: Bool,
                       source: AssessmentSource, by actor: Actor, at now: Date) throws -> AssessmentRecord {
        guard try ParticipantRecord.exists(db, key: participantID) else { throw Refusal.notFound(.participantNotFound) }
        if let programmeID, try EnrolmentRecord.filter(Column("programme_id") == programmeID && Column("participant_id") == participantID)
            .fetchCount(db) == 0 {
            throw ValidationError(field: "programmeId", .participantNotEnrolled)
        }
        let record = try insert(db, participantID: participantID, programmeID: programmeID, result: result, takenOn: takenOn,
                                partial: partial, source: source, by: actor, at: now)
        if !partial {
            try Questionnaires.noteAnswered(db, participantID: participantID, instrument: result.instrument, takenOn: takenOn, source: source,
                                            userID: actor.userID, at: now)
        }
        return record
    }

    static func insert(_ db: Database, participantID: String, programmeID: String? = nil, result: ScoreResult, takenOn: CalendarDate, partial: Bool,
                       source: AssessmentSource, by actor: Actor, at now: Date) throws -> AssessmentRecord {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let record = AssessmentRecord(
            id: UUID().uuidString.lowercased(), participantId: participantID, instrumentId: result.instrument,
            instrumentVersion: result.version, takenOn: takenOn.iso,
            answers: String(decoding: try encoder.encode(result.answers), as: UTF8.self),
            total: result.total.total, band: result.total.band,
            derived: try result.derived.map { String(decoding: try encoder.encode($0), as: UTF8.self) },
            partial: partial, source: source, recordedBy: actor.userID, recordedAt: now, programmeId: programmeID)
        try record.insert(db)
        try Audit.record(db, actor, "record_assessment", entity: "participant", id: participantID,
                         detail: "\(result.instrument) \(record.id)", at: now)
        return record
    }

    /// A participant's assessments, oldest first (withdrawn ones included, marked); the read is audited.
    public func assessments(participantID: String, by actor: Actor) throws -> [AssessmentRecord] {
        try history(participantID: participantID, by: actor).assessments
    }

    /// A participant's assessments with their corrections, in one audited read.
    public func history(participantID: String, by actor: Actor) throws -> AssessmentHistory {
        try store.pool.write { db in
            guard try ParticipantRecord.exists(db, key: participantID) else { throw Refusal.notFound(.participantNotFound) }
            try Audit.record(db, actor, "read_assessments", entity: "participant", id: participantID, at: clock.now())
            return try AssessmentHistory.read(db, try AssessmentRecord.filter(Column("participant_id") == participantID)
                .order(Column("taken_on"), Column("recorded_at"), Column.rowID).fetchAll(db))
        }
    }

    public func assessment(id: String, participantID: String, by actor: Actor) throws -> AssessmentRecord {
        try history(id: id, participantID: participantID, by: actor).assessments[0]
    }

    /// One assessment with its corrections (the history holds exactly it), the read audited.
    public func history(id: String, participantID: String, by actor: Actor) throws -> AssessmentHistory {
        try store.pool.write { db in
            let record = try Self.fetch(db, id: id, participantID: participantID)
            try Audit.record(db, actor, "read_assessment", entity: "participant", id: participantID, detail: id, at: clock.now())
            return try AssessmentHistory.read(db, [record])
        }
    }

    /// One assessment, without audit (to check it before a correction or a withdrawal).
    public func find(id: String, participantID: String) throws -> AssessmentRecord {
        try store.pool.read { db in try Self.fetch(db, id: id, participantID: participantID) }
    }

    static func fetch(_ db: Database, id: String, participantID: String) throws -> AssessmentRecord {
        guard let record = try AssessmentRecord.fetchOne(db, key: id), record.participantId == participantID else {
            throw Refusal.notFound(.assessmentNotFound)
        }
        return record
    }

    /// Replaces an assessment's answers, date and scores by a correction, keeping the version it
    /// replaces with the reason, who and when, and the audit row, in one transaction. The
    /// instrument and the partial flag stay; a withdrawn assessment is refused (409).
    public func correct(id: String, participantID: String, result: ScoreResult, takenOn: CalendarDate, reason: String,
                        by actor: Actor) throws -> AssessmentHistory {
        let now = clock.now()
        return try store.pool.write { db in
            let record = try Self.correct(db, id: id, participantID: participantID, result: result, takenOn: takenOn, reason: reason, by: actor, at: now)
            return try AssessmentHistory.read(db, [record])
        }
    }

    /// `correct`, inside the caller's transaction; returns the corrected assessment.
    static func correct(_ db: Database, id: String, participantID: String, result: ScoreResult, takenOn: CalendarDate, reason: String,
                        by actor: Actor, at now: Date) throws -> AssessmentRecord {
        var record = try Self.fetch(db, id: id, participantID: participantID)
        guard !record.isWithdrawn else { throw Refusal.conflict(.assessmentWithdrawn) }
        guard result.instrument == record.instrumentId else { throw ValidationError(field: "instrument", .assessmentInstrumentChange) }
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let answers = String(decoding: try encoder.encode(result.answers), as: UTF8.self)
        let derived = try result.derived.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        guard answers != record.answers || takenOn.iso != record.takenOn else { throw ValidationError(field: "answers", .correctionUnchanged) }
        try AssessmentCorrection(id: UUID().uuidString.lowercased(), assessmentId: id, previousVersion: record.instrumentVersion,
                                 previousTakenOn: record.takenOn, previousAnswers: record.answers, previousTotal: record.total,
                                 previousBand: record.band, previousDerived: record.derived, reason: reason, correctedBy: actor.userID,
                                 correctedAt: now).insert(db)
        record.instrumentVersion = result.version
        record.takenOn = takenOn.iso
        record.answers = answers
        record.total = result.total.total
        record.band = result.total.band
        record.derived = derived
        try record.update(db)
        try Audit.record(db, actor, "correct_assessment", entity: "participant", id: participantID, detail: "\(record.instrumentId) \(id)", at: now)
        return record
    }

    /// Withdraws an assessment entered in error: it stays, marked with who, when and why, and
    /// is counted nowhere. Withdrawing twice is refused (409).
    public func withdraw(id: String, participantID: String, reason: String, by actor: Actor) throws -> AssessmentHistory {
        let now = clock.now()
        return try store.pool.write { db in
            try AssessmentHistory.read(db, [try Self.withdraw(db, id: id, participantID: participantID, reason: reason, by: actor, at: now)])
        }
    }

    /// `withdraw`, inside the caller's transaction; returns the withdrawn assessment.
    static func withdraw(_ db: Database, id: String, participantID: String, reason: String, by actor: Actor, at now: Date) throws -> AssessmentRecord {
        var record = try Self.fetch(db, id: id, participantID: participantID)
        guard !record.isWithdrawn else { throw Refusal.conflict(.assessmentWithdrawn) }
        record.withdrawnAt = now
        record.withdrawnBy = actor.userID
        record.withdrawnReason = reason
        try record.update(db)
        try Audit.record(db, actor, "withdraw_assessment", entity: "participant", id: participantID, detail: "\(record.instrumentId) \(id)", at: now)
        return record
    }
}
