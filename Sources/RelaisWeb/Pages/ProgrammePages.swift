import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    /// Programmes: the list by year, creation from a template with the planner's proposal shown
    /// before saving, and the detail page (sessions, roster, waiting list, consultations).
    func registerProgrammePages(_ router: inout Router) {
        let app = self

        router.get("/programmes", page(nil) { request, context in
            guard context.user.role != .admin else { return app.errorPage(403, app.renderer.strings(context.language)["error_forbidden"] ?? "", context: context) }
            let shownYear = try Input.year(request.queryValue("year"), field: "year") ?? app.today.year
            let visible = context.user.role.allows(.plan) ? nil : context.user.id
            let programmes = try app.programmes.list(year: shownYear, visibleTo: visible)
            let users = Dictionary(uniqueKeysWithValues: try app.accounts.users().map { ($0.id, $0.displayName) })
            let rows = try programmes.map { programme, sessions -> [String: Any] in
                let roster = try app.enrolments.roster(programmeID: programme.id)
                return ["id": programme.id, "title": programme.title, "cancelled": programme.status == .cancelled,
                        "first": sessions.first.map { app.when($0.startsAt, programme.zone, context.language) } ?? "",
                        "lead": users[programme.leadId] ?? "", "enrolled": roster.filter { $0.0.status == .enrolled }.count,
                        "waiting": roster.filter { $0.0.status == .waiting }.count, "capacity": programme.capacity]
            }
            return app.render("programmes", context, [
                "notice": app.notice(request, context) ?? "", "programmes": rows, "hasProgrammes": !rows.isEmpty, "year": shownYear,
                "previousYear": shownYear - 1, "nextYear": shownYear + 1, "canPlan": context.user.role.allows(.plan),
            ])
        })

        router.get("/programmes/new", page(.plan) { _, context in
            var fields = ProgrammeForm()
            fields.values["timeZone"] = app.configuration.timeZone.identifier
            return try app.programmeForm(context, fields)
        })

        router.post("/programmes/new", page(.plan) { request, context in
            var form = ProgrammeForm(request)
            let preview = request.formValue("action") != "create"
            do {
                let (draft, plan, _) = try app.programmeDraft(form.fields(defaultZone: app.configuration.timeZone.identifier))
                if preview {
                    form.proposal = (plan, try app.programmes.conflicts(draft), draft.timeZone)
                    return try app.programmeForm(context, form)
                }
                let (programme, _) = try app.programmes.create(draft, by: context.actor)
                return app.redirect("/programmes/\(programme.id)", done: "programme_created")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                form.problems = problems
                return try app.programmeForm(context, form, status: problems.status)
            }
        })

        router.get("/programmes/{id}", page(nil) { request, context in
            try app.programmePage(request, context)
        })

        router.post("/programmes/{id}/enrolments", page(.plan) { request, context in
            let programmeID = request.parameter("id")
            do {
                let enrolment = try app.enrolments.enrol(programmeID: programmeID, participantID: request.formValue("participantId") ?? "",
                                                         waitingList: true, by: context.actor)
                return app.redirect("/programmes/\(programmeID)", done: enrolment.status == .waiting ? "enrolment_waiting" : "enrolment_done")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.programmePage(request, context, problems: problems)
            }
        })

        router.post("/enrolments/{id}/withdraw", page(.plan) { request, context in
            do {
                let (withdrawn, _) = try app.enrolments.withdraw(enrolmentID: request.parameter("id"), reason: request.formValue("reason") ?? "",
                                                                 by: context.actor)
                return app.redirect("/programmes/\(withdrawn.programmeId)", done: "enrolment_withdrawn")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                let programmeID = request.formValue("programmeId") ?? ""
                var request = request
                request.pathParameters["id"] = programmeID
                return try app.programmePage(request, context, problems: problems)
            }
        })

        router.post("/programmes/{id}/consultations", page(.plan) { request, context in
            let programmeID = request.parameter("id")
            do {
                let (programme, _) = try app.programmes.programme(id: programmeID)
                guard let template = app.templates.first(where: { $0.id == programme.templateId }) else {
                    throw StoreError.conflict("the programme's template \(programme.templateId) is no longer installed")
                }
                let index = try Input.integer(request.formValue("index"), field: "index", in: 1...9) ?? 0
                let local = try Input.localDateTime(request.formValue("start"), field: "start")
                let duration = template.consultations.first { $0.index == index }?.durationMinutes ?? 45
                let start = local.instant(in: programme.zone)
                _ = try app.consultations.book(programmeID: programmeID, participantID: request.formValue("participantId") ?? "", index: index,
                                               facilitatorID: request.formValue("facilitatorId") ?? "", start: start,
                                               end: start.addingTimeInterval(Double(duration) * 60),
                                               modality: ConsultationModality(rawValue: request.formValue("modality") ?? "") ?? .inPerson,
                                               allowedIndexes: 1...max(template.consultations.count, 1), by: context.actor)
                return app.redirect("/programmes/\(programmeID)#consultations", done: "consultation_booked")
            } catch {
                guard let problems = app.formProblems(error, language: context.language) else { throw error }
                return try app.programmePage(request, context, problems: problems)
            }
        })
    }

    func programmeForm(_ context: WebContext, _ form: ProgrammeForm, status: Int = 200) throws -> Response {
        let language = context.language
        let strings = renderer.strings(language)
        let users = try accounts.users().filter { !$0.isDisabled }
        let sites = try sites.all()
        let labels = ["title": strings["programme_title"] ?? "", "template": strings["programme_template"] ?? "",
                      "start": strings["programme_start"] ?? "", "leadId": strings["programme_lead"] ?? "",
                      "siteId": strings["programme_site"] ?? "", "roomId": strings["programme_room"] ?? "",
                      "visioUrl": strings["programme_visio"] ?? "", "capacity": strings["programme_capacity"] ?? "",
                      "cadence": strings["programme_cadence"] ?? "", "timeZone": strings["programme_timezone"] ?? "",
                      "peerHelperId": strings["programme_peer_helper"] ?? "", "modality": strings["programme_modality"] ?? ""]
        let order = ["template", "title", "modality", "siteId", "roomId", "visioUrl", "capacity", "start", "cadence", "timeZone", "leadId", "peerHelperId"]
        var values: [String: Any] = [
            "v": form.values, "errors": form.problems.fields, "hasErrors": !form.problems.fields.isEmpty || form.problems.message != nil,
            "message": form.problems.message ?? "", "summary": form.problems.summary(order: order, labels: labels),
            "templates": options(templates.map { ($0.id, $0.title.text(language)) }, selected: form.values["template"] ?? "3g2i"),
            "modalities": options(Modality.allCases.map { ($0.rawValue, strings["modality_\($0.rawValue)"] ?? $0.rawValue) },
                                  selected: form.values["modality"] ?? Modality.inPerson.rawValue),
            "sites": options([("", "—")] + sites.map { ($0.0.id, $0.0.name) }, selected: form.values["siteId"]),
            "rooms": options([("", "—")] + sites.flatMap { site, rooms in rooms.map { ($0.id, "\(site.name) — \($0.name)") } }, selected: form.values["roomId"]),
            "leads": options([("", "—")] + users.filter { $0.role == .tabacologue }.map { ($0.id, $0.displayName) }, selected: form.values["leadId"]),
            "helpers": options([("", strings["programme_no_peer_helper"] ?? "—")] + users.filter { $0.role == .peerHelper }.map { ($0.id, $0.displayName) },
                               selected: form.values["peerHelperId"]),
            "shiftHolidays": form.values["shiftHolidays"] == "on",
        ]
        if let (plan, conflicts, zone) = form.proposal {
            values["proposal"] = plan.sessions.map { session -> [String: Any] in
                ["index": session.index, "when": when(session.start, zone, language),
                 "holiday": session.holiday ?? "", "shift": session.proposedShiftStart.map { when($0, zone, language) } ?? "",
                 "conflict": conflicts[session.index].map { localizedReason($0, language: language) } ?? ""]
            }
            values["followUpDue"] = DateWording.day(plan.followUpDue, language: language)
            values["hasConflicts"] = !conflicts.isEmpty
        }
        return render("programme_new", context, status: status, values)
    }

    func programmePage(_ request: Request, _ context: WebContext, problems: FormProblems? = nil) throws -> Response {
        let language = context.language
        let (programme, sessions) = try programmes.programme(id: request.parameter("id"))
        guard mayOpen(programme, context.user) else {
            return errorPage(403, renderer.strings(language)["error_forbidden"] ?? "", context: context)
        }
        let canPlan = context.user.role.allows(.plan)
        let roster = try enrolments.roster(programmeID: programme.id)
        let users = Dictionary(uniqueKeysWithValues: try accounts.users().map { ($0.id, $0) })
        let site = try programme.siteId.map { try sites.site(id: $0) }
        let consultations = canPlan ? try self.consultations.list(programmeID: programme.id) : []
        try store.pool.write { db in
            try Audit.record(db, context.actor, "read_roster", entity: "programme", id: programme.id, at: clock.now())
        }
        func person(_ enrolment: EnrolmentRecord, _ participant: ParticipantRecord) -> [String: Any] {
            ["enrolmentId": enrolment.id, "participantId": participant.id, "name": shownName(participant, for: context.user),
             "link": canPlan, "reason": enrolment.withdrawalReason ?? "",
             "consultations": consultations.filter { $0.participantId == participant.id && $0.status != .cancelled }.map { consultation in
                 ["id": consultation.id, "index": consultation.index, "when": when(consultation.startsAt, programme.zone, language),
                  "status": renderer.strings(language)["consultation_\(consultation.status.rawValue)"] ?? consultation.status.rawValue]
             }]
        }
        var values: [String: Any] = [
            "notice": notice(request, context) ?? "",
            "programme": ["id": programme.id, "title": programme.title, "capacity": programme.capacity, "cancelled": programme.status == .cancelled,
                          "modality": renderer.strings(language)["modality_\(programme.modality.rawValue)"] ?? "",
                          "site": site?.0.name ?? "", "room": site?.1.first { $0.id == programme.roomId }?.name ?? "",
                          "visioUrl": programme.visioUrl ?? "", "lead": users[programme.leadId]?.displayName ?? "",
                          "peerHelper": programme.peerHelperId.flatMap { users[$0]?.displayName } ?? "",
                          "followUpDue": CalendarDate(iso: programme.followUpDue).map { DateWording.day($0, language: language) } ?? ""],
            "sessions": sessions.map { session -> [String: Any] in
                ["id": session.id, "index": session.index, "title": session.title, "when": when(session.startsAt, programme.zone, language),
                 "cancelled": session.status == .cancelled, "holiday": session.holiday ?? ""]
            },
            "enrolled": roster.filter { $0.0.status == .enrolled }.map(person),
            "waiting": roster.filter { $0.0.status == .waiting }.map(person),
            "withdrawn": canPlan ? roster.filter { $0.0.status == .withdrawn }.map(person) : [],
            "canPlan": canPlan, "canSeeNames": canPlan,
        ]
        values["enrolledCount"] = (values["enrolled"] as? [Any])?.count ?? 0
        if canPlan {
            let query = request.queryValue("q")?.trimmingCharacters(in: .whitespaces) ?? ""
            if !query.isEmpty {
                let enrolledIDs = Set(roster.filter { $0.0.status != .withdrawn }.map(\.1.id))
                values["candidates"] = try participants.list(search: query, by: context.actor).filter { !enrolledIDs.contains($0.id) }.prefix(20)
                    .map { ["id": $0.id, "name": "\($0.firstName) \($0.lastName)", "birthYear": $0.birthYear.map(String.init) ?? ""] }
                values["searched"] = true
            }
            values["q"] = query
            let template = templates.first { $0.id == programme.templateId }
            values["consultationIndexes"] = (template?.consultations ?? []).map { ["index": $0.index, "minutes": $0.durationMinutes] }
            values["facilitators"] = users.values.filter { $0.role == .tabacologue && !$0.isDisabled }.sorted { $0.displayName < $1.displayName }
                .map { ["id": $0.id, "name": $0.displayName, "selected": $0.id == programme.leadId] }
            values["bookable"] = roster.filter { $0.0.status == .enrolled }.map { ["id": $0.1.id, "name": "\($0.1.firstName) \($0.1.lastName)"] }
        }
        if let problems {
            values["hasErrors"] = true
            values["message"] = problems.message ?? ""
            values["summary"] = problems.summary(order: [], labels: [:])
        }
        return render("programme", context, status: problems?.status ?? 200, values)
    }
}

