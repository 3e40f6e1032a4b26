import Foundation
import GRDB
import RelaisDomain

/// Gathers what the yearly evaluation needs (`EvaluationFacts`) in a dozen set-based queries,
/// whatever the number of participants: programmes, sessions, enrolments with the participants'
/// flags, attendance, consultations, questionnaires, assessments, orientations, outbox and task
/// counts, and the anonymous rows of erased participants. No name, contact or free text is read.
///
/// Rows are read by column index, instants are turned into local dates from their stored text,
/// and answers are parsed by a small parser of the flat JSON Relais writes: on Linux, Foundation's
/// `Calendar`, `DateFormatter` and `JSONSerialization` would cost more than the queries themselves.
public struct EvaluationQueries: Sendable {
    public let store: Store
    /// The structure's zone: the local dates of what belongs to no programme (an orientation
    /// given outside one), and of a programme whose stored zone the system no longer knows.
    public let timeZone: TimeZone

    public init(store: Store, timeZone: TimeZone) {
        self.store = store
        self.timeZone = timeZone
    }

    /// The facts of a year (one site or all) or of one programme.
    /// - Parameters:
    ///   - consultationsPlanned: individual consultations per participant, by template id (the
    ///     installed templates say it; 0 for a template no longer installed).
    ///   - instruments: the instruments whose assessments are read (answers are parsed only for
    ///     those not in `scoresOnly`).
    public func facts(_ scope: EvaluationScope, asOf: CalendarDate, consultationsPlanned: [String: Int],
                      instruments: Set<String> = Evaluator.instrumentsRead, scoresOnly: Set<String> = Evaluator.scoresOnly) throws -> EvaluationFacts {
        try store.pool.read { db in
            try Self.facts(db, scope, asOf: asOf, consultationsPlanned: consultationsPlanned, instruments: instruments, scoresOnly: scoresOnly,
                           structureZone: timeZone)
        }
    }

