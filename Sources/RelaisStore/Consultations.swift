import Foundation
import GRDB
import RelaisDomain

public struct ConsultationRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "consultation"
    public var id: String
    public var programmeId: String
    public var participantId: String
    public var index: Int
    public var facilitatorId: String
    public var startsAt: Date
    public var endsAt: Date
    public var modality: ConsultationModality
    public var status: ConsultationStatus
    /// Clinical: never shown to peer helpers or coordinators.
    public var note: String
    public var createdAt: Date
    public var updatedAt: Date
    /// The calendar revision (iCalendar SEQUENCE): raised with every change of time, modality or status.
    public var sequence = 0

    enum CodingKeys: String, CodingKey {
        case id, modality, status, note, sequence
        case programmeId = "programme_id", participantId = "participant_id", index = "idx", facilitatorId = "facilitator_id"
        case startsAt = "starts_at", endsAt = "ends_at", createdAt = "created_at", updatedAt = "updated_at"
    }
}

public struct OrientationRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "orientation"
    public var id: String
    public var participantId: String
    public var programmeId: String?
    public var consultationId: String?
    public var kind: OrientationKind
    public var detail: String
    public var followed: String?
    public var createdBy: String?
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, kind, detail, followed
        case participantId = "participant_id", programmeId = "programme_id", consultationId = "consultation_id"
        case createdBy = "created_by", createdAt = "created_at"
    }
}

/// Individual consultations, booked in the facilitator's free time, and orientations.
public struct Consultations: Sendable {
    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    public func book(programmeID: String, participantID: String, index: Int, facilitatorID: String, start: Date, end: Date,
                     modality: ConsultationModality, allowedIndexes: ClosedRange<Int>, by actor: Actor) throws -> ConsultationRecord {
        guard end > start else { throw ValidationError(field: "durationMinutes", .durationRange, ["min": "10", "max": "240"]) }
        guard allowedIndexes.contains(index) else {
            throw ValidationError(field: "index", .consultationIndexRange, ["min": String(allowedIndexes.lowerBound), "max": String(allowedIndexes.upperBound)])
        }
        let now = clock.now()
        return try store.pool.write { db in
            guard let programme = try ProgrammeRecord.fetchOne(db, key: programmeID) else { throw Refusal.notFound(.programmeNotFound) }
            guard let facilitator = try User.fetchOne(db, key: facilitatorID), !facilitator.isDisabled else {
                throw ValidationError(field: "facilitatorId", .userUnknownOrDisabled)
            }
            guard facilitator.role == .tabacologue else {
                throw ValidationError(field: "facilitatorId", facilitator.role == .peerHelper ? .facilitatorPeerHelper : .facilitatorNotTabacologue)
            }
            guard try EnrolmentRecord.filter(Column("programme_id") == programmeID && Column("participant_id") == participantID
                                             && Column("status") == "enrolled").fetchCount(db) > 0 else {
                throw ValidationError(field: "participantId", .participantNotEnrolled)
            }
            if try ConsultationRecord.filter(Column("programme_id") == programmeID && Column("participant_id") == participantID
                                             && Column("idx") == index && Column("status") != "cancelled").fetchCount(db) > 0 {
                throw Refusal.conflict(.consultationAlreadyBooked, ["index": String(index)])
            }
            try Conflicts.check(db, .init(start: start, end: end, facilitators: [facilitatorID], roomID: nil,
                                          participants: [participantID]), timeZone: programme.zone)
            let record = ConsultationRecord(id: UUID().uuidString.lowercased(), programmeId: programmeID, participantId: participantID,
                                            index: index, facilitatorId: facilitatorID, startsAt: start, endsAt: end, modality: modality,
                                            status: .planned, note: "", createdAt: now, updatedAt: now)
            try record.insert(db)
            try Reminders.reconcileConsultationReminder(db, record, policy: store.reminderPolicy, at: now)
            try Audit.record(db, actor, "book_consultation", entity: "participant", id: participantID, detail: record.id, at: now)
            return record
        }
    }

