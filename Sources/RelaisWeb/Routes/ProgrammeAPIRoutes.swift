import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// What a coordinator gives to plan a programme, from JSON or from a form.
struct ProgrammeFields {
    var template = "3g2i"
    var title: String?
    var siteID: String?
    var roomID: String?
    var modality = Modality.inPerson
    var visioURL: String?
    var capacity = 16
    var start: String?
    var cadence = Cadence.weekly
    var timeZone: String?
    var leadID: String?
    var peerHelperID: String?
    var shiftHolidays = false
}

extension RelaisApp {
    func registerProgrammeAPI(_ router: inout Router) {
        let app = self

        router.get("/api/v1/templates", api(.plan) { request, _ in
            let language = request.preferredLanguage
            return JSON.localized(["templates": app.templates.map { template -> [String: Any] in
                ["id": template.id, "version": template.version, "title": template.title.text(language),
                 "sessions": template.sessions.map { ["index": $0.index, "title": $0.title.text(language), "durationMinutes": $0.durationMinutes,
                                                       "instruments": $0.instruments] as [String: Any] },
                 "consultations": template.consultations.count, "followUpMonths": template.followUp.months]
            }], language: language)
        })

        router.get("/api/v1/sites", api(.plan) { _, _ in
            JSON.response(["sites": try app.sites.all().map { Self.siteJSON($0.0, $0.1) }])
        })
        router.post("/api/v1/sites", api(.plan) { request, context in
            var body = try BodyReader(request, allowed: ["name", "address"])
            let name = body.string("name", required: true), address = body.string("address")
            try body.check()
            let site = try app.sites.create(name: name ?? "", address: address ?? "", by: context.actor)
            return JSON.response(Self.siteJSON(site, []), status: 201)
        })
        router.get("/api/v1/sites/{id}", api(.plan) { request, _ in
            let (site, rooms) = try app.sites.site(id: request.parameter("id"))
            return JSON.response(Self.siteJSON(site, rooms))
        })
        router.post("/api/v1/sites/{id}/rooms", api(.plan) { request, context in
            var body = try BodyReader(request, allowed: ["name", "capacity"])
            let name = body.string("name", required: true), capacity = body.int("capacity")
            try body.check()
            let room = try app.sites.addRoom(siteID: request.parameter("id"), name: name ?? "", capacity: capacity, by: context.actor)
            return JSON.response(["id": room.id, "siteId": room.siteId, "name": room.name, "capacity": room.capacity.map { $0 as Any } ?? NSNull()], status: 201)
        })

        router.get("/api/v1/users", api(.plan) { request, _ in
            let role = request.queryValue("role")
            let users = try app.accounts.users().filter { !$0.isDisabled && (role == nil || $0.role.rawValue == role) }
            return JSON.response(["users": users.map { ["id": $0.id, "name": $0.name, "displayName": $0.displayName, "role": $0.role.rawValue] }])
        })

        // The planner's proposal, stored nowhere: what the creation form shows before saving.
        router.post("/api/v1/programmes/preview", api(.plan) { request, _ in
            let (_, plan, _) = try app.programmeDraft(request)
            return try JSON.response(encoding: plan)
        })

        router.post("/api/v1/programmes", api(.plan) { request, context in
            let (draft, plan, _) = try app.programmeDraft(request)
            let (programme, sessions) = try app.programmes.create(draft, by: context.actor)
            var object = app.programmeJSON(programme, sessions)
            object["holidays"] = plan.sessions.compactMap { session -> [String: Any]? in
                guard let holiday = session.holiday else { return nil }
                return ["index": session.index, "holiday": holiday,
                        "proposedShift": session.proposedShift.map { ISO8601.instant($0.instant(in: draft.timeZone)) } ?? NSNull()]
            }
            return JSON.response(object, status: 201)
        })

        router.get("/api/v1/programmes", api(nil) { request, context in
            guard context.user.role.allows(.plan) || context.user.role == .peerHelper else { throw APIError.forbidden() }
            let year = try Input.year(request.queryValue("year"), field: "year")
            // Peer helpers see only the programmes they co-lead.
            let visibleTo = context.user.role == .peerHelper ? context.user.id : nil
            let programmes = try app.programmes.list(year: year, visibleTo: visibleTo)
            return JSON.response(["programmes": programmes.map { app.programmeJSON($0.0, $0.1) }])
        })

        router.get("/api/v1/programmes/{id}", api(nil) { request, context in
            let (programme, sessions) = try app.programmes.programme(id: request.parameter("id"))
            try app.requireProgrammeAccess(programme, context)
            var object = app.programmeJSON(programme, sessions)
            let roster = try app.enrolments.roster(programmeID: programme.id)
            object["enrolled"] = roster.filter { $0.0.status == .enrolled }.count
            object["waiting"] = roster.filter { $0.0.status == .waiting }.count
            return JSON.response(object)
        })

        router.get("/api/v1/sessions/{id}", api(nil) { request, context in
            let (session, programme) = try app.programmes.session(id: request.parameter("id"))
            try app.requireProgrammeAccess(programme, context)
            let attendance = try app.enrolments.attendance(sessionID: session.id)
            let peerView = context.user.role == .peerHelper
            let roster = try app.enrolments.roster(programmeID: programme.id).filter { $0.0.status == .enrolled }
            try app.store.pool.write { db in
                try Audit.record(db, context.actor, "read_roster", entity: "session", id: session.id, at: app.clock.now())
            }
            var object = app.sessionJSON(session, programme)
            object["note"] = session.note
            object["roster"] = roster.map { _, participant -> [String: Any] in
                var entry: [String: Any] = ["participantId": participant.id,
                                            "attendance": attendance[participant.id]?.rawValue ?? NSNull()]
                // A peer helper sees first name and initial only.
                entry["name"] = peerView ? participant.details.firstNameAndInitial : "\(participant.firstName) \(participant.lastName)"
                return entry
            }
            object["changes"] = try app.programmes.changes(sessionID: session.id).map { row -> [String: Any] in
                ["at": ISO8601.instant(row["at"]), "by": row["actor_name"] as String, "change": row["change"] as String,
                 "before": (row["before"] as String?) ?? NSNull(), "after": (row["after"] as String?) ?? NSNull(), "reason": row["reason"] as String]
            }
            return JSON.response(object)
        })

        router.patch("/api/v1/sessions/{id}", api(.plan) { request, context in
            var body = try BodyReader(request, allowed: ["start", "roomId", "reason"])
            let startText = body.string("start", required: true), roomID = body.string("roomId"), reason = body.string("reason") ?? ""
            try body.check()
            let (session, programme) = try app.programmes.session(id: request.parameter("id"))
            let local = try Input.localDateTime(startText, field: "start")
            let start = local.instant(in: programme.zone)
            let end = start.addingTimeInterval(session.endsAt.timeIntervalSince(session.startsAt))
            let moved = try app.programmes.reschedule(sessionID: session.id, start: start, end: end, roomID: body.has("roomId") ? .some(roomID) : nil,
                                                      holiday: FrenchHolidays.holiday(on: local.date), reason: reason, by: context.actor)
            return JSON.response(app.sessionJSON(moved, programme))
        })

        router.post("/api/v1/sessions/{id}/cancel", api(.plan) { request, context in
            var body = try BodyReader(request, allowed: ["reason"])
            let reason = body.string("reason", required: true)
            try body.check()
            let cancelled = try app.programmes.cancel(sessionID: request.parameter("id"), reason: reason ?? "", by: context.actor)
            let (_, programme) = try app.programmes.session(id: cancelled.id)
            return JSON.response(app.sessionJSON(cancelled, programme))
        })

        router.put("/api/v1/sessions/{id}/attendance", api(.recordAttendance) { request, context in
            let (session, programme) = try app.programmes.session(id: request.parameter("id"))
            // Recorded by the lead or the peer helper of the programme, or a coordinator.
            guard context.user.role == .coordinator || programme.facilitators.contains(context.user.id) else {
                throw APIError.forbidden("Only the programme's facilitators or a coordinator record attendance.")
            }
            let object = try JSON.object(from: request)
            var problems: [String: String] = [:]
            for key in object.keys where !["records", "note"].contains(key) { problems[key] = "unknown field" }
            var records: [(participantID: String, status: AttendanceStatus)] = []
            if let list = object["records"] as? [[String: Any]] {
                for (index, entry) in list.enumerated() {
                    guard let participant = entry["participantId"] as? String,
                          let status = (entry["status"] as? String).flatMap(AttendanceStatus.init(rawValue:)) else {
                        problems["records[\(index)]"] = "expected {\"participantId\":…,\"status\":\"present\"|\"excused\"|\"absent\"}"
                        continue
                    }
                    records.append((participant, status))
                }
            } else if object["records"] != nil {
                problems["records"] = "expected a list"
            }
            if object["note"] != nil && !(object["note"] is String) { problems["note"] = "expected text" }
            guard problems.isEmpty else { throw APIError.invalid(problems) }
            try app.enrolments.recordAttendance(sessionID: session.id, records, note: object["note"] as? String, by: context.actor)
            return JSON.response(["sessionId": session.id, "attendance": try app.enrolments.attendance(sessionID: session.id).mapValues(\.rawValue)])
        })
    }

