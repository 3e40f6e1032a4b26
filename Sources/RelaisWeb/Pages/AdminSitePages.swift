import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// Sites and their rooms: add and edit a site, add, edit and remove (when unused) a room.
extension RelaisApp {
    func registerAdminSitePages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/admin/sites", .administer) { request, context in
            try app.adminSitesPage(context, notice: app.notice(request, context))
        }

        routes.page(.post, "/admin/sites", .administer) { request, context in
            let form = AdminForm(id: "site-new", values: ["name": request.trimmedFormValue("name"), "address": request.trimmedFormValue("address")],
                                 order: ["name", "address"])
            do {
                _ = try app.actions.createSite(name: form.values["name"], address: form.values["address"], by: context.caller)
            } catch {
                let (failed, status) = try app.adminFailure(form, error, form: "admin_site", language: context.language,
                                                            conflicts: [.siteExists: ("name", "a_err_site_name_taken")])
                return try app.adminSitesPage(context, failed: failed, status: status)
            }
            return app.redirect("/admin/sites", done: "a_done_site_created")
        }

        routes.page(.post, "/admin/sites/{id}", .administer) { request, context in
            let siteID = request.parameter("id")
            let form = AdminForm(id: "site-\(siteID)", values: ["name": request.trimmedFormValue("name"), "address": request.trimmedFormValue("address")],
                                 order: ["name", "address"])
            do {
                _ = try app.actions.updateSite(siteID, name: form.values["name"], address: form.values["address"], by: context.caller)
            } catch {
                let (failed, status) = try app.adminFailure(form, error, form: "admin_site", language: context.language,
                                                            conflicts: [.siteExists: ("name", "a_err_site_name_taken")])
                return try app.adminSitesPage(context, failed: failed, status: status)
            }
            return app.redirect("/admin/sites", done: "a_done_site_updated")
        }

        routes.page(.post, "/admin/sites/{id}/rooms", .administer) { request, context in
            let siteID = request.parameter("id")
            _ = try app.actions.site(siteID, by: context.caller)
            let form = Self.roomForm(id: "room-new-\(siteID)", request)
            do {
                _ = try app.actions.addRoom(siteID: siteID, name: form.values["name"], capacity: try Self.capacity(form), by: context.caller)
            } catch {
                let (failed, status) = try app.adminFailure(form, error, form: "admin_room", language: context.language,
                                                            conflicts: [.roomExists: ("name", "a_err_room_name_taken")])
                return try app.adminSitesPage(context, failed: failed, status: status)
            }
            return app.redirect("/admin/sites", done: "a_done_room_added")
        }

        routes.page(.post, "/admin/rooms/{id}", .administer) { request, context in
            let room = try app.actions.room(request.parameter("id"), by: context.caller)
            let form = Self.roomForm(id: "room-\(room.id)", request)
            do {
                _ = try app.actions.updateRoom(room.id, name: form.values["name"], capacity: try Self.capacity(form), by: context.caller)
            } catch {
                let (failed, status) = try app.adminFailure(form, error, form: "admin_room", language: context.language,
                                                            conflicts: [.roomExists: ("name", "a_err_room_name_taken")])
                return try app.adminSitesPage(context, failed: failed, status: status)
            }
            return app.redirect("/admin/sites", done: "a_done_room_updated")
        }

        routes.page(.post, "/admin/rooms/{id}/remove", .administer) { request, context in
            let room = try app.actions.room(request.parameter("id"), by: context.caller)
            do {
                try app.actions.removeRoom(room.id, by: context.caller)
            } catch {
                let (failed, status) = try app.adminFailure(AdminForm(id: "room-\(room.id)"), error, form: "admin_room", language: context.language,
                                                            conflicts: [.roomInUse: ("remove", "a_err_room_in_use")])
                return try app.adminSitesPage(context, failed: failed, status: status)
            }
            return app.redirect("/admin/sites", done: "a_done_room_removed")
        }
    }

    /// The room form (new or edited) as typed.
    static func roomForm(id: String, _ request: Request) -> AdminForm {
        AdminForm(id: id, values: ["name": request.trimmedFormValue("name"), "capacity": request.trimmedFormValue("capacity")], order: ["name", "capacity"])
    }

    /// A capacity field: empty is "not stated", else a whole number (its range is the use case's).
    static func capacity(_ form: AdminForm) throws(ValidationError) -> Int? {
        guard let text = form.values["capacity"], !text.isEmpty else { return nil }
        guard let value = Int(text) else { throw ValidationError(field: "capacity", .expectedWholeNumber) }
        return value
    }

    func adminSitesPage(_ context: WebContext, notice: String? = nil, failed: AdminForm? = nil, status: Int = 200) throws -> Response {
        let usage = try actions.roomUsage(by: context.caller)
        let list: [[String: Any]] = try actions.sites(by: context.caller).map { site, rooms in
            let siteForm = failed?.id == "site-\(site.id)" ? failed : nil
            let roomForm = failed?.id == "room-new-\(site.id)" ? failed : nil
            return [
                "id": site.id, "name": site.name, "address": site.address, "hasAddress": !site.address.isEmpty, "hasRooms": !rooms.isEmpty,
                "edit": (siteForm ?? AdminForm(id: "site-\(site.id)")).context(defaults: ["name": site.name, "address": site.address]),
                "editOpen": siteForm != nil,
                "rooms": rooms.map { room -> [String: Any] in
                    let form = failed?.id == "room-\(room.id)" ? failed : nil
                    let capacity = room.capacity.map(String.init) ?? ""
                    return [
                        "id": room.id, "name": room.name, "capacity": capacity, "hasCapacity": room.capacity != nil,
                        "inUse": (usage[room.id] ?? 0) > 0,
                        "edit": (form ?? AdminForm(id: "room-\(room.id)")).context(defaults: ["name": room.name, "capacity": capacity]),
                        "editOpen": form != nil,
                    ]
                },
                "newRoom": (roomForm ?? AdminForm(id: "room-new-\(site.id)")).context(defaults: ["name": "", "capacity": ""]),
                "newRoomOpen": roomForm != nil,
            ]
        }
        let create = failed.flatMap { $0.id == "site-new" ? $0 : nil } ?? AdminForm(id: "site-new")
        var values: [String: Any] = [
            "sites": list, "create": create.context(defaults: ["name": "", "address": ""]),
        ]
        if let notice { values["notice"] = notice }
        return adminRender(.adminSites, context, status: status, failed: failed, values)
    }
}
