import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
@testable import RelaisWeb

/// Pages requested in-process, through the app's router, as a logged-in user of a given role:
/// what a browser does, without the network (the browser tests cover that).
final class PageClient: @unchecked Sendable {
    let app: RelaisApp
    let router: Router
    private var sessions: [String: (user: User, cookie: String, csrf: String)] = [:]

    init(app: RelaisApp? = nil) throws {
        self.app = try app ?? makeApp()
        router = self.app.router()
    }

    /// A user of that role (created once per name), logged in.
    @discardableResult
    func user(_ name: String, role: Role) throws -> User {
        if let existing = sessions[name] { return existing.user }
        let user = try app.accounts.createUser(name: name, displayName: name.capitalized, role: role, password: "a long password", by: .system)
        let (cookie, session) = try app.accounts.startSession(for: user)
        sessions[name] = (user, cookie, session.csrfToken)
        return user
    }

    struct Page {
        var status: Int
        var headers: HTTPHeaders
        var text: String
        var location: String? { headers["Location"] }
    }

    func get(_ target: String, as name: String?) throws -> Page {
        try send(.get, target, form: [], as: name)
    }

    /// A form POST; the CSRF field is added unless `csrf` is false.
    func post(_ target: String, _ fields: [(String, String)], as name: String?, csrf: Bool = true) throws -> Page {
        var form = fields
        if csrf, let name, let session = sessions[name] { form.append(("_csrf", session.csrf)) }
        return try send(.post, target, form: form, as: name)
    }

    private func send(_ method: HTTPMethod, _ target: String, form: [(String, String)], as name: String?) throws -> Page {
        let parts = target.split(separator: "?", maxSplits: 1)
        let path = String(parts[0])
        let query: [(name: String, value: String)] = parts.count > 1 ? parts[1].split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (kv[0], kv.count > 1 ? kv[1] : "")
        } : []
        var cookies: [String: String] = [:]
        if let name, let session = sessions[name] { cookies["relais_session"] = session.cookie }
        var request = Request(method: method, path: path, query: query, cookies: cookies,
                              form: form.map { FormField(name: $0.0, data: Data($0.1.utf8)) }, clientAddress: "127.0.0.1")
        switch router.match(method, path) {
        case .found(let handler, parameters: let parameters):
            request.pathParameters = parameters
            let response = try handler(request)
            return Page(status: response.status, headers: response.headers, text: String(decoding: response.body, as: UTF8.self))
        case .notFound: return Page(status: 404, headers: HTTPHeaders(), text: "")
        case .methodNotAllowed: return Page(status: 405, headers: HTTPHeaders(), text: "")
        }
    }
}
