import Foundation
import GRDB
import RelaisDomain

/// The current version of a consultation's structured record (clinical: its clinician only).
public struct ClinicalRecordRow: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consultation_record"
    public var consultationId: String
    public var participantId: String
    /// 1 for the first version, raised by each change.
    public var version: Int
    /// The record as the API gives it (`ClinicalRecordInput`, JSON).
    public var content: String
    public var cigaretteEquivalents: Double?
    public var packYears: Double?
    public var packYearsSource: FigureSource?
    /// The `co` assessment of the consultation's reading, when one was taken.
    public var coAssessmentId: String?
    public var recordedBy: String?
    public var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case version, content
        case consultationId = "consultation_id", participantId = "participant_id", cigaretteEquivalents = "cigarette_equivalents"
        case packYears = "pack_years", packYearsSource = "pack_years_source", coAssessmentId = "co_assessment_id"
        case recordedBy = "recorded_by", recordedAt = "recorded_at"
    }

    public var input: ClinicalRecordInput {
        (try? JSONDecoder().decode(ClinicalRecordInput.self, from: Data(content.utf8))) ?? ClinicalRecordInput()
    }

    public var figures: ClinicalRecordInput.Figures {
        .init(cigaretteEquivalents: cigaretteEquivalents, packYears: packYears, packYearsSource: packYearsSource)
    }
}

/// A version a record had before it was replaced, with who wrote it, who replaced it and when.
public struct ClinicalRecordVersion: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consultation_record_version"
    public var id: String
    public var consultationId: String
    public var version: Int
    public var content: String
    public var cigaretteEquivalents: Double?
    public var packYears: Double?
    public var packYearsSource: FigureSource?
    public var coAssessmentId: String?
    public var recordedBy: String?
    public var recordedAt: Date
    public var replacedBy: String?
    public var replacedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, version, content
        case consultationId = "consultation_id", cigaretteEquivalents = "cigarette_equivalents", packYears = "pack_years"
        case packYearsSource = "pack_years_source", coAssessmentId = "co_assessment_id", recordedBy = "recorded_by", recordedAt = "recorded_at"
        case replacedBy = "replaced_by", replacedAt = "replaced_at"
    }

    public var input: ClinicalRecordInput {
        (try? JSONDecoder().decode(ClinicalRecordInput.self, from: Data(content.utf8))) ?? ClinicalRecordInput()
    }

    public var figures: ClinicalRecordInput.Figures {
        .init(cigaretteEquivalents: cigaretteEquivalents, packYears: packYears, packYearsSource: packYearsSource)
    }
}

/// A consultation's record as read: the current version, its CO assessment (the reading it
/// holds now, corrected or withdrawn since if so), and the versions it replaced, newest first.
public struct StoredClinicalRecord: Sendable, Equatable {
    public var current: ClinicalRecordRow
    public var co: AssessmentRecord?
    public var history: [ClinicalRecordVersion]

    /// The record as it stands: its CO reading is the one its assessment holds today (none once
    /// the assessment is withdrawn).
    public var input: ClinicalRecordInput {
        var input = current.input
        input.coPpm = co.flatMap { $0.isWithdrawn ? nil : $0.answerValues["ppm"] }.flatMap { value -> Int? in
            if case .number(let number) = value { return Int(number) }
            return nil
        }
        return input
    }
}

/// What a CO reading taken in a consultation does to its `co` assessment, as the use case
/// scored it, and the words stored when it corrects or withdraws the previous one.
public struct ClinicalRecordCO: Sendable {
    /// The scored reading; nil: the record holds no reading (a previous one is withdrawn).
    public var result: ScoreResult?
    public var takenOn: CalendarDate
    public var programmeID: String
    /// The reason written on a correction of the reading and on its withdrawal.
    public var correctionReason: String
    public var withdrawalReason: String

    public init(result: ScoreResult?, takenOn: CalendarDate, programmeID: String, correctionReason: String, withdrawalReason: String) {
        self.result = result
        self.takenOn = takenOn
        self.programmeID = programmeID
        self.correctionReason = correctionReason
        self.withdrawalReason = withdrawalReason
    }
}

