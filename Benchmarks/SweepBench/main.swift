// `relais-sweep-bench`: the sender's sweep over a large store (a sweep must cost in
// proportion to the due messages, not to the stored ones). Builds 1,000,000 enrolments with 100,000 pending messages, of
// which 1,000 are due, in a real SQLite file; then times, side by side in the same run:
//   - finding the due messages through the partial index, against a full scan of the outbox;
//   - whole sweeps of the 1,000 due messages (check, compose, deliver, mark), with a transport
//     that accepts everything (Relais's own cost) and with the embedded maildir (fsync per file).
import Foundation
import GRDB
import Logging
import RelaisConfig
import RelaisDomain
import RelaisMail
import RelaisSender
import RelaisStore

let enrolmentsWanted = Int(ProcessInfo.processInfo.environment["BENCH_ENROLMENTS"] ?? "") ?? 1_000_000
let pendingWanted = Int(ProcessInfo.processInfo.environment["BENCH_PENDING"] ?? "") ?? 100_000
let dueWanted = Int(ProcessInfo.processInfo.environment["BENCH_DUE"] ?? "") ?? 1_000
let perProgramme = 16
let protocols = ProcessInfo.processInfo.environment["RELAIS_PROTOCOLS_DIR"] ?? "Protocols"

struct AcceptingTransport: MailTransport {
    let name = "accept-all"
    func deliver(_ message: MailMessage) throws(MailDeliveryError) { _ = message.rendered() }
}

func milliseconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1_000_000
}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

let folder = NSTemporaryDirectory() + "relais-sweep-bench-" + UUID().uuidString.prefix(8)
try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(atPath: folder) }
let paris = TimeZone(identifier: "Europe/Paris")!
// Tuesday 2 March 2027, 10:00 in Paris: inside the sending window.
let sweepAt = LocalDateTime(iso: "2027-03-02T10:00")!.instant(in: paris)

/// Fills a store: programmes of 16, three sessions each, one session reminder pending per
/// participant of the first programmes (the due ones start tomorrow), sent history for the rest.
func populate(_ path: String) throws -> Store {
    let store = try Store(path: path)
    let programmes = enrolmentsWanted / perProgramme
    let pendingProgrammes = pendingWanted / perProgramme
    let dueProgrammes = (dueWanted + perProgramme - 1) / perProgramme
    let created = sweepAt.addingTimeInterval(-30 * 86400)
    try store.pool.write { db in
        try db.execute(sql: """
            INSERT INTO user(id, name, display_name, role, password_hash, created_at, password_changed_at) VALUES ('lead','lead','Lead','tabacologue','x',?,?);
            INSERT INTO site(id, name, created_at) VALUES ('site','Centre',?);
            INSERT INTO room(id, site_id, name) VALUES ('room','site','Salle A');
            """, arguments: [created, created, created])
        let programme = try db.makeStatement(sql: """
            INSERT INTO programme(id, template_id, template_version, title, site_id, room_id, modality, capacity, time_zone, lead_id, follow_up_due,
                                  follow_ups, created_at)
            VALUES (?, '3g2i', '1.0.0', ?, 'site', 'room', 'in_person', 16, 'Europe/Paris', 'lead', '2027-06-30',
                    '[{"months":3,"instrument":"followup_3m"}]', ?)
            """)
        let session = try db.makeStatement(sql: """
            INSERT INTO session(id, programme_id, idx, title, starts_at, ends_at, room_id, updated_at) VALUES (?,?,?,?,?,?,'room',?)
            """)
        let participant = try db.makeStatement(sql: """
            INSERT INTO participant(id, first_name, last_name, created_at, email, preferred_channel, consent_data_processing_at, consent_email_at)
            VALUES (?, 'Prénom', ?, ?, ?, 'email', ?, ?)
            """)
        let enrolment = try db.makeStatement(sql: """
            INSERT INTO enrolment(id, programme_id, participant_id, status, requested_at, enrolled_at) VALUES (?,?,?, 'enrolled', ?, ?)
            """)
        let outbox = try db.makeStatement(sql: """
            INSERT INTO outbox(id, key, kind, participant_id, programme_id, session_id, payload, due_at, next_attempt_at, state, attempts, sent_at, created_at, updated_at)
            VALUES (?,?, 'session_reminder', ?,?,?,?,?,?,?,?,?,?,?)
            """)
        for p in 0..<programmes {
            let programmeID = "p\(p)"
            try programme.execute(arguments: [programmeID, "Programme \(p)", created])
            // Due programmes start tomorrow 18:00; other pending ones within two months; the rest are past.
            let firstStart: Date
            if p < dueProgrammes {
                firstStart = sweepAt.addingTimeInterval(32 * 3600)
            } else if p < pendingProgrammes {
                firstStart = sweepAt.addingTimeInterval(Double(3 + p % 57) * 86400 + 8 * 3600)
            } else {
                firstStart = sweepAt.addingTimeInterval(-Double(30 + p % 300) * 86400)
            }
            for index in 1...3 {
                let start = firstStart.addingTimeInterval(Double(index - 1) * 7 * 86400)
                try session.execute(arguments: ["\(programmeID)-s\(index)", programmeID, index, "Séance \(index)", start, start.addingTimeInterval(7200), created])
            }
            let start = firstStart
            for k in 0..<perProgramme {
                let participantID = "\(programmeID)-\(k)"
                try participant.execute(arguments: [participantID, "Nom\(k)", created, "\(participantID)@example.org", created, created])
                try enrolment.execute(arguments: ["e-\(participantID)", programmeID, participantID, created, created])
                let pending = p < pendingProgrammes
                let epoch = Int(start.timeIntervalSince1970)
                let due = start.addingTimeInterval(-2 * 86400)
                try outbox.execute(arguments: [
                    "o-\(participantID)", "session_reminder:\(programmeID)-s1:\(participantID):\(epoch):0", participantID, programmeID, "\(programmeID)-s1",
                    "{\"startsAt\":\"\(epoch)\"}", due, due, pending ? "pending" : "sent", pending ? 0 : 1, pending ? nil : due, created, created,
                ])
            }
        }
    }
    return store
}

