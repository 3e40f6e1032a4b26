import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisConfig
import RelaisStore
@testable import RelaisWeb

/// Pages requested in-process, through the app's pipeline (middleware, route, handler), as a
/// logged-in user of a given role: what a browser does, without the network (the browser tests
/// cover that).
final class PageClient: @unchecked Sendable {
    let app: RelaisApp
    let pipeline: Pipeline
    /// The route table, for tests that walk every route.
    var router: Router { app.router() }
    private var sessions: [String: (user: User, cookie: String, csrf: String)] = [:]
    private var tokens: [String: String] = [:]

    /// The app's clock, which tests move to a session's evening (attendance is recorded from
    /// its start) or back to the present.
    let clock: ManualClock

    /// A client of `app`, or of a new app on the client's clock whose configuration `configure` may change.
    init(app: RelaisApp? = nil, configure: (inout Configuration, _ directory: String) -> Void = { _, _ in }) throws {
        clock = ManualClock(Date())
        if let app { self.app = app } else { self.app = try makeApp(clock: clock.clock, configure: configure) }
        pipeline = try self.app.pipeline()
    }

    /// Moves the app's clock to `date`; everyone logged in logs in again there (their sessions
    /// would otherwise have been idle for the whole jump).
    func moveClock(to date: Date) throws {
        clock.set(date)
        for (name, session) in sessions {
            let (cookie, fresh) = try app.accounts.startSession(for: session.user)
            sessions[name] = (session.user, cookie, fresh.csrfToken)
        }
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
        var headers: HTTPFields
        var text: String
        var location: String? { headers[.location] }
    }

    func get(_ target: String, as name: String?, headers: HTTPFields = [:]) throws -> Page {
        try send(.get, target, form: [], as: name, headers: headers)
    }

    /// A form POST; the CSRF field is added unless `csrf` is false. `clientAddress`: where it comes from.
    func post(_ target: String, _ fields: [(String, String)], as name: String?, csrf: Bool = true,
              clientAddress: String = "127.0.0.1") throws -> Page {
        var form = fields
        if csrf, let name, let session = sessions[name] { form.append(("_csrf", session.csrf)) }
        return try send(.post, target, form: form, as: name, clientAddress: clientAddress)
    }

    /// A JSON API call with the bearer token of `name` (issued once per name).
    func api(_ method: HTTPRequest.Method, _ path: String, _ json: String? = nil, as name: String) throws -> Page {
        if tokens[name] == nil { tokens[name] = try app.accounts.issueToken(userName: name, by: .system).token }
        var headers: HTTPFields = [.authorization: "Bearer \(tokens[name] ?? "")"]
        if json != nil { headers[.contentType] = "application/json" }
        // "?state=sent&channel=sms": the query apart, as a server reads it.
        let parts = path.split(separator: "?", maxSplits: 1)
        let query: [(name: String, value: String)] = parts.count > 1 ? parts[1].split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (kv[0], kv.count > 1 ? kv[1] : "")
        } : []
        let request = Request(method: method, path: String(parts.first ?? ""), query: query, headerFields: headers, body: Data((json ?? "").utf8),
                              clientAddress: "127.0.0.1")
        let response = pipeline.respond(to: request)
        return Page(status: response.status.code, headers: response.headerFields, text: String(decoding: response.body, as: UTF8.self))
    }

    private func send(_ method: HTTPRequest.Method, _ target: String, form: [(String, String)], as name: String?, headers extra: HTTPFields = [:],
                      clientAddress: String = "127.0.0.1") throws -> Page {
        let parts = target.split(separator: "?", maxSplits: 1)
        let path = String(parts[0])
        let query: [(name: String, value: String)] = parts.count > 1 ? parts[1].split(separator: "&").map { pair in
            let kv = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            return (kv[0], kv.count > 1 ? kv[1] : "")
        } : []
        var cookies: [String: String] = [:]
        if let name, let session = sessions[name] { cookies["relais_session"] = session.cookie }
        var headers: HTTPFields = method == .post ? [.contentType: "application/x-www-form-urlencoded"] : [:]
        headers.append(contentsOf: extra)
        let request = Request(method: method, path: path, query: query, headerFields: headers, cookies: cookies,
                              form: form.map { FormField(name: $0.0, data: Data($0.1.utf8)) }, clientAddress: clientAddress)
        let response = pipeline.respond(to: request)
        return Page(status: response.status.code, headers: response.headerFields, text: String(decoding: response.body, as: UTF8.self))
    }
}
