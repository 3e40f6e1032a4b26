import Foundation
import GRDB
import RelaisDomain

/// A staff account (never a participant).
public struct User: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "user"
    public var id: String
    public var name: String
    public var displayName: String
    public var role: Role
    public var passwordHash: String
    public var mustChangePassword: Bool
    public var language: String
    public var createdAt: Date
    public var passwordChangedAt: Date
    public var disabledAt: Date?
    /// Where the staff digest goes; optional.
    public var email: String?

    enum CodingKeys: String, CodingKey {
        case id, name, role, language, email
        case displayName = "display_name", passwordHash = "password_hash", mustChangePassword = "must_change_password"
        case createdAt = "created_at", passwordChangedAt = "password_changed_at", disabledAt = "disabled_at"
    }

    public var isDisabled: Bool { disabledAt != nil }
    public var actor: Actor { Actor(userID: id, name: name) }
}

/// A bearer token for the API. Only its SHA-256 is stored; the token itself is shown once.
public struct APIToken: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "api_token"
    public var id: String
    public var userId: String
    public var tokenHash: String
    public var label: String
    public var createdAt: Date
    public var lastUsedAt: Date?
    public var revokedAt: Date?

    static let user = belongsTo(User.self, using: ForeignKey(["user_id"]))

    enum CodingKeys: String, CodingKey {
        case id, label
        case userId = "user_id", tokenHash = "token_hash", createdAt = "created_at", lastUsedAt = "last_used_at", revokedAt = "revoked_at"
    }
}

/// A browser login: the cookie holds a random value, the table its SHA-256 and the CSRF token.
public struct WebSession: Codable, Sendable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "web_session"
    public var id: String
    public var userId: String
    public var csrfToken: String
    public var createdAt: Date
    public var lastSeenAt: Date

    enum CodingKeys: String, CodingKey {
        case id
        case userId = "user_id", csrfToken = "csrf_token", createdAt = "created_at", lastSeenAt = "last_seen_at"
    }
}

/// The outcome of a login attempt.
public enum LoginResult: Sendable, Equatable {
    case success(User)
    /// Wrong name or password (never says which).
    case invalid
    /// Too many failures recently; try again after this many seconds.
    case throttled(retryAfter: Int)
}

/// Password-guessing throttling, by growing delays rather than lock-outs.
///
/// Each (account, client address) pair has `maxFailures` free attempts within `window`; after
/// that, each further attempt must wait `firstDelay`, then twice as long, and so on, up to
/// `window`. An honest user of the same account from another address, or of another account
/// from the same address (a shared office or a reverse proxy's forwarded address), is not
/// delayed by someone else's failures, with two bounds against wider attacks: ten times
/// `maxFailures` on one account from any address delays that account, and ten times
/// `maxFailures` from one address delays that address for the accounts it has already failed on.
public struct LoginPolicy: Sendable {
    public var maxFailures: Int = 5
    public var window: TimeInterval = 15 * 60
    public var firstDelay: TimeInterval = 60

    public init(maxFailures: Int = 5, window: TimeInterval = 15 * 60, firstDelay: TimeInterval = 60) {
        self.maxFailures = maxFailures
        self.window = window
        self.firstDelay = firstDelay
    }

    /// How long after the last failure the next attempt may be judged, for `failures` recent ones
    /// against a free allowance of `allowed`; 0 while within the allowance.
    func delay(failures: Int, allowed: Int) -> TimeInterval {
        guard failures >= allowed else { return 0 }
        let doublings = min(failures - allowed, 16)
        return min(window, firstDelay * Double(1 << doublings))
    }
}

/// Accounts, passwords, API tokens and browser sessions.
public struct Accounts: Sendable {
    public let store: Store
    public var clock: Clock
    public var policy: LoginPolicy

    public init(store: Store, clock: Clock = .system, policy: LoginPolicy = LoginPolicy()) {
        self.store = store
        self.clock = clock
        self.policy = policy
    }