    /// Reads a programme request and runs the planner (shared by preview and creation).
    func programmeDraft(_ request: Request) throws -> (ProgrammeDraft, Plan, ProgrammeTemplate) {
        var body = try BodyReader(request, allowed: ["template", "title", "siteId", "roomId", "modality", "visioUrl", "capacity", "start",
                                                     "cadence", "timeZone", "leadId", "peerHelperId", "shiftHolidays"])
        var fields = ProgrammeFields()
        fields.template = body.string("template") ?? "3g2i"
        fields.title = body.string("title", required: true)
        fields.siteID = body.string("siteId")
        fields.roomID = body.string("roomId")
        fields.visioURL = body.string("visioUrl")
        fields.modality = body.enumeration("modality", Modality.self) ?? .inPerson
        fields.capacity = body.int("capacity") ?? 16
        fields.start = body.string("start", required: true)
        fields.timeZone = body.string("timeZone")
        fields.leadID = body.string("leadId", required: true)
        fields.peerHelperID = body.string("peerHelperId")
        fields.shiftHolidays = body.bool("shiftHolidays") ?? false
        switch body.raw("cadence") {
        case nil: break
        case let text as String:
            if let parsed = Cadence(argument: text) { fields.cadence = parsed } else { body.fail("cadence", "expected \"weekly\", \"every:N\" or a list of local times") }
        case let list as [String]:
            do throws(ValidationError) { fields.cadence = .explicit(try list.map { (text) throws(ValidationError) in try Input.localDateTime(text, field: "cadence") }) } catch {
                body.fail("cadence", error.fields["cadence"] ?? "expected local times YYYY-MM-DDTHH:MM")
            }
        default: body.fail("cadence", "expected \"weekly\", \"every:N\" or a list of local times")
        }
        return try programmeDraft(fields, problems: body.problems)
    }