print("Building the store: \(enrolmentsWanted) enrolments, \(pendingWanted) pending messages, \(dueWanted) due…")
let buildStart = DispatchTime.now().uptimeNanoseconds
let store = try populate(folder + "/relais.sqlite")
let buildTime = Double(DispatchTime.now().uptimeNanoseconds - buildStart) / 1_000_000
let counts = try store.pool.read { db in
    (try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM enrolment")!, try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox WHERE state = 'pending'")!,
     try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM outbox")!)
}
print("  built in \(Int(buildTime / 1000)) s: \(counts.0) enrolments, \(counts.2) outbox rows, \(counts.1) pending")

// 1. Finding the due messages: the partial index against a full scan of the outbox.
let outbox = Outbox(store: store)
var indexed: [Double] = [], scanned: [Double] = []
var found = 0
for _ in 0..<15 {
    indexed.append(try milliseconds { found = try outbox.due(at: sweepAt, limit: 10_000).count })
    scanned.append(try milliseconds {
        _ = try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT id FROM outbox NOT INDEXED WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT 10000",
                                arguments: [sweepAt])
        }
    })
}
let plan = try store.pool.read { db in
    try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN SELECT id FROM outbox INDEXED BY outbox_due WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at", arguments: [sweepAt])
        .map { $0["detail"] as String }.joined(separator: "; ")
}

// 2. Whole sweeps: the same 1,000 due messages each time (reset to pending in between).
let instruments = try ProtocolsLoader.instruments(directory: protocols)
let composer = MessageComposer(templates: try MailTemplates(directory: protocols + "/mail"), structureName: "Centre",
                               from: MailAddress("relais@example.org"), replyTo: nil, publicBaseURL: "https://relais.example.org",
                               instrumentTitles: Dictionary(uniqueKeysWithValues: instruments.instruments.map { ($0.id, $0.definition.title) }))
