import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// The participant pages: search, create and edit, the record, instrument entry, orientations,
/// the GDPR export and erasure. Every read of a participant goes through an audited store call.
///
/// Who may do what (the routes check it through `page`, i.e. `Role.allows`):
/// - list, record, export: `readContactDetails` (coordinators and tabacologues);
/// - create, edit: `plan` (coordinators and tabacologues, as the API);
/// - instrument entry: `recordAssessments`; orientations: `writeClinical` (tabacologues, as the API);
/// - a consultation's note is shown only to the tabacologue of that consultation or the lead of
///   its programme (as the API), never to a coordinator or a peer helper;
/// - erasure: `Permission.eraseParticipants` (coordinators, who handle the participants' requests).
/// Peer helpers and administrators get 403 on every one of them.
extension RelaisApp {
    var participantRecords: ParticipantRecords { ParticipantRecords(store: store, clock: clock) }

    var structureZone: TimeZone { configuration.timeZone.zone }

    /// Only a coordinator erases a participant: the role that handles their requests and their
    /// contact details; an administrator sees no participant data, a tabacologue keeps to care.
    static func mayErase(_ role: Role) -> Bool { role.allows(.eraseParticipants) }

    /// `page` that answers 404 when the participant (or what the route names) does not exist.
    func participantPage(_ permission: Permission?, _ body: @escaping @Sendable (Request, WebContext) throws -> Response) -> Handler {
        let app = self
        return page(permission) { request, context in
            do {
                return try body(request, context)
            } catch StoreError.notFound {
                return app.errorPage(404, app.renderer.strings(context.language)["p_not_found"] ?? "404", context: context)
            }
        }
    }

