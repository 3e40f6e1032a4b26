import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// Accounts: list, create (with a one-time password shown once), role, disable/enable, reset.
extension RelaisApp {
    /// What `Accounts.createUser` accepts as a name, checked here first to answer in French.
    static let adminUserNamePattern = #"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$"#

    func registerAdminUserPages(_ router: inout Router) {
        let app = self

        router.get("/admin/users", page(.administer) { request, context in
            try app.adminUsersPage(context, notice: app.notice(request, context))
        })

        router.post("/admin/users", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            let name = request.trimmedFormValue("name")
            let displayName = request.trimmedFormValue("displayName")
            let roleValue = request.trimmedFormValue("role")
            let email = request.trimmedFormValue("email")
            var form = AdminForm(id: "user-new", values: ["name": name, "displayName": displayName, "role": roleValue, "email": email],
                                 order: ["name", "displayName", "role", "email"])
            if name.range(of: Self.adminUserNamePattern, options: .regularExpression) == nil {
                form.errors["name"] = strings["a_err_user_name"]
            }
            if displayName.count > 100 { form.errors["displayName"] = strings["a_err_display_name"] }
            let role = Role(rawValue: roleValue)
            if role == nil { form.errors["role"] = strings["a_err_role"] }
            if !email.isEmpty && !ParticipantDetails.looksLikeEmail(email) { form.errors["email"] = strings["a_err_email"] }
            guard form.errors.isEmpty, let role else { return try app.adminUsersPage(context, failed: form, status: 422) }

            let password = Secrets.randomToken(byteCount: 12)
            do {
                let user = try app.accounts.createUser(name: name, displayName: displayName.isEmpty ? nil : displayName, role: role,
                                                       password: password, mustChangePassword: true,
                                                       email: email.isEmpty ? nil : email, by: context.actor)
                return app.oneTimePasswordPage(context, user: user, password: password, created: true)
            } catch StoreError.conflict {
                return try app.adminUsersPage(context, failed: form.with(error: strings["a_err_user_name_taken"], on: "name"), status: 409)
            } catch StoreError.invalid(let field, _) {
                let message = field == "email" ? strings["a_err_email"] : strings["a_err_user_name"]
                return try app.adminUsersPage(context, failed: form.with(error: message, on: field == "email" ? "email" : "name"), status: 422)
            }
        })

        router.post("/admin/users/{id}/role", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            guard let user = try app.accounts.user(id: request.parameter("id")) else {
                return app.errorPage(404, strings["a_err_user_unknown"] ?? "404", context: context)
            }
            let roleValue = request.trimmedFormValue("role")
            let form = AdminForm(id: "user-\(user.id)", values: ["role": roleValue], order: ["role"])
            guard let role = Role(rawValue: roleValue) else {
                return try app.adminUsersPage(context, failed: form.with(error: strings["a_err_role"], on: "role"), status: 422)
            }
            if user.id == context.user.id && role != .admin {
                return try app.adminUsersPage(context, failed: form.with(error: strings["a_err_self_demote"], on: "role"), status: 409)
            }
            do {
                try app.accounts.setRole(userID: user.id, to: role, by: context.actor)
            } catch StoreError.conflict {
                return try app.adminUsersPage(context, failed: form.with(error: strings["a_err_last_admin"], on: "role"), status: 409)
            }
            return app.redirect("/admin/users", done: "a_done_role_changed")
        })

        router.post("/admin/users/{id}/disable", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            guard let user = try app.accounts.user(id: request.parameter("id")) else {
                return app.errorPage(404, strings["a_err_user_unknown"] ?? "404", context: context)
            }
            guard user.id != context.user.id else {
                let form = AdminForm(id: "user-\(user.id)").with(error: strings["a_err_self_disable"], on: "actions")
                return try app.adminUsersPage(context, failed: form, status: 409)
            }
            try app.accounts.disable(name: user.name, by: context.actor)
            return app.redirect("/admin/users", done: "a_done_user_disabled")
        })

        router.post("/admin/users/{id}/enable", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            guard let user = try app.accounts.user(id: request.parameter("id")) else {
                return app.errorPage(404, strings["a_err_user_unknown"] ?? "404", context: context)
            }
            try app.accounts.enable(userID: user.id, by: context.actor)
            return app.redirect("/admin/users", done: "a_done_user_enabled")
        })

        router.post("/admin/users/{id}/reset-password", page(.administer) { request, context in
            let strings = app.renderer.strings(context.language)
            guard let user = try app.accounts.user(id: request.parameter("id")) else {
                return app.errorPage(404, strings["a_err_user_unknown"] ?? "404", context: context)
            }
            guard user.id != context.user.id else {
                // Resetting one's own password would end this session: the password page is the way.
                let form = AdminForm(id: "user-\(user.id)").with(error: strings["a_err_self_reset"], on: "actions")
                return try app.adminUsersPage(context, failed: form, status: 409)
            }
            let password = Secrets.randomToken(byteCount: 12)
            let updated = try app.accounts.resetPassword(userID: user.id, to: password, by: context.actor)
            return app.oneTimePasswordPage(context, user: updated, password: password, created: false)
        })
    }

    func adminRoleOptions(selected: String, _ strings: [String: String]) -> [[String: Any]] {
        Role.allCases.map { role in
            ["value": role.rawValue, "label": strings["a_role_\(role.rawValue)"] ?? role.frenchLabel, "selected": role.rawValue == selected]
        }
    }

    func adminUsersPage(_ context: WebContext, notice: String? = nil, failed: AdminForm? = nil, status: Int = 200) throws -> Response {
        let strings = renderer.strings(context.language)
        let language = context.language
        let rows: [[String: Any]] = try accounts.users().map { user in
            let form = failed?.id == "user-\(user.id)" ? failed : nil
            return [
                "id": user.id, "name": user.name, "displayName": user.displayName,
                "roleLabel": strings["a_role_\(user.role.rawValue)"] ?? user.role.frenchLabel,
                "email": user.email ?? "", "hasEmail": user.email != nil,
                "disabled": user.isDisabled,
                "disabledAt": user.disabledAt.map { adminDateTime($0, language: language) } ?? "",
                "mustChange": user.mustChangePassword,
                "passwordChangedAt": adminDateTime(user.passwordChangedAt, language: language),
                "isSelf": user.id == context.user.id,
                "roleOptions": adminRoleOptions(selected: form?.values["role"] ?? user.role.rawValue, strings),
                "row": (form ?? AdminForm(id: "user-\(user.id)")).context(),
            ]
        }
        let create = failed?.id == "user-new" ? failed! : AdminForm(id: "user-new")
        var values: [String: Any] = [
            "users": rows,
            "create": create.context(defaults: ["name": "", "displayName": "", "role": Role.coordinator.rawValue, "email": ""]),
            "createRoleOptions": adminRoleOptions(selected: create.values["role"] ?? Role.coordinator.rawValue, strings),
        ]
        if let notice { values["notice"] = notice }
        return adminRender("admin_users", context, status: status, failed: failed, values)
    }

    /// The only page that ever shows the password: not cached, never redirected to.
    func oneTimePasswordPage(_ context: WebContext, user: User, password: String, created: Bool) -> Response {
        var response = render("admin_password", context, status: created ? 201 : 200, [
            "account": ["name": user.name, "displayName": user.displayName], "password": password,
            "created": created, "stillDisabled": user.isDisabled,
        ])
        response.headers.set("Cache-Control", "no-store")
        return response
    }
}
