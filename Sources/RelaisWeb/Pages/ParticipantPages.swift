import Foundation
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// The participant pages: search, create and edit, the record, instrument entry, orientations,
/// the GDPR export and erasure. Every one calls the use case the API calls, which checks the
/// role (the roles table of the README) and audits the read.
extension RelaisApp {
    /// The rows of the participant list, written here rather than by the template: up to 500
    /// rows of six values, where Mustache's lookups of `Any` values (dynamic casts at each tag)
    /// cost ~200,000 instructions a row and were most of the page's time. Every value is escaped.
    static func participantRows(_ participants: [ParticipantRecord], enrolments: [String: Int], noConsentTag: String) -> String {
        var html = ""
        html.reserveCapacity(participants.count * 160)
        let tag = " <span class=\"tag warn\">" + HTMLText.escape(noConsentTag) + "</span>"
        for record in participants {
            html += "<tr><td><a href=\"/participants/" + HTMLText.escape(record.id) + "\">" + HTMLText.escape(record.lastName) + " "
                + HTMLText.escape(record.firstName) + "</a>" + (record.consentDataProcessingAt == nil ? tag : "") + "</td><td>"
                + (record.birthYear.map(String.init) ?? "—") + "</td><td>" + String(enrolments[record.id] ?? 0) + "</td></tr>\n"
        }
        return html
    }

