import Foundation
import GRDB
import RelaisDomain

/// One message (or action) of the outbox. Written in the same transaction as the fact that
/// causes it; its `key` makes a second write of the same fact a no-op.
public struct OutboxRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "outbox"
    public var id: String
    public var key: String
    public var kind: MessageKind
    public var participantId: String?
    public var userId: String?
    public var programmeId: String?
    public var sessionId: String?
    public var invitationId: String?
    public var payload: [String: String]
    public var dueAt: Date
    public var nextAttemptAt: Date
    public var state: OutboxState
    public var attempts: Int
    public var lastError: String?
    /// Why the last attempt failed, as a code staff read in their language.
    public var failure: DeliveryFailure?
    /// The address it was delivered to, or, for a failed attempt, the one that was tried.
    public var recipient: String?
    public var messageId: String?
    public var sentAt: Date?
    public var closedReason: String?
    public var createdAt: Date
    public var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, key, kind, payload, state, attempts, recipient, failure
        case participantId = "participant_id", userId = "user_id", programmeId = "programme_id", sessionId = "session_id"
        case invitationId = "invitation_id", dueAt = "due_at", nextAttemptAt = "next_attempt_at", lastError = "last_error"
        case messageId = "message_id", sentAt = "sent_at", closedReason = "closed_reason"
        case createdAt = "created_at", updatedAt = "updated_at"
    }
}

/// What to write: the subject of the message and when it is due.
public struct OutboxEntry: Sendable {
    public var key: String
    public var kind: MessageKind
    public var dueAt: Date
    public var participantID: String?
    public var userID: String?
    public var programmeID: String?
    public var sessionID: String?
    public var invitationID: String?
    public var payload: [String: String] = [:]
    /// The moment the message is about (the end of a programme, a follow-up's due date), when it
    /// differs from when it is due: a moment long past when the message is written makes it stale.
    public var moment: Date?

    public init(key: String, kind: MessageKind, dueAt: Date, participantID: String? = nil, userID: String? = nil,
                programmeID: String? = nil, sessionID: String? = nil, invitationID: String? = nil, payload: [String: String] = [:]) {
        self.key = key
        self.kind = kind
        self.dueAt = dueAt
        self.participantID = participantID
        self.userID = userID
        self.programmeID = programmeID
        self.sessionID = sessionID
        self.invitationID = invitationID
        self.payload = payload
    }
}

public struct Outbox: Sendable {
    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    // MARK: Writing, inside the caller's transaction

    /// Adds the entry unless a message with the same key exists (whatever its state): a fact
    /// recorded twice never sends twice. Returns whether it was added. A message to a participant
    /// whose moment passed more than `policy.staleAfterDays` ago is written as skipped, "recorded
    /// late", and never sent; a questionnaire so written becomes a phone task for the staff.
    @discardableResult
    static func enqueue(_ db: Database, _ entry: OutboxEntry, policy: ReminderPolicy, at now: Date) throws -> Bool {
        let stale = entry.kind.isParticipantMail && policy.isStale(moment: entry.moment ?? entry.dueAt, writtenAt: now)
        let id = UUID().uuidString.lowercased()
        try db.execute(sql: """
            INSERT INTO outbox(id, key, kind, participant_id, user_id, programme_id, session_id, invitation_id, payload,
                               due_at, next_attempt_at, state, attempts, closed_reason, created_at, updated_at)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?, 0, ?, ?, ?) ON CONFLICT(key) DO NOTHING
            """, arguments: [id, entry.key, entry.kind.rawValue, entry.participantID, entry.userID,
                             entry.programmeID, entry.sessionID, entry.invitationID, String(decoding: try JSONEncoder().encode(entry.payload), as: UTF8.self),
                             entry.dueAt, entry.dueAt, stale ? OutboxState.skipped.rawValue : OutboxState.pending.rawValue,
                             stale ? ClosingReason.recordedLate.text : nil, now, now])
        let added = db.changesCount > 0
        // A follow-up is collected only from those who consented to follow-up contact, by phone as by mail.
        let mayCollect = try entry.kind == .endQuestionnaire
            || (entry.kind == .followUpInvitation
                && Bool.fetchOne(db, sql: "SELECT consent_follow_up_at IS NOT NULL FROM participant WHERE id = ?", arguments: [entry.participantID]) == true)
        if added, stale, mayCollect, let participantID = entry.participantID, let record = try OutboxRecord.fetchOne(db, key: id) {
            let reason = entry.kind == .endQuestionnaire
                ? "Enregistré après coup : recueillir le questionnaire de fin de programme par téléphone ou par courrier."
                : "Enregistré après coup : recueillir le questionnaire de suivi par téléphone ou par courrier."
            try Tasks.open(db, for: record, participantID: participantID, kind: entry.kind == .endQuestionnaire ? .questionnaireCall : .followUpCall,
                           reason: reason, at: now, structureZone: .gmt) // these messages always name their programme, whose zone is used
        }
        return added
    }

    /// Cancels pending messages matching a condition (SQL over the outbox columns).
    @discardableResult
    static func cancelPending(_ db: Database, where condition: String, _ arguments: StatementArguments, reason: String, at now: Date) throws -> Int {
        try db.execute(sql: """
            UPDATE outbox SET state = 'cancelled', closed_reason = ?, updated_at = ? WHERE state = 'pending' AND \(condition)
            """, arguments: [reason, now] + arguments)
        return db.changesCount
    }

