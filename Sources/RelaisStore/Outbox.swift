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
    /// How it goes: decided when written from the participant's details (and again when they
    /// change), then when sent; nil for a message no channel can carry (it will be skipped).
    public var channel: MessageChannel?
    /// For an SMS, what the gateway's delivery report said: accepted by the operator, then
    /// delivered to the phone or failed; when, and the operator's words.
    public var delivery: SMSDelivery?
    public var deliveryAt: Date?
    public var deliveryDetail: String?

    enum CodingKeys: String, CodingKey {
        case id, key, kind, payload, state, attempts, recipient, failure, channel, delivery
        case deliveryAt = "delivery_at", deliveryDetail = "delivery_detail"
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
        let channel = try predictedChannel(db, kind: entry.kind, participantID: entry.participantID, policy: policy)
        try db.execute(sql: """
            INSERT INTO outbox(id, key, kind, participant_id, user_id, programme_id, session_id, invitation_id, payload,
                               due_at, next_attempt_at, state, attempts, closed_reason, created_at, updated_at, channel)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?, 0, ?, ?, ?, ?) ON CONFLICT(key) DO NOTHING
            """, arguments: [id, entry.key, entry.kind.rawValue, entry.participantID, entry.userID,
                             entry.programmeID, entry.sessionID, entry.invitationID, String(decoding: try JSONEncoder().encode(entry.payload), as: UTF8.self),
                             entry.dueAt, entry.dueAt, stale ? OutboxState.skipped.rawValue : OutboxState.pending.rawValue,
                             stale ? ClosingReason.recordedLate.text : nil, now, now, channel?.rawValue])
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

    /// The ways a participant can be written to today (`ContactMeans`); nil for an unknown one.
    static func contactMeans(_ db: Database, participantID: String, policy: ReminderPolicy) throws -> ContactMeans? {
        guard let row = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT email IS NOT NULL AND consent_email_at IS NOT NULL AS email, mobile IS NOT NULL AND consent_sms_at IS NOT NULL AS sms,
                   preferred_channel FROM participant WHERE id = ?
            """), arguments: [participantID]) else { return nil }
        return ContactMeans(email: row["email"], sms: policy.smsEnabled && row["sms"] as Bool,
                            prefersSMS: row["preferred_channel"] as String == ContactChannel.sms.rawValue)
    }

    /// The channel a message will take, from what is known now: email for staff, the rules of
    /// `ChannelRules` for a participant; nil when none will carry it.
    static func predictedChannel(_ db: Database, kind: MessageKind, participantID: String?, policy: ReminderPolicy) throws -> MessageChannel? {
        guard let participantID else { return ChannelRules.channels(for: kind).first ?? .email }
        if kind == .followUpCall { return .phone }
        guard let means = try contactMeans(db, participantID: participantID, policy: policy) else { return nil }
        return ChannelRules.channel(for: kind, means)
    }

    /// After a change of a participant's contact details or consents: the channel of each of
    /// their pending messages, as it now stands.
    static func refreshChannels(_ db: Database, participantID: String, policy: ReminderPolicy) throws {
        let pending = try Row.fetchAll(db, sql: "SELECT id, kind FROM outbox WHERE participant_id = ? AND state = 'pending'", arguments: [participantID])
        for row in pending {
            guard let kind = MessageKind(rawValue: row["kind"]) else { continue }
            let channel = try predictedChannel(db, kind: kind, participantID: participantID, policy: policy)
            try db.execute(sql: "UPDATE outbox SET channel = ? WHERE id = ?", arguments: [channel?.rawValue, row["id"] as String])
        }
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
    public func markSent(id: String, recipient: String, messageID: String?, channel: MessageChannel = .email, at now: Date,
                         timeZone: TimeZone = .gmt) throws {
        let stamp = StoredTime.text(now)
        try store.pool.write { db in
            // A delivery report may come back before this (Kannel answers within milliseconds):
            // a report of failure already recorded fails the message at once.
            try db.cachedStatement(sql: """
                UPDATE outbox SET state = CASE WHEN delivery = 'failed' THEN 'failed' ELSE 'sent' END,
                  failure = CASE WHEN delivery = 'failed' THEN 'not_delivered' ELSE NULL END,
                  last_error = CASE WHEN delivery = 'failed' THEN 'delivery report: ' || COALESCE(delivery_detail, 'not delivered') ELSE NULL END,
                  recipient = ?, message_id = ?, sent_at = ?, attempts = attempts + 1, channel = ?, updated_at = ?
                WHERE id = ? AND state = 'pending'
                """).execute(arguments: [recipient, messageID, stamp, channel.rawValue, stamp, id])
            if db.changesCount > 0, channel == .sms, let record = try OutboxRecord.fetchOne(db, key: id), record.state == .failed {
                try Self.openFailureTask(db, record, channel: .sms, detail: "non distribué (\(record.deliveryDetail ?? "rapport de l'opérateur"))",
                                         at: now, timeZone: timeZone)
            }
        }
    }

    /// Before an SMS is handed to the gateway: the reference its delivery reports will name
    /// (new for each attempt, so that a late report of an earlier one is not taken for this one),
    /// and no delivery yet.
    public func beginAttempt(id: String, reference: String) throws {
        try store.pool.write { db in
            try db.execute(sql: """
                UPDATE outbox SET message_id = ?, delivery = NULL, delivery_at = NULL, delivery_detail = NULL WHERE id = ? AND state = 'pending'
                """, arguments: [reference, id])
        }
    }

    /// Records a failed attempt (its detail, its code and the address tried): retried later with
    /// exponential back-off, or marked failed after the last attempt (or at once when the refusal
    /// is permanent). A questionnaire that can no longer be mailed becomes a phone task in the same
    /// transaction.
    @discardableResult
    public func markAttemptFailed(id: String, error: String, failure: DeliveryFailure? = nil, recipient: String? = nil, permanent: Bool,
                                  channel: MessageChannel = .email, policy: ReminderPolicy, at now: Date, timeZone: TimeZone) throws -> OutboxState {
        try store.pool.write { db in
            guard let record = try OutboxRecord.fetchOne(db, key: id), record.state == .pending else { return .failed }
            let attempts = record.attempts + 1
            let givesUp = permanent || attempts >= policy.maxAttempts
            let next = now.addingTimeInterval(policy.retryDelay(afterAttempt: attempts))
            try db.execute(sql: """
                UPDATE outbox SET attempts = ?, last_error = ?, failure = ?, recipient = COALESCE(?, recipient), state = ?, next_attempt_at = ?,
                  channel = ?, updated_at = ? WHERE id = ?
                """, arguments: [attempts, String(error.prefix(1000)), failure?.rawValue, recipient, givesUp ? "failed" : "pending",
                                 givesUp ? record.nextAttemptAt : next, channel.rawValue, now, id])
            if givesUp {
                try Self.openFailureTask(db, record, channel: channel, detail: error, at: now, timeZone: timeZone)
            }
            return givesUp ? .failed : .pending
        }
    }

    /// The phone task of a message that could not be delivered for good: for what the participant
    /// must not miss, and by SMS for every message (someone reached only on their mobile is
    /// otherwise told nothing; the call also checks the number).
    static func openFailureTask(_ db: Database, _ record: OutboxRecord, channel: MessageChannel, detail: String, at now: Date,
                                timeZone: TimeZone) throws {
        guard let participantID = record.participantId, record.kind.isParticipantMail,
              record.kind.needsPhoneWithoutEmail || channel == .sms else { return }
        let what = channel == .sms ? "Échec d'envoi du SMS" : "Échec d'envoi du message"
        try Tasks.open(db, for: record, participantID: participantID, kind: .deliveryFailed,
                       reason: "\(what) (\(record.kind.rawValue)) : \(detail.prefix(200))", at: now, structureZone: timeZone)
    }

    /// A delivery report of the SMS gateway for the attempt `reference` names (`beginAttempt`):
    /// the report of an earlier attempt names another and is ignored. Idempotent: the same report
    /// twice changes nothing, and a final state (delivered, failed) is never replaced by a later
    /// intermediate one. A report of failure marks the message failed (`not_delivered`) and opens
    /// its phone task, like a failure to send. Returns the message's delivery now, or nil when no
    /// SMS has this reference.
    @discardableResult
    public func recordDelivery(reference: String, report: SMSDelivery, detail: String?, at now: Date, timeZone: TimeZone) throws -> SMSDelivery? {
        try store.pool.write { db in
            guard let record = try OutboxRecord.fetchOne(db, sql: "SELECT * FROM outbox WHERE message_id = ?", arguments: [reference]),
                  record.channel == .sms || record.state == .pending else { return nil }
            guard [.pending, .sent, .failed].contains(record.state) else { return record.delivery }
            if let current = record.delivery, current.isFinal || current == report { return current }
            let words = detail.flatMap { $0.isEmpty ? nil : String($0.prefix(500)) }
            try db.execute(sql: "UPDATE outbox SET delivery = ?, delivery_at = ?, delivery_detail = ?, updated_at = ? WHERE id = ?",
                           arguments: [report.rawValue, now, words, now, record.id])
            // Still pending: the sender marks it sent in a moment, and reads this report then.
            if report == .failed && record.state == .sent {
                try db.execute(sql: "UPDATE outbox SET state = 'failed', failure = ?, last_error = ? WHERE id = ?",
                               arguments: [DeliveryFailure.notDelivered.rawValue, "delivery report: \(words ?? "not delivered")", record.id])
                try Self.openFailureTask(db, record, channel: .sms, detail: "non distribué (\(words ?? "rapport de l'opérateur"))", at: now,
                                         timeZone: timeZone)
            }
            return report
        }
    }

    // MARK: Staff and scripts

    public func list(state: OutboxState?, kind: MessageKind?, participantID: String?, channel: MessageChannel? = nil,
                     limit: Int = 200) throws -> [OutboxRecord] {
        try store.pool.read { db in
            var request = OutboxRecord.all()
            if let state { request = request.filter(Column("state") == state.rawValue) }
            if let kind { request = request.filter(Column("kind") == kind.rawValue) }
            if let channel { request = request.filter(Column("channel") == channel.rawValue) }
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

    /// SMS by what staff need to know of them: `pending` (to send), `sent` (handed to the
    /// gateway, no report yet), `accepted` (by the operator), `delivered`, `failed`, and the
    /// `cancelled` and `skipped` ones.
    public func smsCounts() throws -> [String: Int] {
        try store.pool.read { db in
            var result: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT CASE WHEN state = 'sent' AND delivery IS NOT NULL THEN delivery ELSE state END AS status, COUNT(*) AS n
                FROM outbox WHERE channel = 'sms' GROUP BY status
                """) {
                result[row["status"]] = row["n"]
            }
            return result
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
