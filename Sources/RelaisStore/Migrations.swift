import GRDB

/// The schema, one registered migration per step. Never edit a shipped migration: add one.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-accounts-audit") { db in
            try db.create(table: "user") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull().unique().collate(.nocase)
                t.column("display_name", .text).notNull()
                t.column("role", .text).notNull()
                    .check(sql: "role IN ('admin','coordinator','tabacologue','peer_helper')")
                t.column("password_hash", .text).notNull()
                t.column("must_change_password", .boolean).notNull().defaults(to: false)
                t.column("language", .text).notNull().defaults(to: "fr")
                t.column("created_at", .datetime).notNull()
                t.column("password_changed_at", .datetime).notNull()
                t.column("disabled_at", .datetime)
            }
            try db.create(table: "api_token") { t in
                t.primaryKey("id", .text)
                t.column("user_id", .text).notNull().indexed().references("user", onDelete: .cascade)
                t.column("token_hash", .text).notNull().unique()
                t.column("label", .text).notNull().defaults(to: "")
                t.column("created_at", .datetime).notNull()
                t.column("last_used_at", .datetime)
                t.column("revoked_at", .datetime)
            }
            try db.create(table: "web_session") { t in
                t.primaryKey("id", .text) // SHA-256 of the cookie value
                t.column("user_id", .text).notNull().indexed().references("user", onDelete: .cascade)
                t.column("csrf_token", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("last_seen_at", .datetime).notNull()
            }
            try db.create(table: "login_failure") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().collate(.nocase)
                t.column("client_address", .text).notNull()
                t.column("at", .datetime).notNull()
            }
            try db.create(index: "login_failure_name_at", on: "login_failure", columns: ["name", "at"])
            try db.create(index: "login_failure_address_at", on: "login_failure", columns: ["client_address", "at"])
            try db.create(table: "setting") { t in
                t.primaryKey("key", .text)
                t.column("value", .text).notNull()
            }
            try db.create(table: "audit_log") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("at", .datetime).notNull()
                t.column("actor_id", .text)
                t.column("actor_name", .text).notNull()
                t.column("action", .text).notNull()
                t.column("entity", .text).notNull()
                t.column("entity_id", .text)
                t.column("detail", .text)
                t.column("client_address", .text)
            }
            try db.create(index: "audit_log_entity", on: "audit_log", columns: ["entity", "entity_id"])
            // Append-only: rows are never changed, and only the retention purge may delete,
            // for rows older than the cut-off it records in `setting` in the same transaction.
            try db.execute(sql: """
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
                WHEN (SELECT value FROM setting WHERE key = 'audit_purge_before') IS NULL
                  OR OLD.at >= (SELECT value FROM setting WHERE key = 'audit_purge_before')
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
        }
        migrator.registerMigration("v2-participants-assessments") { db in
            // The minimal participant; the programmes migration adds contact, consents and flags.
            try db.create(table: "participant") { t in
                t.primaryKey("id", .text)
                t.column("first_name", .text).notNull()
                t.column("last_name", .text).notNull()
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "assessment") { t in
                t.primaryKey("id", .text)
                t.column("participant_id", .text).notNull().references("participant", onDelete: .cascade)
                t.column("instrument_id", .text).notNull()
                t.column("instrument_version", .text).notNull()
                t.column("taken_on", .text).notNull() // YYYY-MM-DD, local date of the structure
                t.column("answers", .text).notNull() // JSON, validated
                t.column("total", .double)
                t.column("band", .text)
                t.column("derived", .text) // JSON {"hsi":{"total":N,"band":"…"}}
                t.column("partial", .boolean).notNull().defaults(to: false)
                t.column("source", .text).notNull()
                    .check(sql: "source IN ('staff','participant_web','phone','paper')")
                t.column("recorded_by", .text).references("user", onDelete: .setNull)
                t.column("recorded_at", .datetime).notNull()
            }
            try db.create(index: "assessment_participant", on: "assessment", columns: ["participant_id", "taken_on"])
            try db.create(index: "assessment_instrument", on: "assessment", columns: ["instrument_id", "taken_on"])
        }
        return migrator
    }
}