    // MARK: Users

    /// Creates an account from checked details; a name already taken (in any case) is a conflict.
    @discardableResult
    public func createUser(_ details: AccountDetails, password: String, mustChangePassword: Bool = false, by actor: Actor) throws -> User {
        if let problem = PasswordRule.problem(password) { throw ValidationError(field: "password", problem) }
        let now = clock.now()
        let user = User(id: UUID().uuidString.lowercased(), name: details.name, displayName: details.displayName ?? details.name, role: details.role,
                        passwordHash: Secrets.hashPassword(password), mustChangePassword: mustChangePassword,
                        language: "fr", createdAt: now, passwordChangedAt: now, disabledAt: nil, email: details.email)
        try store.pool.write { db in
            if try User.filter(Column("name") == details.name).fetchOne(db) != nil {
                throw Refusal.conflict(.userExists, ["name": details.name])
            }
            try user.insert(db)
            try Audit.record(db, actor, "create", entity: "user", id: user.id, detail: "role=\(details.role.rawValue)", at: now)
        }
        return user
    }

    /// Creates an account from fields not yet checked (tests and fixtures).
    @discardableResult
    public func createUser(name: String, displayName: String? = nil, role: Role, password: String,
                           mustChangePassword: Bool = false, email: String? = nil, by actor: Actor) throws -> User {
        let details = try AccountDetails.validated(name: name, displayName: displayName, role: role.rawValue, email: email)
        return try createUser(details, password: password, mustChangePassword: mustChangePassword, by: actor)
    }

    public func user(named name: String) throws -> User? {
        try store.pool.read { try User.filter(Column("name") == name).fetchOne($0) }
    }

    public func user(id: String) throws -> User? {
        try store.pool.read { try User.fetchOne($0, key: id) }
    }

    public func users() throws -> [User] {
        try store.pool.read { try User.order(Column("name")).fetchAll($0) }
    }

    public func hasUsers() throws -> Bool {
        try store.pool.read { try User.fetchCount($0) > 0 }
    }

    /// Disables the account and ends its sessions and tokens at once.
    public func disable(name: String, by actor: Actor) throws {
        try store.pool.write { db in
            guard var user = try User.filter(Column("name") == name).fetchOne(db) else { throw Refusal.notFound(.userNotFound, ["name": name]) }
            guard user.disabledAt == nil else { return }
            let now = clock.now()
            user.disabledAt = now
            try user.update(db)
            try WebSession.filter(Column("user_id") == user.id).deleteAll(db)
            try db.execute(sql: "UPDATE api_token SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL", arguments: [now, user.id])
            try Audit.record(db, actor, "disable", entity: "user", id: user.id, at: now)
        }
    }

    /// Sets a new password and ends every browser session of the account.
    public func setPassword(userID: String, to password: String, by actor: Actor) throws {
        if let problem = PasswordRule.problem(password) { throw ValidationError(field: "password", problem) }
        let hash = Secrets.hashPassword(password)
        try store.pool.write { db in
            guard var user = try User.fetchOne(db, key: userID) else { throw Refusal.notFound(.userNotFound) }
            let now = clock.now()
            user.passwordHash = hash
            user.passwordChangedAt = now
            user.mustChangePassword = false
            try user.update(db)
            try WebSession.filter(Column("user_id") == userID).deleteAll(db)
            try Audit.record(db, actor, "change_password", entity: "user", id: userID, at: now)
        }
    }

