import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// Who is looking at a page, through a browser session.
public struct WebContext: Sendable {
    public var user: User
    public var session: WebSession
    public var language: String
    public var actor: Actor
}

enum Cookies {
    static let session = "relais_session"
    static let loginCSRF = "relais_login_csrf"

    /// HttpOnly and SameSite=Strict always; Secure when served over HTTPS.
    static func header(_ name: String, _ value: String, path: String = "/", secure: Bool, maxAge: Int? = nil) -> String {
        var parts = ["\(name)=\(value)", "Path=\(path)", "HttpOnly", "SameSite=Strict"]
        if secure { parts.append("Secure") }
        if let maxAge { parts.append("Max-Age=\(maxAge)") }
        return parts.joined(separator: "; ")
    }
}

extension RelaisApp {
    /// Wraps a page handler: a live session (else to /login), the forced password change,
    /// the role check, and the CSRF token on every POST.
    func page(_ permission: Permission?, _ body: @escaping @Sendable (Request, WebContext) throws -> Response) -> Handler {
        let app = self
        return { request in
            guard let cookie = request.cookies[Cookies.session],
                  let (user, session) = try app.accounts.session(cookie: cookie, idleTimeout: TimeInterval(app.configuration.sessionIdleMinutes * 60)) else {
                var response = Response.redirect(to: request.cookies[Cookies.session] == nil ? "/login" : "/login?expired=1")
                if request.cookies[Cookies.session] != nil {
                    response.headers.add("Set-Cookie", Cookies.header(Cookies.session, "", secure: app.configuration.secureCookies, maxAge: 0))
                }
                return response
            }
            let context = WebContext(user: user, session: session, language: user.language,
                                     actor: Actor(userID: user.id, name: user.name, clientAddress: request.clientAddress))
            if request.method == .post {
                guard let token = request.formValue("_csrf"), Secrets.equal(token, session.csrfToken) else {
                    return app.errorPage(403, app.renderer.strings(context.language)["error_csrf"] ?? "CSRF", context: context)
                }
            }
            if user.mustChangePassword && request.path != "/account/password" && request.path != "/logout" {
                return .redirect(to: "/account/password")
            }
            if let permission, !user.role.allows(permission) {
                return app.errorPage(403, app.renderer.strings(context.language)["error_forbidden"] ?? "403", context: context)
            }
            do {
                return try body(request, context)
            } catch {
                // What the user asked for does not exist, or cannot be done: a page saying so,
                // never a 500. Unexpected errors go on to the server (500 with a reference).
                guard let refused = APIError.from(error) else { throw error }
                if refused.status == 404 { return app.errorPage(404, app.politeMessage(404), context: context) }
                let message = refused.fields.flatMap { fields in fields.sorted { $0.key < $1.key }.first }.map { field, reason in
                    app.renderer.strings(context.language).fill("error_message_invalid", ["field": field,
                                                                                          "reason": app.localizedReason(reason, language: context.language)])
                } ?? app.localizedReason(refused.message, language: context.language)
                return app.errorPage(refused.status, message, context: context)
            }
        }
    }

    /// The message of an error page the server or a wrapper answers by itself, in the page's
    /// language: the same polite page for every unknown address and every unknown id.
    func politeMessage(_ status: Int, reference: String? = nil, language: String? = nil) -> String {
        let strings = renderer.strings(language ?? configuration.language)
        return strings.fill("error_message_\(status)", ["reference": reference ?? "—"])
    }

    /// The values every page's layout needs.
    func layoutContext(_ context: WebContext?) -> [String: Any] {
        var values: [String: Any] = ["structure": configuration.structureName, "version": RelaisVersion.current]
        if let context {
            values["user"] = ["displayName": context.user.displayName, "name": context.user.name,
                              "roleLabel": context.user.role.frenchLabel, "role": context.user.role.rawValue]
            values["csrf"] = context.session.csrfToken
            // What the navigation offers, by role (the routes check again, in `page`).
            let role = context.user.role
            values["nav"] = ["programmes": role != .admin, "participants": role.allows(.readContactDetails),
                             "tasks": role.allows(.manageReminders), "reports": role.allows(.readReports), "admin": role.allows(.administer)]
        }
        return values
    }

    /// The success message of a Post/Redirect/Get: the string `done` names in the query.
    func notice(_ request: Request, _ context: WebContext) -> String? {
        request.queryValue("done").flatMap { renderer.strings(context.language)[$0] }
    }

    /// Post/Redirect/Get: after a form succeeds, go to `path` with the message's string key.
    func redirect(_ path: String, done: String? = nil) -> Response {
        guard let done else { return .redirect(to: path) }
        // The query goes before a fragment ("/programmes/1?done=…#consultations").
        let parts = path.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)
        let base = String(parts[0])
        let fragment = parts.count > 1 ? "#" + parts[1] : ""
        return .redirect(to: base + (base.contains("?") ? "&" : "?") + "done=" + done + fragment)
    }

    func render(_ template: String, _ context: WebContext?, language: String? = nil, status: Int = 200, _ values: [String: Any] = [:]) -> Response {
        var all = layoutContext(context)
        all.merge(values) { $1 }
        let html = renderer.render(template, language: language ?? context?.language ?? configuration.language, context: all)
        return .html(html, status: status)
    }

    func errorPage(_ status: Int, _ message: String, context: WebContext?) -> Response {
        let language = context?.language ?? configuration.language
        return render("error", context, language: language, status: status, [
            "heading": renderer.strings(language)["error_\(status)"] ?? "Erreur \(status)", "message": message,
        ])
    }
}