    static func facts(_ db: Database, _ scope: EvaluationScope, asOf: CalendarDate, consultationsPlanned: [String: Int],
                      instruments: Set<String>, scoresOnly: Set<String>, structureZone: TimeZone) throws -> EvaluationFacts {
        var facts = EvaluationFacts(scope: scope, asOf: asOf)
        var zones: [String: TimeZone] = [:]
        func zone(_ identifier: String) -> TimeZone {
            if let known = zones[identifier] { return known }
            let value = TimeZone(identifier: identifier) ?? structureZone
            zones[identifier] = value
            return value
        }

        // 1. The programmes of the scope, with their first session (the year is its local year).
        var condition = "1"
        var arguments: StatementArguments = []
        let dates = scope.dates
        switch scope {
        case .year, .period:
            guard let dates else { return facts }
            // A generous UTC range first (any time zone), the exact local dates below.
            condition = "first_start >= ? AND first_start < ?"
            arguments += [dates.lowerBound.addingDays(-2).iso, dates.upperBound.addingDays(3).iso]
            if let siteID = scope.siteID {
                condition += " AND site_id = ?"
                arguments += [siteID]
                facts.siteName = try String.fetchOne(db, sql: "SELECT name FROM site WHERE id = ?", arguments: [siteID])
            }
        case .programme(let id):
            condition = "id = ?"
            arguments += [id]
        }
        var programmes: [String: EvaluationFacts.Programme] = [:]
        var programmeZones: [String: TimeZone] = [:]
        var order: [String] = []
        let cursor1 = try Row.fetchCursor(db, sql: """
            SELECT id, title, site_id, template_id, time_zone, status, peer_helper_id, follow_up_due, end_instruments,
                   follow_up_instrument, follow_up_months, site_name, first_start, follow_ups, modality, mois_sans_tabac FROM (
              SELECT p.*, st.name AS site_name, (SELECT MIN(starts_at) FROM session s WHERE s.programme_id = p.id) AS first_start
              FROM programme p LEFT JOIN site st ON st.id = p.site_id
            ) WHERE \(condition)
            """, arguments: arguments)
        while let row = try cursor1.next() {
            let id: String = row[0]
            let programmeZone = zone(row[4])
            if let dates {
                guard let first: String = row[12], let local = StoredInstant.localDate(first, programmeZone), dates.contains(local) else { continue }
            }
            let templateID: String = row[3]
            programmes[id] = EvaluationFacts.Programme(
                id: id, title: row[1], siteID: row[2], siteName: row[11], templateID: templateID,
                cancelled: (row[5] as String) == "cancelled", coLedByPeerHelper: (row[6] as String?) != nil,
                sessions: [], consultationsPlanned: consultationsPlanned[templateID] ?? 0,
                endInstruments: StringList.parse(row[8]),
                followUps: (row[13] as String?).flatMap(Self.followUps) ?? [FollowUpTemplate(months: row[10], instrument: row[9])],
                plannedFollowUpDue: CalendarDate(iso: row[7]), modality: row[14], moisSansTabac: row[15])
            programmeZones[id] = programmeZone
            order.append(id)
        }
        guard !order.isEmpty else { return facts }
        let placeholders = databaseQuestionMarks(count: order.count)
        let idArguments = StatementArguments(order)
        /// The participants of the scope, as a subquery.
        let participantsOfScope = "SELECT participant_id FROM enrolment WHERE programme_id IN (\(placeholders))"

        // 2. Sessions, with whether attendance is recorded.
        let cursor2 = try Row.fetchCursor(db, sql: """
            SELECT s.programme_id, s.idx, s.starts_at, s.status, EXISTS (SELECT 1 FROM attendance a WHERE a.session_id = s.id)
            FROM session s WHERE s.programme_id IN (\(placeholders))
            """, arguments: idArguments)
        while let row = try cursor2.next() {
            let programmeID: String = row[0]
            guard let date = StoredInstant.localDate(row[2], programmeZones[programmeID]!) else { continue }
            programmes[programmeID]?.sessions.append(EvaluationFacts.Session(
                index: row[1], date: date, cancelled: (row[3] as String) == "cancelled", attendanceRecorded: row[4]))
        }
        facts.programmes = order.compactMap { id in
            programmes[id].map { programme in
                var sorted = programme
                sorted.sessions.sort { $0.index < $1.index }
                return sorted
            }
        }
        let scoped = Dictionary(uniqueKeysWithValues: facts.programmes.map { ($0.id, $0) })

        // 3. Enrolments with the participants' flags. Participations are kept in an array, found
        // through (programme, participant).
        var participations: [EvaluationFacts.Participation] = []
        var index: [Pair: Int] = [:]
        let cursor3 = try Row.fetchCursor(db, sql: """
            SELECT e.programme_id, e.participant_id, e.status, e.baseline_smoking_status, e.baseline_status_source,
                   e.baseline_cigarettes_per_day, e.baseline_goal, e.baseline_quit_date, e.baseline_publics,
                   p.difficult_care_path, p.sex, p.birth_year, p.postal_code
            FROM enrolment e JOIN participant p ON p.id = e.participant_id
            WHERE e.programme_id IN (\(placeholders)) ORDER BY e.programme_id, e.requested_at, e.rowid
            """, arguments: idArguments)
        while let row = try cursor3.next() {
            let baseline = Baseline(
                smokingStatus: SmokerStatus(rawValue: row[3]) ?? .smoker, smokingStatusSource: BaselineSource(rawValue: row[4]) ?? .record,
                cigarettesPerDay: row[5], goal: (row[6] as String?).flatMap(SmokingGoal.init(rawValue:)),
                quitDate: (row[7] as String?).flatMap(CalendarDate.init(iso:)),
                publics: Set(StringList.parse(row[8]).compactMap(PriorityPublic.init(rawValue:))))
            let participation = EvaluationFacts.Participation(
                participantID: row[1], programmeID: row[0], status: row[2], baseline: baseline, difficultCarePath: row[9],
                sex: (row[10] as String?).flatMap(Sex.init(rawValue:)), birthYear: row[11], postalCode: row[12])
            index[Pair(participation.programmeID, participation.participantID)] = participations.count
            participations.append(participation)
        }

        // 4. Attendance.
        let cursor4 = try Row.fetchCursor(db, sql: """
            SELECT s.programme_id, a.participant_id, s.idx, a.status
            FROM session s JOIN attendance a ON a.session_id = s.id WHERE s.programme_id IN (\(placeholders))
            """, arguments: idArguments)
        while let row = try cursor4.next() {
            if let position = index[Pair(row[0], row[1])] { participations[position].attendance[row[2]] = row[3] }
        }

        // 5. Consultations done (distinct indexes).
        let cursor5 = try Row.fetchCursor(db, sql: """
            SELECT programme_id, participant_id, COUNT(DISTINCT idx) FROM consultation
            WHERE programme_id IN (\(placeholders)) AND status = 'done' GROUP BY programme_id, participant_id
            """, arguments: idArguments)
        while let row = try cursor5.next() {
            if let position = index[Pair(row[0], row[1])] { participations[position].consultationsDone = row[2] }
        }

        // 6. Questionnaire invitations, and follow-up calls closed as unreachable.
        let cursor6 = try Row.fetchCursor(db, sql: """
            SELECT programme_id, participant_id, purpose, due_on, answered_at IS NOT NULL, months
            FROM questionnaire_invitation WHERE programme_id IN (\(placeholders))
            """, arguments: idArguments)
        while let row = try cursor6.next() {
            guard let position = index[Pair(row[0], row[1])], let due = StoredInstant.date(row[3]) else { continue }
            let invitation = EvaluationFacts.Invitation(dueOn: due, answered: row[4])
            if (row[2] as String) == "follow_up" {
                participations[position].followUpInvitations[row[5]] = invitation
            } else {
                participations[position].endInvitation = invitation
            }
        }
        let cursor7 = try Row.fetchCursor(db, sql: """
            SELECT t.programme_id, t.participant_id, i.months FROM task t JOIN questionnaire_invitation i ON i.id = t.invitation_id
            WHERE t.state = 'unreachable' AND i.purpose = 'follow_up' AND i.programme_id IN (\(placeholders))
            """, arguments: idArguments)
        while let row = try cursor7.next() {
            if let position = index[Pair(row[0], row[1])] { participations[position].unreachableFollowUps.insert(row[2]) }
        }
        facts.participations = participations

        // 7. The programmes of these participants, in any year: the windows that attribute their
        // assessments. Those of the scope are known; the others (usually none) are queried.
        for participation in participations where participation.status != "waiting" {
            guard let programme = scoped[participation.programmeID], !programme.cancelled, let first = programme.firstDate else { continue }
            facts.windows[participation.participantID, default: []].append(
                EvaluationFacts.Window(programmeID: programme.id, firstDate: first, lastDate: programme.lastDate ?? first))
        }
        let cursor8 = try Row.fetchCursor(db, sql: """
            SELECT e.participant_id, e.programme_id, p.time_zone, MIN(s.starts_at), MAX(CASE WHEN s.status = 'planned' THEN s.starts_at END)
            FROM enrolment e JOIN programme p ON p.id = e.programme_id JOIN session s ON s.programme_id = e.programme_id
            WHERE e.participant_id IN (\(participantsOfScope)) AND e.programme_id NOT IN (\(placeholders))
              AND e.status IN ('enrolled', 'withdrawn') AND p.status = 'planned'
            GROUP BY e.participant_id, e.programme_id
            """, arguments: idArguments + idArguments)
        while let row = try cursor8.next() {
            let programmeZone = zone(row[2])
            guard let first = StoredInstant.localDate(row[3], programmeZone) else { continue }
            let last = (row[4] as String?).flatMap { StoredInstant.localDate($0, programmeZone) } ?? first
            facts.windows[row[0], default: []].append(EvaluationFacts.Window(programmeID: row[1], firstDate: first, lastDate: last))
        }

        // 8. Assessments of the instruments read, oldest first; a withdrawn one counts nowhere.
        var wanted = instruments
        for programme in facts.programmes {
            wanted.formUnion(programme.endInstruments)
            wanted.formUnion(programme.followUpInstruments)
        }
        let instrumentList = Array(wanted).sorted()
        let onlyScores = Array(scoresOnly).sorted()
        // Sorting in SQL would sort the answers' text too: each participant's few rows are sorted here.
        let rows = try Row.fetchCursor(db, sql: """
            SELECT participant_id, instrument_id, taken_on, recorded_at, partial, total, json_extract(derived, '$.hsi.total'),
                   CASE WHEN instrument_id IN (\(databaseQuestionMarks(count: onlyScores.count))) THEN NULL ELSE answers END, programme_id
            FROM assessment
            WHERE participant_id IN (\(participantsOfScope)) AND +instrument_id IN (\(databaseQuestionMarks(count: instrumentList.count)))
              AND withdrawn_at IS NULL
            """, arguments: StatementArguments(onlyScores) + idArguments + StatementArguments(instrumentList))
        var read: [String: [(key: String, assessment: EvaluationFacts.Assessment)]] = [:]
        var instrumentNames: [String: String] = [:] // one String instance per instrument id
        while let row = try rows.next() {
            let takenOnText: String = row[2]
            guard let takenOn = StoredInstant.date(takenOnText) else { continue }
            let instrumentText: String = row[1]
            let instrument = instrumentNames[instrumentText] ?? instrumentText
            instrumentNames[instrument] = instrument
            var derived: [String: Double] = [:]
            if let hsi: Double = row[6] { derived["hsi"] = hsi }
            var answers: [String: JSONValue] = [:]
            if let text: String = row[7] { answers = AnswerParser.parse(text) }
            // Stored texts sort like the dates and instants they hold.
            read[row[0], default: []].append((takenOnText + " " + (row[3] as String), EvaluationFacts.Assessment(
                instrument: instrument, takenOn: takenOn, partial: row[4], total: row[5], derived: derived, answers: answers, programmeID: row[8])))
        }
        facts.assessments.reserveCapacity(read.count)
        for (participant, list) in read {
            facts.assessments[participant] = list.count > 1 ? list.sorted { $0.key < $1.key }.map(\.assessment) : list.map(\.assessment)
        }

        // 9. Orientations of these participants.
        let cursor9 = try Row.fetchCursor(db, sql: """
            SELECT participant_id, programme_id, kind, followed, created_at FROM orientation WHERE participant_id IN (\(participantsOfScope))
            """, arguments: idArguments)
        while let row = try cursor9.next() {
            let programmeID: String? = row[1]
            guard let created = StoredInstant.localDate(row[4], programmeID.flatMap { programmeZones[$0] } ?? structureZone) else { continue }
            facts.orientations.append(EvaluationFacts.Orientation(participantID: row[0], programmeID: programmeID, kind: row[2],
                                                                  createdOn: created, followed: row[3]))
        }

        // 9b. Treatments of these participants (kind and dates only: never the dose or the note).
        if try db.tableExists("treatment") {
            let cursor9b = try Row.fetchCursor(db, sql: """
                SELECT t.participant_id, COALESCE(t.programme_id, c.programme_id), t.kind, t.start_on, t.end_on
                FROM treatment t LEFT JOIN consultation c ON c.id = t.consultation_id
                WHERE t.participant_id IN (\(participantsOfScope))
                """, arguments: idArguments)
            while let row = try cursor9b.next() {
                guard let start = StoredInstant.date(row[3]) else { continue }
                facts.treatments.append(EvaluationFacts.Treatment(participantID: row[0], programmeID: row[1], kind: row[2], start: start,
                                                                  end: (row[4] as String?).flatMap(StoredInstant.date)))
            }
        }

        // 10. Outbox and phone tasks, counted by programme, kind and state, read through their
        // participant index: the cost follows the scope, not the whole history of the outbox.
        func counts(_ table: String) throws -> [EvaluationFacts.Count] {
            try Row.fetchAll(db, sql: """
                SELECT t.programme_id, t.kind, t.state, COUNT(*) FROM enrolment e
                JOIN \(table) t ON t.participant_id = e.participant_id AND t.programme_id = e.programme_id
                WHERE e.programme_id IN (\(placeholders)) GROUP BY t.programme_id, t.kind, t.state
                """, arguments: idArguments).map { EvaluationFacts.Count(programmeID: $0[0], kind: $0[1], state: $0[2], count: $0[3]) }
        }
        facts.messages = try counts("outbox")
        facts.tasks = try counts("task")

        // 11. Erased participants (migration v5-erasure): rows of these programmes, and, for a
        // year of all sites, the rows of that year whose programme no longer exists.
        if try db.tableExists("erased_participant") {
            var sql = """
                SELECT programme_id, enrolment_status, sessions_attended, consultations_done, end_answered, end_outcome, follow_up_answered,
                       follow_up_outcome, follow_up_unreachable, smoker_status, precarity, isolation, difficult_care_path, outcomes
                FROM erased_participant WHERE programme_id IN (\(placeholders))
                """
            var erasedArguments = idArguments
            if case .year(let year, nil) = scope {
                sql += " OR (programme_id IS NULL AND enrolment_status IS NOT NULL AND year = ?)"
                erasedArguments += [year]
            }
            facts.erased = try Row.fetchAll(db, sql: sql, arguments: erasedArguments).map { row in
                EvaluationFacts.Erased(
                    programmeID: row[0], status: row[1], sessionsAttended: row[2], consultationsDone: row[3], endAnswered: row[4],
                    endOutcome: row[5], followUpAnswered: row[6], followUpOutcome: row[7], followUpUnreachable: row[8],
                    smokerStatus: row[9], precarity: row[10], isolation: row[11], difficultCarePath: row[12],
                    snapshot: (row[13] as String?).flatMap { try? JSONDecoder().decode(ErasedSnapshot.self, from: Data($0.utf8)) })
            }
        }
        return facts
    }