    /// Changes what a user may set about themself: the name shown, the language of pages and
    /// the address of the staff digest (an empty string removes it).
    public func updateProfile(userID: String, displayName: String?, language: String?, email: String? = nil, by actor: Actor) throws -> User {
        var fields: [String: Reason] = [:]
        // nil leaves the address as it is, "" removes it.
        let email = email.map { AccountDetails.checkEmail($0, into: &fields) ?? "" }
        if let displayName {
            TextRules.checkOneLine(displayName.trimmingCharacters(in: .whitespaces), field: "displayName", maxLength: 100, required: true, into: &fields)
        }
        if let language, !["fr", "en"].contains(language) { fields["language"] = Reason(.languageInvalid) }
        guard fields.isEmpty else { throw ValidationError(fields) }
        return try store.pool.write { db in
            guard var user = try User.fetchOne(db, key: userID) else { throw Refusal.notFound(.userNotFound) }
            if let displayName { user.displayName = displayName.trimmingCharacters(in: .whitespaces) }
            if let language { user.language = language }
            if let email { user.email = email.isEmpty ? nil : email }
            try user.update(db)
            try Audit.record(db, actor, "update_profile", entity: "user", id: userID, at: clock.now())
            return user
        }
    }

    // MARK: Administration

    /// Gives the account another role. At least one enabled administrator always remains:
    /// demoting the last one is refused.
    @discardableResult
    public func setRole(userID: String, to role: Role, by actor: Actor) throws -> User {
        try store.pool.write { db in
            guard var user = try User.fetchOne(db, key: userID) else { throw Refusal.notFound(.userNotFound) }
            guard user.role != role else { return user }
            if user.role == .admin && user.disabledAt == nil {
                let otherAdmins = try User.filter(Column("role") == Role.admin.rawValue && Column("disabled_at") == nil && Column("id") != userID)
                    .fetchCount(db)
                if otherAdmins == 0 { throw Refusal.conflict(.lastAdministrator, ["name": user.name]) }
            }
            let previous = user.role
            user.role = role
            try user.update(db)
            try Audit.record(db, actor, "change_role", entity: "user", id: userID,
                             detail: "role=\(previous.rawValue)->\(role.rawValue)", at: clock.now())
            return user
        }
    }

    /// Enables a disabled account again. Its API tokens stay revoked (issue new ones); its
    /// password is unchanged, so an administrator usually resets it as well.
    @discardableResult
    public func enable(userID: String, by actor: Actor) throws -> User {
        try store.pool.write { db in
            guard var user = try User.fetchOne(db, key: userID) else { throw Refusal.notFound(.userNotFound) }
            guard user.disabledAt != nil else { return user }
            user.disabledAt = nil
            try user.update(db)
            try Audit.record(db, actor, "enable", entity: "user", id: userID, at: clock.now())
            return user
        }
    }

    /// Replaces the password by a one-time password chosen by an administrator: the user must
    /// change it at next login. Ends the account's browser sessions, clears the failed logins of
    /// its name (so that a locked-out user can log in with the new password at once), is audited,
    /// and tells the account holder by mail when they have an address, at once, whatever the
    /// hour: an administrator cannot use someone else's account, clinical data included, unnoticed.
    @discardableResult
    public func resetPassword(userID: String, to password: String, by actor: Actor) throws -> User {
        if let problem = PasswordRule.problem(password) { throw ValidationError(field: "password", problem) }
        let hash = Secrets.hashPassword(password)
        return try store.pool.write { db in
            guard var user = try User.fetchOne(db, key: userID) else { throw Refusal.notFound(.userNotFound) }
            let now = clock.now()
            user.passwordHash = hash
            user.passwordChangedAt = now
            user.mustChangePassword = true
            try user.update(db)
            try WebSession.filter(Column("user_id") == userID).deleteAll(db)
            try db.execute(sql: "DELETE FROM login_failure WHERE name = ?", arguments: [user.name])
            try Audit.record(db, actor, "reset_password", entity: "user", id: userID, detail: "role=\(user.role.rawValue)", at: now)
            if user.email != nil && actor.userID != user.id {
                try Outbox.enqueue(db, OutboxEntry(key: "password_reset:\(user.id):\(Int(now.timeIntervalSince1970 * 1000))", kind: .passwordReset,
                                                   dueAt: now, userID: user.id,
                                                   payload: ["account": user.name, "by": actor.name, "at": String(now.timeIntervalSince1970)]),
                                   policy: store.reminderPolicy, at: now)
            }
            return user
        }
    }

