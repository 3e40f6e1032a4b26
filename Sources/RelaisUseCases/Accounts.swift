import Foundation
import RelaisDomain
import RelaisStore

/// The outcome of a login form or of a password change.
public enum SignInResult: Sendable, Equatable {
    /// Signed in: the new browser session's cookie value (shown once) and its user.
    case signedIn(cookie: String, user: User)
    case invalid
    case throttled(retryAfter: Int)
}

extension UseCases {
    // MARK: Signing in

    /// Checks a name and password under the throttle, and starts a browser session.
    public func signIn(name: String, password: String, clientAddress: String) throws -> SignInResult {
        switch try accounts.login(name: name.trimmingCharacters(in: .whitespaces), password: password, clientAddress: clientAddress) {
        case .invalid: return .invalid
        case .throttled(let seconds): return .throttled(retryAfter: seconds)
        case .success(let user):
            let (cookie, _) = try accounts.startSession(for: user)
            return .signedIn(cookie: cookie, user: user)
        }
    }

    /// The live browser session of a cookie (refreshed at most once a minute), or nil.
    public func browserSession(cookie: String) throws -> (User, WebSession)? {
        try accounts.session(cookie: cookie, idleTimeout: settings.sessionIdleSeconds)
    }

    public func signOut(cookie: String) throws {
        try accounts.endSession(cookie: cookie)
    }

    /// The account behind an API bearer token, or nil.
    public func tokenHolder(_ token: String) throws -> User? {
        try accounts.authenticate(token: token)
    }

    /// Changes one's own password: the current one is judged under the login throttle, the new
    /// one checked; every session ends and a fresh one starts for this browser.
    public func changeOwnPassword(current: String, new: String, confirmation: String, by caller: Caller) throws -> SignInResult {
        guard let user = caller.user else { throw Refusal.forbidden() }
        var problems: [String: Reason] = [:]
        if let problem = PasswordRule.problem(new) { problems["new"] = problem }
        if new != confirmation { problems["confirm"] = Reason(.passwordMismatch) }
        guard problems.isEmpty else { throw ValidationError(problems) }
        switch try accounts.verifyCurrentPassword(of: user, password: current, clientAddress: caller.clientAddress) {
        case .invalid: throw ValidationError(field: "current", .passwordWrong)
        case .throttled(let seconds): return .throttled(retryAfter: seconds)
        case .success:
            try accounts.setPassword(userID: user.id, to: new, by: caller.actor)
            guard let fresh = try accounts.user(id: user.id) else { throw Refusal.notFound(.userNotFound) }
            let (cookie, _) = try accounts.startSession(for: fresh)
            return .signedIn(cookie: cookie, user: fresh)
        }
    }

    /// One's own name shown, page language and digest address.
    public func updateOwnProfile(displayName: String?, language: String?, email: String?, by caller: Caller) throws -> User {
        guard let user = caller.user else { throw Refusal.forbidden() }
        return try accounts.updateProfile(userID: user.id, displayName: displayName, language: language, email: email, by: caller.actor)
    }

    // MARK: Staff

    /// Active staff, for the lists of the planning forms (lead, peer helper, facilitator, assignee).
    public func staff(role: Role? = nil, by caller: Caller) throws -> [User] {
        guard caller.may(.plan) || caller.may(.manageReminders) || caller.may(.readContactDetails) || caller.role == .peerHelper else {
            throw Refusal.forbidden()
        }
        return try accounts.users().filter { !$0.isDisabled && (role == nil || $0.role == role) }
    }

    /// Every account's display name by id, to name who did what (disabled accounts included).
    public func staffNames(by caller: Caller) throws -> [String: String] {
        Dictionary(try accounts.users().map { ($0.id, $0.displayName) }, uniquingKeysWith: { first, _ in first })
    }

    // MARK: Administration

    public func accounts(by caller: Caller) throws -> [User] {
        try caller.require(.administer)
        return try accounts.users()
    }