/// The creation form's submitted values, kept as typed so that an error never loses them.
struct ProgrammeForm {
    var values: [String: String] = [:]
    var problems = FormProblems()
    var proposal: (Plan, [Int: String], TimeZone)?

    init() {}

    init(_ request: Request) {
        for name in ["template", "title", "modality", "siteId", "roomId", "visioUrl", "capacity", "start", "cadence", "timeZone",
                     "leadId", "peerHelperId", "shiftHolidays"] {
            if let value = request.formValue(name) { values[name] = value.trimmingCharacters(in: .whitespaces) }
        }
    }

    func fields(defaultZone: String) throws -> ProgrammeFields {
        var fields = ProgrammeFields()
        var problems: [String: String] = [:]
        func text(_ name: String) -> String? { values[name].flatMap { $0.isEmpty ? nil : $0 } }
        fields.template = text("template") ?? "3g2i"
        fields.title = text("title")
        if fields.title == nil { problems["title"] = "required" }
        fields.siteID = text("siteId")
        fields.roomID = text("roomId")
        fields.visioURL = text("visioUrl")
        if let raw = text("modality") {
            if let modality = Modality(rawValue: raw) { fields.modality = modality } else { problems["modality"] = "unknown modality" }
        }
        if let raw = text("capacity") {
            if let capacity = Int(raw) { fields.capacity = capacity } else { problems["capacity"] = "must be a whole number" }
        }
        // <input type="datetime-local"> may send seconds: keep the minute.
        fields.start = text("start").map { String($0.prefix(16)) }
        if fields.start == nil { problems["start"] = "required" }
        if let raw = text("cadence"), raw != "weekly" {
            if let cadence = Cadence(argument: raw) { fields.cadence = cadence } else { problems["cadence"] = "expected \"weekly\", \"every:N\" or a list of local times" }
        }
        fields.timeZone = text("timeZone") ?? defaultZone
        fields.leadID = text("leadId")
        if fields.leadID == nil { problems["leadId"] = "required" }
        fields.peerHelperID = text("peerHelperId")
        fields.shiftHolidays = values["shiftHolidays"] == "on"
        guard problems.isEmpty else { throw ValidationError(problems) }
        return fields
    }
}