    func registerParticipantPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/participants", .readContactDetails) { request, context in
            let query = (request.queryValue("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            // A page as large as the API's largest, then a link to the next.
            let list = try app.actions.participants(search: query, cursor: request.queryValue("cursor"), limit: UseCases.participantPageMaximum,
                                                    counting: true, by: context.caller)
            let strings = app.renderer.strings(context.language)
            var values: [String: Any] = [
                "q": query, "searched": !query.isEmpty, "hasRows": !list.participants.isEmpty,
                "rows": Self.participantRows(list.participants, enrolments: list.enrolments, noConsentTag: strings["p_no_consent_tag"] ?? ""),
                "count": strings.count("p_count", list.participants.count),
                "canCreate": context.user.role.allows(.plan),
            ]
            if let next = list.next {
                var link = URLComponents()
                link.path = "/participants"
                link.queryItems = (query.isEmpty ? [] : [URLQueryItem(name: "q", value: query)]) + [URLQueryItem(name: "cursor", value: next)]
                values["next"] = link.string ?? ""
            }
            if let notice = app.notice(request, context) { values["notice"] = notice }
            return app.render(.participantList, context, values)
        }

        routes.page(.get, "/participants/new", .plan) { request, context in
            var programme: ProgrammeRecord?
            if let id = request.queryValue("programme") {
                guard let found = app.actions.enrollableProgramme(id, by: context.caller) else {
                    return app.errorPage(404, app.renderer.strings(context.language)["p_err_programme"] ?? "", context: context)
                }
                programme = found
            }
            return app.participantFormPage(context, form: .empty, record: nil, programme: programme)
        }

        routes.page(.post, "/participants/new", .plan) { request, context in
            var programme: ProgrammeRecord?
            if let id = request.queryValue("programme") ?? request.formValue("programme"), !id.isEmpty {
                guard let found = app.actions.enrollableProgramme(id, by: context.caller) else {
                    return app.errorPage(404, app.renderer.strings(context.language)["p_err_programme"] ?? "", context: context)
                }
                programme = found
            }
            var form = ParticipantForm(request)
            do {
                let (record, enrolment, refused) = try app.actions.createAndEnrol(try form.request(), programmeID: programme?.id, by: context.caller)
                guard let programme else { return app.redirect("/participants/\(record.id)", done: "p_created") }
                if refused { return app.redirect("/participants/\(record.id)", done: "p_created_not_enrolled") }
                return app.redirect("/programmes/\(programme.id)", done: enrolment?.status == .waiting ? "p_created_waiting" : "p_created_enrolled")
            } catch let error as ValidationError {
                form.errors = app.fieldErrors(error, form: "participant", language: context.language)
                return app.participantFormPage(context, form: form, record: nil, programme: programme, status: 422)
            }
        }

        routes.page(.get, "/participants/{id}", .readContactDetails) { request, context in
            try app.participantRecordPage(request, context, id: request.parameter("id"))
        }

        routes.page(.get, "/participants/{id}/edit", .plan) { request, context in
            let record = try app.actions.participant(request.parameter("id"), by: context.caller)
            return app.participantFormPage(context, form: ParticipantForm(record.details), record: record, programme: nil)
        }

        routes.page(.post, "/participants/{id}/edit", .plan) { request, context in
            let current = try app.actions.participant(request.parameter("id"), by: context.caller)
            var form = ParticipantForm(request)
            do {
                _ = try app.actions.updateParticipant(current.id, try form.request(), by: context.caller)
            } catch let error as ValidationError {
                form.errors = app.fieldErrors(error, form: "participant", language: context.language)
                return app.participantFormPage(context, form: form, record: current, programme: nil, status: 422)
            }
            return app.redirect("/participants/\(current.id)", done: "p_updated")
        }

        routes.page(.post, "/participants/{id}/orientations", .writeClinical) { request, context in
            let id = request.parameter("id")
            let submitted = request.formValues("kinds")
            let detail = (request.formValue("detail") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let programme = request.formValue("programmeId")?.nilIfEmpty
            do {
                _ = try app.actions.addOrientations(participantID: id, kinds: submitted, detail: detail, programmeID: programme, consultationID: nil,
                                                    by: context.caller)
                return app.redirect("/participants/\(id)", done: "p_orientation_added")
            } catch let error as ValidationError {
                return try app.participantRecordPage(request, context, id: id, status: 422, orientation: OrientationInput(
                    kinds: submitted, detail: detail, programmeID: programme, errors: app.fieldErrors(error, form: "orientation", language: context.language)))
            }
        }

        routes.page(.get, "/participants/{id}/assessments/new", .recordAssessments) { request, context in
            let record = try app.actions.participant(request.parameter("id"), by: context.caller)
            let instrument = try app.actions.instrumentDefinition(request.queryValue("instrument") ?? "", by: context.caller)
            return app.assessmentFormPage(context, participant: record, instrument: instrument, date: app.today.iso, source: .staff,
                                          programmes: try app.actions.assessmentProgrammes(participantID: record.id, by: context.caller),
                                          programmeID: request.queryValue("programme"), values: [:], errors: [:])
        }

        // The same use case as `POST /api/v1/participants/{id}/assessments`.
        routes.page(.post, "/participants/{id}/assessments/new", .recordAssessments) { request, context in
            let record = try app.actions.participant(request.parameter("id"), by: context.caller)
            let instrument = try app.actions.instrumentDefinition(request.queryValue("instrument") ?? request.formValue("instrument") ?? "", by: context.caller)
            let values = InstrumentForm.values(request.form)
            let dateText = (request.formValue("date") ?? "").trimmingCharacters(in: .whitespaces)
            let programmeID = request.formValue("programmeId")?.nilIfEmpty
            let assessment = AssessmentRequest(instrument: instrument.id, answers: InstrumentForm.answers(instrument, values: values), date: dateText,
                                               source: request.formValue("source") ?? "", programmeID: programmeID)
            do {
                let saved = try app.actions.recordAssessment(participantID: record.id, assessment, by: context.caller)
                return .redirect(to: "/participants/\(record.id)?saved=\(saved.id)")
            } catch let error as ValidationError {
                let errors = app.assessmentErrors(error, language: context.language)
                return app.assessmentFormPage(context, participant: record, instrument: instrument, date: dateText,
                                              source: AssessmentSource(rawValue: request.formValue("source") ?? ""),
                                              programmes: try app.actions.assessmentProgrammes(participantID: record.id, by: context.caller),
                                              programmeID: programmeID, values: values, errors: errors, status: 422)
            }
        }

        routes.page(.get, "/participants/{id}/export.json", .readContactDetails) { request, context in
            let export = try app.actions.exportParticipant(request.parameter("id"), by: context.caller)
            var response = try JSONBody.response(app.exportBody(export, context))
            response.headerFields[.contentDisposition] = "attachment; filename=\"relais-participant-\(export.file.participant.id).json\""
            return response
        }

        routes.page(.get, "/participants/{id}/erase", .eraseParticipants) { request, context in
            let record = try app.actions.participant(request.parameter("id"), by: context.caller)
            return app.erasePage(context, record: record, typed: "", error: nil)
        }

        routes.page(.post, "/participants/{id}/erase", .eraseParticipants) { request, context in
            let typed = request.formValue("confirmName")
            do {
                _ = try app.actions.eraseParticipant(request.parameter("id"), confirmingName: typed, by: context.caller)
                return app.redirect("/participants", done: "p_erased")
            } catch let error as ValidationError {
                let record = try app.actions.participant(request.parameter("id"), by: context.caller)
                return app.erasePage(context, record: record, typed: typed ?? "",
                                     error: app.fieldErrors(error, form: "erase", language: context.language)["confirmName"], status: 422)
            }
        }

        registerAssessmentCorrectionPages(&routes)
    }

    /// The reasons of a refused form, each in the page's words for its field.
    func fieldErrors(_ error: ValidationError, form: String, language: String) -> [String: String] {
        Dictionary(uniqueKeysWithValues: error.fields.map { field, reason in
            (field, renderer.text(reason, language: language, form: form, field: field))
        })
    }

    func erasePage(_ context: WebContext, record: ParticipantRecord, typed: String, error: String?, status: Int = 200) -> Response {
        let strings = renderer.strings(context.language)
        var values: [String: Any] = [
            "id": record.id, "name": "\(record.firstName) \(record.lastName)", "lastName": record.lastName, "typed": typed,
            "hasErrors": error != nil, "errors": error.map { ["confirmName": $0] } ?? [:],
        ]
        if let error {
            values["summary"] = [["anchor": "confirmName", "label": strings["p_lastName"] ?? "", "reason": error]]
        }
        return render(.participantErase, context, status: status, values)
    }
}