    /// The consultation, its read audited (it may carry a clinical note).
    public func read(id: String, by actor: Actor) throws -> ConsultationRecord {
        try store.pool.write { db in
            guard let record = try ConsultationRecord.fetchOne(db, key: id) else { throw Refusal.notFound(.consultationNotFound) }
            try Audit.record(db, actor, "read_consultation", entity: "participant", id: record.participantId, detail: id, at: clock.now())
            return record
        }
    }

    public func update(id: String, status: ConsultationStatus?, note: String?, start: Date?, end: Date?,
                       modality: ConsultationModality?, by actor: Actor) throws -> ConsultationRecord {
        try TextRules.validate { TextRules.checkMultiLine(note, field: "note", maxLength: 20_000, into: &$0) }
        let now = clock.now()
        return try store.pool.write { db in
            guard var record = try ConsultationRecord.fetchOne(db, key: id),
                  let programme = try ProgrammeRecord.fetchOne(db, key: record.programmeId) else {
                throw Refusal.notFound(.consultationNotFound)
            }
            let before = record
            if let start, let end {
                guard end > start else { throw ValidationError(field: "durationMinutes", .durationRange, ["min": "10", "max": "240"]) }
                try Conflicts.check(db, .init(start: start, end: end, facilitators: [record.facilitatorId], roomID: nil,
                                              participants: [record.participantId], excludingConsultation: id), timeZone: programme.zone)
                record.startsAt = start
                record.endsAt = end
            }
            if let status { record.status = status }
            if let note { record.note = note }
            if let modality { record.modality = modality }
            // A note alone is no revision of the event that calendars hold.
            if (record.startsAt, record.endsAt, record.status, record.modality) != (before.startsAt, before.endsAt, before.status, before.modality) {
                record.sequence += 1
            }
            record.updatedAt = now
            try record.update(db)
            // The participant is told of a new time in the same transaction (one notice pending at most).
            try Reminders.notifyConsultationChange(db, record, previousStart: before.startsAt, policy: store.reminderPolicy, at: now)
            try Reminders.reconcileConsultationReminder(db, record, policy: store.reminderPolicy, at: now)
            try Audit.record(db, actor, "update_consultation", entity: "participant", id: record.participantId,
                             detail: "\(id)\(note != nil ? " note" : "")\(status.map { " status=\($0.rawValue)" } ?? "")", at: now)
            return record
        }
    }

    public func list(programmeID: String) throws -> [ConsultationRecord] {
        try store.pool.read { db in
            try ConsultationRecord.filter(Column("programme_id") == programmeID).order(Column("starts_at")).fetchAll(db)
        }
    }

    public func addOrientations(participantID: String, programmeID: String?, consultationID: String?, kinds: [OrientationKind],
                                detail: String, by actor: Actor) throws -> [OrientationRecord] {
        guard !kinds.isEmpty else { throw ValidationError(field: "kinds", .orientationKindsEmpty) }
        if kinds.contains(.other) && detail.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError(field: "detail", .orientationOtherDetail)
        }
        try TextRules.validate { TextRules.checkMultiLine(detail, field: "detail", maxLength: 2000, into: &$0) }
        let now = clock.now()
        return try store.pool.write { db in
            guard try ParticipantRecord.exists(db, key: participantID) else { throw Refusal.notFound(.participantNotFound) }
            // The consultation it came from must be one of this participant's.
            if let consultationID, try ConsultationRecord.filter(Column("id") == consultationID && Column("participant_id") == participantID)
                .fetchCount(db) == 0 {
                throw ValidationError(field: "consultationId", .consultationNotFound)
            }
            let records = Array(Set(kinds)).sorted { $0.rawValue < $1.rawValue }.map { kind in
                OrientationRecord(id: UUID().uuidString.lowercased(), participantId: participantID, programmeId: programmeID,
                                  consultationId: consultationID, kind: kind, detail: detail, followed: nil, createdBy: actor.userID, createdAt: now)
            }
            for record in records { try record.insert(db) }
            try Audit.record(db, actor, "orientation", entity: "participant", id: participantID,
                             detail: records.map(\.kind.rawValue).joined(separator: ","), at: now)
            return records
        }
    }

    public func orientations(participantID: String) throws -> [OrientationRecord] {
        try store.pool.read { try OrientationRecord.filter(Column("participant_id") == participantID).order(Column("created_at")).fetchAll($0) }
    }
}
