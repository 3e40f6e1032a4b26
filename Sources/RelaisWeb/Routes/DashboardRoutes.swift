import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    /// The home page, by role: the day's and the week's sessions, consultations to book,
    /// follow-ups due, phone tasks and failed deliveries; peer helpers see their sessions only.
    func registerDashboard(_ routes: inout Routes) {
        let app = self
        routes.page(.get, "/") { request, context in
            let language = context.language
            let strings = app.renderer.strings(language)
            let role = context.user.role
            let today = app.today
            let view = try app.actions.dashboard(by: context.caller)
            var values: [String: Any] = ["notice": app.notice(request, context) ?? ""]
            if role != .admin {
                let item = { (entry: Dashboard.SessionItem) -> [String: Any] in
                    ["id": entry.session.id, "index": entry.session.index, "title": entry.session.title, "programme": entry.programme.title,
                     "when": app.when(entry.session.startsAt, entry.programme.zone, language),
                     "time": DateWording.time(entry.session.startsAt, in: entry.programme.zone, language: language)]
                }
                values["today"] = view.today.map(item)
                values["week"] = view.week.map(item)
            }
            if role.allows(.plan) {
                values["canPlan"] = true
                values["toBook"] = view.toBook.prefix(30).map { entry -> [String: Any] in
                    ["programmeId": entry.programme.id, "programme": entry.programme.title, "participantId": entry.participant.id,
                     "name": "\(entry.participant.firstName) \(entry.participant.lastName)",
                     "missing": entry.missing.map { "C\($0)" }.joined(separator: ", ")]
                }
                values["toBookCount"] = view.toBook.count
                values["followUps"] = view.followUps.map { entry -> [String: Any] in
                    ["participantId": entry.participant.id, "name": "\(entry.participant.firstName) \(entry.participant.lastName)",
                     "programme": entry.programme.title, "overdue": entry.invitation.dueOn < today.iso,
                     "due": CalendarDate(iso: entry.invitation.dueOn).map { DateWording.day($0, language: language) } ?? ""]
                }
            }
            if role == .tabacologue {
                let now = app.clock.now()
                values["showMyConsultations"] = true
                values["myConsultations"] = view.myConsultations.map { entry -> [String: Any] in
                    ["id": entry.consultation.id, "index": entry.consultation.index, "programme": entry.programme.title,
                     "name": "\(entry.participant.firstName) \(entry.participant.lastName)",
                     "when": app.when(entry.consultation.startsAt, entry.programme.zone, language),
                     "toRecord": entry.consultation.startsAt < now]
                }
            }
            if role.allows(.manageReminders) {
                values["openTasks"] = strings.count("dashboard_open_tasks", view.openTasks)
                values["myTasks"] = view.myTasks
                values["failed"] = view.failedMessages.map { message -> [String: Any] in
                    ["id": message.id, "kind": strings["kind_\(message.kind.rawValue)"] ?? message.kind.rawValue,
                     "participantId": message.participantId ?? "", "error": message.lastError ?? "",
                     "when": app.when(message.updatedAt, app.structureZone, language)]
                }
                values["showReminders"] = true
            }
            values["isAdmin"] = role == .admin
            return app.render(.dashboard, context, values)
        }

        routes.page(.post, "/outbox/{id}/retry", .manageReminders) { request, context in
            _ = try app.actions.retryMessage(request.parameter("id"), by: context.caller)
            return app.redirect("/", done: "message_requeued")
        }
    }
}
