import Foundation
import GRDB
import RelaisDomain
@testable import RelaisStore
import Testing

extension ManualClock {
    /// The tests' usual start: 18 November 2026.
    convenience init() { self.init(Date(timeIntervalSince1970: 1_795_000_000)) }
}

/// Counts the transactions committed through a pool's writer.
final class CommitCounter: TransactionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var commits = 0
    var count: Int { lock.withLock { commits } }
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { lock.withLock { commits += 1 } }
    func databaseDidRollback(_ db: Database) {}
}

func temporaryStore() throws -> (Store, String) {
    let directory = NSTemporaryDirectory() + "relais-store-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    return (try Store(path: directory + "/relais.sqlite"), directory)
}

@Suite("SQLite store")
struct StoreTests {
    @Test func migrationsAreIdempotentAndTheDatabaseIsWALWithForeignKeys() throws {
        let (store, directory) = try temporaryStore()
        let applied = try store.appliedMigrations()
        #expect(applied.first == "v1-accounts-audit" && applied.contains("v2-participants-assessments"))
        #expect(try store.migrate().isEmpty)
        let reopened = try Store(path: directory + "/relais.sqlite")
        #expect(try reopened.migrate().isEmpty)
        let (mode, foreignKeys) = try reopened.pool.read { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA foreign_keys"))
        }
        #expect(mode == "wal")
        #expect(foreignKeys == 1)
        #expect(throws: DatabaseError.self) {
            try reopened.pool.write { db in
                try db.execute(sql: "INSERT INTO api_token(id, user_id, token_hash, label, created_at) VALUES ('t', 'no-such-user', 'h', '', '2026-01-01')")
            }
        }
    }

    @Test func argon2idHashesVerifyAndWrongPasswordsFail() {
        let hash = Secrets.hashPassword("correct horse battery")
        #expect(hash.hasPrefix("$argon2id$"))
        #expect(Secrets.verifyPassword("correct horse battery", hash: hash))
        #expect(!Secrets.verifyPassword("correct horse batterz", hash: hash))
        #expect(!Secrets.verifyPassword("", hash: hash))
        #expect(Secrets.hashPassword("correct horse battery") != hash, "salted")
    }

    @Test func tokensAreRandomAndStoredAsDigests() {
        let a = Secrets.randomToken(), b = Secrets.randomToken()
        #expect(a.count == 43 && a != b)
        #expect(Secrets.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func usersAreValidatedAndUnique() throws {
        let (store, _) = try temporaryStore()
        let accounts = Accounts(store: store)
        try accounts.createUser(name: "marie.dupont", role: .tabacologue, password: "long enough pw", by: .system)
        #expect(throws: Refusal.conflict(.userExists, ["name": "Marie.Dupont"])) {
            try accounts.createUser(name: "Marie.Dupont", role: .coordinator, password: "long enough pw", by: .system)
        }
        #expect(throws: ValidationError.self) { try accounts.createUser(name: "x y", role: .admin, password: "long enough pw", by: .system) }
        #expect(throws: ValidationError(field: "password", .passwordTooShort, ["min": "10"])) {
            try accounts.createUser(name: "paul", role: .admin, password: "short", by: .system)
        }
        #expect(try accounts.users().map(\.name) == ["marie.dupont"])
    }

    @Test func failedLoginsAreSlowedByGrowingDelaysPerAccountAndAddress() throws {
        let (store, _) = try temporaryStore()
        let time = ManualClock()
        let accounts = Accounts(store: store, clock: time.clock, policy: LoginPolicy(maxFailures: 3, window: 600, firstDelay: 60))
        try accounts.createUser(name: "lea", role: .coordinator, password: "the right one", by: .system)
        for _ in 0..<3 { #expect(try accounts.login(name: "lea", password: "wrong", clientAddress: "10.0.0.1") == .invalid) }
        // Even the right password is not judged while the delay runs...
        #expect(try accounts.login(name: "lea", password: "the right one", clientAddress: "10.0.0.1") == .throttled(retryAfter: 60))
        // ...but the owner at another address is not held back by someone else's failures.
        guard case .success = try accounts.login(name: "lea", password: "the right one", clientAddress: "10.0.0.2") else {
            Issue.record("another address logs in at once"); return
        }
        // The delay doubles with each further failure: 60 s, then 120 s.
        time.advance(61)
        #expect(try accounts.login(name: "lea", password: "wrong", clientAddress: "10.0.0.1") == .invalid)
        #expect(try accounts.login(name: "lea", password: "wrong", clientAddress: "10.0.0.1") == .throttled(retryAfter: 120))
        time.advance(121)
        guard case .success(let user) = try accounts.login(name: "lea", password: "the right one", clientAddress: "10.0.0.1") else {
            Issue.record("login should succeed once the delay has passed"); return
        }
        #expect(user.name == "lea")
        // A success clears the failures of its pair: the next mistake is judged at once.
        #expect(try accounts.login(name: "lea", password: "wrong", clientAddress: "10.0.0.1") == .invalid)
        #expect(try accounts.login(name: "nobody", password: "whatever1", clientAddress: "10.0.0.1") == .invalid)
    }

    @Test func tokensAuthenticateUntilRevokedOrTheAccountIsDisabled() throws {
        let (store, _) = try temporaryStore()
        let accounts = Accounts(store: store)
        try accounts.createUser(name: "coord", role: .coordinator, password: "coordinator pw", by: .system)
        let (token, record) = try accounts.issueToken(userName: "coord", by: .system)
        #expect(token.hasPrefix("rls_"))
        #expect(try accounts.authenticate(token: token)?.name == "coord")
        #expect(try accounts.authenticate(token: token + "x") == nil)
        try accounts.revokeToken(id: record.id, by: .system)
        #expect(try accounts.authenticate(token: token) == nil)
        let (second, _) = try accounts.issueToken(userName: "coord", by: .system)
        try accounts.disable(name: "coord", by: .system)
        #expect(try accounts.authenticate(token: second) == nil)
        #expect(throws: Refusal.self) { try accounts.issueToken(userName: "coord", by: .system) }
        // Stored as digests only.
        let stored = try store.pool.read { try String.fetchAll($0, sql: "SELECT token_hash FROM api_token") }
        #expect(stored.contains(Secrets.digest(token)) && !stored.contains(token))
    }

    @Test func sessionsExpireWhenIdleAndOnPasswordChange() throws {
        let (store, _) = try temporaryStore()
        let time = ManualClock()
        let accounts = Accounts(store: store, clock: time.clock)
        let user = try accounts.createUser(name: "tab", role: .tabacologue, password: "tabacologue1", by: .system)
        let (cookie, session) = try accounts.startSession(for: user)
        #expect(session.id == Secrets.digest(cookie))
        time.advance(29 * 60)
        #expect(try accounts.session(cookie: cookie, idleTimeout: 1800) != nil)
        time.advance(29 * 60) // refreshed by the previous request
        #expect(try accounts.session(cookie: cookie, idleTimeout: 1800) != nil)
        time.advance(31 * 60)
        #expect(try accounts.session(cookie: cookie, idleTimeout: 1800) == nil)
        let (other, _) = try accounts.startSession(for: user)
        try accounts.setPassword(userID: user.id, to: "a new password", by: user.actor)
        #expect(try accounts.session(cookie: other, idleTimeout: 1800) == nil)
    }

    @Test func aPageLoadWithinTheMinuteTakesNoWriteTransaction() throws {
        let (store, directory) = try temporaryStore()
        let time = ManualClock()
        let accounts = Accounts(store: store, clock: time.clock)
        let user = try accounts.createUser(name: "tab", role: .tabacologue, password: "tabacologue1", by: .system)
        let (cookie, started) = try accounts.startSession(for: user)
        let writes = CommitCounter()
        store.pool.add(transactionObserver: writes)

        // Every write transaction of the pool commits through its one writer, even an empty one.
        time.advance(30)
        #expect(try accounts.session(cookie: cookie, idleTimeout: 1800)?.1.lastSeenAt == started.lastSeenAt)
        #expect(writes.count == 0, "a page load within the minute only reads")

        // Nor does it wait for the write lock while another connection holds it (a sweep, a backup).
        let other = try DatabaseQueue(path: directory + "/relais.sqlite")
        var foundWhileLocked = false
        try other.inTransaction(.immediate) { _ in
            foundWhileLocked = try accounts.session(cookie: cookie, idleTimeout: 1800) != nil
            return .rollback
        }
        #expect(foundWhileLocked)

        // Past the minute the session is refreshed, and past the idle timeout it is ended: writes.
        time.advance(31)
        #expect(try accounts.session(cookie: cookie, idleTimeout: 1800)?.1.lastSeenAt == time.now)
        #expect(writes.count == 1)
        time.advance(1801)
        #expect(try accounts.session(cookie: cookie, idleTimeout: 1800) == nil)
        #expect(writes.count == 2)
        #expect(try store.pool.read { try WebSession.fetchCount($0) } == 0)
    }

    @Test func theAuditLogIsAppendOnlyButForTheRetentionPurge() throws {
        let (store, _) = try temporaryStore()
        let old = Date(timeIntervalSince1970: 1_600_000_000), recent = Date(timeIntervalSince1970: 1_790_000_000)
        try store.pool.write { db in
            try Audit.record(db, .system, "read", entity: "participant", id: "p1", at: old)
            try Audit.record(db, .system, "read", entity: "participant", id: "p2", at: recent)
        }
        #expect(throws: DatabaseError.self) { try store.pool.write { try $0.execute(sql: "UPDATE audit_log SET action = 'x'") } }
        #expect(throws: DatabaseError.self) { try store.pool.write { try $0.execute(sql: "DELETE FROM audit_log") } }
        let purged = try store.pool.write { try Audit.purge($0, before: Date(timeIntervalSince1970: 1_700_000_000)) }
        #expect(purged == 1)
        #expect(try store.auditEntries().map(\.entityId) == ["p2"])
        #expect(throws: DatabaseError.self) { try store.pool.write { try $0.execute(sql: "DELETE FROM audit_log") } }
    }

    @Test func accountChangesAreAudited() throws {
        let (store, _) = try temporaryStore()
        let accounts = Accounts(store: store)
        let admin = try accounts.createUser(name: "admin", role: .admin, password: "administrator", by: .system)
        try accounts.createUser(name: "helper", role: .peerHelper, password: "peer helper 1", by: admin.actor)
        try accounts.disable(name: "helper", by: admin.actor)
        let actions = try store.auditEntries(entity: "user").map { "\($0.actorName):\($0.action)" }
        #expect(actions == ["admin:disable", "admin:create", "system:create"])
    }

    @Test func backupIsAConsistentCopyWithTheSameRows() throws {
        let (store, directory) = try temporaryStore()
        let accounts = Accounts(store: store)
        for index in 0..<5 { try accounts.createUser(name: "user\(index)", role: .coordinator, password: "password \(index)!", by: .system) }
        let destination = directory + "/backup.sqlite"
        try store.backup(to: destination)
        let copy = try DatabaseQueue(path: destination)
        let names = try copy.read { try String.fetchAll($0, sql: "SELECT name FROM user ORDER BY name") }
        #expect(names == (0..<5).map { "user\($0)" })
        #expect(throws: Refusal.conflict(.backupExists, ["file": destination])) { try store.backup(to: destination) }
    }
}

@Suite("Stored time text")
struct StoredTimeTests {
    @Test func matchesWhatGRDBWritesForADate() {
        for seconds in [0.0, 1.5, 86_399.999, 1_795_455_858.123, -86_400.25, 4_102_444_800.0, 1_709_164_800.042] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(StoredTime.text(date) == String.fromDatabaseValue(date.databaseValue), "\(seconds)")
        }
    }
}
