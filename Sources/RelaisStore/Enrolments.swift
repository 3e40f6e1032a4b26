import Foundation
import GRDB
import RelaisDomain

public struct EnrolmentRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "enrolment"
    public var id: String
    public var programmeId: String
    public var participantId: String
    public var status: EnrolmentStatus
    public var requestedAt: Date
    public var enrolledAt: Date?
    public var withdrawnAt: Date?
    public var withdrawalReason: String?

    enum CodingKeys: String, CodingKey {
        case id, status
        case programmeId = "programme_id", participantId = "participant_id", requestedAt = "requested_at"
        case enrolledAt = "enrolled_at", withdrawnAt = "withdrawn_at", withdrawalReason = "withdrawal_reason"
    }
}

/// Enrolment with capacity and a waiting list, and attendance per session.
public struct Enrolments: Sendable {
    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// Enrols, or puts on the waiting list when the programme is full (refused with 409 when
    /// `waitingList` is false).
    public func enrol(programmeID: String, participantID: String, waitingList: Bool, by actor: Actor) throws -> EnrolmentRecord {
        let now = clock.now()
        return try store.pool.write { db in
            guard let programme = try ProgrammeRecord.fetchOne(db, key: programmeID) else { throw StoreError.notFound("programme '\(programmeID)'") }
            guard programme.status == .planned else { throw StoreError.conflict("the programme is cancelled") }
            guard try ParticipantRecord.exists(db, key: participantID) else { throw ValidationError(field: "participantId", "unknown participant") }
            let record = try EnrolmentRecord.filter(Column("programme_id") == programmeID && Column("participant_id") == participantID).fetchOne(db)
            if let existing = record, existing.status != .withdrawn {
                throw StoreError.conflict("the participant is already \(existing.status == .enrolled ? "enrolled" : "on the waiting list")")
            }
            let enrolled = try EnrolmentRecord.filter(Column("programme_id") == programmeID && Column("status") == "enrolled").fetchCount(db)
            let full = enrolled >= programme.capacity
            if full && !waitingList {
                throw StoreError.conflict("the programme is full (\(enrolled)/\(programme.capacity)); enrol on the waiting list instead")
            }
            let fresh = EnrolmentRecord(id: record?.id ?? UUID().uuidString.lowercased(), programmeId: programmeID, participantId: participantID,
                                        status: full ? .waiting : .enrolled, requestedAt: now, enrolledAt: full ? nil : now,
                                        withdrawnAt: nil, withdrawalReason: nil)
            if record == nil { try fresh.insert(db) } else { try fresh.update(db) }
            try Audit.record(db, actor, full ? "wait_list" : "enrol", entity: "participant", id: participantID, detail: "programme=\(programmeID)", at: now)
            if fresh.status == .enrolled { try Reminders.confirmEnrolment(db, fresh, at: now) }
            return fresh
        }
    }

    /// Withdraws; when a place frees, the first on the waiting list is enrolled in the same transaction.
    public func withdraw(enrolmentID: String, reason: String, by actor: Actor) throws -> (withdrawn: EnrolmentRecord, promoted: EnrolmentRecord?) {
        let reason = reason.trimmingCharacters(in: .whitespaces)
        try TextRules.validate { TextRules.checkOneLine(reason, field: "reason", maxLength: 500, required: true, into: &$0) }
        let now = clock.now()
        return try store.pool.write { db in
            guard var record = try EnrolmentRecord.fetchOne(db, key: enrolmentID) else { throw StoreError.notFound("enrolment '\(enrolmentID)'") }
            guard record.status != .withdrawn else { throw StoreError.conflict("the participant has already withdrawn") }
            let freedPlace = record.status == .enrolled
            record.status = .withdrawn
            record.withdrawnAt = now
            record.withdrawalReason = reason
            try record.update(db)
            try Audit.record(db, actor, "withdraw", entity: "participant", id: record.participantId, detail: reason, at: now)
            try Reminders.cancelForWithdrawal(db, programmeID: record.programmeId, participantID: record.participantId, at: now)
            var promoted: EnrolmentRecord?
            if freedPlace, var next = try EnrolmentRecord.filter(Column("programme_id") == record.programmeId && Column("status") == "waiting")
                .order(Column("requested_at")).fetchOne(db) {
                next.status = .enrolled
                next.enrolledAt = now
                try next.update(db)
                try Audit.record(db, actor, "promote_from_waiting_list", entity: "participant", id: next.participantId, at: now)
                try Reminders.confirmEnrolment(db, next, at: now)
                promoted = next
            }
            return (record, promoted)
        }
    }

    /// The roster: enrolments with their participants, enrolled first then the waiting list in order.
    public func roster(programmeID: String) throws -> [(EnrolmentRecord, ParticipantRecord)] {
        try store.pool.read { db in
            let enrolments = try EnrolmentRecord.filter(Column("programme_id") == programmeID).order(Column("requested_at")).fetchAll(db)
            let order: [EnrolmentStatus: Int] = [.enrolled: 0, .waiting: 1, .withdrawn: 2]
            return try enrolments.compactMap { enrolment in
                try ParticipantRecord.fetchOne(db, key: enrolment.participantId).map { (enrolment, $0) }
            }.sorted { (order[$0.0.status]!, $0.0.requestedAt) < (order[$1.0.status]!, $1.0.requestedAt) }
        }
    }

    /// Records attendance (and optionally the session note) for enrolled participants.
    public func recordAttendance(sessionID: String, _ records: [(participantID: String, status: AttendanceStatus)], note: String?,
                                 by actor: Actor) throws {
        try TextRules.validate { TextRules.checkMultiLine(note, field: "note", maxLength: 5000, into: &$0) }
        let now = clock.now()
        try store.pool.write { db in
            guard var session = try SessionRecord.fetchOne(db, key: sessionID) else { throw StoreError.notFound("session '\(sessionID)'") }
            guard session.status == .planned else { throw StoreError.conflict("the session is cancelled") }
            let enrolled = Set(try String.fetchAll(db, sql: "SELECT participant_id FROM enrolment WHERE programme_id = ? AND status = 'enrolled'",
                                                   arguments: [session.programmeId]))
            var problems: [String: String] = [:]
            for (index, record) in records.enumerated() where !enrolled.contains(record.participantID) {
                problems["records[\(index)].participantId"] = "not enrolled in this programme"
            }
            guard problems.isEmpty else { throw ValidationError(problems) }
            for record in records {
                try db.execute(sql: """
                    INSERT INTO attendance(session_id, participant_id, status, recorded_by, recorded_at) VALUES (?,?,?,?,?)
                    ON CONFLICT(session_id, participant_id) DO UPDATE SET status = excluded.status,
                      recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at
                    """, arguments: [sessionID, record.participantID, record.status.rawValue, actor.userID, now])
                try Audit.record(db, actor, "attendance", entity: "participant", id: record.participantID,
                                 detail: "session=\(sessionID) \(record.status.rawValue)", at: now)
            }
            if let note {
                session.note = note
                session.updatedAt = now
                try session.update(db)
                try Audit.record(db, actor, "session_note", entity: "session", id: sessionID, at: now)
            }
            try Reminders.reconcileProgrammeEnd(db, programmeID: session.programmeId, at: now)
        }
    }

    public func attendance(sessionID: String) throws -> [String: AttendanceStatus] {
        try store.pool.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT participant_id, status FROM attendance WHERE session_id = ?", arguments: [sessionID])
            return Dictionary(uniqueKeysWithValues: rows.compactMap { row in
                AttendanceStatus(rawValue: row["status"]).map { (row["participant_id"] as String, $0) }
            })
        }
    }
}
