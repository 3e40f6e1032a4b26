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

    enum CodingKeys: String, CodingKey {
        case id, answers, total, band, derived, partial, source
        case participantId = "participant_id", instrumentId = "instrument_id", instrumentVersion = "instrument_version"
        case takenOn = "taken_on", recordedBy = "recorded_by", recordedAt = "recorded_at", programmeId = "programme_id"
    }

    public var answerValues: [String: JSONValue] {
        (try? JSONDecoder().decode([String: JSONValue].self, from: Data(answers.utf8))) ?? [:]
    }

    public var derivedScores: [String: ScoreValue] {
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
            guard try ParticipantRecord.exists(db, key: participantID) else { throw Refusal.notFound(.participantNotFound) }
            if let programmeID, try EnrolmentRecord.filter(Column("programme_id") == programmeID && Column("participant_id") == participantID)
                .fetchCount(db) == 0 {
                throw ValidationError(field: "programmeId", .participantNotEnrolled)
            }
            let record = try Self.insert(db, participantID: participantID, programmeID: programmeID, result: result, takenOn: takenOn,
                                         partial: partial, source: source, by: actor, at: now)
            if !partial {
                try Questionnaires.noteAnswered(db, participantID: participantID, instrument: result.instrument, takenOn: takenOn, source: source,
                                                userID: actor.userID, at: now)
            }
            return record
        }
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

    /// A participant's assessments, oldest first; the read is audited.
    public func assessments(participantID: String, by actor: Actor) throws -> [AssessmentRecord] {
        try store.pool.write { db in
            guard try ParticipantRecord.exists(db, key: participantID) else { throw Refusal.notFound(.participantNotFound) }
            try Audit.record(db, actor, "read_assessments", entity: "participant", id: participantID, at: clock.now())
            return try AssessmentRecord.filter(Column("participant_id") == participantID)
                .order(Column("taken_on"), Column("recorded_at")).fetchAll(db)
        }
    }

    public func assessment(id: String, participantID: String, by actor: Actor) throws -> AssessmentRecord {
        try store.pool.write { db in
            guard let record = try AssessmentRecord.fetchOne(db, key: id), record.participantId == participantID else {
                throw Refusal.notFound(.assessmentNotFound)
            }
            try Audit.record(db, actor, "read_assessment", entity: "participant", id: participantID, detail: id, at: clock.now())
            return record
        }
    }
}
