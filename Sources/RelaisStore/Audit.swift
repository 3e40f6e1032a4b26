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

    enum CodingKeys: String, CodingKey {
        case id, at, action, entity, detail
        case actorId = "actor_id", actorName = "actor_name", entityId = "entity_id", clientAddress = "client_address"
    }
}

public enum Audit {
    /// Appends an audit row inside the caller's transaction, so the record and the fact it
    /// describes are written together or not at all. Every handler that reads or changes a
    /// participant's record calls this.
    public static func record(_ db: Database, _ actor: Actor, _ action: String, entity: String, id: String? = nil,
                              detail: String? = nil, at: Date = Date()) throws {
        let entry = AuditEntry(id: nil, at: at, actorId: actor.userID, actorName: actor.name, action: action,
                               entity: entity, entityId: id, detail: detail, clientAddress: actor.clientAddress)
        try entry.insert(db)
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

    /// The read of a list that names participants: one audit row each, in one transaction.
    public func recordRead(_ actor: Actor, _ action: String, participants: [String], at now: Date) throws {
        guard !participants.isEmpty else { return }
        try pool.write { db in
            for id in participants { try Audit.record(db, actor, action, entity: "participant", id: id, at: now) }
        }
    }

    public func auditEntries(entity: String? = nil, id: String? = nil, limit: Int = 200) throws -> [AuditEntry] {
        try pool.read { db in
            var request = AuditEntry.order(Column("id").desc).limit(limit)
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