    func registerParticipantPages(_ router: inout Router) {
        let app = self

        router.get("/participants", page(.readContactDetails) { request, context in
            let query = (request.queryValue("q") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let records = try app.participants.list(search: query.isEmpty ? nil : query, by: context.actor)
            let counts = try app.participantRecords.enrolmentCounts(participantIDs: records.map(\.id))
            let rows: [[String: Any]] = records.map { record in
                ["id": record.id, "firstName": record.firstName, "lastName": record.lastName,
                 "birthYear": record.birthYear.map(String.init) ?? "—", "enrolments": counts[record.id] ?? 0]
            }
            var values: [String: Any] = [
                "q": query, "searched": !query.isEmpty, "rows": rows, "hasRows": !rows.isEmpty, "count": rows.count,
                "canCreate": context.user.role.allows(.plan),
            ]
            if let notice = app.notice(request, context) { values["notice"] = notice }
            return app.render("participant_list", context, values)
        })

        router.get("/participants/new", page(.plan) { request, context in
            var programme: ProgrammeRecord?
            if let id = request.queryValue("programme") {
                guard let found = app.enrollableProgramme(id) else {
                    return app.errorPage(404, app.renderer.strings(context.language)["p_err_programme"] ?? "404", context: context)
                }
                programme = found
            }
            return app.participantFormPage(context, form: .empty, record: nil, programme: programme)
        })

        router.post("/participants/new", page(.plan) { request, context in
            var programme: ProgrammeRecord?
            if let id = request.queryValue("programme") ?? request.formValue("programme"), !id.isEmpty {
                guard let found = app.enrollableProgramme(id) else {
                    return app.errorPage(404, app.renderer.strings(context.language)["p_err_programme"] ?? "404", context: context)
                }
                programme = found
            }
            let form = app.participantForm(request, language: context.language)
            guard form.errors.isEmpty else {
                return app.participantFormPage(context, form: form, record: nil, programme: programme, status: 422)
            }
            let record: ParticipantRecord
            do {
                record = try app.participants.create(form.details, by: context.actor)
            } catch let error as ValidationError {
                var form = form
                form.errors = app.participantErrors(error, language: context.language)
                return app.participantFormPage(context, form: form, record: nil, programme: programme, status: 422)
            }
            guard let programme else { return app.redirect("/participants/\(record.id)", done: "p_created") }
            do {
                let enrolment = try app.enrolments.enrol(programmeID: programme.id, participantID: record.id, waitingList: true, by: context.actor)
                return app.redirect("/programmes/\(programme.id)", done: enrolment.status == .waiting ? "p_created_waiting" : "p_created_enrolled")
            } catch is StoreError {
                return app.redirect("/participants/\(record.id)", done: "p_created_not_enrolled")
            } catch is ValidationError {
                return app.redirect("/participants/\(record.id)", done: "p_created_not_enrolled")
            }
        })

        router.get("/participants/{id}", participantPage(.readContactDetails) { request, context in
            try app.participantRecordPage(request, context, id: request.parameter("id"))
        })

        router.get("/participants/{id}/edit", participantPage(.plan) { request, context in
            let record = try app.participants.read(id: request.parameter("id"), by: context.actor)
            return app.participantFormPage(context, form: ParticipantForm(record.details), record: record, programme: nil)
        })

        router.post("/participants/{id}/edit", participantPage(.plan) { request, context in
            let current = try app.participants.read(id: request.parameter("id"), by: context.actor)
            var form = app.participantForm(request, language: context.language)
            guard form.errors.isEmpty else { return app.participantFormPage(context, form: form, record: current, programme: nil, status: 422) }
            do {
                _ = try app.participants.update(id: current.id, form.details, by: context.actor)
            } catch let error as ValidationError {
                form.errors = app.participantErrors(error, language: context.language)
                return app.participantFormPage(context, form: form, record: current, programme: nil, status: 422)
            }
            return app.redirect("/participants/\(current.id)", done: "p_updated")
        })

        router.post("/participants/{id}/orientations", participantPage(.writeClinical) { request, context in
            let id = request.parameter("id")
            let strings = app.renderer.strings(context.language)
            let submitted = request.formValues("kinds")
            let kinds = submitted.compactMap(OrientationKind.init(rawValue:))
            let detail = (request.formValue("detail") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            let programmeIDs = try app.participantRecords.enrolments(participantID: id).map(\.programme.id)
            let programme = request.formValue("programmeId").flatMap { programmeIDs.contains($0) ? $0 : nil }
            var errors: [String: String] = [:]
            if kinds.isEmpty || kinds.count != submitted.count { errors["kinds"] = strings["p_err_kinds"] }
            if kinds.contains(.other) && detail.isEmpty { errors["detail"] = strings["p_err_detail_other"] }
            if errors.isEmpty {
                do {
                    _ = try app.consultations.addOrientations(participantID: id, programmeID: programme, consultationID: nil, kinds: kinds,
                                                              detail: detail, by: context.actor)
                    return app.redirect("/participants/\(id)", done: "p_orientation_added")
                } catch let error as ValidationError {
                    for field in error.fields.keys {
                        errors[field] = strings[field == "detail" ? "p_err_detail_other" : "p_err_kinds"]
                    }
                }
            }
            return try app.participantRecordPage(request, context, id: id, status: 422,
                                                 orientation: OrientationInput(kinds: submitted, detail: detail, programmeID: programme, errors: errors))
        })

        router.get("/participants/{id}/assessments/new", participantPage(.recordAssessments) { request, context in
            let record = try app.participants.read(id: request.parameter("id"), by: context.actor)
            guard let instrument = request.queryValue("instrument").flatMap({ app.instruments[$0] }) else {
                return app.errorPage(404, app.renderer.strings(context.language)["p_unknown_instrument"] ?? "404", context: context)
            }
            return app.assessmentFormPage(context, participant: record, instrument: instrument, date: app.today.iso, source: .staff,
                                          values: [:], errors: [:])
        })

        router.post("/participants/{id}/assessments/new", participantPage(.recordAssessments) { request, context in
            let record = try app.participants.read(id: request.parameter("id"), by: context.actor)
            let strings = app.renderer.strings(context.language)
            guard let instrument = (request.queryValue("instrument") ?? request.formValue("instrument")).flatMap({ app.instruments[$0] }) else {
                return app.errorPage(404, strings["p_unknown_instrument"] ?? "404", context: context)
            }
            let values = InstrumentForm.values(request.form)
            var errors: [String: String] = [:]
            let dateText = (request.formValue("date") ?? "").trimmingCharacters(in: .whitespaces)
            let date = CalendarDate(iso: dateText)
            if let date {
                if date > app.today { errors["date"] = strings["p_err_date_future"] }
                else if !DateWindow.contains(date) { errors["date"] = strings["p_err_date_window"] }
            } else { errors["date"] = strings["p_err_date"] }
            let sourceText = request.formValue("source") ?? ""
            let source = AssessmentSource(rawValue: sourceText).flatMap { $0 == .participantWeb ? nil : $0 }
            if source == nil { errors["source"] = strings["p_err_source"] }
            var result: ScoreResult?
            do {
                result = try instrument.score(InstrumentForm.answers(instrument, values: values))
            } catch let error as ValidationError {
                for (item, reason) in error.fields { errors["item:" + item] = app.itemReason(instrument, item: item, reason: reason, language: context.language) }
            }
            guard errors.isEmpty, let result, let date, let source else {
                return app.assessmentFormPage(context, participant: record, instrument: instrument, date: dateText, source: source,
                                              values: values, errors: errors, status: 422)
            }
            let saved = try app.assessments.record(participantID: record.id, result: result, takenOn: date, partial: false,
                                                   source: source, by: context.actor)
            return .redirect(to: "/participants/\(record.id)?saved=\(saved.id)")
        })

        router.get("/participants/{id}/export.json", participantPage(.readContactDetails) { request, context in
            let file = try app.participantRecords.export(participantID: request.parameter("id"), by: context.actor)
            var response = JSON.response(try app.exportJSON(file, context))
            response.headers.set("Content-Disposition", "attachment; filename=\"relais-participant-\(file.participant.id).json\"")
            return response
        })

        router.get("/participants/{id}/erase", participantPage(.readContactDetails) { request, context in
            guard Self.mayErase(context.user.role) else {
                return app.errorPage(403, app.renderer.strings(context.language)["p_erase_forbidden"] ?? "403", context: context)
            }
            let record = try app.participants.read(id: request.parameter("id"), by: context.actor)
            return app.erasePage(context, record: record, typed: "", error: nil)
        })

        router.post("/participants/{id}/erase", participantPage(.readContactDetails) { request, context in
            let strings = app.renderer.strings(context.language)
            guard Self.mayErase(context.user.role) else { return app.errorPage(403, strings["p_erase_forbidden"] ?? "403", context: context) }
            let record = try app.participants.read(id: request.parameter("id"), by: context.actor)
            let typed = (request.formValue("confirmName") ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
            guard !typed.isEmpty,
                  typed.compare(record.lastName, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame else {
                return app.erasePage(context, record: record, typed: typed, error: strings["p_err_erase_confirm"], status: 422)
            }
            try app.participantRecords.erase(participantID: record.id, by: context.actor, timeZone: app.structureZone)
            return app.redirect("/participants", done: "p_erased")
        })
    }

    /// A programme one may enrol into from the create form: it exists and is not cancelled.
    func enrollableProgramme(_ id: String) -> ProgrammeRecord? {
        guard let (programme, _) = try? programmes.programme(id: id), programme.status == .planned else { return nil }
        return programme
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
        return render("participant_erase", context, status: status, values)
    }
}
