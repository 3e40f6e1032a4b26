import Foundation
import GRDB
import RelaisDomain

/// A treatment recorded for a participant (nicotine replacement, medication, e-cigarette…): its
/// kind (a code of `Protocols/treatment_kinds.json`), the dose as written, its start and end.
public struct TreatmentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "treatment"
    public var id: String
    public var participantId: String
    public var kind: String
    public var dose: String
    /// `YYYY-MM-DD`.
    public var startOn: String
    /// `YYYY-MM-DD`; nil while it goes on.
    public var endOn: String?
    /// The consultation where it was decided, one of the participant's.
    public var consultationId: String?
    /// The programme it belongs to (one the participant enrolled in); else attributed by its start.
    public var programmeId: String?
    public var note: String
    public var recordedBy: String?
    public var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, dose, note
        case participantId = "participant_id", startOn = "start_on", endOn = "end_on", consultationId = "consultation_id"
        case programmeId = "programme_id", recordedBy = "recorded_by", recordedAt = "recorded_at"
    }
}

/// What a treatment was before one change (an end or a correction), with the reason, who and when.
public struct TreatmentCorrection: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "treatment_correction"
    public var id: String
    public var treatmentId: String
    public var previousKind: String
    public var previousDose: String
    public var previousStartOn: String
    public var previousEndOn: String?
    public var previousConsultationId: String?
    public var previousProgrammeId: String?
    public var previousNote: String
    /// Nil for a plain end (the treatment stopped); required for any other correction.
    public var reason: String?
    public var correctedBy: String?
    public var correctedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, reason
        case treatmentId = "treatment_id", previousKind = "previous_kind", previousDose = "previous_dose", previousStartOn = "previous_start_on"
        case previousEndOn = "previous_end_on", previousConsultationId = "previous_consultation_id"
        case previousProgrammeId = "previous_programme_id", previousNote = "previous_note", correctedBy = "corrected_by", correctedAt = "corrected_at"
    }
}

/// What a treatment is to be, as validated by the use case.
public struct TreatmentValues: Sendable, Equatable {
    public var kind: String
    public var dose: String
    public var start: CalendarDate
    public var end: CalendarDate?
    public var consultationID: String?
    public var programmeID: String?
    public var note: String

    public init(kind: String, dose: String, start: CalendarDate, end: CalendarDate? = nil, consultationID: String? = nil, programmeID: String? = nil,
                note: String = "") {
        self.kind = kind
        self.dose = dose
        self.start = start
        self.end = end
        self.consultationID = consultationID
        self.programmeID = programmeID
        self.note = note
    }

    public init(_ record: TreatmentRecord) {
        self.init(kind: record.kind, dose: record.dose, start: CalendarDate(iso: record.startOn) ?? CalendarDate(year: 2000, month: 1, day: 1)!,
                  end: record.endOn.flatMap(CalendarDate.init(iso:)), consultationID: record.consultationId, programmeID: record.programmeId,
                  note: record.note)
    }
}

/// A participant's treatments (or one) with the versions each had before its changes, oldest
/// first, and the display names of the staff who recorded or changed them.
public struct TreatmentHistory: Sendable, Equatable {
    /// By start date, then by the time they were recorded.
    public var treatments: [TreatmentRecord]
    /// By treatment id, oldest first.
    public var corrections: [String: [TreatmentCorrection]]
    /// Display names by user id.
    public var names: [String: String]

    public init(treatments: [TreatmentRecord], corrections: [String: [TreatmentCorrection]] = [:], names: [String: String] = [:]) {
        self.treatments = treatments
        self.corrections = corrections
        self.names = names
    }

    static func read(_ db: Database, _ treatments: [TreatmentRecord]) throws -> TreatmentHistory {
        let ids = treatments.map(\.id)
        let corrections = ids.isEmpty ? [] : try TreatmentCorrection.filter(ids.contains(Column("treatment_id")))
            .order(Column("corrected_at"), Column.rowID).fetchAll(db)
        let users = Set(treatments.compactMap(\.recordedBy) + corrections.compactMap(\.correctedBy))
        let names = users.isEmpty ? [] : try Row.fetchAll(db, sql: "SELECT id, display_name FROM user WHERE id IN (SELECT value FROM json_each(?))",
                                                           arguments: [String(decoding: try JSONEncoder().encode(users.sorted()), as: UTF8.self)])
        return TreatmentHistory(treatments: treatments, corrections: Dictionary(grouping: corrections, by: \.treatmentId),
                                names: Dictionary(names.map { ($0["id"] as String, $0["display_name"] as String) }, uniquingKeysWith: { a, _ in a }))
    }
}

