import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// What was typed in a treatment form (the record's "add" form or a treatment's own page), to
/// show it again with its errors.
struct TreatmentInput {
    var kind = ""
    var dose = ""
    var start = ""
    var end = ""
    var note = ""
    var programmeID: String?
    var reason = ""
    var errors: [String: String] = [:]

    init() {}

    init(form request: Request) {
        kind = request.formValue("kind") ?? ""
        dose = request.formValue("dose") ?? ""
        start = request.formValue("start") ?? ""
        end = request.formValue("end") ?? ""
        note = request.formValue("note") ?? ""
        programmeID = request.formValue("programmeId")?.nilIfEmpty
        reason = request.formValue("reason") ?? ""
    }

    init(_ record: TreatmentRecord) {
        kind = record.kind
        dose = record.dose
        start = record.startOn
        end = record.endOn ?? ""
        note = record.note
        programmeID = record.programmeId
    }
}

/// The treatments on the participant's record (list, add, end) and a treatment's own page (its
/// correction, with its history). The same use cases as the API: a tabacologue only.
extension RelaisApp {
    func registerTreatmentPages(_ routes: inout Routes) {
        let app = self

        routes.page(.post, "/participants/{id}/treatments", .writeClinical) { request, context in
            let id = request.parameter("id")
            let input = TreatmentInput(form: request)
            do {
                let record = try app.actions.recordTreatment(participantID: id, TreatmentRequest(
                    kind: input.kind, dose: input.dose, start: input.start, end: input.end.nilIfEmpty, programmeID: input.programmeID,
                    note: input.note), by: context.caller)
                return app.redirect("/participants/\(id)#treatment-\(record.id)", done: "tr_added")
            } catch let error as ValidationError {
                var shown = input
                shown.errors = app.fieldErrors(error, form: "treatment", language: context.language)
                return try app.participantRecordPage(request, context, id: id, status: 422, treatment: shown)
            }
        }

        routes.page(.get, "/participants/{id}/treatments/{treatment}", .writeClinical) { request, context in
            let (participant, history, record) = try app.treatment(request, context)
            return app.treatmentPage(context, participant: participant, history: history, record: record, input: TreatmentInput(record))
        }

        // A correction of any field, with its reason.
        routes.page(.post, "/participants/{id}/treatments/{treatment}", .writeClinical) { request, context in
            let (participant, history, record) = try app.treatment(request, context)
            let input = TreatmentInput(form: request)
            do {
                _ = try app.actions.changeTreatment(record.id, participantID: participant.id, TreatmentChange(
                    kind: input.kind, dose: input.dose, start: input.start, end: input.end, consultationID: nil, programmeID: input.programmeID ?? "",
                    note: input.note, reason: input.reason), by: context.caller)
                return app.redirect("/participants/\(participant.id)#treatment-\(record.id)", done: "tr_corrected")
            } catch let error as ValidationError {
                var shown = input
                shown.errors = app.fieldErrors(error, form: "treatment", language: context.language)
                return app.treatmentPage(context, participant: participant, history: history, record: record, input: shown, status: 422)
            }
        }

        // The end of an open treatment, from its line on the record (the day typed, today by default).
        routes.page(.post, "/participants/{id}/treatments/{treatment}/end", .writeClinical) { request, context in
            let (participant, history, record) = try app.treatment(request, context)
            let end = (request.formValue("end") ?? "").trimmingCharacters(in: .whitespaces)
            do {
                _ = try app.actions.changeTreatment(record.id, participantID: participant.id,
                                                    TreatmentChange(end: end.isEmpty ? nil : end, reason: request.formValue("reason")?.nilIfEmpty),
                                                    by: context.caller)
                return app.redirect("/participants/\(participant.id)#treatment-\(record.id)", done: "tr_ended")
            } catch let error as ValidationError {
                var shown = TreatmentInput(record)
                shown.end = end
                shown.errors = app.fieldErrors(error, form: "treatment", language: context.language)
                if end.isEmpty { shown.errors["end"] = app.renderer.text(.required, language: context.language, form: "treatment", field: "end") }
                return app.treatmentPage(context, participant: participant, history: history, record: record, input: shown, status: 422)
            }
        }
    }

    /// The participant and the treatment a page names (404 when it is not theirs), the read audited.
    func treatment(_ request: Request, _ context: WebContext) throws -> (ParticipantRecord, TreatmentHistory, TreatmentRecord) {
        let participant = try actions.participant(request.parameter("id"), by: context.caller)
        let history = try actions.treatmentHistory(participantID: participant.id, by: context.caller)
        guard let record = history.treatments.first(where: { $0.id == request.parameter("treatment") }) else {
            throw Refusal.notFound(.treatmentNotFound)
        }
        return (participant, history, record)
    }