    static func close(_ db: Database, id: String, _ state: OutboxState, reason: String, at now: Date) throws {
        try db.cachedStatement(sql: "UPDATE outbox SET state = ?, closed_reason = ?, updated_at = ? WHERE id = ?")
            .execute(arguments: [state.rawValue, reason, StoredTime.text(now), id])
    }

    // MARK: The sender's side

    /// Ids of the pending messages due at `now`, oldest first. Reads only the partial index
    /// `outbox_due` (the ids are in it): the cost follows the number of due messages, not the
    /// size of the outbox. Each message is read again, in its own transaction, when prepared.
    public func due(at now: Date, limit: Int = 500, kinds: [MessageKind]? = nil) throws -> [String] {
        try store.pool.read { db in
            if let kinds {
                return try String.fetchAll(db, sql: """
                    SELECT id FROM outbox INDEXED BY outbox_due WHERE state = 'pending' AND next_attempt_at <= ?
                    AND kind IN (SELECT value FROM json_each(?)) ORDER BY next_attempt_at LIMIT ?
                    """, arguments: [now, "[" + kinds.map { "\"\($0.rawValue)\"" }.joined(separator: ",") + "]", limit])
            }
            return try String.fetchAll(db, sql: """
                SELECT id FROM outbox INDEXED BY outbox_due WHERE state = 'pending' AND next_attempt_at <= ?
                ORDER BY next_attempt_at LIMIT ?
                """, arguments: [now, limit])
        }
    }

    /// Marks a message delivered. Done right after the transport accepted it and before the
    /// next one is taken, so a restart does not send it again.
    public func markSent(id: String, recipient: String, messageID: String?, at now: Date) throws {
        let stamp = StoredTime.text(now)
        try store.pool.write { db in
            try db.cachedStatement(sql: """
                UPDATE outbox SET state = 'sent', recipient = ?, message_id = ?, sent_at = ?, attempts = attempts + 1,
                  last_error = NULL, failure = NULL, updated_at = ? WHERE id = ? AND state = 'pending'
                """).execute(arguments: [recipient, messageID, stamp, stamp, id])
        }
    }

    /// Records a failed attempt (its detail, its code and the address tried): retried later with
    /// exponential back-off, or marked failed after the last attempt (or at once when the refusal
    /// is permanent). A questionnaire that can no longer be mailed becomes a phone task in the same
    /// transaction.
    @discardableResult
    public func markAttemptFailed(id: String, error: String, failure: DeliveryFailure? = nil, recipient: String? = nil, permanent: Bool,
                                  policy: ReminderPolicy, at now: Date, timeZone: TimeZone) throws -> OutboxState {
        try store.pool.write { db in
            guard let record = try OutboxRecord.fetchOne(db, key: id), record.state == .pending else { return .failed }
            let attempts = record.attempts + 1
            let givesUp = permanent || attempts >= policy.maxAttempts
            let next = now.addingTimeInterval(policy.retryDelay(afterAttempt: attempts))
            try db.execute(sql: """
                UPDATE outbox SET attempts = ?, last_error = ?, failure = ?, recipient = COALESCE(?, recipient), state = ?, next_attempt_at = ?,
                  updated_at = ? WHERE id = ?
                """, arguments: [attempts, String(error.prefix(1000)), failure?.rawValue, recipient, givesUp ? "failed" : "pending",
                                 givesUp ? record.nextAttemptAt : next, now, id])
            if givesUp, record.kind.needsPhoneWithoutEmail, let participantID = record.participantId {
                try Tasks.open(db, for: record, participantID: participantID, kind: .deliveryFailed,
                               reason: "Échec d'envoi du message (\(record.kind.rawValue)) : \(error.prefix(200))", at: now,
                               structureZone: timeZone)
            }
            return givesUp ? .failed : .pending
        }
    }

    // MARK: Staff and scripts

    public func list(state: OutboxState?, kind: MessageKind?, participantID: String?, limit: Int = 200) throws -> [OutboxRecord] {
        try store.pool.read { db in
            var request = OutboxRecord.all()
            if let state { request = request.filter(Column("state") == state.rawValue) }
            if let kind { request = request.filter(Column("kind") == kind.rawValue) }
            if let participantID { request = request.filter(Column("participant_id") == participantID) }
            return try request.order(Column("due_at").desc, Column("id")).limit(limit).fetchAll(db)
        }
    }

    public func message(id: String) throws -> OutboxRecord? {
        try store.pool.read { try OutboxRecord.fetchOne($0, key: id) }
    }

    /// Puts a failed message back in the queue for a new series of attempts, now.
    public func retry(id: String, by actor: Actor) throws -> OutboxRecord {
        let now = clock.now()
        return try store.pool.write { db in
            guard var record = try OutboxRecord.fetchOne(db, key: id) else { throw Refusal.notFound(.messageNotFound) }
            guard record.state == .failed else {
                throw Refusal.conflict(.retryOnlyFailed, ["state": record.state.rawValue])
            }
            record.state = .pending
            record.attempts = 0
            record.nextAttemptAt = now
            record.updatedAt = now
            try record.update(db)
            try Audit.record(db, actor, "retry", entity: "outbox", id: id, detail: record.kind.rawValue, at: now)
            return record
        }
    }

    /// Counts per state, for health and the dashboard.
    public func counts() throws -> [OutboxState: Int] {
        try store.pool.read { db in
            var result: [OutboxState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM outbox GROUP BY state") {
                if let state = OutboxState(rawValue: row["state"]) { result[state] = row["n"] }
            }
            return result
        }
    }
}
