import Foundation
import RelaisDomain
import RelaisStore

extension UseCases {
    public func sites(by caller: Caller) throws -> [(SiteRecord, [RoomRecord])] {
        guard caller.may(.plan) || caller.may(.administer) else { throw Refusal.forbidden() }
        return try sites.all()
    }

    public func site(_ id: String, by caller: Caller) throws -> (SiteRecord, [RoomRecord]) {
        guard caller.may(.plan) || caller.may(.administer) else { throw Refusal.forbidden() }
        return try sites.site(id: id)
    }

    /// Sites and rooms are set up by the administration and by planners (the API).
    public func createSite(name: String?, address: String?, by caller: Caller) throws -> SiteRecord {
        guard caller.may(.plan) || caller.may(.administer) else { throw Refusal.forbidden() }
        return try sites.create(name: name ?? "", address: address ?? "", by: caller.actor)
    }

    public func updateSite(_ id: String, name: String?, address: String?, by caller: Caller) throws -> SiteRecord {
        try caller.require(.administer)
        return try sites.update(siteID: id, name: name ?? "", address: address ?? "", by: caller.actor)
    }

    public func addRoom(siteID: String, name: String?, capacity: Int?, by caller: Caller) throws -> RoomRecord {
        guard caller.may(.plan) || caller.may(.administer) else { throw Refusal.forbidden() }
        return try sites.addRoom(siteID: siteID, name: name ?? "", capacity: capacity, by: caller.actor)
    }

    public func room(_ id: String, by caller: Caller) throws -> RoomRecord {
        try caller.require(.administer)
        guard let room = try sites.room(id: id) else { throw Refusal.notFound(.roomNotFound) }
        return room
    }

    public func updateRoom(_ id: String, name: String?, capacity: Int?, by caller: Caller) throws -> RoomRecord {
        try caller.require(.administer)
        return try sites.updateRoom(roomID: id, name: name ?? "", capacity: capacity, by: caller.actor)
    }

    public func removeRoom(_ id: String, by caller: Caller) throws {
        try caller.require(.administer)
        try sites.removeRoom(roomID: id, by: caller.actor)
    }

    /// How many programmes or sessions use each room.
    public func roomUsage(by caller: Caller) throws -> [String: Int] {
        try caller.require(.administer)
        return try sites.roomUsage()
    }
}
