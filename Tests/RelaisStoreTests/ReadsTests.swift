import Foundation
import GRDB
import RelaisDomain
@testable import RelaisStore
import Testing

/// Issue 14: reads that take no write lock, lists audited in one row, tokens and sessions from
/// memory yet refused at once when revoked.
@Suite("Reads without writes")
struct ReadsTests {
    func people(_ store: Store, _ names: [(String, String)]) throws -> [ParticipantRecord] {
        let participants = Participants(store: store, currentYear: { 2026 })
        return try names.map { first, last in
            try participants.create(ParticipantDetails(firstName: first, lastName: last, birthYear: 1980, noContact: true), by: .system)
        }
    }

    @Test func aListReadIsOneAuditRowNamingWhoWasShownAndWhoSawXFindsIt() throws {
        let (store, _) = try temporaryStore()
        let listed = try people(store, [("Ana", "Durand"), ("Bruno", "Martin"), ("Chloé", "Durand")])
        let participants = Participants(store: store, currentYear: { 2026 })
        let writes = CommitCounter()
        store.pool.add(transactionObserver: writes)
        let clerk = Actor(userID: "u1", name: "clerk", clientAddress: "10.0.0.9")
        let page = try participants.list(search: "durand", by: clerk)
        #expect(page.participants.map(\.firstName) == ["Ana", "Chloé"])
        #expect(writes.count == 1, "one transaction for the read, whatever the number shown")
        let rows = try store.pool.read { try AuditEntry.filter(Column("action") == "list").fetchAll($0) }
        #expect(rows.count == 1)
        #expect(rows.first?.participants == [listed[0].id, listed[2].id] && rows.first?.detail == "search=durand")

        // "Who saw Ana": the list read, beside the direct read; Bruno was not shown by it.
        _ = try participants.read(id: listed[0].id, by: clerk)
        let aboutAna = try store.auditEntries(entity: "participant", id: listed[0].id)
        #expect(aboutAna.map(\.action) == ["read", "list", "create"])
        #expect(aboutAna.allSatisfy { $0.actorName != "clerk" || $0.clientAddress == "10.0.0.9" })
        #expect(try store.auditEntries(entity: "participant", id: listed[1].id).map(\.action) == ["create"])
        // The GDPR export gives the same answer.
        let export = try ParticipantRecords(store: store).export(participantID: listed[2].id, by: .system)
        #expect(export.audit.map(\.action) == ["create", "list", "export"])
        // The list rows are found from their own index, not by reading the whole log.
        let plan = try store.pool.read { db in
            let statement = try AuditEntry.filter(Audit.aboutParticipant("x")).order(Column("id").desc).limit(200)
                .makePreparedRequest(db, forSingleResult: false).statement
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("audit_log_entity") } && plan.contains { $0.contains("audit_log_listing") }, "\(plan)")
        #expect(!plan.contains("SCAN audit_log"), "\(plan)")
    }

    @Test func theListPagesInAStableOrderWithAnOpaqueCursor() throws {
        let (store, _) = try temporaryStore()
        _ = try people(store, [("Zoé", "durand"), ("Ana", "Durand"), ("Ana", "Durand"), ("Luc", "Abel"), ("Eve", "Martin")])
        let participants = Participants(store: store, currentYear: { 2026 })
        var seen: [ParticipantRecord] = []
        var cursor: ParticipantCursor?
        var pages = 0
        repeat {
            let page = try participants.list(search: nil, after: cursor, limit: 2, by: .system)
            seen += page.participants
            cursor = try page.next.map { try #require(ParticipantCursor(text: $0.text)) }
            pages += 1
        } while cursor != nil && pages < 10
        #expect(pages == 3)
        #expect(seen.map { "\($0.lastName) \($0.firstName)" } == ["Abel Luc", "Durand Ana", "Durand Ana", "durand Zoé", "Martin Eve"])
        #expect(Set(seen.map(\.id)).count == 5, "no one twice, no one left out")
        let all = try participants.list(search: nil, by: .system)
        #expect(all.participants.map(\.id) == seen.map(\.id) && all.next == nil)
        // Opaque and checked: anything but a cursor of the list is refused.
        for text in ["", "abc", "!!!", Data("[1,2,3]".utf8).base64EncodedString(), Data("[\"a\",\"b\"]".utf8).base64EncodedString()] {
            #expect(ParticipantCursor(text: text) == nil, "\(text)")
        }
        // The index answers the order and the position without a sort.
        let plan = try store.pool.read { db in
            try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT * FROM participant WHERE (last_name COLLATE NOCASE, first_name, id) > (?, ?, ?) " +
                             "ORDER BY last_name COLLATE NOCASE, first_name, id LIMIT 3", arguments: ["a", "b", "c"]).map { $0["detail"] as String }
        }
        #expect(plan.contains { $0.contains("participant_by_name") } && !plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
    }

    @Test func aParticipantReadFromRowsIsTheDecodedOne() throws {
        let (store, _) = try temporaryStore()
        let participants = Participants(store: store, currentYear: { 2026 })
        let full = try participants.create(ParticipantDetails(
            firstName: "Nadia", lastName: "Zerbib", birthYear: 1975, email: "nadia@example.org", phone: "06 12 34 56 78",
            postalAddress: "1 rue X", preferredChannel: .email, consentDataProcessing: true, consentEmail: true, consentFollowUp: true,
            smokerStatus: .exSmoker, precarity: true, isolation: true, difficultCarePath: true, language: "en", sex: .female,
            postalCode: "75011", publics: [.pregnant, .justice, .disability]), by: .system)
        let bare = try people(store, [("Paul", "Martin")])[0]
        for record in [full, bare] {
            let (byRow, decoded) = try store.pool.read { db in
                let row = try #require(try Row.fetchOne(db, sql: "SELECT * FROM participant WHERE id = ?", arguments: [record.id]))
                return (try ParticipantRecord(row: row), try FetchableRecordDecoder().decode(ParticipantRecord.self, from: row))
            }
            #expect(byRow == decoded)
            #expect(byRow.firstName == record.firstName && byRow.publics == record.publics && byRow.sex == record.sex)
        }
        // The list reads its rows by position, columns found once for the statement: the same records.
        let decoded = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM participant").map { try FetchableRecordDecoder().decode(ParticipantRecord.self, from: $0) }
        }
        let listed = try participants.list(search: nil, by: .system).participants
        #expect(listed.count == 2 && listed.allSatisfy { record in decoded.contains(record) })
        #expect(try participants.read(ids: [full.id, bare.id], action: "test", by: .system) == [full.id: decoded.first { $0.id == full.id }!,
                                                                                             bare.id: decoded.first { $0.id == bare.id }!])
    }

    @Test func theIDsOfAListReadAreAJSONArray() throws {
        #expect(Audit.participantList([]) == "[]")
        #expect(Audit.participantList(["a1", "b-2"]) == #"["a1","b-2"]"#)
        // What would need escaping goes through the encoder, whole.
        let odd = ["a", "b\"c", "d\\e", "f\ng"]
        #expect(try JSONDecoder().decode([String].self, from: Data(Audit.participantList(odd).utf8)) == odd)
    }

    @Test func storedDatesReadByArithmeticAreTheDatesGRDBReads() throws {
        let (store, _) = try temporaryStore()
        // Every 1,000,003.7 s from 1901 to 2100 (leap years, month ends, milliseconds), and edges.
        var dates = stride(from: -2_177_452_800.0, to: 4_133_980_800.0, by: 1_000_003.7).map { Date(timeIntervalSince1970: $0) }
        dates += ["2024-02-29 23:59:59.999", "2000-03-01 00:00:00.000", "1970-01-01 00:00:00.001", "2100-02-28 12:00:00.500"].map {
            Date.fromDatabaseValue($0.databaseValue)!
        }
        try store.pool.read { db in
            for date in dates {
                let row = try #require(try Row.fetchOne(db, sql: "SELECT ?", arguments: [date]))
                #expect(try StoredDate.read(row, 0) == row[0] as Date, "\(row[0] as String)")
            }
            // Other forms are GRDB's to read: without milliseconds, a day, a number; NULL is nil.
            let row = try #require(try Row.fetchOne(db, sql: "SELECT '2024-05-06 07:08:09', '2024-05-06', 1700000000, NULL, 'soon'"))
            for index in 0..<3 { #expect(try StoredDate.read(row, index) == row[index] as Date) }
            #expect(try StoredDate.readOptional(row, 3) == nil)
            #expect(throws: DatabaseError.self) { try StoredDate.read(row, 4) }
        }
    }

    @Test func tokensAuthenticateFromMemoryAndAreRefusedAtOnceWhenRevokedOrDisabledEvenByAnotherProcess() throws {
        let (store, directory) = try temporaryStore()
        let time = ManualClock()
        let accounts = Accounts(store: store, clock: time.clock)
        try accounts.createUser(name: "coord", role: .coordinator, password: "coordinator pw", by: .system)
        try accounts.createUser(name: "tab", role: .tabacologue, password: "tabacologue pw", by: .system)
        let (token, record) = try accounts.issueToken(userName: "coord", by: .system)
        let (other, _) = try accounts.issueToken(userName: "tab", by: .system)
        #expect(try accounts.authenticate(token: token)?.role == .coordinator)
        let writes = CommitCounter()
        store.pool.add(transactionObserver: writes)
        time.advance(30)
        for _ in 0..<5 { #expect(try accounts.authenticate(token: token)?.name == "coord") }
        #expect(writes.count == 0, "within the minute a token is only read")
        time.advance(31)
        #expect(try accounts.authenticate(token: token) != nil)
        #expect(writes.count == 1, "its last use written once a minute")
        #expect(try accounts.authenticate(token: token) != nil && writes.count == 1)

        // Another process on the same file (the command line): a new role is seen, a revoked
        // token and a disabled account are refused at the next request.
        let cli = Accounts(store: try Store(path: directory + "/relais.sqlite"))
        let coordinator = try #require(try cli.user(named: "coord"))
        try cli.setRole(userID: coordinator.id, to: .tabacologue, by: .cli("user"))
        #expect(try accounts.authenticate(token: token)?.role == .tabacologue)
        try cli.revokeToken(id: record.id, by: .cli("token"))
        #expect(try accounts.authenticate(token: token) == nil)
        #expect(try accounts.authenticate(token: other)?.name == "tab")
        try cli.disable(name: "tab", by: .cli("user"))
        #expect(try accounts.authenticate(token: other) == nil)
        // The refresh of a last use moves nothing: the others stay in memory.
        let generation = try store.authGeneration()
        try store.pool.write { try $0.execute(sql: "UPDATE api_token SET last_used_at = ?", arguments: [time.now]) }
        try store.pool.write { try $0.execute(sql: "UPDATE web_session SET last_seen_at = ?", arguments: [time.now]) }
        #expect(try store.authGeneration() == generation)
    }

    @Test func theIdleTimeoutCountsFromTheLastRequestThoughLastSeenIsWrittenOnceAMinute() throws {
        let (store, directory) = try temporaryStore()
        let time = ManualClock()
        let accounts = Accounts(store: store, clock: time.clock)
        let user = try accounts.createUser(name: "tab", role: .tabacologue, password: "tabacologue1", by: .system)
        let (cookie, started) = try accounts.startSession(for: user)
        // A request 59 s in writes nothing; the session is then idle from there, not from its start.
        time.advance(59)
        #expect(try accounts.session(cookie: cookie, idleTimeout: 1800)?.1.lastSeenAt == started.lastSeenAt)
        time.advance(1799)
        #expect(try accounts.session(cookie: cookie, idleTimeout: 1800) != nil, "29 min 59 s idle: still live")
        time.advance(1801)
        #expect(try accounts.session(cookie: cookie, idleTimeout: 1800) == nil, "30 min 1 s idle: ended")
        #expect(try store.pool.read { try WebSession.fetchCount($0) } == 0)

        // After a restart (nothing in memory) `last_seen_at` counts, at most a minute behind:
        // a session may end up to a minute early, never late.
        let (second, _) = try accounts.startSession(for: user)
        time.advance(30)
        #expect(try accounts.session(cookie: second, idleTimeout: 1800) != nil)
        let restarted = Accounts(store: try Store(path: directory + "/relais.sqlite"), clock: time.clock)
        time.advance(1771)
        #expect(try restarted.session(cookie: second, idleTimeout: 1800) == nil)

        // Signing out, a new password or a disabled account ends a session at once.
        let (third, _) = try accounts.startSession(for: user)
        #expect(try accounts.session(cookie: third, idleTimeout: 1800) != nil)
        try accounts.disable(name: "tab", by: .system)
        #expect(try accounts.session(cookie: third, idleTimeout: 1800) == nil)
    }

    /// The daemon's commits never run a checkpoint (the only write that waits on the disk): its
    /// writer's automatic checkpoints are off, and the background one copies the log into the
    /// database on its own connection.
    @Test func checkpointsRunInTheBackgroundNotInACommit() throws {
        let (store, _) = try temporaryStore()
        // First with a background tick that never comes in the test's time: what the commits alone do.
        let idle = try store.checkpointInBackground(every: 3600)
        #expect(try store.pool.write { try Int.fetchOne($0, sql: "PRAGMA wal_autocheckpoint") } == 0)
        try store.pool.write { try $0.execute(sql: "CREATE TABLE filler(data BLOB)") }
        func databaseBytes() throws -> Int {
            (try FileManager.default.attributesOfItem(atPath: store.path)[.size] as? Int) ?? 0
        }
        let before = try databaseBytes()
        // Well past SQLite's automatic threshold (1,000 pages of 4 kB), in commits of 64 kB.
        for _ in 0..<100 {
            try store.pool.write { try $0.execute(sql: "INSERT INTO filler VALUES (randomblob(65536))") }
        }
        #expect(try databaseBytes() - before < 1_000_000, "no commit copied the log into the database")
        // Then a tick every 0.2 s: the log reaches the database without any commit.
        let ticking = try Checkpointer(path: store.path, interval: 0.2)
        var waited = 0.0
        while try databaseBytes() - before < 6_000_000, waited < 10 {
            Thread.sleep(forTimeInterval: 0.1)
            waited += 0.1
        }
        #expect(try databaseBytes() - before >= 6_000_000, "the background checkpoint copied the log into the database")
        withExtendedLifetime((idle, ticking)) {}
    }
}