/// The treatments of participants: one transaction per write, with its audit row; reads audited.
public struct Treatments: Sendable {
    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Records a treatment. The consultation must be one of the participant's and the programme
    /// one they enrolled in (each refused under its field otherwise).
    public func record(participantID: String, _ values: TreatmentValues, by actor: Actor) throws -> TreatmentRecord {
        let now = clock.now()
        return try store.pool.write { db in
            guard try ParticipantRecord.exists(db, key: participantID) else { throw Refusal.notFound(.participantNotFound) }
            try Self.checkLinks(db, participantID: participantID, values)
            let record = TreatmentRecord(id: UUID().uuidString.lowercased(), participantId: participantID, kind: values.kind, dose: values.dose,
                                         startOn: values.start.iso, endOn: values.end?.iso, consultationId: values.consultationID,
                                         programmeId: values.programmeID, note: values.note, recordedBy: actor.userID, recordedAt: now)
            try record.insert(db)
            try Audit.record(db, actor, "record_treatment", entity: "participant", id: participantID, detail: "\(values.kind) \(record.id)", at: now)
            return record
        }
    }

    static func checkLinks(_ db: Database, participantID: String, _ values: TreatmentValues) throws {
        var problems: [String: Reason] = [:]
        if let consultationID = values.consultationID,
           try ConsultationRecord.filter(Column("id") == consultationID && Column("participant_id") == participantID).fetchCount(db) == 0 {
            problems["consultationId"] = Reason(.consultationNotFound)
        }
        if let programmeID = values.programmeID,
           try EnrolmentRecord.filter(Column("programme_id") == programmeID && Column("participant_id") == participantID).fetchCount(db) == 0 {
            problems["programmeId"] = Reason(.participantNotEnrolled)
        }
        if !problems.isEmpty { throw ValidationError(problems) }
    }

    /// A participant's treatments with their changes, in one audited read.
    public func history(participantID: String, by actor: Actor) throws -> TreatmentHistory {
        try store.pool.write { db in
            guard try ParticipantRecord.exists(db, key: participantID) else { throw Refusal.notFound(.participantNotFound) }
            try Audit.record(db, actor, "read_treatments", entity: "participant", id: participantID, at: clock.now())
            return try TreatmentHistory.read(db, try TreatmentRecord.filter(Column("participant_id") == participantID)
                .order(Column("start_on"), Column("recorded_at"), Column.rowID).fetchAll(db))
        }
    }

    /// One treatment, without audit (to check it before a change).
    public func find(id: String, participantID: String) throws -> TreatmentRecord {
        try store.pool.read { db in try Self.fetch(db, id: id, participantID: participantID) }
    }

    static func fetch(_ db: Database, id: String, participantID: String) throws -> TreatmentRecord {
        guard try ParticipantRecord.exists(db, key: participantID) else { throw Refusal.notFound(.participantNotFound) }
        guard let record = try TreatmentRecord.fetchOne(db, key: id), record.participantId == participantID else {
            throw Refusal.notFound(.treatmentNotFound)
        }
        return record
    }

    /// Changes a treatment (its end, or a correction of any field), keeping the version it
    /// replaces with the reason, who and when, and the audit row, in one transaction.
    public func change(id: String, participantID: String, to values: TreatmentValues, reason: String?, by actor: Actor) throws -> TreatmentHistory {
        let now = clock.now()
        return try store.pool.write { db in
            var record = try Self.fetch(db, id: id, participantID: participantID)
            guard TreatmentValues(record) != values else { throw ValidationError(field: "end", .correctionUnchanged) }
            try Self.checkLinks(db, participantID: participantID, values)
            try TreatmentCorrection(id: UUID().uuidString.lowercased(), treatmentId: id, previousKind: record.kind, previousDose: record.dose,
                                    previousStartOn: record.startOn, previousEndOn: record.endOn, previousConsultationId: record.consultationId,
                                    previousProgrammeId: record.programmeId, previousNote: record.note, reason: reason, correctedBy: actor.userID,
                                    correctedAt: now).insert(db)
            let ends = record.endOn == nil && values.end != nil
            record.kind = values.kind
            record.dose = values.dose
            record.startOn = values.start.iso
            record.endOn = values.end?.iso
            record.consultationId = values.consultationID
            record.programmeId = values.programmeID
            record.note = values.note
            try record.update(db)
            try Audit.record(db, actor, reason == nil && ends ? "end_treatment" : "correct_treatment", entity: "participant", id: participantID,
                             detail: "\(record.kind) \(id)", at: now)
            return try TreatmentHistory.read(db, [record])
        }
    }
}
