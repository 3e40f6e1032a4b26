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
        guard !name.isEmpty, name.count <= 200 else { throw ValidationError(field: "name", "required, at most 200 characters") }
        let site = SiteRecord(id: UUID().uuidString.lowercased(), name: name, address: address.trimmingCharacters(in: .whitespaces),
                              createdAt: clock.now())
        try store.pool.write { db in
            if try SiteRecord.filter(Column("name") == name).fetchOne(db) != nil {
                throw StoreError.conflict("a site named '\(name)' already exists")
            }
            try site.insert(db)
            try Audit.record(db, actor, "create", entity: "site", id: site.id, at: clock.now())
        }
        return site
    }

    public func addRoom(siteID: String, name: String, capacity: Int?, by actor: Actor) throws -> RoomRecord {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty, name.count <= 200 else { throw ValidationError(field: "name", "required, at most 200 characters") }
        if let capacity, !(1...500).contains(capacity) { throw ValidationError(field: "capacity", "must be from 1 to 500") }
        let room = RoomRecord(id: UUID().uuidString.lowercased(), siteId: siteID, name: name, capacity: capacity)
        try store.pool.write { db in
            guard try SiteRecord.exists(db, key: siteID) else { throw StoreError.notFound("site '\(siteID)'") }
            if try RoomRecord.filter(Column("site_id") == siteID && Column("name") == name).fetchOne(db) != nil {
                throw StoreError.conflict("the site already has a room named '\(name)'")
            }
            try room.insert(db)
            try Audit.record(db, actor, "create", entity: "room", id: room.id, at: clock.now())
        }
        return room
    }

    public func all() throws -> [(SiteRecord, [RoomRecord])] {
        try store.pool.read { db in
            let rooms = try RoomRecord.order(Column("name")).fetchAll(db)
            return try SiteRecord.order(Column("name")).fetchAll(db).map { site in (site, rooms.filter { $0.siteId == site.id }) }
        }
    }

    public func site(id: String) throws -> (SiteRecord, [RoomRecord]) {
        try store.pool.read { db in
            guard let site = try SiteRecord.fetchOne(db, key: id) else { throw StoreError.notFound("site '\(id)'") }
            return (site, try RoomRecord.filter(Column("site_id") == id).order(Column("name")).fetchAll(db))
        }
    }
}
