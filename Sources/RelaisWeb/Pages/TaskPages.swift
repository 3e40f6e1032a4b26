import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    /// Phone tasks: the list, and one task with the participant's contact, the script of the
    /// questionnaire to ask, a form to enter the answers given on the phone or on paper, and the
    /// ways to close it (done, or unreachable: lost to follow-up).
    func registerTaskPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/tasks", .manageReminders) { request, context in
            let language = context.language
            let strings = app.renderer.strings(language)
            let state = request.queryValue("state").flatMap(TaskState.init(rawValue:)) ?? .open
            let mine = request.queryValue("mine") == "1"
            let tasks = try app.actions.taskList(state: state, assignedTo: mine ? context.user.id : nil, participantID: nil, by: context.caller)
            let names = try app.actions.staffNames(by: context.caller)
            let rows = tasks.map { view -> [String: Any] in
                let (task, participant) = (view.task, view.participant)
                return ["id": task.id, "kind": strings["task_\(task.kind.rawValue)"] ?? task.kind.rawValue, "reason": task.reason,
                        "due": CalendarDate(iso: task.dueOn).map { DateWording.day($0, language: language) } ?? task.dueOn,
                        "name": "\(participant.firstName) \(participant.lastName)", "contact": app.contact(participant),
                        "assigned": task.assignedTo.flatMap { names[$0] } ?? ""]
            }
            return app.render(.tasks, context, [
                "notice": app.notice(request, context) ?? "", "tasks": rows, "hasTasks": !rows.isEmpty, "mine": mine,
                "states": TaskState.allCases.map { ["value": $0.rawValue, "label": strings["task_state_\($0.rawValue)"] ?? $0.rawValue, "current": $0 == state] },
            ])
        }

        routes.page(.get, "/tasks/{id}", .manageReminders) { request, context in
            try app.taskPage(request, context)
        }

        // The same use case as `PATCH /api/v1/tasks/{id}`.
        routes.page(.post, "/tasks/{id}", .manageReminders) { request, context in
            let change = TaskChange(state: request.formValue("state"), assignedTo: request.formValue("assignedTo"), note: request.formValue("note"))
            do {
                let task = try app.actions.changeTask(request.parameter("id"), change, by: context.caller)
                return task.state == .open ? app.redirect("/tasks/\(task.id)", done: "task_saved") : app.redirect("/tasks", done: "task_closed")
            } catch {
                guard let problems = app.formProblems(error, language: context.language), problems.status != 404 else { throw error }
                return try app.taskPage(request, context, problems: problems)
            }
        }

        // The answers collected by phone or on paper: stored like any assessment, which closes the
        // questionnaire, cancels its reminders and marks the task done.
        routes.page(.post, "/tasks/{id}/answers", .recordAssessments) { request, context in
            let view = try app.actions.task(request.parameter("id"), by: context.caller)
            let values = InstrumentForm.values(request.form)
            do {
                _ = try app.actions.answerTask(view.task.id, answers: InstrumentForm.answers(view.script, values: values),
                                               source: request.formValue("source"), by: context.caller)
                return app.redirect("/tasks", done: "task_answered")
            } catch let error as ValidationError {
                var errors: [String: [String: String]] = [:]
                for (key, reason) in error.fields {
                    let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
                    guard parts.count == 2 else { continue }
                    errors[parts[0], default: [:]][parts[1]] = app.renderer.text(reason, language: context.language, form: "answer")
                }
                return try app.taskPage(request, context, values: values, errors: errors)
            }
        }
    }

    func taskPage(_ request: Request, _ context: WebContext, values: [String: [String]] = [:], errors: [String: [String: String]] = [:],
                  problems: FormProblems? = nil) throws -> Response {
        let language = context.language
        let strings = renderer.strings(language)
        let view = try actions.task(request.parameter("id"), by: context.caller)
        let (task, participant) = (view.task, view.participant)
        let asked = view.script
        let staff = try actions.staff(by: context.caller).filter { $0.role == .coordinator || $0.role == .tabacologue }
        var summary: [[String: Any]] = []
        for instrument in asked {
            for item in instrument.definition.items {
                if let reason = errors[instrument.id]?[item.id] {
                    summary.append(["field": "item-\(instrument.id)-\(item.id)", "label": item.text.text(language), "reason": reason])
                }
            }
        }
        return render(.task, context, status: errors.isEmpty ? (problems?.status ?? 200) : 422, [
            "notice": notice(request, context) ?? "",
            "task": ["id": task.id, "kind": strings["task_\(task.kind.rawValue)"] ?? task.kind.rawValue, "reason": taskSummary(view, language: language),
                     "note": task.note, "open": task.state == .open, "state": strings["task_state_\(task.state.rawValue)"] ?? task.state.rawValue,
                     "due": CalendarDate(iso: task.dueOn).map { DateWording.day($0, language: language) } ?? task.dueOn],
            "participant": ["id": participant.id, "name": "\(participant.firstName) \(participant.lastName)"],
            "contact": contact(participant),
            "change": sessionChangeFacts(view, language: language) ?? [:],
            "staff": options([("", "—")] + staff.map { ($0.id, $0.displayName) }, selected: task.assignedTo),
            "hasQuestionnaire": !asked.isEmpty && view.invitation?.answeredAt == nil,
            "instruments": asked.map { InstrumentForm.context($0, language: language, values: values, errors: errors[$0.id] ?? [:]) },
            "hasErrors": !summary.isEmpty || problems != nil, "summary": summary, "message": problems?.message ?? "",
            "canRecord": context.user.role.allows(.recordAssessments),
        ])
    }

    /// Every way to reach a participant, for a task: the phone (a `tel:` link), the email (a
    /// `mailto:` link; first when there is no phone), the postal address line by line.
    func contact(_ participant: ParticipantRecord) -> [String: Any] {
        let phone = participant.phone ?? ""
        // tel: takes the digits and a leading "+" (RFC 3966); what staff typed is shown as is.
        let dial = phone.filter { $0.isNumber || $0 == "+" }
        let lines = participant.postalAddress.map(Self.addressLines) ?? []
        // The mobile too (SMS), when it is not the same number as the phone.
        let mobile = participant.mobile.flatMap { $0.filter { $0.isNumber } == MobileNumber.normalized(phone).successValue?.filter { $0.isNumber } ? nil : $0 }
        return [
            "phone": phone, "tel": dial, "email": participant.email ?? "", "emailFirst": phone.isEmpty && mobile == nil && participant.email != nil,
            "mobile": mobile.map(MobileNumber.display) ?? "", "mobileTel": mobile ?? "",
            "address": lines.map { ["line": $0] }, "hasAddress": !lines.isEmpty,
            "none": phone.isEmpty && mobile == nil && participant.email == nil && lines.isEmpty,
        ]
    }

    /// A postal address as the lines of an envelope: its own lines, or, typed on one line, the
    /// parts between commas ("12 rue de la Paix, 59000 Lille").
    static func addressLines(_ address: String) -> [String] {
        var lines = address.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if lines.count == 1 {
            lines = lines[0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        return lines
    }

    /// What the task asks, in the page's language: a session change with its session and times,
    /// a questionnaire to collect, a failed delivery with its reason; staff's own words for the
    /// tasks they wrote.
    func taskSummary(_ view: TaskView, language: String) -> String {
        let strings = renderer.strings(language)
        let task = view.task
        switch task.kind {
        case .sessionChangeCall:
            guard let change = view.sessionChange else { return task.reason }
            return strings.fill(change.cancelled ? "l_task_reason_session_cancelled" : "l_task_reason_session_moved", [
                "index": String(change.index), "title": change.title, "programme": view.programme?.title ?? "",
                "new": at(change.startsAt, change.timeZone, language),
                "old": change.previousStartsAt.map { at($0, change.timeZone, language) } ?? "—",
            ])
        case .questionnaireCall:
            return strings.fill("l_task_reason_questionnaire_call", ["questionnaire": questionnaireName(view.invitation, language: language)])
        case .followUpCall:
            return strings.fill("l_task_reason_follow_up_call", ["questionnaire": questionnaireName(view.invitation, language: language)])
        case .deliveryFailed:
            guard let message = view.message else { return task.reason }
            return deliveryFailedSummary(message, language: language)
        case .other:
            return task.reason
        }
    }

    /// A failed delivery's task in the page's language: which message and why, from the failure's
    /// code (the task's stored reason carries the transport's English detail, for the log).
    func deliveryFailedSummary(_ message: OutboxRecord, language: String) -> String {
        let strings = renderer.strings(language)
        return strings.fill("l_task_reason_delivery_failed", [
            "kind": strings["kind_\(message.kind.rawValue)"] ?? message.kind.rawValue,
            "reason": renderer.text((message.failure ?? .transportFailed).reason, language: language),
        ])
    }

    /// "le suivi à trois mois", "les questionnaires de fin de programme".
    func questionnaireName(_ invitation: InvitationRecord?, language: String) -> String {
        let strings = renderer.strings(language)
        guard let invitation, invitation.purpose == .followUp else { return strings["l_questionnaire_end"] ?? "" }
        return strings.fill("l_questionnaire_follow_up", ["months": DateWording.months(invitation.months, language: language)])
    }

    /// A session change's facts for the task page: the session, the new time and the former one.
    func sessionChangeFacts(_ view: TaskView, language: String) -> [String: Any]? {
        guard let change = view.sessionChange else { return nil }
        let strings = renderer.strings(language)
        return [
            "session": strings.fill("l_task_session_value", ["index": String(change.index), "title": change.title,
                                                             "programme": view.programme?.title ?? ""]),
            "sessionId": change.sessionID, "cancelled": change.cancelled,
            "new": at(change.startsAt, change.timeZone, language),
            "old": change.previousStartsAt.map { at($0, change.timeZone, language) } ?? "",
        ]
    }

    /// "jeudi 4 mars 2027 à 18 h 00", "Thursday 4 March 2027 at 18:00".
    func at(_ instant: Date, _ zone: TimeZone, _ language: String) -> String {
        renderer.strings(language).fill("l_day_at_time", ["day": DateWording.day(instant, in: zone, language: language),
                                                         "time": DateWording.time(instant, in: zone, language: language)])
    }
}
