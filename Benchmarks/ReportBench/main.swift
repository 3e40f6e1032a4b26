// `relais-report-bench`: the yearly evaluation report over 100 programmes × 16 participants with
// full data (attendance, consultations, Fagerström / Q-MAT / CO at entry, Q-MAT at the end,
// satisfaction_end, impact_end, followup_3m answers, CO at follow-up, orientations, questionnaire
// invitations, outbox rows, phone tasks), plus the same again for the year before, in a real
// SQLite file. Then times, side by side in the same run (medians):
//   - the facts gathered by the set-based queries of RelaisStore (EvaluationQueries), against the
//     naive path: one round of queries per participant;
//   - the computation (Evaluator), and the whole report (facts + computation), against the target;
//   - the HTML rendering (the standalone page, charts included), the JSON and the two CSV files.
// BENCH_PROGRAMMES (default 100) and BENCH_RUNS (default 15) change the size and the repetitions;
// BENCH_PROFILE=facts|evaluate|html repeats one part only (to run under perf); BENCH_KEEP=1 keeps
// the SQLite file (its path is printed) to look at query plans with sqlite3.
import Foundation
import GRDB
import RelaisConfig
import RelaisDomain
import RelaisReports
import RelaisStore
import RelaisUseCases

let programmesPerYear = Int(ProcessInfo.processInfo.environment["BENCH_PROGRAMMES"] ?? "") ?? 100
let runs = max(3, Int(ProcessInfo.processInfo.environment["BENCH_RUNS"] ?? "") ?? 15)
let perProgramme = 16
let protocols = ProcessInfo.processInfo.environment["RELAIS_PROTOCOLS_DIR"] ?? "Protocols"
let target = 200.0
let reportYear = 2026
let asOf = CalendarDate(iso: "2027-06-30")!

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let folder = NSTemporaryDirectory() + "relais-report-bench-" + UUID().uuidString.prefix(8)
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
let keep = ProcessInfo.processInfo.environment["BENCH_KEEP"] != nil
defer { if keep { print("  kept: \(folder)/relais.sqlite") } else { try? FileManager.default.removeItem(atPath: folder) } }
let paris = TimeZone(identifier: "Europe/Paris")!
let catalog = try ProtocolsLoader.catalog(directory: protocols)
let instruments = catalog.instruments, templates = catalog.templates

/// Scored answers as stored: (answers JSON, total, band, derived JSON).
func stored(_ id: String, _ answers: [String: JSONValue]) throws -> (String, Double?, String?, String?) {
    let result = try instruments[id]!.score(answers)
    let encoder = JSONEncoder()
    encoder.outputFormatting = .sortedKeys
    return (String(decoding: try encoder.encode(result.answers), as: UTF8.self), result.total.total, result.total.band,
            try result.derived.map { String(decoding: try encoder.encode($0), as: UTF8.self) })
}

