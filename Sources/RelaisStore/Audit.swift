import Foundation
import GRDB

/// Who did something: a staff member, or the system itself (sweeps, CLI).
public struct Actor: Sendable, Equatable {
    public var userID: String?
    public var name: String
    public var clientAddress: String?

    public init(userID: String?, name: String, clientAddress: String? = nil) {
        self.userID = userID
        self.name = name
        self.clientAddress = clientAddress
    }

    public static let system = Actor(userID: nil, name: "system")
    public static func cli(_ command: String) -> Actor { Actor(userID: nil, name: "cli:\(command)") }
}

/// One row of the audit log: who read or changed what, and when.
public struct AuditEntry: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "audit_log"
    public var id: Int64?
    public var at: Date
    public var actorId: String?
    public var actorName: String
    public var action: String
    public var entity: String
    public var entityId: String?
    public var detail: String?
    public var clientAddress: String?
    /// The participants a list read showed, as a JSON array of ids (nil for other rows): one row
    /// per list read, not one per participant, and still found by `Audit.aboutParticipant`.
    public var participantIds: String?

    enum CodingKeys: String, CodingKey {
        case id, at, action, entity, detail
        case actorId = "actor_id", actorName = "actor_name", entityId = "entity_id", clientAddress = "client_address"
        case participantIds = "participant_ids"
    }

    /// The participants a list read showed, in the order shown.
    public var participants: [String] {
        guard let participantIds else { return [] }
        return (try? JSONDecoder().decode([String].self, from: Data(participantIds.utf8))) ?? []
    }
}

public enum Audit {
    /// Appends an audit row inside the caller's transaction, so the record and the fact it
    /// describes are written together or not at all. Every handler that reads or changes a
    /// participant's record calls this.
    public static func record(_ db: Database, _ actor: Actor, _ action: String, entity: String, id: String? = nil,
                              detail: String? = nil, participants: [String]? = nil, at: Date = Date()) throws {
        let entry = AuditEntry(id: nil, at: at, actorId: actor.userID, actorName: actor.name, action: action,
                               entity: entity, entityId: id, detail: detail, clientAddress: actor.clientAddress,
                               participantIds: participants.map(participantList))
        try entry.insert(db)
    }

    /// `["id1","id2"]`. Relais's ids (UUIDs) need no escaping, so each appears quoted exactly as
    /// given and `aboutParticipant` finds it with `instr`; anything else goes through the encoder.
    /// Written byte by byte: interpolating and joining 200 ids cost more than the row's insert.
    static func participantList(_ ids: [String]) -> String {
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        var bytes: [UInt8] = []
        bytes.reserveCapacity(ids.reduce(2) { $0 + $1.utf8.count + 3 })
        bytes.append(UInt8(ascii: "["))
        for var id in ids {
            if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(quote)
            let plain = id.withUTF8 { utf8 in
                guard !utf8.contains(where: { $0 < 0x20 || $0 == quote || $0 == backslash }) else { return false }
                bytes.append(contentsOf: utf8)
                return true
            }
            guard plain else { return String(decoding: (try? JSONEncoder().encode(ids)) ?? Data("[]".utf8), as: UTF8.self) }
            bytes.append(quote)
        }
        bytes.append(UInt8(ascii: "]"))
        return String(decoding: bytes, as: UTF8.self)
    }

    /// "Who saw participant X, and what was done to their record": the rows naming them as their
    /// entity, and the list reads (participants list, dashboard, rosters, tasks) that showed them.
    public static func aboutParticipant(_ id: String) -> SQL {
        // Two queries, each from its index (`audit_log_entity`, and the partial `audit_log_listing`
        // over list rows only): written as one condition with OR, SQLite read the whole log.
        SQL("""
            id IN (SELECT id FROM audit_log WHERE entity = 'participant' AND entity_id = \(id)
                   UNION ALL SELECT id FROM audit_log WHERE participant_ids IS NOT NULL AND instr(participant_ids, \("\"\(id)\"")) > 0)
            """)
    }

    /// Deletes audit rows older than `cutoff` (the configured retention), the only deletion the schema allows.
    @discardableResult
    public static func purge(_ db: Database, before cutoff: Date) throws -> Int {
        try db.execute(sql: "INSERT OR REPLACE INTO setting(key, value) VALUES ('audit_purge_before', ?)", arguments: [cutoff])
        try db.execute(sql: "DELETE FROM audit_log WHERE at < ?", arguments: [cutoff])
        let count = db.changesCount
        try db.execute(sql: "DELETE FROM setting WHERE key = 'audit_purge_before'")
        return count
    }
}

extension Store {
    /// An event that changes no record but must be traced (a test email sent from the settings).
    public func recordEvent(_ actor: Actor, _ action: String, entity: String, detail: String?, at now: Date) throws {
        try pool.write { db in try Audit.record(db, actor, action, entity: entity, detail: detail, at: now) }
    }

    /// The read of a list that names participants: one audit row naming them all, written after
    /// the read (which took no write lock) and before anything is shown.
    public func recordRead(_ actor: Actor, _ action: String, participants: [String], detail: String? = nil, at now: Date) throws {
        guard !participants.isEmpty else { return }
        try pool.write { db in
            try Audit.record(db, actor, action, entity: "participant", detail: detail, participants: participants, at: now)
        }
    }

    /// The newest audit rows, of one entity or of one record; for a participant's id, every row
    /// about them, list reads that showed them included.
    public func auditEntries(entity: String? = nil, id: String? = nil, limit: Int = 200) throws -> [AuditEntry] {
        try pool.read { db in
            var request = AuditEntry.order(Column("id").desc).limit(limit)
            if entity == "participant", let id { return try request.filter(Audit.aboutParticipant(id)).fetchAll(db) }
            if let entity { request = request.filter(Column("entity") == entity) }
            if let id { request = request.filter(Column("entity_id") == id) }
            return try request.fetchAll(db)
        }
    }
}

extension Store {
    /// Deletes the audit rows past the retention (at start), the only deletion the schema allows.
    public func purgeAudit(before cutoff: Date) throws -> Int {
        try pool.write { db in try Audit.purge(db, before: cutoff) }
    }

    /// Whether the database holds programmes or participants (the demo needs an empty one).
    public func holdsRecords() throws -> Bool {
        try pool.read { db in (try Int.fetchOne(db, sql: "SELECT (SELECT COUNT(*) FROM programme) + (SELECT COUNT(*) FROM participant)") ?? 0) > 0 }
    }
}
