import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    func registerLogin(_ routes: inout Routes) {
        let app = self
        let secure = configuration.secureCookies

        routes.open(.get, "/login") { request in
            if let cookie = request.cookies[Cookies.session], (try? app.actions.browserSession(cookie: cookie)) ?? nil != nil {
                return .redirect(to: "/")
            }
            let strings = app.renderer.strings(app.configuration.language)
            var notice: String?
            if request.queryValue("expired") != nil { notice = strings["session_expired"] }
            if request.queryValue("bye") != nil { notice = strings["logged_out"] }
            return app.loginPage(notice: notice, secure: secure)
        }

        routes.open(.post, "/login") { request in
            let strings = app.renderer.strings(app.configuration.language)
            // Before a session exists, CSRF is a double-submit: the form's token must match its cookie.
            guard let cookieToken = request.cookies[Cookies.loginCSRF], let formToken = request.formValue("_csrf"),
                  !cookieToken.isEmpty, Secrets.equal(cookieToken, formToken) else {
                return app.loginPage(error: strings["login_expired_form"], status: 403, secure: secure)
            }
            let name = (request.formValue("name") ?? "").trimmingCharacters(in: .whitespaces)
            switch try app.actions.signIn(name: name, password: request.formValue("password") ?? "", clientAddress: request.clientAddress) {
            case .invalid:
                return app.loginPage(error: strings["login_invalid"], name: name, status: 401, secure: secure)
            case .throttled(let retryAfter):
                var response = app.loginPage(error: strings["login_throttled"], name: name, status: 429, secure: secure)
                response.headerFields[.retryAfter] = String(retryAfter)
                return response
            case .signedIn(let cookie, let user):
                var response = Response.redirect(to: user.mustChangePassword ? "/account/password" : "/")
                response.headerFields.append(HTTPField(name: .setCookie, value: Cookies.header(Cookies.session, cookie, secure: secure)))
                response.headerFields.append(HTTPField(name: .setCookie, value: Cookies.header(Cookies.loginCSRF, "", path: "/login", secure: secure, maxAge: 0)))
                return response
            }
        }

        routes.page(.post, "/logout") { request, _ in
            if let cookie = request.cookies[Cookies.session] { try app.actions.signOut(cookie: cookie) }
            var response = Response.redirect(to: "/login?bye=1")
            response.headerFields.append(HTTPField(name: .setCookie, value: Cookies.header(Cookies.session, "", secure: secure, maxAge: 0)))
            return response
        }

        routes.page(.get, "/account/password") { _, context in
            app.passwordPage(context)
        }

        routes.page(.post, "/account/password") { request, context in
            let strings = app.renderer.strings(context.language)
            do {
                // The current password is judged under the login throttle: a stolen session is no
                // faster way to guess it than the login form.
                switch try app.actions.changeOwnPassword(current: request.formValue("current") ?? "", new: request.formValue("new") ?? "",
                                                         confirmation: request.formValue("confirm") ?? "", by: context.caller) {
                case .signedIn(let cookie, _):
                    // The change ended every session: a fresh one for this browser.
                    var response = Response.redirect(to: "/?done=password_changed")
                    response.headerFields.append(HTTPField(name: .setCookie, value: Cookies.header(Cookies.session, cookie, secure: secure)))
                    return response
                case .throttled(let retryAfter):
                    var response = app.passwordPage(context, errors: ["current": strings["login_throttled"] ?? ""], status: 429)
                    response.headerFields[.retryAfter] = String(retryAfter)
                    return response
                case .invalid:
                    return app.passwordPage(context, errors: ["current": strings["password_wrong_current"] ?? ""], status: 422)
                }
            } catch let error as ValidationError {
                return app.passwordPage(context, errors: app.fieldErrors(error, form: "password", language: context.language), status: 422)
            }
        }
    }

    func loginPage(error: String? = nil, notice: String? = nil, name: String = "", status: Int = 200, secure: Bool) -> Response {
        let token = Secrets.randomToken()
        var values: [String: Any] = ["csrf": token, "name": name]
        if let error { values["error"] = error }
        if let notice { values["notice"] = notice }
        var response = render(.login, nil, status: status, values)
        response.headerFields.append(HTTPField(name: .setCookie, value: Cookies.header(Cookies.loginCSRF, token, path: "/login", secure: secure)))
        return response
    }

    func passwordPage(_ context: WebContext, errors: [String: String] = [:], status: Int = 200) -> Response {
        let order = ["current", "new", "confirm"]
        return render(.password, context, status: status, [
            "mustChange": context.user.mustChangePassword, "errors": errors, "hasErrors": !errors.isEmpty,
            "errorList": order.compactMap { field in errors[field].map { ["field": field, "message": $0] } },
        ])
    }
}
