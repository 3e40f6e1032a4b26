import Foundation
import GRDB
import RelaisDomain

/// Gathers what the yearly evaluation needs (`EvaluationFacts`) in a dozen set-based queries,
/// whatever the number of participants: programmes, sessions, enrolments with the participants'
/// flags, attendance, consultations, questionnaires, assessments, orientations, outbox and task
/// counts, and the anonymous rows of erased participants. No name, contact or free text is read.
public struct EvaluationQueries: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// The facts of a year (one site or all) or of one programme.
    /// - Parameters:
    ///   - consultationsPlanned: individual consultations per participant, by template id (the
    ///     installed templates say it; 0 for a template no longer installed).
    ///   - instruments: the instruments whose assessments are read (answers are decoded only for
    ///     those not in `scoresOnly`).
    public func facts(_ scope: EvaluationScope, asOf: CalendarDate, consultationsPlanned: [String: Int],
                      instruments: Set<String> = Evaluator.instrumentsRead, scoresOnly: Set<String> = Evaluator.scoresOnly) throws -> EvaluationFacts {
        try store.pool.read { db in
            try Self.facts(db, scope, asOf: asOf, consultationsPlanned: consultationsPlanned, instruments: instruments, scoresOnly: scoresOnly)
        }
    }

    static func localDate(_ date: Date, _ zone: TimeZone) -> CalendarDate { LocalDateTime(date, in: zone).date }

    static func facts(_ db: Database, _ scope: EvaluationScope, asOf: CalendarDate, consultationsPlanned: [String: Int],
                      instruments: Set<String>, scoresOnly: Set<String>) throws -> EvaluationFacts {
        var facts = EvaluationFacts(scope: scope, asOf: asOf)
        var zones: [String: TimeZone] = [:]
        func zone(_ identifier: String) -> TimeZone {
            if let known = zones[identifier] { return known }
            let value = TimeZone(identifier: identifier) ?? TimeZone(identifier: "Europe/Paris")!
            zones[identifier] = value
            return value
        }

        // 1. The programmes of the scope, with their first session (the year is its local year).
        var condition = "1"
        var arguments: StatementArguments = []
        switch scope {
        case .year(let year, let siteID):
            // A generous UTC range first (any time zone), the exact local year below.
            condition = "first_start >= ? AND first_start < ?"
            arguments += ["\(year - 1)-12-30", "\(year + 1)-01-03"]
            if let siteID {
                condition += " AND p.site_id = ?"
                arguments += [siteID]
                facts.siteName = try String.fetchOne(db, sql: "SELECT name FROM site WHERE id = ?", arguments: [siteID])
            }
        case .programme(let id):
            condition = "p.id = ?"
            arguments += [id]
        }
        let programmeRows = try Row.fetchAll(db, sql: """
            SELECT * FROM (
              SELECT p.id, p.title, p.site_id, p.template_id, p.time_zone, p.status, p.peer_helper_id, p.follow_up_due,
                     p.end_instruments, p.follow_up_instrument, p.follow_up_months, st.name AS site_name,
                     (SELECT MIN(starts_at) FROM session s WHERE s.programme_id = p.id) AS first_start
              FROM programme p LEFT JOIN site st ON st.id = p.site_id
            ) p WHERE \(condition)
            """, arguments: arguments)
        var programmes: [String: EvaluationFacts.Programme] = [:]
        var order: [String] = []
        for row in programmeRows {
            let id: String = row["id"]
            let programmeZone = zone(row["time_zone"])
            if case .year(let year, _) = scope {
                guard let first: Date = row["first_start"], localDate(first, programmeZone).year == year else { continue }
            }
            let endInstruments = (try? JSONDecoder().decode([String].self, from: Data(((row["end_instruments"] as String?) ?? "[]").utf8))) ?? []
            let templateID: String = row["template_id"]
            programmes[id] = EvaluationFacts.Programme(
                id: id, title: row["title"], siteID: row["site_id"], siteName: row["site_name"], templateID: templateID,
                cancelled: (row["status"] as String) == "cancelled", coLedByPeerHelper: (row["peer_helper_id"] as String?) != nil,
                sessions: [], consultationsPlanned: consultationsPlanned[templateID] ?? 0, endInstruments: endInstruments,
                followUpInstrument: row["follow_up_instrument"], followUpMonths: row["follow_up_months"],
                plannedFollowUpDue: CalendarDate(iso: row["follow_up_due"]))
            order.append(id)
        }
        guard !order.isEmpty else { return facts }
        let programmeZones = Dictionary(uniqueKeysWithValues: programmeRows.map { ($0["id"] as String, zone($0["time_zone"])) })
        let ids = order
        let placeholders = databaseQuestionMarks(count: ids.count)
        let idArguments = StatementArguments(ids)
        /// The participants of the scope, as a subquery.
        let participantsOfScope = "SELECT participant_id FROM enrolment WHERE programme_id IN (\(placeholders))"

        // 2. Sessions, with whether attendance is recorded.
        for row in try Row.fetchAll(db, sql: """
            SELECT s.programme_id, s.idx, s.starts_at, s.status,
                   EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = s.id) AS recorded
            FROM session s WHERE s.programme_id IN (\(placeholders))
            """, arguments: idArguments) {
            let programmeID: String = row["programme_id"]
            programmes[programmeID]?.sessions.append(EvaluationFacts.Session(
                index: row["idx"], date: localDate(row["starts_at"], programmeZones[programmeID]!),
                cancelled: (row["status"] as String) == "cancelled", attendanceRecorded: row["recorded"]))
        }
        facts.programmes = order.compactMap { id in
            programmes[id].map { programme in
                var sorted = programme
                sorted.sessions.sort { $0.index < $1.index }
                return sorted
            }
        }

        // 3. Enrolments with the participants' flags.
        var participations: [String: EvaluationFacts.Participation] = [:]
        var participationOrder: [String] = []
        for row in try Row.fetchAll(db, sql: """
            SELECT e.participant_id, e.programme_id, e.status, p.smoker_status, p.precarity, p.isolation, p.difficult_care_path
            FROM enrolment e JOIN participant p ON p.id = e.participant_id
            WHERE e.programme_id IN (\(placeholders)) ORDER BY e.programme_id, e.requested_at
            """, arguments: idArguments) {
            let key = "\(row["programme_id"] as String)|\(row["participant_id"] as String)"
            participations[key] = EvaluationFacts.Participation(
                participantID: row["participant_id"], programmeID: row["programme_id"], status: row["status"],
                smokerStatus: row["smoker_status"], precarity: row["precarity"], isolation: row["isolation"],
                difficultCarePath: row["difficult_care_path"])
            participationOrder.append(key)
        }

        // 4. Attendance.
        for row in try Row.fetchAll(db, sql: """
            SELECT s.programme_id, s.idx, a.participant_id, a.status
            FROM session s JOIN attendance a ON a.session_id = s.id WHERE s.programme_id IN (\(placeholders))
            """, arguments: idArguments) {
            participations["\(row["programme_id"] as String)|\(row["participant_id"] as String)"]?.attendance[row["idx"]] = row["status"]
        }

        // 5. Consultations done (distinct indexes).
        for row in try Row.fetchAll(db, sql: """
            SELECT programme_id, participant_id, COUNT(DISTINCT idx) AS done FROM consultation
            WHERE programme_id IN (\(placeholders)) AND status = 'done' GROUP BY programme_id, participant_id
            """, arguments: idArguments) {
            participations["\(row["programme_id"] as String)|\(row["participant_id"] as String)"]?.consultationsDone = row["done"]
        }

        // 6. Questionnaire invitations, and follow-up calls closed as unreachable.
        for row in try Row.fetchAll(db, sql: """
            SELECT programme_id, participant_id, purpose, due_on, answered_at IS NOT NULL AS answered
            FROM questionnaire_invitation WHERE programme_id IN (\(placeholders))
            """, arguments: idArguments) {
            let key = "\(row["programme_id"] as String)|\(row["participant_id"] as String)"
            guard let due = CalendarDate(iso: row["due_on"]) else { continue }
            let invitation = EvaluationFacts.Invitation(dueOn: due, answered: row["answered"])
            if (row["purpose"] as String) == "follow_up" {
                participations[key]?.followUpInvitation = invitation
            } else {
                participations[key]?.endInvitation = invitation
            }
        }
        for row in try Row.fetchAll(db, sql: """
            SELECT t.programme_id, t.participant_id FROM task t JOIN questionnaire_invitation i ON i.id = t.invitation_id
            WHERE t.participant_id IN (\(participantsOfScope)) AND t.programme_id IN (\(placeholders))
              AND t.state = 'unreachable' AND i.purpose = 'follow_up'
            """, arguments: idArguments + idArguments) {
            participations["\(row["programme_id"] as String)|\(row["participant_id"] as String)"]?.followUpUnreachable = true
        }
        facts.participations = participationOrder.compactMap { participations[$0] }

        // 7. Every programme of these participants, in any year: the windows that attribute assessments.
        for row in try Row.fetchAll(db, sql: """
            SELECT e.participant_id, e.programme_id, p.time_zone, MIN(s.starts_at) AS first_start,
                   MAX(CASE WHEN s.status = 'planned' THEN s.starts_at END) AS last_start
            FROM enrolment e JOIN programme p ON p.id = e.programme_id JOIN session s ON s.programme_id = e.programme_id
            WHERE e.participant_id IN (\(participantsOfScope)) AND e.status IN ('enrolled', 'withdrawn') AND p.status = 'planned'
            GROUP BY e.participant_id, e.programme_id
            """, arguments: idArguments) {
            let programmeZone = zone(row["time_zone"])
            let first = localDate(row["first_start"], programmeZone)
            let last = (row["last_start"] as Date?).map { localDate($0, programmeZone) } ?? first
            facts.windows[row["participant_id"], default: []].append(
                EvaluationFacts.Window(programmeID: row["programme_id"], firstDate: first, lastDate: last))
        }

        // 8. Assessments of the instruments read, oldest first.
        var wanted = instruments
        for programme in facts.programmes {
            wanted.formUnion(programme.endInstruments)
            wanted.insert(programme.followUpInstrument)
        }
        let instrumentList = Array(wanted).sorted()
        let onlyScores = Array(scoresOnly).sorted()
        let rows = try Row.fetchCursor(db, sql: """
            SELECT participant_id, instrument_id, taken_on, recorded_at, partial, total,
                   json_extract(derived, '$.hsi.total') AS hsi,
                   CASE WHEN instrument_id IN (\(databaseQuestionMarks(count: onlyScores.count))) THEN NULL ELSE answers END AS answers
            FROM assessment
            WHERE participant_id IN (\(participantsOfScope)) AND instrument_id IN (\(databaseQuestionMarks(count: instrumentList.count)))
            ORDER BY participant_id, taken_on, recorded_at
            """, arguments: StatementArguments(onlyScores) + idArguments + StatementArguments(instrumentList))
        while let row = try rows.next() {
            guard let takenOn = CalendarDate(iso: row["taken_on"]) else { continue }
            var derived: [String: Double] = [:]
            if let hsi: Double = row["hsi"] { derived["hsi"] = hsi }
            var answers: [String: JSONValue] = [:]
            if let text: String = row["answers"] { answers = AnswerParser.parse(text) }
            facts.assessments[row["participant_id"], default: []].append(EvaluationFacts.Assessment(
                instrument: row["instrument_id"], takenOn: takenOn, recordedAt: row["recorded_at"], partial: row["partial"],
                total: row["total"], derived: derived, answers: answers))
        }

        // 9. Orientations of these participants.
        for row in try Row.fetchAll(db, sql: """
            SELECT participant_id, programme_id, kind, followed, created_at FROM orientation
            WHERE participant_id IN (\(participantsOfScope))
            """, arguments: idArguments) {
            let programmeID: String? = row["programme_id"]
            let orientationZone = programmeID.flatMap { programmeZones[$0] } ?? TimeZone(identifier: "Europe/Paris")!
            facts.orientations.append(EvaluationFacts.Orientation(
                participantID: row["participant_id"], programmeID: programmeID, kind: row["kind"],
                createdOn: localDate(row["created_at"], orientationZone), followed: row["followed"]))
        }

        // 10. Outbox and phone tasks, counted. Both are read through their participant index.
        facts.messages = try Row.fetchAll(db, sql: """
            SELECT programme_id, kind, state, COUNT(*) AS n FROM outbox
            WHERE participant_id IN (\(participantsOfScope)) AND programme_id IN (\(placeholders))
            GROUP BY programme_id, kind, state
            """, arguments: idArguments + idArguments).map {
            EvaluationFacts.Count(programmeID: $0["programme_id"], kind: $0["kind"], state: $0["state"], count: $0["n"])
        }
        facts.tasks = try Row.fetchAll(db, sql: """
            SELECT programme_id, kind, state, COUNT(*) AS n FROM task
            WHERE participant_id IN (\(participantsOfScope)) AND programme_id IN (\(placeholders))
            GROUP BY programme_id, kind, state
            """, arguments: idArguments + idArguments).map {
            EvaluationFacts.Count(programmeID: $0["programme_id"], kind: $0["kind"], state: $0["state"], count: $0["n"])
        }

        // 11. Erased participants (migration v5-erasure): rows of these programmes, and, for a
        // year of all sites, the rows of that year whose programme no longer exists.
        if try db.tableExists("erased_participant") {
            var sql = "SELECT * FROM erased_participant WHERE programme_id IN (\(placeholders))"
            var erasedArguments = idArguments
            if case .year(let year, nil) = scope {
                sql += " OR (programme_id IS NULL AND enrolment_status IS NOT NULL AND year = ?)"
                erasedArguments += [year]
            }
            facts.erased = try Row.fetchAll(db, sql: sql, arguments: erasedArguments).map { row in
                EvaluationFacts.Erased(
                    programmeID: row["programme_id"], status: row["enrolment_status"], sessionsAttended: row["sessions_attended"],
                    consultationsDone: row["consultations_done"], endAnswered: row["end_answered"], endOutcome: row["end_outcome"],
                    followUpAnswered: row["follow_up_answered"], followUpOutcome: row["follow_up_outcome"],
                    followUpUnreachable: row["follow_up_unreachable"], smokerStatus: row["smoker_status"], precarity: row["precarity"],
                    isolation: row["isolation"], difficultCarePath: row["difficult_care_path"])
            }
        }
        return facts
    }

    /// Writes the audit row of a report or export (who, which, when).
    public func recordExport(_ what: String, scope: EvaluationScope, by actor: Actor, at now: Date = Date()) throws {
        let id: String
        switch scope {
        case .year(let year, let siteID): id = siteID.map { "\(year) site=\($0)" } ?? String(year)
        case .programme(let programmeID): id = programmeID
        }
        try store.pool.write { db in
            try Audit.record(db, actor, "export", entity: "report", id: id, detail: what, at: now)
        }
    }
}

/// Stored answers as `JSONValue`s. They were validated and written by Relais (a flat JSON object
/// of strings, numbers and lists of strings), so JSONSerialization is enough, and faster.
enum AnswerParser {
    static func parse(_ text: String) -> [String: JSONValue] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
        var answers: [String: JSONValue] = [:]
        answers.reserveCapacity(object.count)
        for (key, value) in object { answers[key] = convert(value) }
        return answers
    }

    static func convert(_ value: Any) -> JSONValue {
        switch value {
        case let text as String: return .string(text)
        case let number as NSNumber: return .number(number.doubleValue) // answers hold no booleans
        case let list as [Any]: return .array(list.map(convert))
        case let object as [String: Any]: return .object(object.mapValues(convert))
        default: return .null
        }
    }
}