    public func account(_ id: String, by caller: Caller) throws -> User {
        try caller.require(.administer)
        guard let user = try accounts.user(id: id) else { throw Refusal.notFound(.userNotFound) }
        return user
    }

    /// Creates an account with a one-time password, which the holder must change at first login.
    public func createAccount(name: String?, displayName: String?, role: String?, email: String?, oneTimePassword: String,
                              by caller: Caller) throws -> User {
        try caller.require(.administer)
        let details = try AccountDetails.validated(name: name, displayName: displayName, role: role, email: email)
        return try accounts.createUser(details, password: oneTimePassword, mustChangePassword: true, by: caller.actor)
    }

    /// Creates an account with the password the operator typed (`relais user add`).
    public func createAccount(name: String?, displayName: String?, role: String?, email: String?, password: String, by caller: Caller) throws -> User {
        try caller.require(.administer)
        let details = try AccountDetails.validated(name: name, displayName: displayName, role: role, email: email)
        return try accounts.createUser(details, password: password, by: caller.actor)
    }

    public func setRole(accountID: String, to role: Role, by caller: Caller) throws -> User {
        try caller.require(.administer)
        // Another administrator does it: an account cannot lock its own holder out of administration.
        if accountID == caller.userID && role != .admin { throw Refusal.conflict(.selfDemote) }
        return try accounts.setRole(userID: accountID, to: role, by: caller.actor)
    }

    public func disableAccount(_ id: String, by caller: Caller) throws {
        try caller.require(.administer)
        if id == caller.userID { throw Refusal.conflict(.selfDisable) }
        guard let user = try accounts.user(id: id) else { throw Refusal.notFound(.userNotFound) }
        try accounts.disable(name: user.name, by: caller.actor)
    }

    public func disableAccount(named name: String, by caller: Caller) throws {
        try caller.require(.administer)
        try accounts.disable(name: name, by: caller.actor)
    }

    public func enableAccount(_ id: String, by caller: Caller) throws -> User {
        try caller.require(.administer)
        return try accounts.enable(userID: id, by: caller.actor)
    }

    /// Gives an account a one-time password; its sessions end, the reset is audited and the
    /// holder is told by mail at once. One's own password is changed on the account page.
    public func resetPassword(accountID: String, oneTimePassword: String, by caller: Caller) throws -> User {
        try caller.require(.administer)
        guard accountID != caller.userID else { throw Refusal.conflict(.selfReset) }
        return try accounts.resetPassword(userID: accountID, to: oneTimePassword, by: caller.actor)
    }

    public func issueToken(userName: String, label: String, by caller: Caller) throws -> (token: String, record: APIToken) {
        try caller.require(.administer)
        return try accounts.issueToken(userName: userName, label: label, by: caller.actor)
    }

    public func revokeToken(_ id: String, by caller: Caller) throws {
        try caller.require(.administer)
        try accounts.revokeToken(id: id, by: caller.actor)
    }

    public func tokens(userName: String?, by caller: Caller) throws -> [(APIToken, String)] {
        try caller.require(.administer)
        return try accounts.tokens(userName: userName)
    }

    /// Whether any account exists (first start creates the administrator).
    public func hasAccounts() throws -> Bool { try accounts.hasUsers() }

    /// Records that a test email was sent (or failed) from the settings page.
    public func recordTestEmail(recipient: String, outcome: String, failed: Bool, by caller: Caller) throws {
        try caller.require(.administer)
        try store.recordEvent(caller.actor, failed ? "test_email_failed" : "test_email", entity: "mail",
                              detail: failed ? "\(recipient): \(outcome)" : outcome, at: clock.now())
    }

    /// The last test emails, newest first.
    public func testEmails(by caller: Caller) throws -> [AuditEntry] {
        try caller.require(.administer)
        return try store.auditEntries(entity: "mail", limit: 20).filter { $0.action.hasPrefix("test_email") }
    }
}

extension UseCases {
    /// The caller's own account.
    public func account(me caller: Caller) throws -> User {
        guard let user = caller.user else { throw Refusal.forbidden() }
        return user
    }
}
