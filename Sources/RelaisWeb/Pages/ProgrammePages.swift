import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    /// Programmes: the list by year, creation from a template with the planner's proposal shown
    /// before saving, and the detail page (sessions, roster, waiting list, consultations).
    func registerProgrammePages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/programmes") { request, context in
            let shownYear = try Input.year(request.queryValue("year"), field: "year") ?? app.today.year
            let programmes = try app.actions.programmes(year: shownYear, by: context.caller)
            let names = try app.actions.staffNames(by: context.caller)
            let rows = try programmes.map { programme, sessions -> [String: Any] in
                let counts = try app.actions.enrolmentCounts(programmeID: programme.id, by: context.caller)
                return ["id": programme.id, "title": programme.title, "cancelled": programme.status == .cancelled,
                        "first": sessions.first.map { app.when($0.startsAt, programme.zone, context.language) } ?? "",
                        "lead": names[programme.leadId] ?? "", "enrolled": counts.enrolled, "waiting": counts.waiting, "capacity": programme.capacity]
            }
            return app.render(.programmes, context, [
                "notice": app.notice(request, context) ?? "", "programmes": rows, "hasProgrammes": !rows.isEmpty, "year": shownYear,
                "previousYear": shownYear - 1, "nextYear": shownYear + 1, "canPlan": context.user.role.allows(.plan),
            ])
        }

        routes.page(.get, "/programmes/new", .plan) { _, context in
            var form = ProgrammeForm()
            form.values["timeZone"] = app.configuration.timeZone.identifier
            return try app.programmeForm(context, form)
        }

        routes.page(.post, "/programmes/new", .plan) { request, context in
            var form = ProgrammeForm(request)
            do {
                // The proposal is shown again when the creation is refused (a box to tick, a conflict).
                form.proposal = try app.actions.proposeProgramme(form.request, by: context.caller)
                if request.formValue("action") != "create" { return try app.programmeForm(context, form) }
                let (programme, _, _) = try app.actions.createProgramme(form.request, by: context.caller)
                return app.redirect("/programmes/\(programme.id)", done: "programme_created")
            } catch {
                guard let problems = app.formProblems(error, language: context.language, form: "programme") else { throw error }
                form.problems = problems
                return try app.programmeForm(context, form, status: problems.status)
            }
        }

        routes.page(.get, "/programmes/{id}") { request, context in
            try app.programmePage(request, context)
        }

        routes.page(.post, "/programmes/{id}/enrolments", .plan) { request, context in
            let programmeID = request.parameter("id")
            do {
                let enrolment = try app.actions.enrol(programmeID: programmeID, participantID: request.formValue("participantId"), by: context.caller)
                return app.redirect("/programmes/\(programmeID)", done: enrolment.status == .waiting ? "enrolment_waiting" : "enrolment_done")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.programmePage(request, context, problems: problems)
            }
        }

        routes.page(.post, "/enrolments/{id}/withdraw", .plan) { request, context in
            do {
                let (withdrawn, _) = try app.actions.withdraw(enrolmentID: request.parameter("id"), reason: request.formValue("reason"), by: context.caller)
                return app.redirect("/programmes/\(withdrawn.programmeId)", done: "enrolment_withdrawn")
            } catch {
                guard let problems = app.formProblems(error, language: context.language), problems.status != 404 else { throw error }
                var request = request
                request.pathParameters["id"] = request.formValue("programmeId") ?? ""
                return try app.programmePage(request, context, problems: problems)
            }
        }

        // The same booking as the API: the use case resolves the template, the duration and the time.
        routes.page(.post, "/programmes/{id}/consultations", .plan) { request, context in
            let programmeID = request.parameter("id")
            let typed = Dictionary(uniqueKeysWithValues: Self.bookingFields.compactMap { name in request.formValue(name).map { (name, $0) } })
            do {
                var booking = ConsultationBooking(participantID: request.formValue("participantId"),
                                                  index: try Input.wholeNumber(request.formValue("index"), field: "index"),
                                                  facilitatorID: request.formValue("facilitatorId"), start: request.formValue("start"),
                                                  durationMinutes: try Input.wholeNumber(request.formValue("durationMinutes"), field: "durationMinutes"),
                                                  modality: request.formValue("modality"))
                booking.confirmedPast = request.formValue("confirmPast") == "on"
                _ = try app.actions.bookConsultation(programmeID: programmeID, booking, by: context.caller)
                return app.redirect("/programmes/\(programmeID)#consultations", done: "consultation_booked")
            } catch {
                guard let problems = app.formProblems(error, language: context.language, form: "consultation") else { throw error }
                return try app.programmePage(request, context, problems: problems, booking: typed)
            }
        }
    }

    func programmeForm(_ context: WebContext, _ form: ProgrammeForm, status: Int = 200) throws -> Response {
        let language = context.language
        let strings = renderer.strings(language)
        let staff = try actions.staff(by: context.caller)
        let sites = try actions.sites(by: context.caller)
        let labels = ["title": strings["programme_title"] ?? "", "template": strings["programme_template"] ?? "",
                      "start": strings["programme_start"] ?? "", "leadId": strings["programme_lead"] ?? "",
                      "siteId": strings["programme_site"] ?? "", "roomId": strings["programme_room"] ?? "",
                      "visioUrl": strings["programme_visio"] ?? "", "capacity": strings["programme_capacity"] ?? "",
                      "cadence": strings["programme_cadence"] ?? "", "timeZone": strings["programme_timezone"] ?? "",
                      "peerHelperId": strings["programme_peer_helper"] ?? "", "modality": strings["programme_modality"] ?? "",
                      "confirmPast": strings["past_title"] ?? ""]
        let order = ["template", "title", "modality", "siteId", "roomId", "visioUrl", "capacity", "start", "cadence", "timeZone", "leadId", "peerHelperId",
                     "confirmPast"]
        var values: [String: Any] = [
            "v": form.values, "errors": form.problems.fields, "hasErrors": !form.problems.fields.isEmpty || form.problems.message != nil,
            "message": form.problems.message ?? "", "summary": form.problems.summary(order: order, labels: labels),
            "templates": options(templates.map { ($0.id, $0.title.text(language)) }, selected: form.values["template"] ?? "3g2i"),
            "modalities": options(Modality.allCases.map { ($0.rawValue, strings["modality_\($0.rawValue)"] ?? $0.rawValue) },
                                  selected: form.values["modality"] ?? Modality.inPerson.rawValue),
            "sites": options([("", "—")] + sites.map { ($0.0.id, $0.0.name) }, selected: form.values["siteId"]),
            "rooms": options([("", "—")] + sites.flatMap { site, rooms in rooms.map { ($0.id, "\(site.name) — \($0.name)") } }, selected: form.values["roomId"]),
            "leads": options([("", "—")] + staff.filter { $0.role == .tabacologue }.map { ($0.id, $0.displayName) }, selected: form.values["leadId"]),
            "helpers": options([("", strings["programme_no_peer_helper"] ?? "—")] + staff.filter { $0.role == .peerHelper }.map { ($0.id, $0.displayName) },
                               selected: form.values["peerHelperId"]),
            "shiftHolidays": form.values["shiftHolidays"] == "on", "moisSansTabac": form.values["moisSansTabac"] == "on",
        ]
        if let proposal = form.proposal {
            let zone = proposal.draft.timeZone
            values["proposal"] = proposal.plan.sessions.map { session -> [String: Any] in
                ["index": session.index, "when": when(session.start, zone, language),
                 "holiday": session.holiday ?? "", "shift": session.proposedShiftStart.map { when($0, zone, language) } ?? "",
                 "conflict": proposal.conflicts[session.index].map { renderer.text($0, language: language) } ?? ""]
            }
            values["followUpDue"] = DateWording.day(proposal.plan.followUpDue, language: language)
            values["hasConflicts"] = !proposal.conflicts.isEmpty
            if proposal.startsInThePast {
                values["past"] = pastConfirmation(.programme, language: language, error: form.problems.fields["confirmPast"])
            }
        }
        return render(.programmeNew, context, status: status, values)
    }

    /// The booking form's fields, in their order on the page.
    static let bookingFields = ["participantId", "index", "facilitatorId", "start", "durationMinutes", "modality"]

    /// The programme's page; after a refused booking, `booking` holds what was typed, shown again
    /// with each field's problem next to it.
    func programmePage(_ request: Request, _ context: WebContext, problems: FormProblems? = nil, booking: [String: String]? = nil) throws -> Response {
        let language = context.language
        let view = try actions.programme(request.parameter("id"), by: context.caller)
        let programme = view.programme
        let canPlan = context.user.role.allows(.plan)
        let names = try actions.staffNames(by: context.caller)
        func person(_ enrolment: EnrolmentRecord, _ participant: ParticipantRecord) -> [String: Any] {
            ["enrolmentId": enrolment.id, "participantId": participant.id, "name": shownName(participant, for: context.user),
             "link": canPlan, "reason": enrolment.withdrawalReason ?? "",
             "consultations": view.consultations.filter { $0.participantId == participant.id && $0.status != .cancelled }.map { consultation in
                 ["id": consultation.id, "index": consultation.index, "when": when(consultation.startsAt, programme.zone, language),
                  "status": renderer.strings(language)["consultation_\(consultation.status.rawValue)"] ?? consultation.status.rawValue]
             }]
        }
        var values: [String: Any] = [
            "notice": notice(request, context) ?? "",
            "programme": ["id": programme.id, "title": programme.title, "capacity": programme.capacity, "cancelled": programme.status == .cancelled,
                          "moisSansTabac": programme.moisSansTabac,
                          "modality": renderer.strings(language)["modality_\(programme.modality.rawValue)"] ?? "",
                          "site": view.site?.0.name ?? "", "room": view.site?.1.first { $0.id == programme.roomId }?.name ?? "",
                          "visioUrl": programme.visioUrl ?? "", "lead": names[programme.leadId] ?? "",
                          "peerHelper": programme.peerHelperId.flatMap { names[$0] } ?? "",
                          "followUpDue": CalendarDate(iso: programme.followUpDue).map { DateWording.day($0, language: language) } ?? ""],
            "sessions": view.sessions.map { session -> [String: Any] in
                ["id": session.id, "index": session.index, "title": session.title, "when": when(session.startsAt, programme.zone, language),
                 "cancelled": session.status == .cancelled, "holiday": session.holiday ?? ""]
            },
            "enrolled": view.roster.filter { $0.0.status == .enrolled }.map(person),
            "waiting": view.roster.filter { $0.0.status == .waiting }.map(person),
            "withdrawn": canPlan ? view.roster.filter { $0.0.status == .withdrawn }.map(person) : [],
            "canPlan": canPlan, "canSeeNames": canPlan,
        ]
        values["enrolledCount"] = (values["enrolled"] as? [Any])?.count ?? 0
        if canPlan {
            let query = request.queryValue("q")?.trimmingCharacters(in: .whitespaces) ?? ""
            if !query.isEmpty {
                let enrolledIDs = Set(view.roster.filter { $0.0.status != .withdrawn }.map(\.1.id))
                values["candidates"] = try actions.participants(search: query, by: context.caller).map(\.0).filter { !enrolledIDs.contains($0.id) }.prefix(20)
                    .map { ["id": $0.id, "name": "\($0.firstName) \($0.lastName)", "birthYear": $0.birthYear.map(String.init) ?? ""] }
                values["searched"] = true
            }
            values["q"] = query
            let typed = booking ?? [:]
            values["consultationIndexes"] = actions.consultationSlots(programme: programme).map {
                ["index": $0.index, "minutes": $0.durationMinutes, "selected": typed["index"] == String($0.index)]
            }
            values["facilitators"] = try actions.staff(role: .tabacologue, by: context.caller).sorted { $0.displayName < $1.displayName }
                .map { ["id": $0.id, "name": $0.displayName, "selected": $0.id == (typed["facilitatorId"] ?? programme.leadId)] }
            values["bookable"] = view.roster.filter { $0.0.status == .enrolled }.map {
                ["id": $0.1.id, "name": "\($0.1.firstName) \($0.1.lastName)", "selected": $0.1.id == typed["participantId"]]
            }
            let strings = renderer.strings(language)
            values["consultationModalities"] = ConsultationModality.allCases.map {
                ["value": $0.rawValue, "label": strings["modality_\($0.rawValue)"] ?? $0.rawValue, "selected": $0.rawValue == (typed["modality"] ?? "in_person")]
            }
            values["booking"] = ["values": typed, "errors": booking == nil ? [:] : problems?.fields ?? [:]]
            if booking != nil, problems?.fields["confirmPast"] != nil || request.formValue("confirmPast") != nil {
                values["past"] = pastConfirmation(.consultation, language: language, error: problems?.fields["confirmPast"], prefix: "c-")
            }
        }
        if let problems {
            values["hasErrors"] = true
            values["message"] = problems.message ?? ""
            if booking != nil {
                let strings = renderer.strings(language)
                let labels = ["participantId": strings["participant"], "index": strings["programme_consultation_number"], "facilitatorId": strings["programme_lead"],
                              "start": strings["programme_when"], "durationMinutes": strings["programme_duration"], "modality": strings["programme_modality"],
                              "confirmPast": strings["past_title"]]
                values["summary"] = problems.summary(order: Self.bookingFields, labels: labels.compactMapValues { $0 }).map { entry in
                    var entry = entry
                    entry["field"] = "c-" + (entry["field"] as? String ?? "")
                    return entry
                }
            } else {
                values["summary"] = problems.summary(order: [], labels: [:])
            }
        }
        return render(.programme, context, status: problems?.status ?? 200, values)
    }
}

