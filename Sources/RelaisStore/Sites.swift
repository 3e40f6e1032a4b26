import Foundation
import GRDB
import RelaisDomain

public struct SiteRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "site"
    public var id: String
    public var name: String
    public var address: String
    public var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id, name, address
        case createdAt = "created_at"
    }
}

public struct RoomRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "room"
    public var id: String
    public var siteId: String
    public var name: String
    public var capacity: Int?

    enum CodingKeys: String, CodingKey {
        case id, name, capacity
        case siteId = "site_id"
    }
}

/// The structure's sites and their rooms.
public struct Sites: Sendable {
    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    public func create(name: String, address: String, by actor: Actor) throws -> SiteRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        try TextRules.validate {
            TextRules.checkOneLine(name, field: "name", maxLength: 200, required: true, into: &$0)
            TextRules.checkMultiLine(address, field: "address", maxLength: 500, into: &$0)
        }
        let site = SiteRecord(id: UUID().uuidString.lowercased(), name: name, address: address.trimmingCharacters(in: .whitespaces),
                              createdAt: clock.now())
        try store.pool.write { db in
            if try SiteRecord.filter(Column("name") == name).fetchOne(db) != nil {
                throw Refusal.conflict(.siteExists, ["name": name])
            }
            try site.insert(db)
            try Audit.record(db, actor, "create", entity: "site", id: site.id, at: clock.now())
        }
        return site
    }

    public func addRoom(siteID: String, name: String, capacity: Int?, by actor: Actor) throws -> RoomRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        try TextRules.validate {
            TextRules.checkOneLine(name, field: "name", maxLength: 200, required: true, into: &$0)
            if let capacity, !(1...500).contains(capacity) { $0["capacity"] = Reason(.numberRange, ["min": "1", "max": "500"]) }
        }
        let room = RoomRecord(id: UUID().uuidString.lowercased(), siteId: siteID, name: name, capacity: capacity)
        try store.pool.write { db in
            guard try SiteRecord.exists(db, key: siteID) else { throw Refusal.notFound(.siteNotFound) }
            if try RoomRecord.filter(Column("site_id") == siteID && Column("name") == name).fetchOne(db) != nil {
                throw Refusal.conflict(.roomExists, ["name": name])
            }
            try room.insert(db)
            try Audit.record(db, actor, "create", entity: "room", id: room.id, at: clock.now())
        }
        return room
    }

    /// Renames a site and changes its address.
    @discardableResult
    public func update(siteID: String, name: String, address: String, by actor: Actor) throws -> SiteRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        let address = address.trimmingCharacters(in: .whitespaces)
        var fields: [String: Reason] = [:]
        TextRules.checkOneLine(name, field: "name", maxLength: 200, required: true, into: &fields)
        TextRules.checkMultiLine(address, field: "address", maxLength: 500, into: &fields)
        return try store.pool.write { db in
            // An unknown site is "not found" whatever the form says.
            guard var site = try SiteRecord.fetchOne(db, key: siteID) else { throw Refusal.notFound(.siteNotFound) }
            guard fields.isEmpty else { throw ValidationError(fields) }
            // The column compares without case, as the unique index does.
            if try SiteRecord.filter(Column("name") == name && Column("id") != siteID).fetchOne(db) != nil {
                throw Refusal.conflict(.siteExists, ["name": name])
            }
            guard site.name != name || site.address != address else { return site }
            let detail = site.name != name ? "name" + (site.address != address ? ",address" : "") : "address"
            site.name = name
            site.address = address
            try site.update(db)
            try Audit.record(db, actor, "update", entity: "site", id: siteID, detail: detail, at: clock.now())
            return site
        }
    }

    public func room(id: String) throws -> RoomRecord? {
        try store.pool.read { try RoomRecord.fetchOne($0, key: id) }
    }

    /// Renames a room and sets its capacity (nil: not stated).
    @discardableResult
    public func updateRoom(roomID: String, name: String, capacity: Int?, by actor: Actor) throws -> RoomRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        var fields: [String: Reason] = [:]
        TextRules.checkOneLine(name, field: "name", maxLength: 200, required: true, into: &fields)
        if let capacity, !(1...500).contains(capacity) { fields["capacity"] = Reason(.numberRange, ["min": "1", "max": "500"]) }
        return try store.pool.write { db in
            guard var room = try RoomRecord.fetchOne(db, key: roomID) else { throw Refusal.notFound(.roomNotFound) }
            guard fields.isEmpty else { throw ValidationError(fields) }
            if try RoomRecord.filter(Column("site_id") == room.siteId && Column("name") == name && Column("id") != roomID).fetchOne(db) != nil {
                throw Refusal.conflict(.roomExists, ["name": name])
            }
            guard room.name != name || room.capacity != capacity else { return room }
            let detail = room.name != name ? "name" + (room.capacity != capacity ? ",capacity" : "") : "capacity"
            room.name = name
            room.capacity = capacity
            try room.update(db)
            try Audit.record(db, actor, "update", entity: "room", id: roomID, detail: detail, at: clock.now())
            return room
        }
    }

    /// How many programmes and sessions use each room (rooms never used are absent).
    public func roomUsage() throws -> [String: Int] {
        try store.pool.read { db in
            var usage: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT room_id, COUNT(*) AS n FROM (SELECT room_id FROM programme WHERE room_id IS NOT NULL
                                                    UNION ALL SELECT room_id FROM session WHERE room_id IS NOT NULL)
                GROUP BY room_id
                """) {
                usage[row["room_id"]] = row["n"]
            }
            return usage
        }
    }

    /// Removes a room that no programme or session uses; a used room is refused (conflict).
    public func removeRoom(roomID: String, by actor: Actor) throws {
        try store.pool.write { db in
            guard let room = try RoomRecord.fetchOne(db, key: roomID) else { throw Refusal.notFound(.roomNotFound) }
            let uses = try Int.fetchOne(db, sql: """
                SELECT (SELECT COUNT(*) FROM programme WHERE room_id = ?) + (SELECT COUNT(*) FROM session WHERE room_id = ?)
                """, arguments: [roomID, roomID]) ?? 0
            guard uses == 0 else { throw Refusal.conflict(.roomInUse, ["name": room.name, "count": String(uses)]) }
            do {
                try room.delete(db)
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_FOREIGNKEY {
                // Another table refers to it.
                throw Refusal.conflict(.roomInUse, ["name": room.name, "count": "1"])
            }
            try Audit.record(db, actor, "delete", entity: "room", id: roomID, detail: "site=\(room.siteId),name=\(room.name)", at: clock.now())
        }
    }

    public func all() throws -> [(SiteRecord, [RoomRecord])] {
        try store.pool.read { db in
            let rooms = try RoomRecord.order(Column("name")).fetchAll(db)
            return try SiteRecord.order(Column("name")).fetchAll(db).map { site in (site, rooms.filter { $0.siteId == site.id }) }
        }
    }

    public func site(id: String) throws -> (SiteRecord, [RoomRecord]) {
        try store.pool.read { db in
            guard let site = try SiteRecord.fetchOne(db, key: id) else { throw Refusal.notFound(.siteNotFound) }
            return (site, try RoomRecord.filter(Column("site_id") == id).order(Column("name")).fetchAll(db))
        }
    }
}