/// Two years of 100 programmes × 16 participants, with everything a year of evaluation reads.
func populate(_ path: String) throws -> Store {
    let store = try Store(path: path)
    let created = LocalDateTime(iso: "2024-12-01T09:00")!.instant(in: paris)
    // Answer variants, scored by the real instruments.
    let fagerstrom = try (0..<8).map { (i: Int) -> (String, Double?, String?, String?) in
        var answers: [String: JSONValue] = [:]
        answers["q1"] = .string(["within5", "6to30", "31to60", "after60"][i % 4])
        answers["q2"] = .string(i % 2 == 0 ? "yes" : "no")
        answers["q3"] = .string(i % 3 == 0 ? "first_morning" : "other")
        answers["q4"] = i % 3 == 2 ? .string("11to20") : .number(Double(8 + i * 4))
        answers["q5"] = .string(i % 2 == 1 ? "yes" : "no")
        answers["q6"] = .string(i % 4 == 0 ? "yes" : "no")
        return try stored("fagerstrom", answers)
    }
    let qmatCodes = [("same", "not_at_all", "same", "never"), ("reduced_little", "a_little", "reduced_little", "sometimes"),
                     ("reduced_much", "a_lot", "reduced_much", "often"), ("stopped", "enormously", "stopped", "very_often")]
    let qmat = try qmatCodes.map { q in try stored("qmat", ["q1": .string(q.0), "q2": .string(q.1), "q3": .string(q.2), "q4": .string(q.3)]) }
    let co = try [5.0, 8, 12, 18, 25].map { try stored("co", ["ppm": .number($0)]) }
    let satisfactionItems = instruments["satisfaction_end"]!.definition.items.filter { $0.type == .singleChoice }
    let satisfaction = try (0..<4).map { i in
        try stored("satisfaction_end", Dictionary(uniqueKeysWithValues: satisfactionItems.enumerated().map { index, item in
            (item.id, JSONValue.string(item.options![(i + index) % 3 == 0 ? 1 : i % 2].code))
        }).merging(["comment": .string("Très bien")]) { $1 })
    }
    let impactItems = instruments["impact_end"]!.definition.items.filter { $0.type == .integer }
    let impact = try (0..<4).map { i in
        try stored("impact_end", Dictionary(uniqueKeysWithValues: impactItems.enumerated().map { ($1.id, JSONValue.number(Double((i * 3 + $0 * 2) % 11))) }))
    }
    let followUps = try [("stopped", 0.0), ("reduced", 5), ("reduced", 12), ("unchanged", 20), ("increased", 30)].map { status, count in
        try stored("followup_3m", ["status": .string(status), "cigarettes_per_day": .number(count), "aids_used": .array([.string("patches")]),
                                   "orientation_followed": .string(["yes", "partly", "no"][Int(count) % 3]), "would_recommend": .string("yes")])
    }

    try store.pool.write { db in
        for index in 0..<3 { try db.execute(sql: "INSERT INTO site(id, name, created_at) VALUES (?,?,?)", arguments: ["site\(index)", "Site \(index)", created]) }
        for index in 0..<10 {
            try db.execute(sql: """
                INSERT INTO user(id, name, display_name, role, password_hash, created_at, password_changed_at) VALUES (?,?,?,'tabacologue','x',?,?);
                INSERT INTO room(id, site_id, name) VALUES (?, ?, ?);
                """, arguments: ["lead\(index)", "lead\(index)", "Lead \(index)", created, created, "room\(index)", "site\(index % 3)", "Salle \(index)"])
        }
        try db.execute(sql: "INSERT INTO user(id, name, display_name, role, password_hash, created_at, password_changed_at) VALUES ('pair','pair','Pair','peer_helper','x',?,?)",
                       arguments: [created, created])
    }
    try store.pool.write { db in
        let programme = try db.makeStatement(sql: """
            INSERT INTO programme(id, template_id, template_version, title, site_id, room_id, modality, capacity, time_zone, lead_id, peer_helper_id, follow_up_due,
                                  created_at, follow_ups, mois_sans_tabac)
            VALUES (?, '3g2i', '1.1.0', ?, ?, ?, 'in_person', 16, 'Europe/Paris', ?, ?, ?, ?, '[{"months":3,"instrument":"followup_3m"}]', ?)
            """)
        let session = try db.makeStatement(sql: "INSERT INTO session(id, programme_id, idx, title, starts_at, ends_at, room_id, updated_at) VALUES (?,?,?,?,?,?,?,?)")
        let participant = try db.makeStatement(sql: """
            INSERT INTO participant(id, first_name, last_name, created_at, email, preferred_channel, consent_data_processing_at, consent_email_at,
                                    consent_follow_up_at, precarity, isolation, difficult_care_path)
            VALUES (?, 'Prénom', ?, ?, ?, 'email', ?, ?, ?, ?, ?, ?)
            """)
        let enrolment = try db.makeStatement(sql: """
            INSERT INTO enrolment(id, programme_id, participant_id, status, requested_at, enrolled_at, withdrawn_at, baseline_smoking_status,
                                  baseline_status_source, baseline_cigarettes_per_day, baseline_publics)
            VALUES (?,?,?,?,?,?,?,?,?,?,?)
            """)
        let attendance = try db.makeStatement(sql: "INSERT INTO attendance(session_id, participant_id, status, recorded_by, recorded_at) VALUES (?,?,?,?,?)")
        let consultation = try db.makeStatement(sql: """
            INSERT INTO consultation(id, programme_id, participant_id, idx, facilitator_id, starts_at, ends_at, modality, status, created_at, updated_at)
            VALUES (?,?,?,?,?,?,?, 'in_person', ?, ?, ?)
            """)
        let assessment = try db.makeStatement(sql: """
            INSERT INTO assessment(id, participant_id, instrument_id, instrument_version, taken_on, answers, total, band, derived, partial, source, recorded_at,
                                   programme_id)
            VALUES (?,?,?, '1.0.0', ?,?,?,?,?, 0, ?, ?, ?)
            """)
        let invitation = try db.makeStatement(sql: """
            INSERT INTO questionnaire_invitation(id, participant_id, programme_id, purpose, months, instruments, due_on, created_at, answered_at, answered_source)
            VALUES (?,?,?,?,?,?,?,?,?,?)
            """)
        let orientation = try db.makeStatement(sql: """
            INSERT INTO orientation(id, participant_id, programme_id, kind, detail, followed, created_at) VALUES (?,?,?,?, '', ?, ?)
            """)
        let outbox = try db.makeStatement(sql: """
            INSERT INTO outbox(id, key, kind, participant_id, programme_id, invitation_id, due_at, next_attempt_at, state, attempts, sent_at, created_at, updated_at)
            VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
            """)
        let task = try db.makeStatement(sql: """
            INSERT INTO task(id, key, kind, participant_id, programme_id, invitation_id, reason, state, due_on, created_at, closed_at)
            VALUES (?,?,?,?,?,?, 'Suivi sans réponse', ?, ?, ?, ?)
            """)
        var serial = 0
        func id(_ prefix: String) -> String { serial += 1; return "\(prefix)\(serial)" }
        for year in [reportYear - 1, reportYear] {
            for p in 0..<programmesPerYear {
                let programmeID = "p\(year)-\(p)"
                let lead = p % 10
                // Ten slots of 30 days per lead and room, from 5 January; weekly sessions at 18:00.
                let first = CalendarDate(year: year, month: 1, day: 5)!.addingDays((p / 10 % 10) * 30 + (p / 100) * 3)
                let dates = (0..<3).map { first.addingDays(7 * $0) }
                let starts = dates.map { LocalDateTime(date: $0, hour: 18, minute: 0)!.instant(in: paris) }
                let followUpDue = dates[2].addingMonths(3)
                try programme.execute(arguments: [programmeID, "Programme \(year)-\(p)", "site\(lead % 3)", "room\(lead)", "lead\(lead)",
                                                  p % 3 == 0 ? "pair" : nil, followUpDue.iso, created, p % 4 == 0])
                let sessionIDs = (0..<3).map { "\(programmeID)-s\($0 + 1)" }
                for index in 0..<3 {
                    try session.execute(arguments: [sessionIDs[index], programmeID, index + 1, "Séance \(index + 1)", starts[index],
                                                    starts[index].addingTimeInterval(7200), "room\(lead)", created])
                }
                for q in 0..<perProgramme {
                    let n = p * perProgramme + q
                    let person = "\(programmeID)-u\(q)"
                    try participant.execute(arguments: [person, "Nom\(n)", created, "u\(n)@example.org", created, created, created,
                                                        n % 5 == 0, n % 7 == 1, n % 9 == 2])
                    let withdrawn = q == 15
                    // The baseline: one in twelve an ex-smoker; a count entered for two in three, the Fagerström's otherwise.
                    let exSmoker = n % 12 == 0
                    try enrolment.execute(arguments: [id("e"), programmeID, person, withdrawn ? "withdrawn" : "enrolled", created, created,
                                                      withdrawn ? starts[1] : nil, exSmoker ? "ex_smoker" : "smoker", n % 3 == 0 ? "record" : "declared",
                                                      exSmoker ? 0 : n % 3 == 0 ? nil : Double(10 + n % 20), n % 5 == 0 ? "[\"precarity\"]" : "[]"])
                    var lastAttended = 0
                    for index in 0..<3 where !(withdrawn && index > 0) {
                        let present = (q + index) % 7 != 3
                        if present { lastAttended = index }
                        try attendance.execute(arguments: [sessionIDs[index], person, present ? "present" : (q % 2 == 0 ? "absent" : "excused"),
                                                           "lead\(lead)", starts[index].addingTimeInterval(7200)])
                    }
                    for index in 1...2 where !withdrawn {
                        let at = starts[index].addingTimeInterval(86400 + Double(q) * 3600)
                        try consultation.execute(arguments: [id("c"), programmeID, person, index, "lead\(lead)", at, at.addingTimeInterval(2700),
                                                             (q + index) % 6 == 0 ? "missed" : "done", created, created])
                    }
                    // Entry: Fagerström and CO at session 1, Q-MAT at session 2; Q-MAT again at session 3.
                    func record(_ instrument: String, _ value: (String, Double?, String?, String?), _ date: CalendarDate, _ source: String = "staff",
                                programme: String? = nil) throws {
                        try assessment.execute(arguments: [id("a"), person, instrument, date.iso, value.0, value.1, value.2, value.3, source,
                                                           LocalDateTime(date: date, hour: 20, minute: 0)!.instant(in: paris), programme])
                    }
                    try record("fagerstrom", fagerstrom[n % fagerstrom.count], dates[0])
                    try record("co", co[2 + n % 3], dates[0])
                    try record("decisional_balance", ("{\"pros_smoking\":\"Détente\",\"cons_smoking\":\"Santé\"}", nil, nil, nil), dates[1])
                    try record("qmat", qmat[n % 3], dates[1])
                    if !withdrawn { try record("qmat", qmat[min(3, n % 3 + (q % 2))], dates[2]) }
                    // The end status at the last session, entered for the group (attached to the programme).
                    if !withdrawn && (q + 2) % 7 != 3 {
                        let ends = ["{\"status\":\"stopped\",\"cigarettes_per_day\":0}", "{\"status\":\"reduced\",\"cigarettes_per_day\":6}",
                                    "{\"status\":\"unchanged\",\"cigarettes_per_day\":18}", "{\"status\":\"stopped\"}"]
                        try record("end_status", (ends[n % 4], nil, nil, nil), dates[2], programme: programmeID)
                        if n % 4 == 0 { try record("co", co[n % 8 == 0 ? 0 : 3], dates[2], programme: programmeID) }
                    }
                    // End of programme: questionnaires for those who attended.
                    let endInvitation = id("i")
                    let endAnswered = !withdrawn && q % 4 != 0
                    try invitation.execute(arguments: [endInvitation, person, programmeID, "end_of_programme", 0, "[\"end_status\",\"satisfaction_end\",\"impact_end\"]",
                                                       dates[2].iso, starts[2], endAnswered ? starts[2].addingTimeInterval(5 * 86400) : nil,
                                                       endAnswered ? "participant_web" : nil])
                    if endAnswered {
                        try record("satisfaction_end", satisfaction[n % 4], dates[2].addingDays(5), "participant_web")
                        try record("impact_end", impact[n % 4], dates[2].addingDays(5), "participant_web")
                    }
                    // The 3-month follow-up, answered by about 70 %, and a CO reading for some quits.
                    let due = dates[lastAttended].addingMonths(3)
                    let followInvitation = id("i")
                    let answered = n % 10 < 7
                    try invitation.execute(arguments: [followInvitation, person, programmeID, "follow_up", 3, "[\"followup_3m\"]", due.iso, starts[2],
                                                       answered ? LocalDateTime(date: due.addingDays(3), hour: 11, minute: 0)!.instant(in: paris) : nil,
                                                       answered ? "participant_web" : nil])
                    if answered {
                        let answer = followUps[n % followUps.count]
                        try record("followup_3m", answer, due.addingDays(3), "participant_web")
                        if n % followUps.count == 0 && n % 2 == 0 { try record("co", co[n % 4 == 0 ? 0 : 3], due.addingDays(10)) }
                    }
                    if q % 2 == 0 {
                        try orientation.execute(arguments: [id("o"), person, q % 4 == 0 ? programmeID : nil,
                                                            ["medecin_traitant", "csapa", "tabac_info_service", "self_help_group"][n % 4],
                                                            n % 3 == 0 ? "yes" : nil, starts[2].addingTimeInterval(3600)])
                    }
                    // The outbox: confirmation, three session reminders, questionnaires and their reminders.
                    var messages: [(String, String?, Date, String)] = [("enrolment_confirmation", nil, created, "sent")]
                    for index in 0..<3 { messages.append(("session_reminder", nil, starts[index].addingTimeInterval(-2 * 86400), n % 23 == 0 ? "failed" : "sent")) }
                    messages.append(("end_questionnaire", endInvitation, starts[2], "sent"))
                    messages.append(("end_questionnaire_reminder", endInvitation, starts[2].addingTimeInterval(7 * 86400), endAnswered ? "cancelled" : "sent"))
                    let dueAt = LocalDateTime(date: due, hour: 0, minute: 0)!.instant(in: paris)
                    messages.append(("follow_up_invitation", followInvitation, dueAt, "sent"))
                    for days in [7, 14] { messages.append(("follow_up_reminder", followInvitation, dueAt.addingTimeInterval(Double(days) * 86400), answered ? "cancelled" : "sent")) }
                    messages.append(("follow_up_call", followInvitation, dueAt.addingTimeInterval(21 * 86400), answered ? "cancelled" : "sent"))
                    for (kind, invitationID, at, state) in messages {
                        let messageID = id("m")
                        try outbox.execute(arguments: [messageID, "\(kind):\(messageID)", kind, person, programmeID, invitationID, at, at, state,
                                                       state == "sent" ? 1 : state == "failed" ? 6 : 0, state == "sent" ? at : nil, created, created])
                    }
                    if !answered {
                        let state = n % 3 == 0 ? "unreachable" : n % 3 == 1 ? "done" : "open"
                        let opened = dueAt.addingTimeInterval(21 * 86400)
                        try task.execute(arguments: [id("t"), "follow_up_call:\(followInvitation)", "follow_up_call", person, programmeID, followInvitation,
                                                     state, due.addingDays(21).iso, opened, state == "open" ? nil : opened.addingTimeInterval(86400)])
                    }
                }
            }
        }
    }
    return store
}

