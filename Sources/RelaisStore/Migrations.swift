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
        migrator.registerMigration("v3-programmes") { db in
            try db.create(table: "site") { t in
                t.primaryKey("id", .text)
                t.column("name", .text).notNull().unique().collate(.nocase)
                t.column("address", .text).notNull().defaults(to: "")
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "room") { t in
                t.primaryKey("id", .text)
                t.column("site_id", .text).notNull().indexed().references("site", onDelete: .restrict)
                t.column("name", .text).notNull()
                t.column("capacity", .integer)
                t.uniqueKey(["site_id", "name"])
            }
            try db.alter(table: "participant") { t in
                t.add(column: "birth_year", .integer)
                t.add(column: "email", .text)
                t.add(column: "phone", .text)
                t.add(column: "postal_address", .text)
                t.add(column: "preferred_channel", .text).notNull().defaults(to: "none")
                    .check(sql: "preferred_channel IN ('email','phone','post','none')")
                t.add(column: "no_contact", .boolean).notNull().defaults(to: false)
                t.add(column: "consent_data_processing_at", .datetime)
                t.add(column: "consent_email_at", .datetime)
                t.add(column: "consent_follow_up_at", .datetime)
                t.add(column: "smoker_status", .text).notNull().defaults(to: "smoker")
                    .check(sql: "smoker_status IN ('smoker','ex_smoker')")
                t.add(column: "precarity", .boolean).notNull().defaults(to: false)
                t.add(column: "isolation", .boolean).notNull().defaults(to: false)
                t.add(column: "difficult_care_path", .boolean).notNull().defaults(to: false)
                t.add(column: "language", .text).notNull().defaults(to: "fr")
                t.add(column: "updated_at", .datetime)
            }
            try db.create(table: "programme") { t in
                t.primaryKey("id", .text)
                t.column("template_id", .text).notNull()
                t.column("template_version", .text).notNull()
                t.column("title", .text).notNull()
                t.column("site_id", .text).references("site", onDelete: .restrict)
                t.column("room_id", .text).references("room", onDelete: .restrict)
                t.column("modality", .text).notNull().check(sql: "modality IN ('in_person','visio','mixed')")
                t.column("visio_url", .text)
                t.column("capacity", .integer).notNull()
                t.column("time_zone", .text).notNull()
                t.column("lead_id", .text).notNull().references("user", onDelete: .restrict)
                t.column("peer_helper_id", .text).references("user", onDelete: .restrict)
                t.column("status", .text).notNull().defaults(to: "planned").check(sql: "status IN ('planned','cancelled')")
                t.column("follow_up_due", .text).notNull()
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "session") { t in
                t.primaryKey("id", .text)
                t.column("programme_id", .text).notNull().references("programme", onDelete: .cascade)
                t.column("idx", .integer).notNull()
                t.column("title", .text).notNull()
                t.column("starts_at", .datetime).notNull()
                t.column("ends_at", .datetime).notNull()
                t.column("room_id", .text).references("room", onDelete: .restrict)
                t.column("status", .text).notNull().defaults(to: "planned").check(sql: "status IN ('planned','cancelled')")
                t.column("holiday", .text)
                t.column("note", .text).notNull().defaults(to: "")
                t.column("updated_at", .datetime).notNull()
                t.uniqueKey(["programme_id", "idx"])
            }
            try db.create(index: "session_time", on: "session", columns: ["starts_at"])
            try db.create(table: "session_change") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("session_id", .text).notNull().indexed().references("session", onDelete: .cascade)
                t.column("at", .datetime).notNull()
                t.column("actor_name", .text).notNull()
                t.column("change", .text).notNull()
                t.column("before", .text)
                t.column("after", .text)
                t.column("reason", .text).notNull().defaults(to: "")
            }
            try db.create(table: "enrolment") { t in
                t.primaryKey("id", .text)
                t.column("programme_id", .text).notNull().references("programme", onDelete: .cascade)
                t.column("participant_id", .text).notNull().indexed().references("participant", onDelete: .cascade)
                t.column("status", .text).notNull().check(sql: "status IN ('enrolled','waiting','withdrawn')")
                t.column("requested_at", .datetime).notNull() // waiting-list order
                t.column("enrolled_at", .datetime)
                t.column("withdrawn_at", .datetime)
                t.column("withdrawal_reason", .text)
                t.uniqueKey(["programme_id", "participant_id"])
            }
            try db.create(table: "attendance") { t in
                t.column("session_id", .text).notNull().references("session", onDelete: .cascade)
                t.column("participant_id", .text).notNull().indexed().references("participant", onDelete: .cascade)
                t.column("status", .text).notNull().check(sql: "status IN ('present','excused','absent')")
                t.column("recorded_by", .text).references("user", onDelete: .setNull)
                t.column("recorded_at", .datetime).notNull()
                t.primaryKey(["session_id", "participant_id"])
            }
            try db.create(table: "consultation") { t in
                t.primaryKey("id", .text)
                t.column("programme_id", .text).notNull().indexed().references("programme", onDelete: .cascade)
                t.column("participant_id", .text).notNull().indexed().references("participant", onDelete: .cascade)
                t.column("idx", .integer).notNull()
                t.column("facilitator_id", .text).notNull().indexed().references("user", onDelete: .restrict)
                t.column("starts_at", .datetime).notNull()
                t.column("ends_at", .datetime).notNull()
                t.column("modality", .text).notNull().check(sql: "modality IN ('in_person','visio','phone')")
                t.column("status", .text).notNull().defaults(to: "planned").check(sql: "status IN ('planned','done','missed','cancelled')")
                t.column("note", .text).notNull().defaults(to: "")
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(table: "orientation") { t in
                t.primaryKey("id", .text)
                t.column("participant_id", .text).notNull().indexed().references("participant", onDelete: .cascade)
                t.column("programme_id", .text).references("programme", onDelete: .setNull)
                t.column("consultation_id", .text).references("consultation", onDelete: .setNull)
                t.column("kind", .text).notNull()
                    .check(sql: "kind IN ('medecin_traitant','csapa','hospital_consultation','self_help_group','tabac_info_service','other')")
                t.column("detail", .text).notNull().defaults(to: "")
                t.column("followed", .text) // from the 3-month follow-up: yes, partly, no
                t.column("created_by", .text).references("user", onDelete: .setNull)
                t.column("created_at", .datetime).notNull()
            }
            try db.create(table: "feed_token") { t in
                t.primaryKey("id", .text)
                t.column("kind", .text).notNull().check(sql: "kind IN ('programme','facilitator')")
                t.column("subject_id", .text).notNull()
                t.column("token_hash", .text).notNull().unique()
                t.column("created_at", .datetime).notNull()
                t.column("revoked_at", .datetime)
            }
        }
        migrator.registerMigration("v4-outbox-questionnaires-tasks") { db in
            try db.alter(table: "user") { t in t.add(column: "email", .text) }
            // What the programme's template said when it was created, so that reminders do not
            // depend on a template file that may change later.
            try db.alter(table: "programme") { t in
                t.add(column: "end_instruments", .text).notNull().defaults(to: "[\"satisfaction_end\",\"impact_end\"]")
                t.add(column: "follow_up_instrument", .text).notNull().defaults(to: "followup_3m")
                t.add(column: "follow_up_months", .integer).notNull().defaults(to: 3)
            }
            try db.create(table: "questionnaire_invitation") { t in
                t.primaryKey("id", .text)
                t.column("participant_id", .text).notNull().references("participant", onDelete: .cascade)
                t.column("programme_id", .text).notNull().indexed().references("programme", onDelete: .cascade)
                t.column("purpose", .text).notNull().check(sql: "purpose IN ('end_of_programme','follow_up')")
                t.column("instruments", .text).notNull() // JSON array of instrument ids
                t.column("due_on", .text).notNull()      // YYYY-MM-DD, local
                t.column("created_at", .datetime).notNull()
                t.column("answered_at", .datetime)
                t.column("answered_source", .text)
                t.uniqueKey(["participant_id", "programme_id", "purpose"])
            }
            try db.create(table: "questionnaire_token") { t in
                t.primaryKey("token_hash", .text)
                t.column("invitation_id", .text).notNull().indexed().references("questionnaire_invitation", onDelete: .cascade)
                t.column("created_at", .datetime).notNull()
                t.column("expires_at", .datetime).notNull()
            }
            try db.create(table: "outbox") { t in
                t.primaryKey("id", .text)
                t.column("key", .text).notNull().unique() // one message per fact: never twice
                t.column("kind", .text).notNull()
                t.column("participant_id", .text).references("participant", onDelete: .cascade)
                t.column("user_id", .text).references("user", onDelete: .cascade)
                t.column("programme_id", .text).references("programme", onDelete: .cascade)
                t.column("session_id", .text).references("session", onDelete: .cascade)
                t.column("invitation_id", .text).references("questionnaire_invitation", onDelete: .cascade)
                t.column("payload", .text).notNull().defaults(to: "{}")
                t.column("due_at", .datetime).notNull()
                t.column("next_attempt_at", .datetime).notNull()
                t.column("state", .text).notNull().defaults(to: "pending")
                    .check(sql: "state IN ('pending','sent','failed','cancelled','skipped')")
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("last_error", .text)
                t.column("recipient", .text)
                t.column("message_id", .text)
                t.column("sent_at", .datetime)
                t.column("closed_reason", .text)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            // The sweep reads only pending rows that are due: a partial index keeps its cost in
            // proportion to them, however large the history grows.
            try db.execute(sql: "CREATE INDEX outbox_due ON outbox(next_attempt_at, id) WHERE state = 'pending'")
            try db.execute(sql: "CREATE INDEX outbox_participant ON outbox(participant_id, created_at)")
            try db.execute(sql: "CREATE INDEX outbox_programme_pending ON outbox(programme_id, kind) WHERE state = 'pending'")
            try db.execute(sql: "CREATE INDEX outbox_invitation ON outbox(invitation_id) WHERE invitation_id IS NOT NULL")
            try db.execute(sql: "CREATE INDEX outbox_state_kind ON outbox(state, kind, created_at)")
            try db.create(table: "task") { t in
                t.primaryKey("id", .text)
                t.column("key", .text).unique()
                t.column("kind", .text).notNull()
                    .check(sql: "kind IN ('follow_up_call','questionnaire_call','session_change_call','delivery_failed','other')")
                t.column("participant_id", .text).notNull().indexed().references("participant", onDelete: .cascade)
                t.column("programme_id", .text).references("programme", onDelete: .cascade)
                t.column("invitation_id", .text).references("questionnaire_invitation", onDelete: .setNull)
                t.column("outbox_id", .text).references("outbox", onDelete: .setNull)
                t.column("reason", .text).notNull()
                t.column("state", .text).notNull().defaults(to: "open").check(sql: "state IN ('open','done','unreachable')")
                t.column("assigned_to", .text).references("user", onDelete: .setNull)
                t.column("due_on", .text).notNull()
                t.column("note", .text).notNull().defaults(to: "")
                t.column("created_at", .datetime).notNull()
                t.column("closed_at", .datetime)
                t.column("closed_by", .text).references("user", onDelete: .setNull)
            }
            try db.execute(sql: "CREATE INDEX task_open ON task(state, due_on)")
        }
        migrator.registerMigration("v5-erasure") { db in
            // What the yearly evaluation still needs of an erased participant: anonymous rows,
            // one per programme they were enrolled in (one without programme if none). No name,
            // contact, birth year, date of a session or free text: see ParticipantRecords.erase.
            try db.create(table: "erased_participant") { t in
                t.primaryKey("id", .text)
                t.column("erasure_id", .text).notNull().indexed() // random: groups the rows of one erasure
                t.column("erased_on", .text).notNull() // YYYY-MM-DD, local
                t.column("year", .integer).notNull().indexed() // the programme's year (of the erasure when none)
                t.column("programme_id", .text).indexed().references("programme", onDelete: .setNull)
                t.column("enrolment_status", .text).check(sql: "enrolment_status IN ('enrolled','waiting','withdrawn')")
                t.column("sessions_attended", .integer).notNull().defaults(to: 0)
                t.column("consultations_done", .integer).notNull().defaults(to: 0)
                t.column("end_answered", .boolean) // null: no end-of-programme questionnaire was sent
                t.column("end_outcome", .text)
                    .check(sql: "end_outcome IN ('stopped','reduced','unchanged','increased','unknown')")
                t.column("follow_up_answered", .boolean) // null: no follow-up was sent
                t.column("follow_up_outcome", .text)
                    .check(sql: "follow_up_outcome IN ('stopped','reduced','unchanged','increased','unknown')")
                t.column("follow_up_unreachable", .boolean).notNull().defaults(to: false)
                t.column("smoker_status", .text).notNull().check(sql: "smoker_status IN ('smoker','ex_smoker')")
                t.column("precarity", .boolean).notNull().defaults(to: false)
                t.column("isolation", .boolean).notNull().defaults(to: false)
                t.column("difficult_care_path", .boolean).notNull().defaults(to: false)
            }
            // The audit log stays append-only, with one exception for erasure: inside the
            // transaction that records `audit_redaction` in `setting`, the free text of a row
            // (`detail`) may be redacted, and nothing else of it may change.
            try db.execute(sql: """
                DROP TRIGGER audit_log_no_update;
                CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
                WHEN (SELECT value FROM setting WHERE key = 'audit_redaction') IS NULL
                  OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at OR NEW.actor_id IS NOT OLD.actor_id
                  OR NEW.actor_name IS NOT OLD.actor_name OR NEW.action IS NOT OLD.action OR NEW.entity IS NOT OLD.entity
                  OR NEW.entity_id IS NOT OLD.entity_id OR NEW.client_address IS NOT OLD.client_address
                BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
                """)
        }
        migrator.registerMigration("v6-letter-links") { db in
            // A printed letter's link is derived (HMAC under a key kept beside the database) from
            // this nonce, so that the letter page shows the same live link every time it is printed.
            try db.alter(table: "questionnaire_token") { t in t.add(column: "letter_nonce", .text) }
        }
        migrator.registerMigration("v7-calendar-sequence") { db in
            // The iCalendar SEQUENCE of each event (RFC 5545 3.8.7.4): one revision counter per
            // session and consultation, raised with every change of its time, place or status, and
            // read by both the mailed .ics and the feeds so that they always agree.
            try db.alter(table: "session") { t in t.add(column: "sequence", .integer).notNull().defaults(to: 0) }
            try db.alter(table: "consultation") { t in t.add(column: "sequence", .integer).notNull().defaults(to: 0) }
        }
        migrator.registerMigration("v8-baseline-outcomes") { db in
            // The participant as the funders' breakdowns ask: sex, postal code (its département),
            // and the priority publics of the Mois sans tabac call beside precarity and isolation.
            try db.alter(table: "participant") { t in
                t.add(column: "sex", .text).check(sql: "sex IN ('female','male','other')")
                t.add(column: "postal_code", .text)
                for column in ["pregnant", "chronic_illness", "mental_illness", "disability", "complementaire_sante_solidaire", "justice"] {
                    t.add(column: column, .boolean).notNull().defaults(to: false)
                }
            }
            // The baseline, frozen at enrolment: what the evaluation measures outcomes against.
            // Existing enrolments take the record's status and publics as they are now (the only
            // thing known), marked as coming from the record.
            try db.alter(table: "enrolment") { t in
                t.add(column: "baseline_smoking_status", .text).notNull().defaults(to: "smoker")
                    .check(sql: "baseline_smoking_status IN ('smoker','ex_smoker')")
                t.add(column: "baseline_status_source", .text).notNull().defaults(to: "record")
                    .check(sql: "baseline_status_source IN ('declared','record')")
                t.add(column: "baseline_cigarettes_per_day", .double)
                t.add(column: "baseline_products", .text).notNull().defaults(to: "{}")
                t.add(column: "baseline_goal", .text).check(sql: "baseline_goal IN ('stop','reduce','take_stock','consolidate')")
                t.add(column: "baseline_quit_date", .text)
                t.add(column: "baseline_publics", .text).notNull().defaults(to: "[]")
            }
            try db.execute(sql: """
                UPDATE enrolment SET baseline_smoking_status = (SELECT smoker_status FROM participant p WHERE p.id = enrolment.participant_id),
                  baseline_publics = (SELECT CASE WHEN p.precarity AND p.isolation THEN '["precarity","isolation"]'
                                                  WHEN p.precarity THEN '["precarity"]' WHEN p.isolation THEN '["isolation"]' ELSE '[]' END
                                      FROM participant p WHERE p.id = enrolment.participant_id)
                """)
            // A "Mois sans tabac" programme, for the funder's flag; the follow-ups its template
            // planned (months and instrument of each), as it said when the programme was created.
            try db.alter(table: "programme") { t in
                t.add(column: "mois_sans_tabac", .boolean).notNull().defaults(to: false)
                t.add(column: "follow_ups", .text)
            }
            try db.execute(sql: """
                UPDATE programme SET follow_ups = json_array(json_object('months', follow_up_months, 'instrument', follow_up_instrument))
                """)
            // An assessment may name the programme it belongs to (else it is attributed by date).
            try db.alter(table: "assessment") { t in
                t.add(column: "programme_id", .text).references("programme", onDelete: .setNull)
            }
            // One follow-up invitation per time point: the questionnaire invitations gain the
            // months after the programme they are for (0 for the end of programme). SQLite cannot
            // change a unique key in place: the table is rebuilt (foreign keys are checked at commit).
            try db.create(table: "questionnaire_invitation_new") { t in
                t.primaryKey("id", .text)
                t.column("participant_id", .text).notNull().references("participant", onDelete: .cascade)
                t.column("programme_id", .text).notNull().indexed().references("programme", onDelete: .cascade)
                t.column("purpose", .text).notNull().check(sql: "purpose IN ('end_of_programme','follow_up')")
                t.column("months", .integer).notNull().defaults(to: 0)
                t.column("instruments", .text).notNull()
                t.column("due_on", .text).notNull()
                t.column("created_at", .datetime).notNull()
                t.column("answered_at", .datetime)
                t.column("answered_source", .text)
                t.uniqueKey(["participant_id", "programme_id", "purpose", "months"])
            }
            try db.execute(sql: """
                INSERT INTO questionnaire_invitation_new(id, participant_id, programme_id, purpose, months, instruments, due_on, created_at,
                                                         answered_at, answered_source)
                SELECT i.id, i.participant_id, i.programme_id, i.purpose,
                       CASE WHEN i.purpose = 'follow_up' THEN (SELECT follow_up_months FROM programme p WHERE p.id = i.programme_id) ELSE 0 END,
                       i.instruments, i.due_on, i.created_at, i.answered_at, i.answered_source
                FROM questionnaire_invitation i;
                DROP TABLE questionnaire_invitation;
                ALTER TABLE questionnaire_invitation_new RENAME TO questionnaire_invitation;
                """)
            // What an erasure keeps for the evaluation, now by time point and with the baseline's
            // status, the coarse breakdowns (age band, not birth year; département, not postal
            // code) and the publics. `outcomes`: JSON, time point → classified status and CO check.
            try db.alter(table: "erased_participant") { t in
                t.add(column: "outcomes", .text)
                t.add(column: "sex", .text)
                t.add(column: "age_band", .text)
                t.add(column: "departement", .text)
                t.add(column: "publics", .text).notNull().defaults(to: "[]")
            }
        }
        migrator.registerMigration("v9-assessment-corrections") { db in
            // A corrected assessment keeps each version it replaced, with the reason, who and
            // when; a withdrawn one stays, marked, and is counted nowhere.
            try db.alter(table: "assessment") { t in
                t.add(column: "withdrawn_at", .datetime)
                t.add(column: "withdrawn_by", .text).references("user", onDelete: .setNull)
                t.add(column: "withdrawn_reason", .text)
            }
            try db.create(table: "assessment_correction") { t in
                t.primaryKey("id", .text)
                t.column("assessment_id", .text).notNull().indexed().references("assessment", onDelete: .cascade)
                t.column("previous_version", .text).notNull()
                t.column("previous_taken_on", .text).notNull()
                t.column("previous_answers", .text).notNull() // JSON, as stored before
                t.column("previous_total", .double)
                t.column("previous_band", .text)
                t.column("previous_derived", .text)
                t.column("reason", .text).notNull()
                t.column("corrected_by", .text).references("user", onDelete: .setNull)
                t.column("corrected_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v9-delivery-failures") { db in
            // Why a delivery failed, as a code (`DeliveryFailure`) staff read in their language;
            // `last_error` keeps the transport's detail for the log and the API.
            try db.alter(table: "outbox") { t in t.add(column: "failure", .text) }
        }
        migrator.registerMigration("v9-letter-codes") { db in
            // The short code printed on a letter, beside its link: stored as a keyed digest (HMAC
            // under `link.key`, kept beside the database and not in backups), so a copy of the
            // database cannot be searched for the codes, which are short enough to enumerate.
            try db.alter(table: "questionnaire_token") { t in t.add(column: "code_hash", .text) }
            try db.create(index: "questionnaire_token_code", on: "questionnaire_token", columns: ["code_hash"], unique: true,
                          condition: Column("code_hash") != nil)
            // Wrong codes typed on the code page, per client address, for the throttle.
            try db.create(table: "letter_code_failure") { t in
                t.column("client_address", .text).notNull()
                t.column("at", .datetime).notNull().indexed()
            }
        }
        migrator.registerMigration("v10-treatments") { db in
            // Treatments recorded for a participant: the kind (a code of Protocols/treatment_kinds.json),
            // the dose as written, the start and end dates; each change keeps the version it replaced.
            try db.create(table: "treatment") { t in
                t.primaryKey("id", .text)
                t.column("participant_id", .text).notNull().indexed().references("participant", onDelete: .cascade)
                t.column("kind", .text).notNull()
                t.column("dose", .text).notNull().defaults(to: "")
                t.column("start_on", .text).notNull() // YYYY-MM-DD
                t.column("end_on", .text) // YYYY-MM-DD; null while it goes on
                t.column("consultation_id", .text).references("consultation", onDelete: .setNull)
                t.column("programme_id", .text).references("programme", onDelete: .setNull)
                t.column("note", .text).notNull().defaults(to: "")
                t.column("recorded_by", .text).references("user", onDelete: .setNull)
                t.column("recorded_at", .datetime).notNull()
            }
            try db.create(table: "treatment_correction") { t in
                t.primaryKey("id", .text)
                t.column("treatment_id", .text).notNull().indexed().references("treatment", onDelete: .cascade)
                t.column("previous_kind", .text).notNull()
                t.column("previous_dose", .text).notNull()
                t.column("previous_start_on", .text).notNull()
                t.column("previous_end_on", .text)
                t.column("previous_consultation_id", .text)
                t.column("previous_programme_id", .text)
                t.column("previous_note", .text).notNull()
                t.column("reason", .text) // null for a plain end
                t.column("corrected_by", .text).references("user", onDelete: .setNull)
                t.column("corrected_at", .datetime).notNull()
            }
        }
        migrator.registerMigration("v10-consultation-record") { db in
            // The structured record of a consultation, beside its free note: one current version
            // per consultation (`content`: the record as the API gives it, JSON) with the figures
            // computed when it was written, and its CO reading as a `co` assessment; every
            // version it replaced is kept with who wrote it and who replaced it, and when.
            try db.create(table: "consultation_record") { t in
                t.primaryKey("consultation_id", .text).references("consultation", onDelete: .cascade)
                t.column("participant_id", .text).notNull().indexed().references("participant", onDelete: .cascade)
                t.column("version", .integer).notNull()
                t.column("content", .text).notNull()
                t.column("cigarette_equivalents", .double)
                t.column("pack_years", .double)
                t.column("pack_years_source", .text).check(sql: "pack_years_source IN ('entered','computed')")
                t.column("co_assessment_id", .text).references("assessment", onDelete: .setNull)
                t.column("recorded_by", .text).references("user", onDelete: .setNull)
                t.column("recorded_at", .datetime).notNull()
            }
            try db.create(table: "consultation_record_version") { t in
                t.primaryKey("id", .text)
                t.column("consultation_id", .text).notNull().indexed().references("consultation", onDelete: .cascade)
                t.column("version", .integer).notNull()
                t.column("content", .text).notNull()
                t.column("cigarette_equivalents", .double)
                t.column("pack_years", .double)
                t.column("pack_years_source", .text)
                t.column("co_assessment_id", .text).references("assessment", onDelete: .setNull)
                t.column("recorded_by", .text).references("user", onDelete: .setNull)
                t.column("recorded_at", .datetime).notNull()
                t.column("replaced_by", .text).references("user", onDelete: .setNull)
                t.column("replaced_at", .datetime).notNull()
                t.uniqueKey(["consultation_id", "version"])
            }
        }
        migrator.registerMigration("v10-sms") { db in
            // SMS as a channel. The participant's preferred channel may now be 'sms': its CHECK
            // is part of the table, so the table is rebuilt from its own definition with the new
            // value (foreign keys are off during a migration and checked before it commits; no
            // index or trigger is defined on it).
            guard let definition = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'participant'"),
                  let check = definition.range(of: "preferred_channel IN ('email','phone','post','none')"),
                  let head = definition.range(of: "participant") else {
                throw DatabaseError(message: "v10-sms: unexpected definition of the participant table")
            }
            var rebuilt = definition
            rebuilt.replaceSubrange(check, with: "preferred_channel IN ('email','phone','post','none','sms')")
            rebuilt.replaceSubrange(head, with: "participant_v10")
            let columns = try Row.fetchAll(db, sql: "PRAGMA table_info(participant)").map { "\"\($0["name"] as String)\"" }.joined(separator: ", ")
            try db.execute(sql: rebuilt)
            try db.execute(sql: """
                INSERT INTO participant_v10(\(columns)) SELECT \(columns) FROM participant;
                DROP TABLE participant;
                ALTER TABLE participant_v10 RENAME TO participant;
                """)
            try db.alter(table: "participant") { t in
                // E.164 (`MobileNumber`), and when the participant consented to SMS at it.
                t.add(column: "mobile", .text)
                t.add(column: "consent_sms_at", .datetime)
            }
            // Each message's channel: decided when it is written (what the participant's details
            // give then, shown to staff), decided again when it is sent. For an SMS, the delivery
            // report the gateway sends back: 'accepted' by the operator, then 'delivered' or
            // 'failed', with when and the operator's words.
            try db.alter(table: "outbox") { t in
                t.add(column: "channel", .text).check(sql: "channel IN ('email','sms','phone')")
                t.add(column: "delivery", .text).check(sql: "delivery IN ('accepted','delivered','failed')")
                t.add(column: "delivery_at", .datetime)
                t.add(column: "delivery_detail", .text)
            }
            try db.execute(sql: """
                UPDATE outbox SET channel = CASE WHEN kind = 'follow_up_call' OR closed_reason LIKE '%phone task%' THEN 'phone' ELSE 'email' END
                """)
            try db.execute(sql: "CREATE INDEX outbox_channel ON outbox(channel, state, created_at)")
            // Delivery reports name the message by the reference of its attempt.
            try db.execute(sql: "CREATE INDEX outbox_message_id ON outbox(message_id) WHERE message_id IS NOT NULL")
        }
        migrator.registerMigration("v11-reads-without-writes") { db in
            // A list read names the participants it showed in its one audit row, so that it costs
            // one row rather than one per participant and "who saw X" still finds it.
            try db.alter(table: "audit_log") { t in t.add(column: "participant_ids", .text) }
            try db.execute(sql: "CREATE INDEX audit_log_listing ON audit_log(id) WHERE participant_ids IS NOT NULL")
            // The participants list, paged in its stable order (name, then id) without a sort.
            try db.execute(sql: "CREATE INDEX participant_by_name ON participant(last_name COLLATE NOCASE, first_name, id)")
            // What authenticates a request is kept in memory (tokens, browser sessions and their
            // accounts); any change to it, by the daemon, the command line or any other writer of
            // the file, moves this generation on, and a request that finds it moved reads again.
            // Not the refresh of last use or last sight, which changes no one's rights.
            try db.execute(sql: """
                CREATE TABLE auth_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
                INSERT INTO auth_generation (id, value) VALUES (1, 0);
                CREATE TRIGGER auth_user_updated AFTER UPDATE ON user
                BEGIN UPDATE auth_generation SET value = value + 1; END;
                CREATE TRIGGER auth_user_deleted AFTER DELETE ON user
                BEGIN UPDATE auth_generation SET value = value + 1; END;
                CREATE TRIGGER auth_token_updated AFTER UPDATE OF id, user_id, token_hash, revoked_at ON api_token
                BEGIN UPDATE auth_generation SET value = value + 1; END;
                CREATE TRIGGER auth_token_deleted AFTER DELETE ON api_token
                BEGIN UPDATE auth_generation SET value = value + 1; END;
                CREATE TRIGGER auth_session_updated AFTER UPDATE OF id, user_id, csrf_token, created_at ON web_session
                BEGIN UPDATE auth_generation SET value = value + 1; END;
                CREATE TRIGGER auth_session_deleted AFTER DELETE ON web_session
                BEGIN UPDATE auth_generation SET value = value + 1; END;
                """)
        }
        return migrator
    }
}
