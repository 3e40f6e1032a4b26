import Foundation
import HTTPServer
import RelaisStore

extension RelaisApp {
    func registerLogin(_ router: inout Router) {
        let app = self
        let secure = configuration.secureCookies

        router.get("/login") { request in
            if let cookie = request.cookies[Cookies.session],
               (try? app.accounts.session(cookie: cookie, idleTimeout: TimeInterval(app.configuration.sessionIdleMinutes * 60))) != nil {
                return .redirect(to: "/")
            }
            let strings = app.renderer.strings(app.configuration.language)
            var notice: String?
            if request.queryValue("expired") != nil { notice = strings["session_expired"] }
            if request.queryValue("bye") != nil { notice = strings["logged_out"] }
            return app.loginPage(notice: notice, secure: secure)
        }

        router.post("/login") { request in
            let strings = app.renderer.strings(app.configuration.language)
            // Before a session exists, CSRF is a double-submit: the form's token must match its cookie.
            guard let cookieToken = request.cookies[Cookies.loginCSRF], let formToken = request.formValue("_csrf"),
                  !cookieToken.isEmpty, Secrets.equal(cookieToken, formToken) else {
                return app.loginPage(error: strings["login_expired_form"], status: 403, secure: secure)
            }
            let name = (request.formValue("name") ?? "").trimmingCharacters(in: .whitespaces)
            let password = request.formValue("password") ?? ""
            switch try app.accounts.login(name: name, password: password, clientAddress: request.clientAddress) {
            case .invalid:
                return app.loginPage(error: strings["login_invalid"], name: name, status: 401, secure: secure)
            case .throttled(let retryAfter):
                var response = app.loginPage(error: strings["login_throttled"], name: name, status: 429, secure: secure)
                response.headers.set("Retry-After", String(retryAfter))
                return response
            case .success(let user):
                let (cookie, _) = try app.accounts.startSession(for: user)
                var response = Response.redirect(to: user.mustChangePassword ? "/account/password" : "/")
                response.headers.add("Set-Cookie", Cookies.header(Cookies.session, cookie, secure: secure))
                response.headers.add("Set-Cookie", Cookies.header(Cookies.loginCSRF, "", path: "/login", secure: secure, maxAge: 0))
                return response
            }
        }

        router.post("/logout", page(nil) { request, _ in
            if let cookie = request.cookies[Cookies.session] { try app.accounts.endSession(cookie: cookie) }
            var response = Response.redirect(to: "/login?bye=1")
            response.headers.add("Set-Cookie", Cookies.header(Cookies.session, "", secure: secure, maxAge: 0))
            return response
        })

        router.get("/account/password", page(nil) { _, context in
            app.passwordPage(context)
        })

        router.post("/account/password", page(nil) { request, context in
            let strings = app.renderer.strings(context.language)
            let current = request.formValue("current") ?? ""
            let new = request.formValue("new") ?? ""
            var errors: [String: String] = [:]
            if new.count < Accounts.minimumPasswordLength { errors["new"] = strings["password_too_short"] }
            if new != (request.formValue("confirm") ?? "") { errors["confirm"] = strings["password_mismatch"] }
            // The current password is judged under the login throttle (a stolen session must not
            // be a faster way to guess it), and only once the rest of the form is right.
            guard errors.isEmpty else { return app.passwordPage(context, errors: errors, status: 422) }
            switch try app.accounts.verifyCurrentPassword(of: context.user, password: current, clientAddress: request.clientAddress) {
            case .success: break
            case .invalid:
                return app.passwordPage(context, errors: ["current": strings["password_wrong_current"] ?? ""], status: 422)
            case .throttled(let retryAfter):
                var response = app.passwordPage(context, errors: ["current": strings["login_throttled"] ?? ""], status: 429)
                response.headers.set("Retry-After", String(retryAfter))
                return response
            }
            try app.accounts.setPassword(userID: context.user.id, to: new, by: context.actor)
            // The change ended every session: open a fresh one for this browser.
            guard let user = try app.accounts.user(id: context.user.id) else { return .redirect(to: "/login") }
            let (cookie, _) = try app.accounts.startSession(for: user)
            var response = Response.redirect(to: "/?done=password_changed")
            response.headers.add("Set-Cookie", Cookies.header(Cookies.session, cookie, secure: secure))
            return response
        })
    }

    func loginPage(error: String? = nil, notice: String? = nil, name: String = "", status: Int = 200, secure: Bool) -> Response {
        let token = Secrets.randomToken()
        var values: [String: Any] = ["csrf": token, "name": name]
        if let error { values["error"] = error }
        if let notice { values["notice"] = notice }
        var response = render("login", nil, status: status, values)
        response.headers.add("Set-Cookie", Cookies.header(Cookies.loginCSRF, token, path: "/login", secure: secure))
        return response
    }

    func passwordPage(_ context: WebContext, errors: [String: String] = [:], status: Int = 200) -> Response {
        let order = ["current", "new", "confirm"]
        return render("password", context, status: status, [
            "mustChange": context.user.mustChangePassword, "errors": errors, "hasErrors": !errors.isEmpty,
            "errorList": order.compactMap { field in errors[field].map { ["field": field, "message": $0] } },
        ])
    }
}
