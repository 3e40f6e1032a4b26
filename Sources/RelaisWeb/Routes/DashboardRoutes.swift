import Foundation
import HTTPServer
import RelaisConfig
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
                values["failed"] = app.failedDeliveryRows(view.failedDeliveries, language: language)
                values["hasFailed"] = !view.failedDeliveries.isEmpty
                values["failedMore"] = view.failedCount > view.failedDeliveries.count
                    ? strings.fill("l_failed_all", ["count": String(view.failedCount)]) : ""
                values["showReminders"] = true
                let sms = app.smsCountRows(view.sms, language: language)
                values["sms"] = sms
                values["hasSMS"] = !sms.isEmpty
            }
            values["isAdmin"] = role == .admin
            if role == .admin { values["linkWarning"] = app.linkWarning(language: language) ?? "" }
            return app.render(.dashboard, context, values)
        }

        // Every failed delivery, with whom it was for, why, and what to do about it.
        routes.page(.get, "/outbox", .manageReminders) { request, context in
            let deliveries = try app.actions.failedDeliveries(limit: 500, by: context.caller)
            // The SMS: their counts by status, and the latest with whom they were for and what the operator said.
            let sms = try app.actions.recentSMS(limit: 100, by: context.caller)
            let counts = app.smsCountRows(try app.actions.smsCounts(by: context.caller), language: context.language)
            return app.render(.outbox, context, [
                "notice": app.notice(request, context) ?? "", "back": "outbox",
                "failed": app.failedDeliveryRows(deliveries, language: context.language), "hasFailed": !deliveries.isEmpty,
                "sms": sms.map { app.messageRow($0.message, participant: $0.participant, language: context.language) }, "hasSMS": !sms.isEmpty,
                "smsCounts": counts,
            ])
        }

        routes.page(.post, "/outbox/{id}/retry", .manageReminders) { request, context in
            _ = try app.actions.retryMessage(request.parameter("id"), by: context.caller)
            return app.redirect(request.formValue("back") == "outbox" ? "/outbox" : "/", done: "message_requeued")
        }
    }

    /// A failed delivery as a row of the dashboard or the outbox page: the message, whom it was
    /// for, the reason in the page's language, and either a retry or, when the address can never
    /// be delivered to, a link to correct the participant's email.
    func failedDeliveryRows(_ deliveries: [FailedDelivery], language: String) -> [[String: Any]] {
        let strings = renderer.strings(language)
        return deliveries.map { delivery in
            let message = delivery.message
            var row: [String: Any] = [
                "id": message.id, "kind": strings["kind_\(message.kind.rawValue)"] ?? message.kind.rawValue,
                "when": when(message.updatedAt, structureZone, language),
                "reason": renderer.text(delivery.reason, language: language),
                "recipient": message.recipient.map { message.channel == .sms ? MobileNumber.display($0) : $0 } ?? "",
                "correct": delivery.needsAddressCorrection,
                "correctMobile": delivery.needsAddressCorrection && message.channel == .sms,
                "isSMS": message.channel == .sms,
            ]
            if let participant = delivery.participant {
                row["participantId"] = participant.id
                row["name"] = "\(participant.firstName) \(participant.lastName)"
            } else if let staff = delivery.staffName {
                row["staffName"] = staff
            }
            return row
        }
    }

    /// The warning shown to administrators when links name an address participants cannot
    /// open (a loopback or "any" address), or nil.
    func linkWarning(language: String) -> String? {
        let base = actions.settings.publicBaseURL
        guard ServedAddress.isUnreachableFromOtherMachines(base) else { return nil }
        return renderer.strings(language).fill("l_link_unreachable", ["url": base])
    }
}