/// The creation form's submitted values, kept as typed so that an error never loses them.
struct ProgrammeForm {
    var values: [String: String] = [:]
    var problems = FormProblems()
    var proposal: ProgrammeProposal?

    init() {}

    init(_ request: Request) {
        for name in ["template", "title", "modality", "siteId", "roomId", "visioUrl", "capacity", "start", "cadence", "timeZone",
                     "leadId", "peerHelperId", "shiftHolidays", "moisSansTabac", "confirmPast"] {
            if let value = request.formValue(name) { values[name] = value.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// What the form asks, as the use case takes it from the API too.
    var request: ProgrammeRequest {
        var request = ProgrammeRequest()
        request.template = values["template"]
        request.title = values["title"]
        request.siteID = values["siteId"]
        request.roomID = values["roomId"]
        request.modality = values["modality"]
        request.visioURL = values["visioUrl"]
        request.capacity = values["capacity"].flatMap { Int($0) } ?? (values["capacity"]?.isEmpty == false ? -1 : nil)
        request.start = values["start"]
        request.cadence = values["cadence"].map { .text($0) }
        request.timeZone = values["timeZone"]
        request.leadID = values["leadId"]
        request.peerHelperID = values["peerHelperId"]
        request.shiftHolidays = values["shiftHolidays"] == "on"
        request.moisSansTabac = values["moisSansTabac"] == "on"
        request.confirmedPast = values["confirmPast"] == "on"
        return request
    }
}
