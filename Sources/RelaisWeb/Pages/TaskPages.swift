import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    /// Phone tasks: the list, and one task with the participant's contact, the script of the
    /// questionnaire to ask, a form to enter the answers given on the phone or on paper, and the
    /// ways to close it (done, or unreachable: lost to follow-up).
    func registerTaskPages(_ router: inout Router) {
        let app = self

        router.get("/tasks", page(.manageReminders) { request, context in
            let language = context.language
            let strings = app.renderer.strings(language)
            let state = request.queryValue("state").flatMap(TaskState.init(rawValue:)) ?? .open
            let mine = request.queryValue("mine") == "1"
            let tasks = try app.tasks.list(state: state, assignedTo: mine ? context.user.id : nil, participantID: nil)
            let users = Dictionary(uniqueKeysWithValues: try app.accounts.users().map { ($0.id, $0.displayName) })
            let rows = try tasks.map { task -> [String: Any] in
                let participant = try app.participants.read(id: task.participantId, by: context.actor)
                return ["id": task.id, "kind": strings["task_\(task.kind.rawValue)"] ?? task.kind.rawValue, "reason": task.reason,
                        "due": CalendarDate(iso: task.dueOn).map { DateWording.day($0, language: language) } ?? task.dueOn,
                        "name": "\(participant.firstName) \(participant.lastName)", "phone": participant.phone ?? "",
                        "assigned": task.assignedTo.flatMap { users[$0] } ?? ""]
            }
            return app.render("tasks", context, [
                "notice": app.notice(request, context) ?? "", "tasks": rows, "hasTasks": !rows.isEmpty, "mine": mine,
                "states": TaskState.allCases.map { ["value": $0.rawValue, "label": strings["task_state_\($0.rawValue)"] ?? $0.rawValue, "current": $0 == state] },
            ])
        })

        router.get("/tasks/{id}", page(.manageReminders) { request, context in
            try app.taskPage(request, context)
        })

        router.post("/tasks/{id}", page(.manageReminders) { request, context in
            let state = request.formValue("state").flatMap(TaskState.init(rawValue:))
            let assignee = request.formValue("assignedTo").map { $0.isEmpty ? String?.none : $0 }
            do {
                let task = try app.tasks.update(id: request.parameter("id"), state: state, assignedTo: assignee, note: request.formValue("note"),
                                                by: context.actor)
                return task.state == .open ? app.redirect("/tasks/\(task.id)", done: "task_saved") : app.redirect("/tasks", done: "task_closed")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.taskPage(request, context, problems: problems)
            }
        })

        // The answers collected by phone or on paper: stored like any assessment, which closes the
        // questionnaire, cancels its reminders and marks the task done.
        router.post("/tasks/{id}/answers", page(.recordAssessments) { request, context in
            let task = try app.tasks.task(id: request.parameter("id"))
            guard let invitationID = task.invitationId else { throw StoreError.conflict("this task has no questionnaire") }
            let invitation = try app.questionnaires.invitation(id: invitationID)
            let values = InstrumentForm.values(request.form)
            let source = AssessmentSource(rawValue: request.formValue("source") ?? "") ?? .phone
            let (results, errors) = InstrumentForm.score(invitation.instruments.compactMap { app.instruments[$0] }, values: values) {
                app.localizedReason($0, language: context.language)
            }
            guard errors.isEmpty else { return try app.taskPage(request, context, values: values, errors: errors) }
            for result in results {
                _ = try app.assessments.record(participantID: task.participantId, result: result, takenOn: app.today, partial: false,
                                               source: source == .participantWeb ? .phone : source, by: context.actor)
            }
            return app.redirect("/tasks", done: "task_answered")
        })
    }

    func taskPage(_ request: Request, _ context: WebContext, values: [String: [String]] = [:], errors: [String: [String: String]] = [:],
                  problems: FormProblems? = nil) throws -> Response {
        let language = context.language
        let strings = renderer.strings(language)
        let task = try tasks.task(id: request.parameter("id"))
        let participant = try participants.read(id: task.participantId, by: context.actor)
        let invitation = try task.invitationId.map { try questionnaires.invitation(id: $0) }
        let asked = invitation?.instruments.compactMap { instruments[$0] } ?? []
        let staff = try accounts.users().filter { !$0.isDisabled && ($0.role == .coordinator || $0.role == .tabacologue) }
        var summary: [[String: Any]] = []
        for instrument in asked {
            for item in instrument.definition.items {
                if let reason = errors[instrument.id]?[item.id] {
                    summary.append(["field": "item-\(instrument.id)-\(item.id)", "label": item.text.text(language), "reason": reason])
                }
            }
        }
        return render("task", context, status: errors.isEmpty ? (problems?.status ?? 200) : 422, [
            "notice": notice(request, context) ?? "",
            "task": ["id": task.id, "kind": strings["task_\(task.kind.rawValue)"] ?? task.kind.rawValue, "reason": task.reason, "note": task.note,
                     "open": task.state == .open, "state": strings["task_state_\(task.state.rawValue)"] ?? task.state.rawValue,
                     "due": CalendarDate(iso: task.dueOn).map { DateWording.day($0, language: language) } ?? task.dueOn],
            "participant": ["id": participant.id, "name": "\(participant.firstName) \(participant.lastName)", "phone": participant.phone ?? "",
                            "email": participant.email ?? "", "postalAddress": participant.postalAddress ?? ""],
            "staff": options([("", "—")] + staff.map { ($0.id, $0.displayName) }, selected: task.assignedTo),
            "hasQuestionnaire": !asked.isEmpty && invitation?.answeredAt == nil,
            "instruments": asked.map { InstrumentForm.context($0, language: language, values: values, errors: errors[$0.id] ?? [:]) },
            "hasErrors": !summary.isEmpty || problems != nil, "summary": summary, "message": problems?.message ?? "",
            "canRecord": context.user.role.allows(.recordAssessments),
        ])
    }
}