    /// Writes the audit row of a report or export (who, which, when).
    public func recordExport(_ what: String, scope: EvaluationScope, by actor: Actor, at now: Date = Date()) throws {
        let id: String
        switch scope {
        case .year(let year, let siteID): id = siteID.map { "\(year) site=\($0)" } ?? String(year)
        case .period(let from, let to, let siteID): id = "\(from.iso)..\(to.iso)" + (siteID.map { " site=\($0)" } ?? "")
        case .programme(let programmeID): id = programmeID
        }
        try store.pool.write { db in
            try Audit.record(db, actor, "export", entity: "report", id: id, detail: what, at: now)
        }
    }

    /// The follow-ups a programme stored (JSON list of months and instrument).
    static func followUps(_ text: String) -> [FollowUpTemplate]? {
        try? JSONDecoder().decode([FollowUpTemplate].self, from: Data(text.utf8))
    }

    /// (programme, participant).
    struct Pair: Hashable {
        let programme: String
        let participant: String
        init(_ programme: String, _ participant: String) {
            self.programme = programme
            self.participant = participant
        }
    }
}

/// Instants and dates as stored: GRDB writes a `Date` as "yyyy-MM-dd HH:mm:ss.SSS" in UTC.
enum StoredInstant {
    /// "YYYY-MM-DD" (the start of any stored instant) as a calendar date.
    static func date(_ text: String) -> CalendarDate? {
        var bytes = text.utf8.makeIterator()
        func number(_ count: Int) -> Int? {
            var value = 0
            for _ in 0..<count {
                guard let byte = bytes.next(), byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int(byte - 48)
            }
            return value
        }
        guard let year = number(4), bytes.next() == 45, let month = number(2), bytes.next() == 45, let day = number(2) else { return nil }
        return CalendarDate(year: year, month: month, day: day)
    }