/// The naive path: the same facts with one round of queries per participant (what an ORM-style
/// loop over the roster would do), for comparison.
func naiveFacts(_ store: Store, year: Int, consultationsPlanned: [String: Int]) throws -> EvaluationFacts {
    try store.pool.read { db in
        var facts = EvaluationFacts(scope: .year(year, siteID: nil), asOf: asOf)
        let programmes = try Row.fetchAll(db, sql: "SELECT * FROM programme")
        for row in programmes {
            let programmeID: String = row["id"]
            let sessions = try Row.fetchAll(db, sql: "SELECT * FROM session WHERE programme_id = ? ORDER BY idx", arguments: [programmeID])
            guard let first: Date = sessions.first?["starts_at"], LocalDateTime(first, in: paris).date.year == year else { continue }
            var programme = EvaluationFacts.Programme(
                id: programmeID, title: row["title"], siteID: row["site_id"], templateID: row["template_id"], cancelled: (row["status"] as String) == "cancelled",
                coLedByPeerHelper: (row["peer_helper_id"] as String?) != nil, sessions: [], consultationsPlanned: consultationsPlanned[row["template_id"]] ?? 0,
                // Programmes stored before the list of follow-ups have their one follow-up in two columns.
                followUps: (row["follow_ups"] as String?).flatMap { try? JSONDecoder().decode([FollowUpTemplate].self, from: Data($0.utf8)) }
                    ?? [FollowUpTemplate(months: row["follow_up_months"], instrument: row["follow_up_instrument"])],
                plannedFollowUpDue: CalendarDate(iso: row["follow_up_due"]), modality: row["modality"], moisSansTabac: row["mois_sans_tabac"])
            programme.siteName = try String.fetchOne(db, sql: "SELECT name FROM site WHERE id = ?", arguments: [row["site_id"] as String?])
            for session in sessions {
                let recorded = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attendance WHERE session_id = ?", arguments: [session["id"] as String]) ?? 0
                programme.sessions.append(.init(index: session["idx"], date: LocalDateTime(session["starts_at"], in: paris).date,
                                                cancelled: (session["status"] as String) == "cancelled", attendanceRecorded: recorded > 0))
            }
            facts.programmes.append(programme)
            for enrolment in try Row.fetchAll(db, sql: "SELECT * FROM enrolment WHERE programme_id = ?", arguments: [programmeID]) {
                let personID: String = enrolment["participant_id"]
                let person = try Row.fetchOne(db, sql: "SELECT * FROM participant WHERE id = ?", arguments: [personID])!
                let publics = (try? JSONDecoder().decode([PriorityPublic].self, from: Data((enrolment["baseline_publics"] as String).utf8))) ?? []
                let baseline = Baseline(smokingStatus: SmokerStatus(rawValue: enrolment["baseline_smoking_status"]) ?? .smoker,
                                        smokingStatusSource: BaselineSource(rawValue: enrolment["baseline_status_source"]) ?? .record,
                                        cigarettesPerDay: enrolment["baseline_cigarettes_per_day"],
                                        goal: (enrolment["baseline_goal"] as String?).flatMap(SmokingGoal.init(rawValue:)),
                                        quitDate: (enrolment["baseline_quit_date"] as String?).flatMap(CalendarDate.init(iso:)), publics: Set(publics))
                var participation = EvaluationFacts.Participation(
                    participantID: personID, programmeID: programmeID, status: enrolment["status"], baseline: baseline,
                    difficultCarePath: person["difficult_care_path"], sex: (person["sex"] as String?).flatMap(Sex.init(rawValue:)),
                    birthYear: person["birth_year"], postalCode: person["postal_code"])
                for attendance in try Row.fetchAll(db, sql: """
                    SELECT s.idx, a.status FROM attendance a JOIN session s ON s.id = a.session_id WHERE a.participant_id = ? AND s.programme_id = ?
                    """, arguments: [personID, programmeID]) {
                    participation.attendance[attendance["idx"]] = attendance["status"]
                }
                participation.consultationsDone = try Int.fetchOne(db, sql: """
                    SELECT COUNT(DISTINCT idx) FROM consultation WHERE participant_id = ? AND programme_id = ? AND status = 'done'
                    """, arguments: [personID, programmeID]) ?? 0
                for invitation in try Row.fetchAll(db, sql: "SELECT * FROM questionnaire_invitation WHERE participant_id = ? AND programme_id = ?",
                                                   arguments: [personID, programmeID]) {
                    let value = EvaluationFacts.Invitation(dueOn: CalendarDate(iso: invitation["due_on"])!, answered: (invitation["answered_at"] as Date?) != nil)
                    if (invitation["purpose"] as String) == "follow_up" {
                        participation.followUpInvitations[invitation["months"]] = value
                    } else {
                        participation.endInvitation = value
                    }
                }
                participation.unreachableFollowUps = Set(try Int.fetchAll(db, sql: """
                    SELECT i.months FROM task t JOIN questionnaire_invitation i ON i.id = t.invitation_id
                    WHERE t.participant_id = ? AND t.programme_id = ? AND t.kind = 'follow_up_call' AND t.state = 'unreachable'
                    """, arguments: [personID, programmeID]))
                facts.participations.append(participation)
                for window in try Row.fetchAll(db, sql: """
                    SELECT e.programme_id, MIN(s.starts_at) AS first, MAX(s.starts_at) AS last FROM enrolment e JOIN session s ON s.programme_id = e.programme_id
                    WHERE e.participant_id = ? AND e.status IN ('enrolled','withdrawn') GROUP BY e.programme_id
                    """, arguments: [personID]) {
                    facts.windows[personID, default: []].append(.init(programmeID: window["programme_id"], firstDate: LocalDateTime(window["first"], in: paris).date,
                                                                      lastDate: LocalDateTime(window["last"], in: paris).date))
                }
                for assessment in try Row.fetchAll(db, sql: "SELECT * FROM assessment WHERE participant_id = ? ORDER BY taken_on, recorded_at",
                                                   arguments: [personID]) {
                    let answers = (try? JSONDecoder().decode([String: JSONValue].self, from: Data((assessment["answers"] as String).utf8))) ?? [:]
                    var derived: [String: Double] = [:]
                    if let text: String = assessment["derived"],
                       let object = try? JSONDecoder().decode([String: [String: JSONValue]].self, from: Data(text.utf8)),
                       case .number(let hsi)? = object["hsi"]?["total"] { derived["hsi"] = hsi }
                    facts.assessments[personID, default: []].append(.init(
                        instrument: assessment["instrument_id"], takenOn: CalendarDate(iso: assessment["taken_on"])!,
                        partial: assessment["partial"], total: assessment["total"], derived: derived, answers: answers,
                        programmeID: assessment["programme_id"]))
                }
                for orientation in try Row.fetchAll(db, sql: "SELECT * FROM orientation WHERE participant_id = ?", arguments: [personID]) {
                    facts.orientations.append(.init(participantID: personID, programmeID: orientation["programme_id"], kind: orientation["kind"],
                                                    createdOn: LocalDateTime(orientation["created_at"], in: paris).date, followed: orientation["followed"]))
                }
                for count in try Row.fetchAll(db, sql: "SELECT kind, state, COUNT(*) AS n FROM outbox WHERE participant_id = ? AND programme_id = ? GROUP BY kind, state",
                                              arguments: [personID, programmeID]) {
                    facts.messages.append(.init(programmeID: programmeID, kind: count["kind"], state: count["state"], count: count["n"]))
                }
                for count in try Row.fetchAll(db, sql: "SELECT kind, state, COUNT(*) AS n FROM task WHERE participant_id = ? AND programme_id = ? GROUP BY kind, state",
                                              arguments: [personID, programmeID]) {
                    facts.tasks.append(.init(programmeID: programmeID, kind: count["kind"], state: count["state"], count: count["n"]))
                }
            }
        }
        return facts
    }
}

