import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisUseCases

typealias APIHandler = @Sendable (Request, Caller) throws -> Response
typealias PageHandler = @Sendable (Request, WebContext) throws -> Response

/// The route table, with the middleware each kind of route goes through: the API's refusals,
/// bearer authentication and role check; the pages' refusals, session, CSRF and role check.
struct Routes {
    private(set) var router = Router()
    let app: RelaisApp

    /// An API route: JSON errors, a bearer token, and the role's permission when one is named.
    mutating func api(_ method: HTTPRequest.Method, _ pattern: String, _ permission: Permission? = nil, _ handler: @escaping APIHandler) {
        var middleware: [any Middleware] = [APIRefusals(renderer: app.renderer), BearerAuthentication(actions: app.actions, renderer: app.renderer)]
        if let permission { middleware.append(RequirePermission(permission: permission)) }
        router.add(method, pattern, middleware: middleware) { request in
            guard let caller = request.context[Caller.self] else { throw Refusal.forbidden() }
            return try handler(request, caller)
        }
    }

    /// A page: a browser session (with its CSRF token on POST), and the role's permission.
    mutating func page(_ method: HTTPRequest.Method, _ pattern: String, _ permission: Permission? = nil, _ handler: @escaping PageHandler) {
        var middleware: [any Middleware] = [PageRefusals(app: app), SessionAuthentication(app: app)]
        if let permission { middleware.append(RequirePermission(permission: permission)) }
        router.add(method, pattern, middleware: middleware) { request in
            guard let context = request.context[WebContext.self] else { throw Refusal.forbidden() }
            return try handler(request, context)
        }
    }

    /// A route without a signed-in user: health, static files, login, questionnaire links, feeds.
    mutating func open(_ method: HTTPRequest.Method, _ pattern: String, pages: Bool = true, _ handler: @escaping Responder) {
        router.add(method, pattern, middleware: pages ? [PageRefusals(app: app)] : [APIRefusals(renderer: app.renderer)], handler)
    }
}
