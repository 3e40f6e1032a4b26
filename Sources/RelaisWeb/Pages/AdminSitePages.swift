import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// Sites and their rooms: add and edit a site, add, edit and remove (when unused) a room.
extension RelaisApp {
    func registerAdminSitePages(_ router: inout Router) {
        let app = self

        router.get("/admin/sites", page(.administer) { request, context in
            try app.adminSitesPage(context, notice: app.notice(request, context))
        })

        router.post("/admin/sites", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            let name = request.trimmedFormValue("name")
            let address = request.trimmedFormValue("address")
            var form = AdminForm(id: "site-new", values: ["name": name, "address": address], order: ["name", "address"])
            if name.isEmpty || name.count > 200 { form.errors["name"] = strings["a_err_site_name"] }
            if address.count > 500 { form.errors["address"] = strings["a_err_address"] }
            guard form.errors.isEmpty else { return try app.adminSitesPage(context, failed: form, status: 422) }
            do {
                _ = try app.sites.create(name: name, address: address, by: context.actor)
            } catch StoreError.conflict {
                return try app.adminSitesPage(context, failed: form.with(error: strings["a_err_site_name_taken"], on: "name"), status: 409)
            }
            return app.redirect("/admin/sites", done: "a_done_site_created")
        })

        router.post("/admin/sites/{id}", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            let siteID = request.parameter("id")
            let form = AdminForm(id: "site-\(siteID)", values: ["name": request.trimmedFormValue("name"),
                                                             "address": request.trimmedFormValue("address")],
                                 order: ["name", "address"])
            do {
                try app.sites.update(siteID: siteID, name: form.values["name"] ?? "", address: form.values["address"] ?? "", by: context.actor)
            } catch StoreError.notFound {
                return app.errorPage(404, strings["a_err_site_unknown"] ?? "404", context: context)
            } catch StoreError.conflict {
                return try app.adminSitesPage(context, failed: form.with(error: strings["a_err_site_name_taken"], on: "name"), status: 409)
            } catch let error as ValidationError {
                var failed = form
                if error.fields["name"] != nil { failed.errors["name"] = strings["a_err_site_name"] }
                if error.fields["address"] != nil { failed.errors["address"] = strings["a_err_address"] }
                return try app.adminSitesPage(context, failed: failed, status: 422)
            }
            return app.redirect("/admin/sites", done: "a_done_site_updated")
        })

        router.post("/admin/sites/{id}/rooms", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            let siteID = request.parameter("id")
            guard (try? app.sites.site(id: siteID)) != nil else {
                return app.errorPage(404, strings["a_err_site_unknown"] ?? "404", context: context)
            }
            let (form, name, capacity) = Self.roomForm(id: "room-new-\(siteID)", request, strings)
            guard form.errors.isEmpty, let capacity else { return try app.adminSitesPage(context, failed: form, status: 422) }
            do {
                _ = try app.sites.addRoom(siteID: siteID, name: name, capacity: capacity, by: context.actor)
            } catch StoreError.notFound {
                return app.errorPage(404, strings["a_err_site_unknown"] ?? "404", context: context)
            } catch StoreError.conflict {
                return try app.adminSitesPage(context, failed: form.with(error: strings["a_err_room_name_taken"], on: "name"), status: 409)
            }
            return app.redirect("/admin/sites", done: "a_done_room_added")
        })

        router.post("/admin/rooms/{id}", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            let roomID = request.parameter("id")
            let (form, name, capacity) = Self.roomForm(id: "room-\(roomID)", request, strings)
            guard try app.sites.room(id: roomID) != nil else {
                return app.errorPage(404, strings["a_err_room_unknown"] ?? "404", context: context)
            }
            guard form.errors.isEmpty, let capacity else { return try app.adminSitesPage(context, failed: form, status: 422) }
            do {
                try app.sites.updateRoom(roomID: roomID, name: name, capacity: capacity, by: context.actor)
            } catch StoreError.notFound {
                return app.errorPage(404, strings["a_err_room_unknown"] ?? "404", context: context)
            } catch StoreError.conflict {
                return try app.adminSitesPage(context, failed: form.with(error: strings["a_err_room_name_taken"], on: "name"), status: 409)
            }
            return app.redirect("/admin/sites", done: "a_done_room_updated")
        })

        router.post("/admin/rooms/{id}/remove", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            let roomID = request.parameter("id")
            do {
                try app.sites.removeRoom(roomID: roomID, by: context.actor)
            } catch StoreError.notFound {
                return app.errorPage(404, strings["a_err_room_unknown"] ?? "404", context: context)
            } catch StoreError.conflict {
                let form = AdminForm(id: "room-\(roomID)").with(error: strings["a_err_room_in_use"], on: "remove")
                return try app.adminSitesPage(context, failed: form, status: 409)
            }
            return app.redirect("/admin/sites", done: "a_done_room_removed")
        })
    }

    /// The room form (new or edited): its values, each reason next to its field, the name, and
    /// the capacity (nil when refused).
    static func roomForm(id: String, _ request: Request, _ strings: [String: String]) -> (AdminForm, String, Int??) {
        var form = AdminForm(id: id, values: ["name": request.trimmedFormValue("name"), "capacity": request.trimmedFormValue("capacity")],
                             order: ["name", "capacity"])
        let capacity = adminCapacity(form.values["capacity"] ?? "")
        if capacity == nil { form.errors["capacity"] = strings["a_err_capacity"] }
        let name = form.values["name"] ?? ""
        if name.isEmpty || name.count > 200 { form.errors["name"] = strings["a_err_room_name"] }
        return (form, name, capacity)
    }

    /// A capacity field: empty is "not stated" (`.some(nil)`), a whole number from 1 to 500 is
    /// kept, anything else is invalid (nil).
    static func adminCapacity(_ text: String) -> Int?? {
        if text.isEmpty { return .some(nil) }
        guard let value = Int(text), (1...500).contains(value) else { return nil }
        return .some(value)
    }

    func adminSitesPage(_ context: WebContext, notice: String? = nil, failed: AdminForm? = nil, status: Int = 200) throws -> Response {
        let usage = try sites.roomUsage()
        let list: [[String: Any]] = try sites.all().map { site, rooms in
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
        let create = failed?.id == "site-new" ? failed! : AdminForm(id: "site-new")
        var values: [String: Any] = [
            "sites": list, "create": create.context(defaults: ["name": "", "address": ""]),
        ]
        if let notice { values["notice"] = notice }
        return adminRender("admin_sites", context, status: status, failed: failed, values)
    }
}