print("Building the store: 2 years × \(programmesPerYear) programmes × \(perProgramme) participants with full data…")
var store: Store!
let buildTime = try milliseconds { store = try populate(folder + "/relais.sqlite") }
let counts = try store.pool.read { db in
    try ["participant", "assessment", "attendance", "outbox", "task", "questionnaire_invitation", "orientation", "consultation"].map { table in
        "\(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0) \(table)"
    }
}
print("  built in \(String(format: "%.1f", buildTime / 1000)) s: " + counts.joined(separator: ", "))

let reports = try EvaluationReports(instruments: instruments)
// The path every reader takes: the `evaluation` use case (permission, facts, evaluator).
let actions = UseCases(store: store, clock: .system, settings: UseCaseSettings(timeZone: paris, publicBaseURL: "http://127.0.0.1"),
                       protocols: catalog)
let document = ReportDocument(structureName: "Relais bench", relaisVersion: "bench", generatedOn: asOf)
let consultationsPlanned = Dictionary(templates.map { ($0.id, $0.consultations.count) }, uniquingKeysWith: { first, _ in first })
let settings = EvaluationSettings(instruments: instruments)
let evaluator = Evaluator(settings: settings, instruments: instruments)
let queries = EvaluationQueries(store: store, timeZone: paris)
let scope = EvaluationScope.year(reportYear, siteID: nil)

