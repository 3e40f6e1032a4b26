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
    public var baselineSmokingStatus: SmokerStatus = .smoker
    public var baselineStatusSource: BaselineSource = .record
    public var baselineCigarettesPerDay: Double?
    public var baselineProducts: [String: Double] = [:]
    public var baselineGoal: SmokingGoal?
    public var baselineQuitDate: String?
    public var baselinePublics: [PriorityPublic] = []

    enum CodingKeys: String, CodingKey {
        case id, status
        case programmeId = "programme_id", participantId = "participant_id", requestedAt = "requested_at"
        case enrolledAt = "enrolled_at", withdrawnAt = "withdrawn_at", withdrawalReason = "withdrawal_reason"
        case baselineSmokingStatus = "baseline_smoking_status", baselineStatusSource = "baseline_status_source"
        case baselineCigarettesPerDay = "baseline_cigarettes_per_day", baselineProducts = "baseline_products", baselineGoal = "baseline_goal"
        case baselineQuitDate = "baseline_quit_date", baselinePublics = "baseline_publics"
    }

    /// The participant as they were at enrolment.
    public var baseline: Baseline {
        get {
            Baseline(smokingStatus: baselineSmokingStatus, smokingStatusSource: baselineStatusSource, cigarettesPerDay: baselineCigarettesPerDay,
                     products: baselineProducts, goal: baselineGoal, quitDate: baselineQuitDate.flatMap(CalendarDate.init(iso:)),
                     publics: Set(baselinePublics))
        }
        set {
            baselineSmokingStatus = newValue.smokingStatus
            baselineStatusSource = newValue.smokingStatusSource
            baselineCigarettesPerDay = newValue.cigarettesPerDay
            baselineProducts = newValue.products
            baselineGoal = newValue.goal
            baselineQuitDate = newValue.quitDate?.iso
            baselinePublics = newValue.publics.sorted()
        }
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

    /// Enrols with the baseline of the participant's record as it is now (status and publics;
    /// the consumption will come from the entry Fagerström test).
    @discardableResult
    public func enrol(programmeID: String, participantID: String, waitingList: Bool, by actor: Actor) throws -> EnrolmentRecord {
        guard let participant = try store.pool.read({ try ParticipantRecord.fetchOne($0, key: participantID) }) else {
            throw ValidationError(field: "participantId", .participantUnknown)
        }
        return try enrol(programmeID: programmeID, participantID: participantID, baseline: participant.baselineFromRecord,
                         waitingList: waitingList, by: actor)
    }

    /// Enrols, or puts on the waiting list when the programme is full (refused with 409 when
    /// `waitingList` is false), with the participant's baseline as it is now.
    public func enrol(programmeID: String, participantID: String, baseline: Baseline, waitingList: Bool, by actor: Actor) throws -> EnrolmentRecord {
        let now = clock.now()
        return try store.pool.write { db in
            guard let programme = try ProgrammeRecord.fetchOne(db, key: programmeID) else { throw Refusal.notFound(.programmeNotFound) }
            guard programme.status == .planned else { throw Refusal.conflict(.programmeCancelled) }
            guard try ParticipantRecord.exists(db, key: participantID) else { throw ValidationError(field: "participantId", .participantUnknown) }
            let record = try EnrolmentRecord.filter(Column("programme_id") == programmeID && Column("participant_id") == participantID).fetchOne(db)
            if let existing = record, existing.status != .withdrawn {
                throw Refusal.conflict(existing.status == .enrolled ? .alreadyEnrolled : .alreadyWaiting)
            }
            let enrolled = try EnrolmentRecord.filter(Column("programme_id") == programmeID && Column("status") == "enrolled").fetchCount(db)
            let full = enrolled >= programme.capacity
            if full && !waitingList {
                throw Refusal.conflict(.programmeFull, ["enrolled": String(enrolled), "capacity": String(programme.capacity)])
            }
            var fresh = EnrolmentRecord(id: record?.id ?? UUID().uuidString.lowercased(), programmeId: programmeID, participantId: participantID,
                                        status: full ? .waiting : .enrolled, requestedAt: now, enrolledAt: full ? nil : now,
                                        withdrawnAt: nil, withdrawalReason: nil)
            fresh.baseline = baseline
            if record == nil { try fresh.insert(db) } else { try fresh.update(db) }
            try Audit.record(db, actor, full ? "wait_list" : "enrol", entity: "participant", id: participantID, detail: "programme=\(programmeID)", at: now)
            if fresh.status == .enrolled { try Reminders.confirmEnrolment(db, fresh, policy: store.reminderPolicy, at: now) }
            else { try Reminders.confirmWaitingList(db, fresh, policy: store.reminderPolicy, at: now) }
            return fresh
        }
    }

    /// Corrects the baseline of an enrolment (a mistake at entry, or what was not known then).
    public func setBaseline(enrolmentID: String, _ baseline: Baseline, by actor: Actor) throws -> EnrolmentRecord {
        let now = clock.now()
        return try store.pool.write { db in
            guard var record = try EnrolmentRecord.fetchOne(db, key: enrolmentID) else { throw Refusal.notFound(.enrolmentNotFound) }
            record.baseline = baseline
            try record.update(db)
            try Audit.record(db, actor, "baseline", entity: "participant", id: record.participantId, detail: "programme=\(record.programmeId)", at: now)
            return record
        }
    }

    public func enrolment(id: String) throws -> EnrolmentRecord {
        guard let record = try store.pool.read({ try EnrolmentRecord.fetchOne($0, key: id) }) else { throw Refusal.notFound(.enrolmentNotFound) }
        return record
    }

    /// Withdraws; when a place frees, the first on the waiting list is enrolled in the same transaction.
    public func withdraw(enrolmentID: String, reason: String, by actor: Actor) throws -> (withdrawn: EnrolmentRecord, promoted: EnrolmentRecord?) {
        let reason = reason.trimmingCharacters(in: .whitespaces)
        try TextRules.validate { TextRules.checkOneLine(reason, field: "reason", maxLength: 500, required: true, into: &$0) }
        let now = clock.now()
        return try store.pool.write { db in
            guard var record = try EnrolmentRecord.fetchOne(db, key: enrolmentID) else { throw Refusal.notFound(.enrolmentNotFound) }
            guard record.status != .withdrawn else { throw Refusal.conflict(.alreadyWithdrawn) }
            let freedPlace = record.status == .enrolled
            record.status = .withdrawn
            record.withdrawnAt = now
            record.withdrawalReason = reason
            try record.update(db)
            try Audit.record(db, actor, "withdraw", entity: "participant", id: record.participantId, detail: reason, at: now)
            try Reminders.cancelForWithdrawal(db, programmeID: record.programmeId, participantID: record.participantId, at: now)
            var promoted: EnrolmentRecord?
            if freedPlace, var next = try EnrolmentRecord.filter(Column("programme_id") == record.programmeId && Column("status") == "waiting")
                .order(Column("requested_at"), Column.rowID).fetchOne(db) {
                next.status = .enrolled
                next.enrolledAt = now
                try next.update(db)
                try Audit.record(db, actor, "promote_from_waiting_list", entity: "participant", id: next.participantId, at: now)
                try Reminders.confirmEnrolment(db, next, policy: store.reminderPolicy, at: now)
                promoted = next
            }
            return (record, promoted)
        }
    }

    /// The roster: enrolments with their participants, enrolled first then the waiting list in
    /// order, read with an audit row (`read_roster` on the programme, or on `session` when shown
    /// for one session), since it names participants.
    public func roster(programmeID: String, auditedFor actor: Actor, session: String? = nil) throws -> [(EnrolmentRecord, ParticipantRecord)] {
        // Read without the write lock, then one audit row naming the programme (or session) and
        // the participants shown, before anything is shown.
        let roster = try store.pool.read { db in try Self.roster(db, programmeID: programmeID) }
        try store.pool.write { db in
            try Audit.record(db, actor, "read_roster", entity: session == nil ? "programme" : "session", id: session ?? programmeID,
                             participants: roster.map(\.1.id), at: clock.now())
        }
        return roster
    }

    /// The roster without an audit row, for what runs inside another audited transaction.
    static func roster(_ db: Database, programmeID: String) throws -> [(EnrolmentRecord, ParticipantRecord)] {
        let enrolments = try EnrolmentRecord.filter(Column("programme_id") == programmeID).order(Column("requested_at"), Column.rowID).fetchAll(db)
        func rank(_ status: EnrolmentStatus) -> Int { status == .enrolled ? 0 : status == .waiting ? 1 : 2 }
        return try enrolments.compactMap { enrolment in
            try ParticipantRecord.fetchOne(db, key: enrolment.participantId).map { (enrolment, $0) }
        }.sorted { (rank($0.0.status), $0.0.requestedAt) < (rank($1.0.status), $1.0.requestedAt) }
    }

    /// How many are enrolled and waiting.
    public func counts(programmeID: String) throws -> (enrolled: Int, waiting: Int) {
        try store.pool.read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT SUM(status = 'enrolled'), SUM(status = 'waiting') FROM enrolment WHERE programme_id = ?
                """, arguments: [programmeID])
            return ((row?[0] as Int?) ?? 0, (row?[1] as Int?) ?? 0)
        }
    }

    /// Records attendance (and optionally the session note) for enrolled participants.
    public func recordAttendance(sessionID: String, _ records: [(participantID: String, status: AttendanceStatus)], note: String?,
                                 by actor: Actor) throws {
        try TextRules.validate { TextRules.checkMultiLine(note, field: "note", maxLength: 5000, into: &$0) }
        let now = clock.now()
        try store.pool.write { db in
            guard var session = try SessionRecord.fetchOne(db, key: sessionID) else { throw Refusal.notFound(.sessionNotFound) }
            guard session.status == .planned else { throw Refusal.conflict(.sessionCancelled) }
            let enrolled = Set(try String.fetchAll(db, sql: "SELECT participant_id FROM enrolment WHERE programme_id = ? AND status = 'enrolled'",
                                                   arguments: [session.programmeId]))
            var problems: [String: Reason] = [:]
            for (index, record) in records.enumerated() where !enrolled.contains(record.participantID) {
                problems["records[\(index)].participantId"] = Reason(.participantNotEnrolled)
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
            try Reminders.reconcileProgrammeEnd(db, programmeID: session.programmeId, policy: store.reminderPolicy, at: now)
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
