import Foundation
import GRDB
import RelaisDomain

/// A phone call for a human to make.
public struct TaskRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "task"
    public var id: String
    public var key: String?
    public var kind: TaskKind
    public var participantId: String
    public var programmeId: String?
    public var invitationId: String?
    public var outboxId: String?
    public var reason: String
    public var state: TaskState
    public var assignedTo: String?
    public var dueOn: String
    public var note: String
    public var createdAt: Date
    public var closedAt: Date?
    public var closedBy: String?

    enum CodingKeys: String, CodingKey {
        case id, key, kind, reason, state, note
        case participantId = "participant_id", programmeId = "programme_id", invitationId = "invitation_id", outboxId = "outbox_id"
        case assignedTo = "assigned_to", dueOn = "due_on", createdAt = "created_at", closedAt = "closed_at", closedBy = "closed_by"
    }
}

public struct Tasks: Sendable {
    public let store: Store
    public var clock: Clock
    public var timeZone: TimeZone

    /// `timeZone`: the structure's, for the due dates of tasks that belong to no programme.
    public init(store: Store, clock: Clock = .system, timeZone: TimeZone) {
        self.store = store
        self.clock = clock
        self.timeZone = timeZone
    }

    /// Opens the phone task that replaces a message. One task per questionnaire invitation (and
    /// per session change), whatever the number of reminders that would have led to it.
    @discardableResult
    /// Its due date is today in the programme's zone, or the structure's (`structureZone`) for a
    /// message of no programme.
    static func open(_ db: Database, for message: OutboxRecord, participantID: String, kind: TaskKind, reason: String, at now: Date,
                     structureZone: TimeZone) throws -> Bool {
        let key = message.invitationId.map { "questionnaire:\($0)" } ?? "message:\(message.key)"
        let zone = try message.programmeId.flatMap { try ProgrammeRecord.fetchOne(db, key: $0)?.zone } ?? structureZone
        try db.execute(sql: """
            INSERT INTO task(id, key, kind, participant_id, programme_id, invitation_id, outbox_id, reason, state, due_on, created_at)
            VALUES (?,?,?,?,?,?,?,?, 'open', ?, ?) ON CONFLICT(key) DO NOTHING
            """, arguments: [UUID().uuidString.lowercased(), key, kind.rawValue, participantID, message.programmeId, message.invitationId,
                             message.id, reason, LocalDateTime(now, in: zone).date.iso, now])
        return db.changesCount > 0
    }

    /// Closes the open tasks of an invitation that was just answered.
    static func closeAnswered(_ db: Database, invitationID: String, userID: String?, at now: Date) throws {
        try db.execute(sql: """
            UPDATE task SET state = 'done', closed_at = ?, closed_by = ?,
              note = CASE WHEN note = '' THEN 'Questionnaire reçu.' ELSE note || char(10) || 'Questionnaire reçu.' END
            WHERE invitation_id = ? AND state = 'open'
            """, arguments: [now, userID, invitationID])
    }

    public func list(state: TaskState?, assignedTo: String?, participantID: String?, limit: Int = 500) throws -> [TaskRecord] {
        try store.pool.read { db in
            var request = TaskRecord.all()
            if let state { request = request.filter(Column("state") == state.rawValue) }
            if let assignedTo { request = request.filter(Column("assigned_to") == assignedTo) }
            if let participantID { request = request.filter(Column("participant_id") == participantID) }
            return try request.order(Column("due_on"), Column("created_at")).limit(limit).fetchAll(db)
        }
    }

    public func task(id: String) throws -> TaskRecord {
        guard let task = try store.pool.read({ try TaskRecord.fetchOne($0, key: id) }) else { throw Refusal.notFound(.taskNotFound) }
        return task
    }

    /// A task created by staff ("call back Mrs B. about her patches").
    public func create(participantID: String, reason: String, dueOn: CalendarDate?, assignedTo: String?, by actor: Actor) throws -> TaskRecord {
        let reason = reason.trimmingCharacters(in: .whitespacesAndNewlines)
        try TextRules.validate { TextRules.checkMultiLine(reason, field: "reason", maxLength: 2000, required: true, into: &$0) }
        let now = clock.now()
        return try store.pool.write { db in
            guard try ParticipantRecord.exists(db, key: participantID) else { throw ValidationError(field: "participantId", .participantUnknown) }
            if let assignedTo { try Self.checkAssignee(db, assignedTo) }
            let task = TaskRecord(id: UUID().uuidString.lowercased(), key: nil, kind: .other, participantId: participantID, programmeId: nil,
                                  invitationId: nil, outboxId: nil, reason: reason, state: .open, assignedTo: assignedTo,
                                  dueOn: (dueOn ?? LocalDateTime(now, in: timeZone).date).iso, note: "", createdAt: now)
            try task.insert(db)
            try Audit.record(db, actor, "create", entity: "task", id: task.id, detail: "participant=\(participantID)", at: now)
            return task
        }
    }

    /// Assigns, annotates or closes a task. Closing as unreachable records the participant as
    /// lost to follow-up for that questionnaire (it stays unanswered in the evaluation).
    public func update(id: String, state: TaskState?, assignedTo: String??, note: String?, by actor: Actor) throws -> TaskRecord {
        let now = clock.now()
        return try store.pool.write { db in
            guard var task = try TaskRecord.fetchOne(db, key: id) else { throw Refusal.notFound(.taskNotFound) }
            if let assignedTo {
                if let user = assignedTo { try Self.checkAssignee(db, user) }
                task.assignedTo = assignedTo
            }
            if let note {
                try TextRules.validate { TextRules.checkMultiLine(note, field: "note", maxLength: 5000, into: &$0) }
                task.note = note
            }
            if let state, state != task.state {
                guard task.state == .open || state == .open else {
                    throw Refusal.conflict(.taskClosed, ["state": task.state.rawValue])
                }
                task.state = state
                task.closedAt = state == .open ? nil : now
                task.closedBy = state == .open ? nil : actor.userID
                if state == .unreachable, let invitationID = task.invitationId {
                    // Nobody to remind any more.
                    try Outbox.cancelPending(db, where: "invitation_id = ?", [invitationID], reason: "participant unreachable", at: now)
                }
            }
            try task.update(db)
            try Audit.record(db, actor, "update", entity: "task", id: id, detail: task.state.rawValue, at: now)
            return task
        }
    }

    static func checkAssignee(_ db: Database, _ userID: String) throws {
        guard let user = try User.fetchOne(db, key: userID), !user.isDisabled, user.role == .coordinator || user.role == .tabacologue else {
            throw ValidationError(field: "assignedTo", .assigneeInvalid)
        }
    }
}
