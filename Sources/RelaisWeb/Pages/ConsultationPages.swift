import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    /// One individual consultation: its time and status for the coordination, and its clinical
    /// note for its tabacologue only. A peer helper never opens it.
    func registerConsultationPages(_ router: inout Router) {
        let app = self

        router.get("/consultations/{id}", page(nil) { request, context in
            try app.consultationPage(request, context)
        })

        router.post("/consultations/{id}", page(nil) { request, context in
            guard context.user.role.allows(.readClinical) || context.user.role.allows(.plan) else {
                return app.errorPage(403, app.forbidden(context), context: context)
            }
            let current = try app.consultations.read(id: request.parameter("id"), by: context.actor)
            let (programme, _) = try app.programmes.programme(id: current.programmeId)
            let clinician = app.isClinician(of: current, programme, context.user)
            let note = request.formValue("note")
            if note != nil && !clinician { return app.errorPage(403, app.forbidden(context), context: context) }
            do {
                _ = try app.consultations.update(id: current.id, status: request.formValue("status").flatMap(ConsultationStatus.init(rawValue:)),
                                                 note: clinician ? note : nil, start: nil, end: nil, modality: nil, by: context.actor)
                return app.redirect("/consultations/\(current.id)", done: "consultation_saved")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.consultationPage(request, context, problems: problems)
            }
        })
    }

    func consultationPage(_ request: Request, _ context: WebContext, problems: FormProblems? = nil) throws -> Response {
        // The note is clinical: a peer helper or an administrator never opens the page at all.
        guard context.user.role.allows(.readClinical) || context.user.role.allows(.plan) else {
            return errorPage(403, forbidden(context), context: context)
        }
        let language = context.language
        let record = try consultations.read(id: request.parameter("id"), by: context.actor)
        let (programme, _) = try programmes.programme(id: record.programmeId)
        let participant = try participants.read(id: record.participantId, by: context.actor)
        let facilitator = try accounts.user(id: record.facilitatorId)
        let clinician = isClinician(of: record, programme, context.user)
        let strings = renderer.strings(language)
        var values: [String: Any] = [
            "notice": notice(request, context) ?? "",
            "consultation": ["id": record.id, "index": record.index, "when": when(record.startsAt, programme.zone, language),
                             "facilitator": facilitator?.displayName ?? "", "modality": strings["modality_\(record.modality.rawValue)"] ?? "",
                             "note": clinician ? record.note : ""],
            "statuses": ConsultationStatus.allCases.map { ["value": $0.rawValue, "label": strings["consultation_\($0.rawValue)"] ?? $0.rawValue,
                                                           "selected": $0 == record.status] },
            "participant": ["id": participant.id, "name": "\(participant.firstName) \(participant.lastName)"],
            "programme": ["id": programme.id, "title": programme.title],
            "clinician": clinician,
        ]
        if let problems {
            values["hasErrors"] = true
            values["message"] = problems.message ?? ""
            values["summary"] = problems.summary(order: [], labels: [:])
        }
        return render("consultation", context, status: problems?.status ?? 200, values)
    }
}