let logger = { var logger = Logger(label: "bench"); logger.logLevel = .critical; return logger }()
@MainActor func sweep(_ transport: any MailTransport) throws -> (Double, SweepReport) {
    try store.pool.write { db in
        try db.execute(sql: "UPDATE outbox SET state = 'pending', attempts = 0, sent_at = NULL, message_id = NULL WHERE state = 'sent' AND next_attempt_at <= ? AND due_at >= ?",
                       arguments: [sweepAt, sweepAt.addingTimeInterval(-3 * 86400)])
    }
    let sender = Sender(outbox: outbox, transport: transport, composer: composer, window: SendingWindow(timeZone: paris),
                        policy: ReminderPolicy(), evaluationDate: "01-15", logger: logger)
    var report: SweepReport!
    let time = try milliseconds { report = try sender.sweep(at: sweepAt, limit: 10_000) }
    return (time, report)
}
// The sweep of every minute, when nothing is due (Monday 17:00 in Paris).
let idleAt = sweepAt.addingTimeInterval(-17 * 3600)
var idle: [Double] = []
for _ in 0..<15 {
    let sender = Sender(outbox: outbox, transport: AcceptingTransport(), composer: composer, window: SendingWindow(timeZone: paris),
                        policy: ReminderPolicy(), evaluationDate: "01-15", logger: logger)
    var report: SweepReport!
    idle.append(try milliseconds { report = try sender.sweep(at: idleAt) })
    precondition(report.due == 0)
}
var accepting: [Double] = []
var lastReport: SweepReport!
for _ in 0..<5 {
    let (time, report) = try sweep(AcceptingTransport())
    accepting.append(time)
    lastReport = report
}
let (maildirTime, maildirReport) = try sweep(try MaildirTransport(directory: folder + "/maildir"))

// Where a message's time goes, on the same due messages.
try store.pool.write { db in
    try db.execute(sql: "UPDATE outbox SET state = 'pending', attempts = 0, sent_at = NULL, message_id = NULL WHERE state = 'sent' AND next_attempt_at <= ? AND due_at >= ?",
                   arguments: [sweepAt, sweepAt.addingTimeInterval(-3 * 86400)])
}
var parts: [String: Double] = ["check": 0, "compose": 0, "render": 0, "mark": 0]
var measured = 0
for id in try outbox.due(at: sweepAt, limit: 10_000) {
    var preparation: Preparation!
    parts["check", default: 0] += try milliseconds { preparation = try outbox.prepare(id: id, at: sweepAt, tokenDays: 60, timeZone: paris) }
    guard case .send(let prepared) = preparation else { continue }
    var message: MailMessage!
    parts["compose", default: 0] += milliseconds { message = composer.compose(prepared, at: sweepAt) }
    parts["render", default: 0] += milliseconds { _ = message.rendered() }
    parts["mark", default: 0] += try milliseconds { try outbox.markSent(id: id, recipient: prepared.recipient.email, messageID: message.messageID, at: sweepAt) }
    measured += 1
}

func row(_ label: String, _ value: Double, _ baseline: String) {
    print(String(format: "%-58@ %10.2f ms   %@", label as NSString, value, baseline as NSString))
}
print("")
print("Sweep benchmark (\(ProcessInfo.processInfo.activeProcessorCount) cores), medians")
print("  query plan: \(plan)")
row("find the \(found) due among \(counts.1) pending (partial index)", median(indexed),
    String(format: "baseline full scan: %.2f ms (%.0f× slower)", median(scanned), median(scanned) / max(median(indexed), 0.001)))
row("sweep with nothing due (the loop's cost every minute)", median(idle), "")
row("whole sweep, \(lastReport.sent) sent, accept-all transport", median(accepting),
    String(format: "%.1f µs per message", median(accepting) * 1000 / Double(max(lastReport.sent, 1))))
row("whole sweep, \(maildirReport.sent) sent, maildir transport (fsync)", maildirTime,
    String(format: "%.1f µs per message", maildirTime * 1000 / Double(max(maildirReport.sent, 1))))
print("  per message: " + ["check", "compose", "render", "mark"].map { String(format: "%@ %.0f µs", $0, parts[$0]! * 1000 / Double(max(measured, 1))) }.joined(separator: ", ")
      + " (check = re-check and read in one transaction; render = MIME; mark = the sent mark's commit)")
let target = 50.0
print(String(format: "  target %.0f ms: finding the due messages %@, idle sweep %@, whole sweep of %d messages %@", target,
             median(indexed) < target ? "met" : "NOT met", median(idle) < target ? "met" : "NOT met", lastReport.sent,
             median(accepting) < target ? "met" : "NOT met"))