// Warm up (page cache, statement cache, lazy globals).
var facts = try queries.facts(scope, asOf: asOf, consultationsPlanned: consultationsPlanned)
var report = evaluator.evaluate(facts)
_ = reports.standalonePage(report, language: "fr", document: document)

// BENCH_PROFILE=facts|evaluate|html: repeat one part only (for a profiler such as perf), then stop.
if let part = ProcessInfo.processInfo.environment["BENCH_PROFILE"] {
    for _ in 0..<100 {
        switch part {
        case "facts": facts = try queries.facts(scope, asOf: asOf, consultationsPlanned: consultationsPlanned)
        case "evaluate": report = evaluator.evaluate(facts)
        default: _ = reports.standalonePage(report, language: "fr", document: document)
        }
    }
    exit(0)
}

var factTimes: [Double] = [], evaluateTimes: [Double] = [], reportTimes: [Double] = [], htmlTimes: [Double] = []
var jsonTimes: [Double] = [], aggregateTimes: [Double] = [], participantsTimes: [Double] = []
var html = ""
for _ in 0..<runs {
    factTimes.append(try milliseconds { facts = try queries.facts(scope, asOf: asOf, consultationsPlanned: consultationsPlanned) })
    evaluateTimes.append(milliseconds { report = evaluator.evaluate(facts) })
    reportTimes.append(try milliseconds { report = try actions.evaluation(scope, reducedThresholdPercent: 50, asOf: asOf, by: .commandLine("bench")) })
    htmlTimes.append(milliseconds { html = reports.standalonePage(report, language: "fr", document: document) })
    jsonTimes.append(try milliseconds { _ = try reports.json(report, language: "fr") })
    aggregateTimes.append(milliseconds { _ = reports.aggregateCSV(report) })
    participantsTimes.append(milliseconds { _ = reports.participantsCSV(report) })
}
var naiveTimes: [Double] = []
var naive = facts
for _ in 0..<max(3, runs / 3) {
    naiveTimes.append(try milliseconds { naive = try naiveFacts(store, year: reportYear, consultationsPlanned: consultationsPlanned) })
}
let naiveReport = evaluator.evaluate(naive)
let same = naiveReport.participants.counted == report.participants.counted && naiveReport.followUp.respondents == report.followUp.respondents
    && naiveReport.followUp.lines.map(\.count) == report.followUp.lines.map(\.count) && naiveReport.entryScores.fagerstrom.mean == report.entryScores.fagerstrom.mean
    && naiveReport.messages.sent == report.messages.sent && naiveReport.attendance.completedSessions == report.attendance.completedSessions
    && naiveReport.outcomes.map(\.smokers) == report.outcomes.map(\.smokers) && naiveReport.outcomes.map(\.exSmokers) == report.outcomes.map(\.exSmokers)

