import Foundation
import GRDB
import RelaisDomain
@testable import RelaisStore
import Testing

/// Migration v10-sms on a database that holds data: the participant table is rebuilt to accept
/// `preferred_channel = 'sms'`, and nothing that refers to a participant is lost on the way.
@Suite("Migration v10-sms")
struct SMSMigrationTests {
    @Test func aDatabaseOfV9KeepsEveryRowAndAcceptsSMSAsAChannel() throws {
        let directory = NSTemporaryDirectory() + "relais-v10-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/relais.sqlite"
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        do {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try Migrations.migrator.migrate(pool, upTo: "v9-letter-codes")
            try pool.write { db in
                try db.execute(sql: """
                    INSERT INTO participant(id, first_name, last_name, created_at, phone, preferred_channel, consent_email_at)
                    VALUES ('p1', 'Ana', 'Martin', '2026-11-01 10:00:00.000', '06 12 34 56 78', 'phone', NULL);
                    INSERT INTO assessment(id, participant_id, instrument_id, instrument_version, taken_on, answers, source, recorded_at)
                    VALUES ('a1', 'p1', 'co', '1.0.0', '2026-11-01', '{"ppm":12}', 'staff', '2026-11-01 10:00:00.000');
                    INSERT INTO outbox(id, key, kind, participant_id, payload, due_at, next_attempt_at, state, created_at, updated_at)
                    VALUES ('o1', 'k1', 'session_reminder', 'p1', '{}', '2026-11-02 10:00:00.000', '2026-11-02 10:00:00.000', 'sent',
                            '2026-11-01 10:00:00.000', '2026-11-01 10:00:00.000'),
                           ('o2', 'k2', 'follow_up_call', 'p1', '{}', '2026-11-02 10:00:00.000', '2026-11-02 10:00:00.000', 'pending',
                            '2026-11-01 10:00:00.000', '2026-11-01 10:00:00.000');
                    """)
            }
            #expect(throws: DatabaseError.self) {
                try pool.write { try $0.execute(sql: "UPDATE participant SET preferred_channel = 'sms' WHERE id = 'p1'") }
            }
            try pool.close()
        }
        let store = try Store(path: path)
        #expect(try store.appliedMigrations().contains("v10-sms") && store.appliedMigrations().last == "v11-reads-without-writes")
        try store.pool.write { db in
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM assessment WHERE participant_id = 'p1'") == 1)
            #expect(try String.fetchAll(db, sql: "SELECT channel FROM outbox ORDER BY id") == ["email", "phone"])
            let participant = try #require(try ParticipantRecord.fetchOne(db, key: "p1"))
            #expect(participant.phone == "06 12 34 56 78" && participant.mobile == nil && participant.consentSmsAt == nil)
            try db.execute(sql: "UPDATE participant SET preferred_channel = 'sms', mobile = '+33612345678' WHERE id = 'p1'")
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
        }
        #expect(throws: DatabaseError.self) {
            try store.pool.write { try $0.execute(sql: "UPDATE participant SET preferred_channel = 'pigeon' WHERE id = 'p1'") }
        }
        // The participant still owns its rows: erasing them takes the assessment along (the cascade holds).
        try store.pool.write { try $0.execute(sql: "DELETE FROM outbox; DELETE FROM participant WHERE id = 'p1'") }
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM assessment") } == 0)
    }
}