    /// A programme as a coordinator asks for it (from the API or the creation form), turned into
    /// the planner's proposal and a draft to store. Throws `APIError.invalid` naming every field.
    func programmeDraft(_ fields: ProgrammeFields, problems: [String: String] = [:]) throws -> (ProgrammeDraft, Plan, ProgrammeTemplate) {
        var problems = problems
        guard let template = templates.first(where: { $0.id == fields.template }) else {
            problems["template"] = "unknown template (known: \(templates.map(\.id).joined(separator: ", ")))"
            throw APIError.invalid(problems)
        }
        let zoneName = fields.timeZone ?? configuration.timeZone.identifier
        guard let zone = TimeZone(identifier: zoneName) else { problems["timeZone"] = "unknown time zone"; throw APIError.invalid(problems) }
        // Checked again when storing; here so that the proposal already says it.
        TextRules.checkOneLine(fields.title?.trimmingCharacters(in: .whitespaces), field: "title", maxLength: 200, into: &problems)
        if let url = fields.visioURL?.trimmingCharacters(in: .whitespaces).nilIfEmpty, let problem = TextRules.httpsLinkProblem(url) {
            problems["visioUrl"] = problem
        }
        guard problems.isEmpty else { throw APIError.invalid(problems) }
        let start = try Input.localDateTime(fields.start, field: "start")
        let plan = try Planner.plan(template: template, start: start, timeZone: zone, cadence: fields.cadence)
        let sessions = plan.sessions.map { session -> (start: Date, end: Date, holiday: String?) in
            if fields.shiftHolidays, let shift = session.proposedShift {
                let duration = session.end.timeIntervalSince(session.start)
                let moved = shift.instant(in: zone)
                return (moved, moved.addingTimeInterval(duration), nil)
            }
            return (session.start, session.end, session.holiday)
        }
        let followUp = sessions.last.map { Planner.followUpDue(lastSession: LocalDateTime($0.start, in: zone).date, months: template.followUp.months) }
            ?? plan.followUpDue
        let draft = ProgrammeDraft(template: template, title: fields.title ?? "", siteID: fields.siteID, roomID: fields.roomID,
                                   modality: fields.modality, visioURL: fields.visioURL, capacity: fields.capacity, timeZone: zone,
                                   leadID: fields.leadID ?? "", peerHelperID: fields.peerHelperID, sessions: sessions, followUpDue: followUp)
        return (draft, plan, template)
    }

