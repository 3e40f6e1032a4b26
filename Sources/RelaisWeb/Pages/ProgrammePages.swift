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
                // The page names the person and says how they are told.
                return app.redirect("/programmes/\(programmeID)?enrolment=\(enrolment.id)",
                                    done: enrolment.status == .waiting ? "enrolment_waiting" : "enrolment_done")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.programmePage(request, context, problems: problems)
            }
        }

        routes.page(.post, "/enrolments/{id}/withdraw", .plan) { request, context in
            do {
                let (withdrawn, promoted) = try app.actions.withdraw(enrolmentID: request.parameter("id"), reason: request.formValue("reason"),
                                                                     by: context.caller)
                // The page names who left and, when a place was taken from the waiting list, who took it.
                let promotedQuery = promoted.map { "&promoted=\($0.id)" } ?? ""
                return app.redirect("/programmes/\(withdrawn.programmeId)?enrolment=\(withdrawn.id)\(promotedQuery)", done: "enrolment_withdrawn")
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
            "message": form.problems.message ?? "",
            // The rhythm's problems link to its select.
            "summary": form.problems.summary(order: order, labels: labels).map { entry in
                var entry = entry
                if entry["field"] as? String == "cadence" { entry["field"] = "rhythm" }
                return entry
            },
            "templates": options(templates.map { ($0.id, $0.title.text(language)) }, selected: form.values["template"] ?? "3g2i"),
            "modalities": options(Modality.allCases.map { ($0.rawValue, strings["modality_\($0.rawValue)"] ?? $0.rawValue) },
                                  selected: form.values["modality"] ?? Modality.inPerson.rawValue),
            "sites": options([("", "—")] + sites.map { ($0.0.id, $0.0.name) }, selected: form.values["siteId"]),
            "rooms": options([("", "—")] + sites.flatMap { site, rooms in rooms.map { ($0.id, "\(site.name) — \($0.name)") } }, selected: form.values["roomId"]),
            "leads": options([("", "—")] + staff.filter { $0.role == .tabacologue }.map { ($0.id, $0.displayName) }, selected: form.values["leadId"]),
            "helpers": options([("", strings["programme_no_peer_helper"] ?? "—")] + staff.filter { $0.role == .peerHelper }.map { ($0.id, $0.displayName) },
                               selected: form.values["peerHelperId"]),
            "shiftHolidays": form.values["shiftHolidays"] == "on", "moisSansTabac": form.values["moisSansTabac"] == "on",
            "rhythms": options(["weekly", "every", "dates"].map { ($0, strings["programme_rhythm_\($0)"] ?? $0) }, selected: form.rhythm),
            "everyDays": form.values["everyDays"] ?? (form.values["cadence"].flatMap { $0.hasPrefix("every:") ? String($0.dropFirst(6)) : nil } ?? "14"),
            "datesOpen": form.rhythm == "dates",
            "dates": (2...ProgrammeForm.maxDates).map { index -> [String: Any] in
                ["index": index, "value": form.values["date\(index)"] ?? "",
                 "label": strings.fill("programme_rhythm_date_n", ["index": String(index)])]
            },
        ]
        if let proposal = form.proposal {
            let zone = proposal.draft.timeZone
            // What will be saved: with the shift asked, a session on a holiday shows its new day,
            // and the holiday it avoids; without it, the holiday and the day it would move to.
            values["proposal"] = zip(proposal.plan.sessions, proposal.draft.sessions).map { session, saved -> [String: Any] in
                let shifted = saved.start != session.start
                return ["index": session.index, "when": when(saved.start, zone, language),
                        "holiday": shifted ? "" : session.holiday ?? "",
                        "shift": shifted ? "" : session.proposedShiftStart.map { when($0, zone, language) } ?? "",
                        "shiftedFrom": shifted ? strings.fill("programme_shifted_from", ["holiday": session.holiday ?? "",
                                                                                           "when": when(session.start, zone, language)]) : "",
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

    /// The notice after an enrolment or a withdrawal, naming the people: who was put on the
    /// waiting list and whether a mail tells them (without email, staff call them), who left,
    /// and who took the freed place.
    func rosterNotice(_ request: Request, _ context: WebContext, _ view: ProgrammeView) -> String? {
        guard let done = request.queryValue("done") else { return nil }
        let strings = renderer.strings(context.language)
        func entry(_ id: String?) -> (EnrolmentRecord, ParticipantRecord)? {
            id.flatMap { id in view.roster.first { $0.0.id == id } }
        }
        func byMail(_ participant: ParticipantRecord) -> Bool {
            participant.email != nil && participant.consentEmailAt != nil && !participant.noContact
        }
        guard let (_, participant) = entry(request.queryValue("enrolment")) else { return notice(request, context) }
        let name = shownName(participant, for: context.user)
        switch done {
        case "enrolment_waiting":
            return strings.fill(byMail(participant) ? "enrolment_waiting_named_mail" : "enrolment_waiting_named_call", ["name": name])
        case "enrolment_done":
            return strings.fill("enrolment_done_named", ["name": name])
        case "enrolment_withdrawn":
            var text = strings.fill("enrolment_withdrawn_named", ["name": name])
            if let (_, promoted) = entry(request.queryValue("promoted")) {
                text += " " + strings.fill(byMail(promoted) ? "enrolment_promoted_mail" : "enrolment_promoted_call",
                                           ["name": shownName(promoted, for: context.user)])
            }
            return text
        default:
            return notice(request, context)
        }
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
             "link": canPlan, "reason": canPlan ? enrolment.withdrawalReason ?? "" : "",
             "withdrawnOn": enrolment.withdrawnAt.map { DateWording.day($0, in: programme.zone, language: language) } ?? "",
             "noConsent": canPlan && participant.consentDataProcessingAt == nil,
             "consultations": view.consultations.filter { $0.participantId == participant.id && $0.status != .cancelled }.map { consultation in
                 ["id": consultation.id, "index": consultation.index, "when": when(consultation.startsAt, programme.zone, language),
                  "status": renderer.strings(language)["consultation_\(consultation.status.rawValue)"] ?? consultation.status.rawValue]
             }]
        }
        var values: [String: Any] = [
            "notice": rosterNotice(request, context, view) ?? "",
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
            "withdrawn": view.roster.filter { $0.0.status == .withdrawn }.map(person),
            "canPlan": canPlan, "canSeeNames": canPlan,
        ]
        values["enrolledCount"] = (values["enrolled"] as? [Any])?.count ?? 0
        if canPlan {
            let query = request.queryValue("q")?.trimmingCharacters(in: .whitespaces) ?? ""
            if !query.isEmpty {
                let enrolledIDs = Set(view.roster.filter { $0.0.status != .withdrawn }.map(\.1.id))
                // Enough for 20 candidates once those already enrolled (shown on this page too) are left out.
                let found = try actions.participants(search: query, limit: min(20 + enrolledIDs.count, UseCases.participantPageMaximum),
                                                     by: context.caller)
                let candidates = found.participants.filter { !enrolledIDs.contains($0.id) }.prefix(20)
                values["candidates"] = candidates.map { record -> [String: Any] in
                    ["id": record.id, "name": "\(record.firstName) \(record.lastName)", "birthYear": record.birthYear.map(String.init) ?? ""]
                }
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
                let strings = renderer.strings(language)
                values["summary"] = problems.summary(order: ["participantId", "reason"], labels: [
                    "participantId": strings["participant"] ?? "", "reason": strings["programme_withdraw_reason"] ?? "",
                ])
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
                     "leadId", "peerHelperId", "shiftHolidays", "moisSansTabac", "confirmPast", "rhythm", "everyDays"] {
            if let value = request.formValue(name) { values[name] = value.trimmingCharacters(in: .whitespaces) }
        }
        for index in 2...Self.maxDates {
            if let value = request.formValue("date\(index)") { values["date\(index)"] = value.trimmingCharacters(in: .whitespaces) }
        }
    }

    /// The date fields the "chosen dates" rhythm offers: sessions 2 to 12 (the first is the start).
    static let maxDates = 12

    /// The rhythm the form's select names: "weekly", "every" (every N days) or "dates" (one date
    /// per session); a `cadence` typed as the API takes it is still read when no rhythm is chosen.
    var rhythm: String {
        if let rhythm = values["rhythm"], ["weekly", "every", "dates"].contains(rhythm) { return rhythm }
        guard let cadence = values["cadence"], !cadence.isEmpty, cadence != "weekly" else { return "weekly" }
        return cadence.hasPrefix("every:") ? "every" : "dates"
    }

    /// The cadence, as the API's `cadence` takes it, that the rhythm and its fields say.
    var cadence: CadenceInput? {
        switch values["rhythm"] {
        case "weekly": return .text("weekly")
        case "every": return .text("every:" + (values["everyDays"] ?? ""))
        case "dates":
            let later = (2...Self.maxDates).compactMap { values["date\($0)"] }.filter { !$0.isEmpty }
            return .list([values["start"] ?? ""] + later)
        default: return values["cadence"].map { .text($0) }
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
        request.cadence = cadence
        request.timeZone = values["timeZone"]
        request.leadID = values["leadId"]
        request.peerHelperID = values["peerHelperId"]
        request.shiftHolidays = values["shiftHolidays"] == "on"
        request.moisSansTabac = values["moisSansTabac"] == "on"
        request.confirmedPast = values["confirmPast"] == "on"
        return request
    }
}
