import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    /// The home page, by role: the day's and the week's sessions, consultations to book,
    /// follow-ups due, phone tasks and failed deliveries; peer helpers see their sessions only.
    func registerDashboard(_ router: inout Router) {
        let app = self
        router.get("/", page(nil) { request, context in
            let language = context.language
            let strings = app.renderer.strings(language)
            let role = context.user.role
            let zone = app.configuration.timeZone.zone
            let today = app.today
            let dayStart = LocalDateTime(startOf: today).instant(in: zone)
            let dashboard = Dashboard(store: app.store)
            // A coordinator sees the whole structure; a tabacologue and a peer helper their own programmes.
            let scope = role == .coordinator ? nil : context.user.id
            var values: [String: Any] = ["notice": app.notice(request, context) ?? ""]
            if role != .admin {
                let week = try dashboard.sessions(from: dayStart, to: dayStart.addingTimeInterval(8 * 86400), userID: scope)
                let item = { (entry: Dashboard.SessionItem) -> [String: Any] in
                    ["id": entry.session.id, "index": entry.session.index, "title": entry.session.title, "programme": entry.programme.title,
                     "when": app.when(entry.session.startsAt, entry.programme.zone, language),
                     "time": DateWording.time(entry.session.startsAt, in: entry.programme.zone, language: language)]
                }
                let tomorrow = dayStart.addingTimeInterval(86400)
                values["today"] = week.filter { $0.session.startsAt < tomorrow }.map(item)
                values["week"] = week.filter { $0.session.startsAt >= tomorrow }.map(item)
            }
            if role.allows(.plan) {
                values["canPlan"] = true
                let toBook = try dashboard.consultationsToBook(now: app.clock.now(), consultationCount: { programme in
                    app.templates.first { $0.id == programme.templateId }?.consultations.count ?? 0
                }, userID: scope)
                values["toBook"] = toBook.prefix(30).map { entry -> [String: Any] in
                    ["programmeId": entry.programme.id, "programme": entry.programme.title, "participantId": entry.participant.id,
                     "name": "\(entry.participant.firstName) \(entry.participant.lastName)",
                     "missing": entry.missing.map { "C\($0)" }.joined(separator: ", ")]
                }
                values["toBookCount"] = toBook.count
                let followUps = try dashboard.followUpsDue(until: today.addingDays(7), userID: scope)
                values["followUps"] = followUps.map { entry -> [String: Any] in
                    ["participantId": entry.participant.id, "name": "\(entry.participant.firstName) \(entry.participant.lastName)",
                     "programme": entry.programme.title, "overdue": entry.invitation.dueOn < today.iso,
                     "due": CalendarDate(iso: entry.invitation.dueOn).map { DateWording.day($0, language: language) } ?? ""]
                }
            }
            if role.allows(.manageReminders) {
                values["openTasks"] = try app.tasks.list(state: .open, assignedTo: nil, participantID: nil).count
                values["myTasks"] = try app.tasks.list(state: .open, assignedTo: context.user.id, participantID: nil).count
                let failed = try app.outbox.list(state: .failed, kind: nil, participantID: nil, limit: 20)
                values["failed"] = failed.map { message -> [String: Any] in
                    ["id": message.id, "kind": strings["kind_\(message.kind.rawValue)"] ?? message.kind.rawValue,
                     "participantId": message.participantId ?? "", "error": message.lastError ?? "",
                     "when": app.when(message.updatedAt, zone, language)]
                }
                values["showReminders"] = true
            }
            values["isAdmin"] = role == .admin
            // Names shown are participant reads: audited like any other.
            let shown = Set(((values["toBook"] as? [[String: Any]] ?? []) + (values["followUps"] as? [[String: Any]] ?? []))
                .compactMap { $0["participantId"] as? String })
            if !shown.isEmpty {
                try app.store.pool.write { db in
                    for id in shown.sorted() {
                        try Audit.record(db, context.actor, "read_dashboard", entity: "participant", id: id, at: app.clock.now())
                    }
                }
            }
            return app.render("dashboard", context, values)
        })

        router.post("/outbox/{id}/retry", page(.manageReminders) { request, context in
            _ = try app.outbox.retry(id: request.parameter("id"), by: context.actor)
            return app.redirect("/", done: "message_requeued")
        })
    }
}
