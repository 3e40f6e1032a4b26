import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// Accounts: list, create (with a one-time password shown once), role, disable/enable, reset.
extension RelaisApp {
    func registerAdminUserPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/admin/users", .administer) { request, context in
            try app.adminUsersPage(context, notice: app.notice(request, context))
        }

        routes.page(.post, "/admin/users", .administer) { request, context in
            let values = ["name": request.trimmedFormValue("name"), "displayName": request.trimmedFormValue("displayName"),
                          "role": request.trimmedFormValue("role"), "email": request.trimmedFormValue("email")]
            let form = AdminForm(id: "user-new", values: values, order: ["name", "displayName", "role", "email"])
            let password = Secrets.randomToken(byteCount: 12)
            do {
                let user = try app.actions.createAccount(name: values["name"], displayName: values["displayName"], role: values["role"],
                                                         email: values["email"], oneTimePassword: password, by: context.caller)
                return app.oneTimePasswordPage(context, user: user, password: password, created: true)
            } catch {
                let (failed, status) = try app.adminFailure(form, error, form: "admin_user", language: context.language,
                                                            conflicts: [.userExists: ("name", "a_err_user_name_taken")])
                return try app.adminUsersPage(context, failed: failed, status: status)
            }
        }

        routes.page(.post, "/admin/users/{id}/role", .administer) { request, context in
            let user = try app.actions.account(request.parameter("id"), by: context.caller)
            let form = AdminForm(id: "user-\(user.id)", values: ["role": request.trimmedFormValue("role")], order: ["role"])
            do {
                guard let role = Role(rawValue: form.values["role"] ?? "") else { throw ValidationError(field: "role", UseCases.oneOf(Role.self)) }
                _ = try app.actions.setRole(accountID: user.id, to: role, by: context.caller)
            } catch {
                let (failed, status) = try app.adminFailure(form, error, form: "admin_user", language: context.language,
                                                            conflicts: [.lastAdministrator: ("role", "a_err_last_admin"), .selfDemote: ("role", "")])
                return try app.adminUsersPage(context, failed: failed, status: status)
            }
            return app.redirect("/admin/users", done: "a_done_role_changed")
        }

        routes.page(.post, "/admin/users/{id}/disable", .administer) { request, context in
            let user = try app.actions.account(request.parameter("id"), by: context.caller)
            do {
                try app.actions.disableAccount(user.id, by: context.caller)
            } catch {
                let (failed, status) = try app.adminFailure(AdminForm(id: "user-\(user.id)"), error, form: "admin_user", language: context.language,
                                                            conflicts: [.selfDisable: ("actions", "")])
                return try app.adminUsersPage(context, failed: failed, status: status)
            }
            return app.redirect("/admin/users", done: "a_done_user_disabled")
        }

        routes.page(.post, "/admin/users/{id}/enable", .administer) { request, context in
            _ = try app.actions.enableAccount(try app.actions.account(request.parameter("id"), by: context.caller).id, by: context.caller)
            return app.redirect("/admin/users", done: "a_done_user_enabled")
        }

        routes.page(.post, "/admin/users/{id}/reset-password", .administer) { request, context in
            let user = try app.actions.account(request.parameter("id"), by: context.caller)
            let password = Secrets.randomToken(byteCount: 12)
            do {
                let updated = try app.actions.resetPassword(accountID: user.id, oneTimePassword: password, by: context.caller)
                return app.oneTimePasswordPage(context, user: updated, password: password, created: false)
            } catch {
                let (failed, status) = try app.adminFailure(AdminForm(id: "user-\(user.id)"), error, form: "admin_user", language: context.language,
                                                            conflicts: [.selfReset: ("actions", "")])
                return try app.adminUsersPage(context, failed: failed, status: status)
            }
        }
    }

    func adminRoleOptions(selected: String, _ strings: [String: String]) -> [[String: Any]] {
        Role.allCases.map { role in
            ["value": role.rawValue, "label": strings["a_role_\(role.rawValue)"] ?? role.rawValue, "selected": role.rawValue == selected]
        }
    }

    func adminUsersPage(_ context: WebContext, notice: String? = nil, failed: AdminForm? = nil, status: Int = 200) throws -> Response {
        let strings = renderer.strings(context.language)
        let language = context.language
        let rows: [[String: Any]] = try actions.accounts(by: context.caller).map { user in
            let form = failed?.id == "user-\(user.id)" ? failed : nil
            return [
                "id": user.id, "name": user.name, "displayName": user.displayName,
                "roleLabel": strings["a_role_\(user.role.rawValue)"] ?? user.role.rawValue,
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
        let create = failed.flatMap { $0.id == "user-new" ? $0 : nil } ?? AdminForm(id: "user-new")
        var values: [String: Any] = [
            "users": rows,
            "create": create.context(defaults: ["name": "", "displayName": "", "role": Role.coordinator.rawValue, "email": ""]),
            "createRoleOptions": adminRoleOptions(selected: create.values["role"] ?? Role.coordinator.rawValue, strings),
        ]
        if let notice { values["notice"] = notice }
        return adminRender(.adminUsers, context, status: status, failed: failed, values)
    }

    /// The only page that ever shows the password: not cached, never redirected to.
    func oneTimePasswordPage(_ context: WebContext, user: User, password: String, created: Bool) -> Response {
        var response = render(.adminPassword, context, status: created ? 201 : 200, [
            "account": ["name": user.name, "displayName": user.displayName], "password": password,
            "created": created, "stillDisabled": user.isDisabled,
        ])
        response.headerFields[.cacheControl] = "no-store"
        return response
    }
}
