import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// Who is looking at a page, through a browser session.
public struct WebContext: Sendable {
    public var user: User
    public var session: WebSession
    public var language: String
    public var caller: Caller
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

/// The API's authentication: a bearer token, else 401. The caller goes in the request's context.
struct BearerAuthentication: Middleware {
    let actions: UseCases
    let renderer: Renderer

    func respond(to request: Request, next: Responder) throws -> Response {
        guard let header = request.headerFields[.authorization], let token = Self.token(in: header),
              let user = try actions.tokenHolder(token) else {
            var response = APIError.unauthorized.response(renderer)
            response.headerFields[.wwwAuthenticate] = "Bearer realm=\"relais\""
            return response
        }
        var request = request
        request.context[Caller.self] = Caller(user: user, clientAddress: request.clientAddress)
        return try next(request)
    }

    /// The token of `Bearer <token>` (the scheme in any case), without the blanks around it; nil
    /// for another scheme. By bytes: Foundation's trimming cost more than the token's check.
    static func token(in header: String) -> String? {
        let scheme = "bearer ".utf8
        var token = Substring(header).utf8
        guard token.count > scheme.count,
              zip(token.prefix(scheme.count), scheme).allSatisfy({ ($0 >= 65 && $0 <= 90 ? $0 + 32 : $0) == $1 }) else { return nil }
        token = token.dropFirst(scheme.count)
        while let first = token.first, first == 32 || first == 9 { token = token.dropFirst() }
        while let last = token.last, last == 32 || last == 9 { token = token.dropLast() }
        return String(Substring(token))
    }
}

/// The pages' authentication: a live browser session (else to /login), the forced password
/// change after a one-time password, and the CSRF token of every form sent.
struct SessionAuthentication: Middleware {
    let app: RelaisApp

    func respond(to request: Request, next: Responder) throws -> Response {
        let secure = app.configuration.secureCookies
        guard let cookie = request.cookies[Cookies.session], let (user, session) = try app.actions.browserSession(cookie: cookie) else {
            var response = Response.redirect(to: request.cookies[Cookies.session] == nil ? "/login" : "/login?expired=1")
            if request.cookies[Cookies.session] != nil {
                response.headerFields.append(HTTPField(name: .setCookie, value: Cookies.header(Cookies.session, "", secure: secure, maxAge: 0)))
            }
            return response
        }
        let context = WebContext(user: user, session: session, language: user.language,
                                 caller: Caller(user: user, clientAddress: request.clientAddress))
        if request.method == .post {
            guard let token = request.formValue("_csrf"), Secrets.equal(token, session.csrfToken) else {
                return app.errorPage(403, app.renderer.text(Reason(.csrf), language: context.language), context: context)
            }
        }
        if user.mustChangePassword && request.path != "/account/password" && request.path != "/logout" {
            return .redirect(to: "/account/password")
        }
        var request = request
        request.context[WebContext.self] = context
        request.context[Caller.self] = context.caller
        return try next(request)
    }
}

/// The role check of a route (the one table: `Role.allows`); the use case checks again, with the
/// rules that depend on the record.
struct RequirePermission: Middleware {
    let permission: Permission

    func respond(to request: Request, next: Responder) throws -> Response {
        guard let caller = request.context[Caller.self], caller.may(permission) else { throw Refusal.forbidden() }
        return try next(request)
    }
}