/// The structured records of consultations: read (audited), written as a whole with the
/// version replaced, the CO assessment and the audit row in one transaction.
public struct ClinicalRecords: Sendable {
    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// The record of a consultation with its history, the read audited; nil when none was written.
    public func read(consultationID: String, by actor: Actor) throws -> StoredClinicalRecord? {
        try store.pool.write { db in
            guard let row = try ClinicalRecordRow.fetchOne(db, key: consultationID) else { return nil }
            try Audit.record(db, actor, "read_consultation_record", entity: "participant", id: row.participantId,
                             detail: "\(consultationID) v\(row.version)", at: clock.now())
            return try Self.stored(db, row)
        }
    }

    /// Whether a consultation has a record, and its current version: what everyone who opens
    /// the consultation may know, without its content.
    public func summary(consultationID: String) throws -> (version: Int, recordedAt: Date)? {
        try store.pool.read { db in
            try Row.fetchOne(db, sql: "SELECT version, recorded_at FROM consultation_record WHERE consultation_id = ?", arguments: [consultationID])
                .map { ($0["version"], $0["recorded_at"]) }
        }
    }

    /// Which of these consultations have a record (for lists), without content.
    public func written(consultationIDs: [String]) throws -> [String: Date] {
        guard !consultationIDs.isEmpty else { return [:] }
        return try store.pool.read { db in
            Dictionary(try ClinicalRecordRow.filter(consultationIDs.contains(Column("consultation_id"))).fetchAll(db)
                .map { ($0.consultationId, $0.recordedAt) }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// The participant's latest record of a consultation that started before `start` (any
    /// programme), with its consultation, without audit: what prefills an empty record's form,
    /// read by the clinician of the consultation that asks (whose read is audited).
    public func previous(participantID: String, before start: Date, excluding consultationID: String) throws
        -> (consultation: ConsultationRecord, record: ClinicalRecordRow)? {
        try store.pool.read { db in
            guard let row = try ClinicalRecordRow.fetchOne(db, sql: """
                SELECT r.* FROM consultation_record r JOIN consultation c ON c.id = r.consultation_id
                WHERE r.participant_id = ? AND c.starts_at < ? AND c.id <> ?
                ORDER BY c.starts_at DESC LIMIT 1
                """, arguments: [participantID, start, consultationID]),
                  let consultation = try ConsultationRecord.fetchOne(db, key: row.consultationId) else { return nil }
            return (consultation, row)
        }
    }

    /// The records of the participant's consultations by the id of the CO assessment each holds:
    /// what says whether a high reading was taken from someone who smokes nothing.
    public func byCOAssessment(participantID: String) throws -> [String: ClinicalRecordRow] {
        try store.pool.read { db in
            Dictionary(try ClinicalRecordRow.filter(Column("participant_id") == participantID && Column("co_assessment_id") != nil).fetchAll(db)
                .compactMap { row in row.coAssessmentId.map { ($0, row) } }, uniquingKeysWith: { first, _ in first })
        }
    }

    /// What the participant says of their smoking elsewhere, without audit (read for the clinician
    /// of a consultation whose read is audited): whether their record says ex-smoker, and their
    /// assessments still counted that answer a smoking status (end of programme, follow-ups).
    public func smokingWord(participantID: String) throws -> (exSmoker: Bool, statusAnswers: [AssessmentRecord]) {
        try store.pool.read { db in
            let status = try String.fetchOne(db, sql: "SELECT smoker_status FROM participant WHERE id = ?", arguments: [participantID])
            let answers = try AssessmentRecord.fetchAll(db, sql: """
                SELECT * FROM assessment WHERE participant_id = ? AND withdrawn_at IS NULL AND json_extract(answers, '$.status') IS NOT NULL
                ORDER BY taken_on, recorded_at, rowid
                """, arguments: [participantID])
            return (status == SmokerStatus.exSmoker.rawValue, answers)
        }
    }

    /// Replaces a consultation's record in one transaction: the version it replaces is kept (who
    /// wrote it, who replaces it, when), the CO reading is recorded as a `co` assessment of the
    /// consultation's programme (or its assessment corrected, or withdrawn when the reading is
    /// taken out), and the audit row written. A record unchanged writes no new version.
    public func save(consultationID: String, content: ClinicalRecordInput, figures: ClinicalRecordInput.Figures, co: ClinicalRecordCO,
                     by actor: Actor) throws -> StoredClinicalRecord {
        let now = clock.now()
        return try store.pool.write { db in
            guard let consultation = try ConsultationRecord.fetchOne(db, key: consultationID) else { throw Refusal.notFound(.consultationNotFound) }
            let participantID = consultation.participantId
            let previous = try ClinicalRecordRow.fetchOne(db, key: consultationID)

            // The reading: kept, corrected, recorded or withdrawn.
            var linked = try previous?.coAssessmentId.flatMap { try AssessmentRecord.fetchOne(db, key: $0) }
            if linked?.isWithdrawn == true { linked = nil }
            var coID = linked?.id
            if let result = co.result {
                if let current = linked {
                    if Self.answers(result) != current.answers || co.takenOn.iso != current.takenOn {
                        _ = try Assessments.correct(db, id: current.id, participantID: participantID, result: result, takenOn: co.takenOn,
                                                    reason: co.correctionReason, by: actor, at: now)
                    }
                } else {
                    coID = try Assessments.record(db, participantID: participantID, programmeID: co.programmeID, result: result, takenOn: co.takenOn,
                                                  partial: false, source: .staff, by: actor, at: now).id
                }
            } else if let current = linked {
                _ = try Assessments.withdraw(db, id: current.id, participantID: participantID, reason: co.withdrawalReason, by: actor, at: now)
                coID = nil
            }

            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            let text = String(decoding: try encoder.encode(content), as: UTF8.self)
            var row = ClinicalRecordRow(consultationId: consultationID, participantId: participantID, version: 1, content: text,
                                        cigaretteEquivalents: figures.cigaretteEquivalents, packYears: figures.packYears,
                                        packYearsSource: figures.packYearsSource, coAssessmentId: coID, recordedBy: actor.userID, recordedAt: now)
            if let previous {
                if previous.content == text && previous.figures == figures && previous.coAssessmentId == coID {
                    try Audit.record(db, actor, "write_consultation_record", entity: "participant", id: participantID,
                                     detail: "\(consultationID) v\(previous.version) unchanged", at: now)
                    return try Self.stored(db, previous)
                }
                try ClinicalRecordVersion(id: UUID().uuidString.lowercased(), consultationId: consultationID, version: previous.version,
                                          content: previous.content, cigaretteEquivalents: previous.cigaretteEquivalents,
                                          packYears: previous.packYears, packYearsSource: previous.packYearsSource,
                                          coAssessmentId: previous.coAssessmentId, recordedBy: previous.recordedBy, recordedAt: previous.recordedAt,
                                          replacedBy: actor.userID, replacedAt: now).insert(db)
                row.version = previous.version + 1
                try row.update(db)
            } else {
                try row.insert(db)
            }
            try Audit.record(db, actor, "write_consultation_record", entity: "participant", id: participantID,
                             detail: "\(consultationID) v\(row.version)", at: now)
            return try Self.stored(db, row)
        }
    }

    /// The answers of a scored reading as an assessment stores them.
    static func answers(_ result: ScoreResult) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return (try? encoder.encode(result.answers)).map { String(decoding: $0, as: UTF8.self) } ?? ""
    }

    static func stored(_ db: Database, _ row: ClinicalRecordRow) throws -> StoredClinicalRecord {
        StoredClinicalRecord(
            current: row, co: try row.coAssessmentId.flatMap { try AssessmentRecord.fetchOne(db, key: $0) },
            history: try ClinicalRecordVersion.filter(Column("consultation_id") == row.consultationId).order(Column("version").desc).fetchAll(db))
    }
}
