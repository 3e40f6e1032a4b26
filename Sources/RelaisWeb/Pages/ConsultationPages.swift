import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    /// One individual consultation: its time and status for the coordination, and its clinical
    /// note for its clinician only. A peer helper never opens it.
    func registerConsultationPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/consultations/{id}") { request, context in
            try app.consultationPage(request, context)
        }

        // The same use case as `PATCH /api/v1/consultations/{id}`: the same rule on the note. The
        // time and the length go only when they were changed, so that saving a status alone
        // never checks the slot again; a new time tells the participant.
        routes.page(.post, "/consultations/{id}") { request, context in
            do {
                let current = try app.actions.consultation(request.parameter("id"), by: context.caller)
                let (start, minutes) = app.consultationTime(current)
                let typedStart = request.formValue("start")?.trimmingCharacters(in: .whitespaces)
                let typedMinutes = request.formValue("durationMinutes")?.trimmingCharacters(in: .whitespaces)
                var change = ConsultationChange(
                    status: request.formValue("status"), note: request.formValue("note"),
                    start: typedStart.flatMap { $0.isEmpty || $0.prefix(16) == start ? nil : $0 },
                    durationMinutes: try typedMinutes.flatMap { $0.isEmpty || $0 == String(minutes) ? nil : try Input.wholeNumber($0, field: "durationMinutes") })
                change.confirmedPast = request.formValue("confirmPast") == "on"
                let moved = change.start != nil || change.durationMinutes != nil
                _ = try app.actions.changeConsultation(current.consultation.id, change, by: context.caller)
                return app.redirect("/consultations/\(current.consultation.id)", done: moved ? "c_consultation_moved" : "consultation_saved")
            } catch let refusal as Refusal where refusal.kind == .conflict && Self.slotConflicts.contains(refusal.reason.code) {
                // Somebody is busy then: said next to the time.
                return try app.consultationPage(request, context, problems: FormProblems(
                    fields: ["start": app.renderer.text(refusal.reason, language: context.language)], status: 409))
            } catch let refusal as Refusal where refusal.kind != .conflict {
                throw refusal
            } catch {
                guard let problems = app.formProblems(error, language: context.language, form: "consultation") else { throw error }
                return try app.consultationPage(request, context, problems: problems)
            }
        }
    }

    /// The refusals of a time when the facilitator or the participant is busy.
    static let slotConflicts: Set<ReasonCode> = [.facilitatorBusy, .facilitatorInConsultation, .participantInSession, .participantInConsultation, .roomBusy]

    /// The consultation's local start (`YYYY-MM-DDTHH:MM`, as a `datetime-local` field holds it) and length in minutes.
    func consultationTime(_ view: ConsultationView) -> (start: String, minutes: Int) {
        (LocalDateTime(view.consultation.startsAt, in: view.programme.zone).iso,
         Int(view.consultation.endsAt.timeIntervalSince(view.consultation.startsAt) / 60))
    }

    func consultationPage(_ request: Request, _ context: WebContext, problems: FormProblems? = nil) throws -> Response {
        let language = context.language
        let view = try actions.consultation(request.parameter("id"), by: context.caller)
        let (record, programme) = (view.consultation, view.programme)
        let participant = try actions.participant(record.participantId, by: context.caller)
        let names = try actions.staffNames(by: context.caller)
        let strings = renderer.strings(language)
        var values: [String: Any] = [
            "notice": notice(request, context) ?? "",
            "consultation": ["id": record.id, "index": record.index, "when": when(record.startsAt, programme.zone, language),
                             "facilitator": names[record.facilitatorId] ?? "", "modality": strings["modality_\(record.modality.rawValue)"] ?? "",
                             "note": view.clinician ? record.note : ""],
            // Done and missed are offered once its time has come.
            "statuses": ConsultationStatus.allCases.filter { view.notStarted == nil || $0 == .planned || $0 == .cancelled || $0 == record.status }
                .map { ["value": $0.rawValue, "label": strings["consultation_\($0.rawValue)"] ?? $0.rawValue, "selected": $0 == record.status] },
            "notStarted": view.notStarted == nil ? "" : strings.fill("consultation_not_started_notice", ["when": when(record.startsAt, programme.zone, language)]),
            "participant": ["id": participant.id, "name": "\(participant.firstName) \(participant.lastName)"],
            "programme": ["id": programme.id, "title": programme.title],
            "clinician": view.clinician,
        ]
        // The structured record: a link for its clinician, whether it exists for the others.
        if let summary = try actions.recordSummary(of: view) {
            values["recordStatus"] = strings.fill("cr_status_written", ["version": String(summary.version),
                                                                        "when": when(summary.recordedAt, structureZone, language)])
        } else {
            values["recordStatus"] = strings["cr_status_none"] ?? ""
        }
        // The programme's last consultation asks the end-of-programme status, attached to this programme.
        if record.index == actions.consultationSlots(programme: programme).map(\.index).max(), instruments["end_status"] != nil,
           context.user.role.allows(.recordAssessments) {
            values["endStatusLink"] = "/participants/\(participant.id)/assessments/new?instrument=end_status&programme=\(programme.id)"
        }
        // The time and the length, for planners (everyone who opens the page), as typed when refused.
        let (start, minutes) = consultationTime(view)
        values["time"] = ["start": request.formValue("start") ?? start, "durationMinutes": request.formValue("durationMinutes") ?? String(minutes)] as [String: Any]
        // A move to a time already past is confirmed, the page saying what will not be sent.
        if problems?.fields["confirmPast"] != nil || request.formValue("confirmPast") != nil {
            values["past"] = pastConfirmation(.consultation, language: language, error: problems?.fields["confirmPast"])
        }
        if let problems {
            values["hasErrors"] = true
            values["message"] = problems.message ?? ""
            values["errors"] = problems.fields
            values["summary"] = problems.summary(order: ["start", "durationMinutes", "confirmPast", "status", "note"],
                                                 labels: ["start": strings["c_consultation_start"] ?? "", "durationMinutes": strings["c_consultation_length"] ?? "",
                                                          "confirmPast": strings["past_title"] ?? "",
                                                          "status": strings["consultation_status"] ?? "", "note": strings["consultation_note"] ?? ""])
        }
        return render(.consultation, context, status: problems?.status ?? 200, values)
    }
}