    // MARK: Login

    public func login(name: String, password: String, clientAddress: String) throws -> LoginResult {
        let user = try store.pool.read { try User.filter(Column("name") == name).fetchOne($0) }
        let result = try judge(name: name, password: password, hash: user?.passwordHash, clientAddress: clientAddress)
        let now = clock.now()
        switch result {
        case .judged(true) where user.map({ !$0.isDisabled }) == true:
            guard let user else { return .invalid }
            try store.pool.write { db in
                try Audit.record(db, user.actor.with(address: clientAddress), "login", entity: "user", id: user.id, at: now)
            }
            return .success(user)
        case .judged:
            try store.pool.write { db in
                try Audit.record(db, Actor(userID: user?.id, name: name, clientAddress: clientAddress), "login_failed",
                                 entity: "user", id: user?.id, at: now)
            }
            return .invalid
        case .throttled(let seconds):
            return .throttled(retryAfter: seconds)
        }
    }

    /// Checks a signed-in user's current password (before changing it) under the same throttle
    /// as the login: a stolen session cannot guess it faster than a login form could.
    public func verifyCurrentPassword(of user: User, password: String, clientAddress: String) throws -> LoginResult {
        switch try judge(name: user.name, password: password, hash: user.passwordHash, clientAddress: clientAddress) {
        case .judged(true): return .success(user)
        case .judged(false):
            try store.pool.write { db in
                try Audit.record(db, user.actor.with(address: clientAddress), "password_check_failed", entity: "user", id: user.id, at: clock.now())
            }
            return .invalid
        case .throttled(let seconds): return .throttled(retryAfter: seconds)
        }
    }

    private enum Judgement {
        case judged(Bool)
        case throttled(Int)
    }

    /// The throttle, then the password. The attempt is counted as a failure in the same write
    /// transaction that decides it may be judged, before the (slow) hash comparison, so that a
    /// parallel burst is judged `maxFailures` times at most; a correct password removes the
    /// failures of its (account, address) pair, its own included.
    private func judge(name: String, password: String, hash: String?, clientAddress: String) throws -> Judgement {
        let now = clock.now()
        let reservation = try store.pool.write { db -> Int64? in
            if try LoginThrottle.wait(db, name: name, address: clientAddress, policy: policy, now: now) > 0 { return nil }
            try db.execute(sql: "INSERT INTO login_failure(name, client_address, at) VALUES (?, ?, ?)", arguments: [name, clientAddress, now])
            let reserved = db.lastInsertedRowID
            try db.execute(sql: "DELETE FROM login_failure WHERE at < ?", arguments: [now.addingTimeInterval(-policy.window * 4)])
            return reserved
        }
        guard reservation != nil else {
            let wait = try store.pool.read { try LoginThrottle.wait($0, name: name, address: clientAddress, policy: policy, now: now) }
            return .throttled(max(1, Int(wait.rounded(.up))))
        }
        // Verify even for an unknown name, so that timing does not reveal which names exist.
        let verified = Secrets.verifyPassword(password, hash: hash ?? Secrets.decoyHash)
        if verified && hash != nil {
            try store.pool.write { db in
                try db.execute(sql: "DELETE FROM login_failure WHERE name = ? AND client_address = ?", arguments: [name, clientAddress])
            }
        }
        return .judged(verified && hash != nil)
    }

    // MARK: Browser sessions

    /// Starts a session; returns the cookie value (shown once, stored hashed) and the session.
    public func startSession(for user: User) throws -> (cookie: String, session: WebSession) {
        let cookie = Secrets.randomToken()
        let now = clock.now()
        let session = WebSession(id: Secrets.digest(cookie), userId: user.id, csrfToken: Secrets.randomToken(),
                                 createdAt: now, lastSeenAt: now)
        try store.pool.write { db in try session.insert(db) }
        return (cookie, session)
    }