    /// Coordinators and tabacologues see every programme; a peer helper only those they co-lead.
    func requireProgrammeAccess(_ programme: ProgrammeRecord, _ context: APIContext) throws {
        if context.user.role.allows(.plan) { return }
        if context.user.role == .peerHelper && programme.peerHelperId == context.user.id { return }
        throw APIError.forbidden("Only the programme's facilitators and the coordination see it.")
    }

    static func siteJSON(_ site: SiteRecord, _ rooms: [RoomRecord]) -> [String: Any] {
        ["id": site.id, "name": site.name, "address": site.address,
         "rooms": rooms.map { ["id": $0.id, "name": $0.name, "capacity": $0.capacity.map { $0 as Any } ?? NSNull()] as [String: Any] }]
    }

    func sessionJSON(_ session: SessionRecord, _ programme: ProgrammeRecord) -> [String: Any] {
        ["id": session.id, "programmeId": programme.id, "index": session.index, "kind": "group", "title": session.title,
         "start": ISO8601.instant(session.startsAt), "end": ISO8601.instant(session.endsAt),
         "startLocal": LocalDateTime(session.startsAt, in: programme.zone).iso, "status": session.status.rawValue,
         "holiday": session.holiday ?? NSNull(), "roomId": session.roomId ?? NSNull()]
    }

    func programmeJSON(_ programme: ProgrammeRecord, _ sessions: [SessionRecord]) -> [String: Any] {
        ["id": programme.id, "title": programme.title, "template": programme.templateId, "templateVersion": programme.templateVersion,
         "siteId": programme.siteId ?? NSNull(), "roomId": programme.roomId ?? NSNull(), "modality": programme.modality.rawValue,
         "visioUrl": programme.visioUrl ?? NSNull(), "capacity": programme.capacity, "timeZone": programme.timeZone.identifier,
         "leadId": programme.leadId, "peerHelperId": programme.peerHelperId ?? NSNull(), "status": programme.status.rawValue,
         "followUpDue": programme.followUpDue, "sessions": sessions.map { sessionJSON($0, programme) }]
    }
}
