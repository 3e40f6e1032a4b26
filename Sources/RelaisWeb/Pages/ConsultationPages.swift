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

        // The same use case as `PATCH /api/v1/consultations/{id}`: the same rule on the note.
        routes.page(.post, "/consultations/{id}") { request, context in
            let change = ConsultationChange(status: request.formValue("status"), note: request.formValue("note"))
            do {
                _ = try app.actions.changeConsultation(request.parameter("id"), change, by: context.caller)
                return app.redirect("/consultations/\(request.parameter("id"))", done: "consultation_saved")
            } catch let refusal as Refusal where refusal.kind != .conflict {
                throw refusal
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.consultationPage(request, context, problems: problems)
            }
        }
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
        // The programme's last consultation asks the end-of-programme status, attached to this programme.
        if record.index == actions.consultationSlots(programme: programme).map(\.index).max(), instruments["end_status"] != nil,
           context.user.role.allows(.recordAssessments) {
            values["endStatusLink"] = "/participants/\(participant.id)/assessments/new?instrument=end_status&programme=\(programme.id)"
        }
        if let problems {
            values["hasErrors"] = true
            values["message"] = problems.message ?? ""
            values["summary"] = problems.summary(order: [], labels: [:])
        }
        return render(.consultation, context, status: problems?.status ?? 200, values)
    }
}