    /// How often the last use of a token or the last sight of a session is written: at most
    /// once a minute each, so that requests read and do not queue for SQLite's one write lock.
    public static let refreshInterval: TimeInterval = 60

    /// The live session for a cookie value; nil when unknown, idle longer than `idleTimeout`,
    /// older than the last password change, or the account is disabled.
    ///
    /// Idle time counts from the session's last request in this process (kept in memory, exact)
    /// or from `last_seen_at`, written at most once a minute: after a restart a session may end
    /// up to a minute early, never late.
    public func session(cookie: String, idleTimeout: TimeInterval) throws -> (User, WebSession)? {
        let now = clock.now()
        let id = Secrets.digest(cookie)
        let cache = store.access
        let generation = try store.authGeneration()
        var found = cache.session(id, generation: generation)
        if found == nil {
            let read = try store.pool.read { db -> (AccessCache.Session, Int64)? in
                let generation = try Int64.fetchOne(db, sql: "SELECT value FROM auth_generation") ?? 0
                guard let session = try WebSession.fetchOne(db, key: id), let user = try User.fetchOne(db, key: session.userId) else { return nil }
                return (AccessCache.Session(user: user, session: session), generation)
            }
            if let (session, generation) = read { cache.keep(session: session, generation: generation) }
            found = read?.0
        }
        func idle(_ session: WebSession) -> TimeInterval {
            now.timeIntervalSince(max(session.lastSeenAt, cache.lastSeen(id) ?? session.lastSeenAt))
        }
        func isLive(_ session: WebSession, _ user: User?) -> Bool {
            guard let user, !user.isDisabled else { return false }
            return idle(session) <= idleTimeout && session.createdAt >= user.passwordChangedAt
        }
        guard let found else {
            cache.ended(id)
            return nil
        }
        if isLive(found.session, found.user) && now.timeIntervalSince(found.session.lastSeenAt) <= Self.refreshInterval {
            cache.seen(id, at: now)
            return (found.user, found.session)
        }
        let result = try store.pool.write { db -> (User, WebSession)? in
            // Read again under the write lock: another request may have refreshed or ended it meanwhile.
            guard var session = try WebSession.fetchOne(db, key: id) else { return nil }
            let user = try User.fetchOne(db, key: session.userId)
            guard isLive(session, user), let user else {
                try session.delete(db)
                return nil
            }
            if now.timeIntervalSince(session.lastSeenAt) > Self.refreshInterval {
                session.lastSeenAt = now
                // Only this column: the generation moves on changes to the others.
                try db.execute(sql: "UPDATE web_session SET last_seen_at = ? WHERE id = ?", arguments: [now, id])
            }
            return (user, session)
        }
        guard let (user, session) = result else {
            cache.ended(id)
            return nil
        }
        cache.refreshed(session)
        cache.seen(id, at: now)
        return (user, session)
    }

    public func endSession(cookie: String) throws {
        let id = Secrets.digest(cookie)
        _ = try store.pool.write { db in try WebSession.deleteOne(db, key: id) }
        store.access.ended(id)
    }

    // MARK: API tokens

    /// Issues a bearer token for the user; returns the token (shown once) and its record.
    public func issueToken(userName: String, label: String = "", by actor: Actor) throws -> (token: String, record: APIToken) {
        try TextRules.validate { TextRules.checkOneLine(label, field: "label", maxLength: 100, into: &$0) }
        let token = "rls_" + Secrets.randomToken()
        let now = clock.now()
        return try store.pool.write { db in
            guard let user = try User.filter(Column("name") == userName).fetchOne(db) else { throw Refusal.notFound(.userNotFound, ["name": userName]) }
            guard !user.isDisabled else { throw Refusal.conflict(.userDisabled, ["name": userName]) }
            let record = APIToken(id: UUID().uuidString.lowercased(), userId: user.id, tokenHash: Secrets.digest(token),
                                  label: label, createdAt: now, lastUsedAt: nil, revokedAt: nil)
            try record.insert(db)
            try Audit.record(db, actor, "issue_token", entity: "api_token", id: record.id, detail: "user=\(user.name)", at: now)
            return (token, record)
        }
    }