    /// The local date, in `zone`, of a stored UTC instant.
    static func localDate(_ text: String, _ zone: TimeZone) -> CalendarDate? {
        let bytes = Array(text.utf8.prefix(19))
        guard bytes.count == 19, let day = date(text) else { return nil }
        func two(_ at: Int) -> Int? {
            let a = Int(bytes[at]) - 48, b = Int(bytes[at + 1]) - 48
            return (0...9).contains(a) && (0...9).contains(b) ? a * 10 + b : nil
        }
        guard let hour = two(11), let minute = two(14), let second = two(17) else { return nil }
        let seconds = day.dayNumber * 86_400 + hour * 3600 + minute * 60 + second
        let local = seconds + zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
        return CalendarDate(dayNumber: local >= 0 ? local / 86_400 : (local - 86_399) / 86_400)
    }
}

/// A JSON array of strings as stored (`["satisfaction_end","impact_end"]`).
enum StringList {
    static func parse(_ text: String?) -> [String] {
        guard let text, case .array(let values)? = AnswerParser.value(text) else { return [] }
        return values.compactMap { if case .string(let value) = $0 { return value } else { return nil } }
    }
}

/// Stored answers as `JSONValue`s. Relais wrote them (a flat JSON object of strings, numbers and
/// lists), so a small parser over the UTF-8 bytes is enough; anything it does not expect falls
/// back to `JSONDecoder`.
enum AnswerParser {
    static func parse(_ text: String) -> [String: JSONValue] {
        if case .object(let object)? = value(text) { return object }
        return (try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8))) ?? [:]
    }

    static func value(_ text: String) -> JSONValue? {
        var text = text
        return text.withUTF8 { buffer -> JSONValue? in
            var parser = Parser(bytes: buffer)
            guard let value = parser.value() else { return nil }
            parser.skipSpaces()
            return parser.position == buffer.count ? value : nil
        }
    }

    struct Parser {
        let bytes: UnsafeBufferPointer<UInt8>
        var position = 0

        mutating func skipSpaces() {
            while position < bytes.count, [32, 9, 10, 13].contains(bytes[position]) { position += 1 }
        }

        mutating func value() -> JSONValue? {
            skipSpaces()
            guard position < bytes.count else { return nil }
            switch bytes[position] {
            case UInt8(ascii: "\""): return string().map(JSONValue.string)
            case UInt8(ascii: "{"):
                position += 1
                var object: [String: JSONValue] = [:]
                skipSpaces()
                if position < bytes.count, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(object) }
                while true {
                    skipSpaces()
                    guard let key = string() else { return nil }
                    skipSpaces()
                    guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else { return nil }
                    position += 1
                    guard let element = value() else { return nil }
                    object[key] = element
                    skipSpaces()
                    guard position < bytes.count else { return nil }
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(object) }
                    return nil
                }
            case UInt8(ascii: "["):
                position += 1
                var array: [JSONValue] = []
                skipSpaces()
                if position < bytes.count, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(array) }
                while true {
                    guard let element = value() else { return nil }
                    array.append(element)
                    skipSpaces()
                    guard position < bytes.count else { return nil }
                    if bytes[position] == UInt8(ascii: ",") { position += 1; continue }
                    if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(array) }
                    return nil
                }
            case UInt8(ascii: "t"): return literal("true", .bool(true))
            case UInt8(ascii: "f"): return literal("false", .bool(false))
            case UInt8(ascii: "n"): return literal("null", .null)
            default: return number()
            }
        }

        mutating func literal(_ word: StaticString, _ value: JSONValue) -> JSONValue? {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count else { return nil }
            for offset in 0..<count where bytes[position + offset] != word.utf8Start[offset] { return nil }
            position += count
            return value
        }

        mutating func number() -> JSONValue? {
            let start = position
            while position < bytes.count, (48...57).contains(bytes[position]) || [43, 45, 46, 69, 101].contains(bytes[position]) { position += 1 }
            guard position > start, let value = Double(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)) else { return nil }
            return .number(value)
        }

        /// A string without escapes is copied at once; escapes (rare in answers) go through JSONDecoder.
        mutating func string() -> String? {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else { return nil }
            let start = position
            position += 1
            var escaped = false
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\\") {
                    escaped = true
                    position += 2
                    continue
                }
                if byte == UInt8(ascii: "\"") {
                    position += 1
                    let slice = UnsafeBufferPointer(rebasing: bytes[start..<position])
                    if !escaped { return String(decoding: UnsafeBufferPointer(rebasing: slice.dropFirst().dropLast()), as: UTF8.self) }
                    return try? JSONDecoder().decode(String.self, from: Data(slice))
                }
                position += 1
            }
            return nil
        }
    }
}