    /// The treatments section of the participant's record, for the roles that read the clinical
    /// record (false for the others): the list with each one's changes, the add form, the end forms.
    func treatmentSection(participantID: String, programmes: [ProgrammeRecord], context: WebContext, input: TreatmentInput?) throws -> Any {
        guard context.user.role.allows(.readClinical) else { return false }
        let language = context.language
        let history = try actions.treatmentHistory(participantID: participantID, by: context.caller)
        let titles = Dictionary(programmes.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
        let canWrite = context.user.role.allows(.writeClinical)
        var values: [String: Any] = [
            "rows": history.treatments.reversed().map { treatmentLine($0, history: history, titles: titles, language: language, canWrite: canWrite) },
            "hasRows": !history.treatments.isEmpty, "today": today.iso, "canWrite": canWrite,
        ]
        if canWrite { values["form"] = treatmentForm(input ?? TreatmentInput(), programmes: programmes, language: language) }
        return values
    }

    func treatmentLine(_ record: TreatmentRecord, history: TreatmentHistory, titles: [String: String], language: String, canWrite: Bool) -> [String: Any] {
        let strings = renderer.strings(language)
        let kinds = actions.protocols.treatmentKinds
        func name(_ id: String?) -> String { id.flatMap { history.names[$0] } ?? "—" }
        let corrections = (history.corrections[record.id] ?? []).map { correction -> [String: Any] in
            var before = [kinds.label(correction.previousKind, language: language), correction.previousDose,
                          strings.fill("tr_from", ["date": ParticipantText.date(iso: correction.previousStartOn)])]
            if let end = correction.previousEndOn { before.append(strings.fill("tr_to", ["date": ParticipantText.date(iso: end)])) }
            return ["on": ParticipantText.date(correction.correctedAt, structureZone), "by": name(correction.correctedBy),
                    "reason": correction.reason.map { $0 as Any } ?? false, "before": before.joined(separator: " — ")]
        }
        return [
            "id": record.id, "kind": kinds.label(record.kind, language: language), "dose": record.dose,
            "start": ParticipantText.date(iso: record.startOn), "end": record.endOn.map { ParticipantText.date(iso: $0) as Any } ?? false,
            "planned": record.startOn > today.iso, "open": record.endOn == nil, "canWrite": canWrite,
            "programme": record.programmeId.flatMap { titles[$0] }.map { $0 as Any } ?? false,
            "note": record.note.isEmpty ? false : record.note, "by": name(record.recordedBy),
            "corrections": corrections, "hasCorrections": !corrections.isEmpty,
        ]
    }

    func treatmentForm(_ input: TreatmentInput, programmes: [ProgrammeRecord], language: String) -> [String: Any] {
        let strings = renderer.strings(language)
        let kinds = actions.protocols.treatmentKinds.kinds
        let fields = ["kind", "dose", "start", "end", "note", "programmeId", "reason"]
        let summary: [[String: Any]] = fields.compactMap { field in
            input.errors[field].map { ["field": field, "label": strings["tr_\(field)"] ?? field, "reason": $0] }
        }
        let options = programmes.map { ["value": $0.id, "label": $0.title, "selected": $0.id == input.programmeID] as [String: Any] }
        return [
            "kinds": kinds.map { ["value": $0.code, "label": $0.label.text(language), "selected": $0.code == input.kind] as [String: Any] },
            "dose": input.dose, "start": input.start.isEmpty ? today.iso : input.start, "end": input.end, "note": input.note, "reason": input.reason,
            "programmes": options, "hasProgrammes": !options.isEmpty,
            "errors": input.errors, "hasErrors": !input.errors.isEmpty, "summary": summary,
            "doseMax": UseCases.treatmentDoseLength, "reasonMax": UseCases.correctionReasonLength,
        ]
    }

    /// A treatment's own page: its correction form (every field and a reason) and its history.
    func treatmentPage(_ context: WebContext, participant: ParticipantRecord, history: TreatmentHistory, record: TreatmentRecord,
                       input: TreatmentInput, status: Int = 200) -> Response {
        let programmes = (try? actions.assessmentProgrammes(participantID: participant.id, by: context.caller)) ?? []
        let titles = Dictionary(programmes.map { ($0.id, $0.title) }, uniquingKeysWith: { first, _ in first })
        var values = treatmentForm(input, programmes: programmes, language: context.language)
        values["start"] = input.start
        values["participantId"] = participant.id
        values["participantName"] = "\(participant.firstName) \(participant.lastName)"
        values["treatment"] = treatmentLine(record, history: history, titles: titles, language: context.language, canWrite: true)
        return render(.treatment, context, status: status, values)
    }
}