    public func revokeToken(id: String, by actor: Actor) throws {
        try store.pool.write { db in
            guard var record = try APIToken.fetchOne(db, key: id) else { throw Refusal.notFound(.tokenNotFound) }
            guard record.revokedAt == nil else { return }
            record.revokedAt = clock.now()
            try record.update(db)
            try Audit.record(db, actor, "revoke_token", entity: "api_token", id: id, at: clock.now())
        }
    }

    public func tokens(userName: String? = nil) throws -> [(APIToken, String)] {
        try store.pool.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT api_token.*, user.name AS user_name FROM api_token JOIN user ON user.id = api_token.user_id
                WHERE ? IS NULL OR user.name = ? ORDER BY api_token.created_at
                """, arguments: [userName, userName])
            return try rows.map { (try APIToken(row: $0), $0["user_name"] as String) }
        }
    }

    /// The account behind a bearer token, or nil when unknown, revoked or disabled: from memory
    /// while nothing about accounts changed (`AccessCache`), else one read.
    public func authenticate(token: String) throws -> User? {
        let now = clock.now()
        let hash = Secrets.digest(token)
        let cache = store.access
        let generation = try store.authGeneration()
        var found = cache.token(hash, generation: generation)
        if found == nil {
            let read = try store.pool.read { db -> (AccessCache.Token, Int64)? in
                let generation = try Int64.fetchOne(db, sql: "SELECT value FROM auth_generation") ?? 0
                let request = APIToken.filter(Column("token_hash") == hash && Column("revoked_at") == nil)
                    .including(required: APIToken.user.filter(Column("disabled_at") == nil))
                guard let row = try Row.fetchOne(db, request), let userRow = row.scopes["user"] else { return nil }
                let record = try APIToken(row: row)
                return (AccessCache.Token(user: try User(row: userRow), id: record.id, lastUsedAt: record.lastUsedAt), generation)
            }
            guard let (token, generation) = read else { return nil }
            cache.keep(token: token, hash: hash, generation: generation)
            found = token
        }
        guard let found else { return nil }
        if cache.claimTokenRefresh(hash, now: now) {
            // Only this column: the generation moves on changes to the others.
            try store.pool.write { db in
                try db.execute(sql: "UPDATE api_token SET last_used_at = ? WHERE id = ?", arguments: [now, found.id])
            }
        }
        return found.user
    }
}

extension Actor {
    func with(address: String) -> Actor { Actor(userID: userID, name: name, clientAddress: address) }
}

private enum LoginThrottle {
    /// Seconds to wait before an attempt on `name` from `address` may be judged (0: now).
    static func wait(_ db: Database, name: String, address: String, policy: LoginPolicy, now: Date) throws -> TimeInterval {
        let since = now.addingTimeInterval(-policy.window)
        func recent(_ condition: String, _ arguments: StatementArguments) throws -> (count: Int, last: Date?) {
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), MAX(at) FROM login_failure WHERE \(condition) AND at >= ?",
                                       arguments: arguments + [since])
            return (row?[0] ?? 0, row?[1])
        }
        let pair = try recent("name = ? AND client_address = ?", [name, address])
        let account = try recent("name = ?", [name])
        let fromAddress = try recent("client_address = ?", [address])
        var waits = [policy.delay(failures: pair.count, allowed: policy.maxFailures) - now.timeIntervalSince(pair.last ?? now),
                     policy.delay(failures: account.count, allowed: policy.maxFailures * 10) - now.timeIntervalSince(account.last ?? now)]
        if pair.count > 0 {
            waits.append(policy.delay(failures: fromAddress.count, allowed: policy.maxFailures * 10) - now.timeIntervalSince(fromAddress.last ?? now))
        }
        return max(0, waits.max() ?? 0)
    }
}