func line(_ label: String, _ value: Double, _ note: String = "") {
    print("  " + label.padding(toLength: 58, withPad: " ", startingAt: 0) + String(format: "%9.2f ms", value) + (note.isEmpty ? "" : "   " + note))
}
print("")
print("Report benchmark, year \(reportYear) (\(ProcessInfo.processInfo.activeProcessorCount) cores), medians of \(runs) runs")
print("  scope: \(report.programmes.planned) programmes, \(report.participants.counted) participants counted, \(facts.assessments.values.map(\.count).reduce(0, +)) assessments read; "
      + "follow-up \(report.followUp.respondents)/\(report.followUp.eligible) respondents, stopped \(report.followUp.count(.stopped))")
let factsMedian = median(factTimes), naiveMedian = median(naiveTimes)
line("facts, set-based queries (EvaluationQueries)", factsMedian, String(format: "baseline: %.2f ms per-participant queries (×%.1f)", naiveMedian, naiveMedian / factsMedian))
line("computation (Evaluator)", median(evaluateTimes))
let reportMedian = median(reportTimes)
line("yearly report: facts + computation", reportMedian, String(format: "baseline path: %.2f ms", naiveMedian + median(evaluateTimes)))
line("HTML page, standalone (\(html.utf8.count / 1024) KiB, \(html.components(separatedBy: "<svg").count - 1) SVG charts)", median(htmlTimes))
line("JSON (API)", median(jsonTimes))
line("aggregate.csv", median(aggregateTimes))
line("participants.csv (\(report.participations.count) rows)", median(participantsTimes))
print(String(format: "  target %.0f ms for the yearly report: %@ (%.2f ms; with the HTML page %.2f ms)", target,
             reportMedian < target ? "met" : "NOT met", reportMedian, reportMedian + median(htmlTimes)))
print("  the naive path gives the same figures: \(same ? "yes" : "NO")")
if !same { exit(1) }
