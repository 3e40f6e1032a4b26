import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    func registerParticipantAPI(_ router: inout Router) {
        let app = self
        let fields: Set = ["firstName", "lastName", "birthYear", "email", "phone", "postalAddress", "preferredChannel", "noContact",
                           "consentDataProcessing", "consentEmail", "consentFollowUp", "smokerStatus", "precarity", "isolation",
                           "difficultCarePath", "language"]

        @Sendable func details(_ request: Request, base: ParticipantDetails?) throws -> ParticipantDetails {
            var body = try BodyReader(request, allowed: fields)
            var details = base ?? ParticipantDetails(firstName: "", lastName: "")
            if let value = body.string("firstName") { details.firstName = value }
            if let value = body.string("lastName") { details.lastName = value }
            if body.has("birthYear") { details.birthYear = body.int("birthYear") } else if body.raw("birthYear") == nil && base == nil { details.birthYear = nil }
            for (key, path) in [("email", \ParticipantDetails.email), ("phone", \.phone), ("postalAddress", \.postalAddress)] {
                if let value = body.string(key) { details[keyPath: path] = value }
            }
            if let value = body.enumeration("preferredChannel", ContactChannel.self) { details.preferredChannel = value }
            if let value = body.enumeration("smokerStatus", SmokerStatus.self) { details.smokerStatus = value }
            for (key, path) in [("noContact", \ParticipantDetails.noContact), ("consentDataProcessing", \.consentDataProcessing),
                                ("consentEmail", \.consentEmail), ("consentFollowUp", \.consentFollowUp), ("precarity", \.precarity),
                                ("isolation", \.isolation), ("difficultCarePath", \.difficultCarePath)] {
                if let value = body.bool(key) { details[keyPath: path] = value }
            }
            if let value = body.string("language") { details.language = value }
            try body.check()
            return details
        }

        router.post("/api/v1/participants", api(.plan) { request, context in
            let record = try app.participants.create(try details(request, base: nil), by: context.actor)
            return JSON.response(Self.participantJSON(record, contact: true), status: 201)
        })

        router.get("/api/v1/participants", api(.readContactDetails) { request, context in
            let records = try app.participants.list(search: request.queryValue("q"), by: context.actor)
            return JSON.response(["participants": records.map { Self.participantJSON($0, contact: true) }])
        })

        router.get("/api/v1/participants/{id}", api(nil) { request, context in
            guard context.user.role.allows(.plan) else { throw APIError.forbidden() }
            let record = try app.participants.read(id: request.parameter("id"), by: context.actor)
            var object = Self.participantJSON(record, contact: context.user.role.allows(.readContactDetails))
            if context.user.role.allows(.readOrientations) {
                // The free-text detail is clinical; the kind and whether it was followed are not.
                let detail = context.user.role.allows(.readClinical)
                object["orientations"] = try app.consultations.orientations(participantID: record.id).map { orientation in
                    ["id": orientation.id, "kind": orientation.kind.rawValue, "detail": detail ? orientation.detail : NSNull(),
                     "followed": orientation.followed ?? NSNull(),
                     "programmeId": orientation.programmeId ?? NSNull(), "createdAt": ISO8601.instant(orientation.createdAt)] as [String: Any]
                }
            }
            return JSON.response(object)
        })

        router.patch("/api/v1/participants/{id}", api(.plan) { request, context in
            let current = try app.participants.read(id: request.parameter("id"), by: context.actor)
            let record = try app.participants.update(id: current.id, try details(request, base: current.details), by: context.actor)
            return JSON.response(Self.participantJSON(record, contact: true))
        })

        router.post("/api/v1/programmes/{id}/enrolments", api(.plan) { request, context in
            var body = try BodyReader(request, allowed: ["participantId", "waitingList"])
            let participant = body.string("participantId", required: true), waitingList = body.bool("waitingList") ?? true
            try body.check()
            let record = try app.enrolments.enrol(programmeID: request.parameter("id"), participantID: participant ?? "",
                                                  waitingList: waitingList, by: context.actor)
            return JSON.response(Self.enrolmentJSON(record), status: 201)
        })

        router.get("/api/v1/programmes/{id}/enrolments", api(.plan) { request, context in
            let roster = try app.enrolments.roster(programmeID: request.parameter("id"))
            try app.store.pool.write { db in
                try Audit.record(db, context.actor, "read_roster", entity: "programme", id: request.parameter("id"), at: app.clock.now())
            }
            return JSON.response(["enrolments": roster.map { enrolment, participant in
                var object = Self.enrolmentJSON(enrolment)
                object["name"] = "\(participant.firstName) \(participant.lastName)"
                return object
            }])
        })

        router.post("/api/v1/enrolments/{id}/withdraw", api(.plan) { request, context in
            var body = try BodyReader(request, allowed: ["reason"])
            let reason = body.string("reason", required: true)
            try body.check()
            let (withdrawn, promoted) = try app.enrolments.withdraw(enrolmentID: request.parameter("id"), reason: reason ?? "", by: context.actor)
            return JSON.response(["withdrawn": Self.enrolmentJSON(withdrawn), "promoted": promoted.map { Self.enrolmentJSON($0) as Any } ?? NSNull()])
        })

        router.post("/api/v1/programmes/{id}/consultations", api(.plan) { request, context in
            var body = try BodyReader(request, allowed: ["participantId", "index", "facilitatorId", "start", "durationMinutes", "modality"])
            let participant = body.string("participantId", required: true), index = body.int("index", required: true)
            let facilitator = body.string("facilitatorId", required: true), startText = body.string("start", required: true)
            let modality = body.enumeration("modality", ConsultationModality.self) ?? .inPerson
            let (programme, _) = try app.programmes.programme(id: request.parameter("id"))
            guard let template = app.templates.first(where: { $0.id == programme.templateId }), !template.consultations.isEmpty else {
                throw APIError.conflict("this programme's template has no individual consultation")
            }
            let duration = body.int("durationMinutes") ?? template.consultations.first { $0.index == index }?.durationMinutes ?? 45
            if !(10...240).contains(duration) { body.fail("durationMinutes", "must be from 10 to 240") }
            var local: LocalDateTime?
            do throws(ValidationError) { local = try Input.localDateTime(startText, field: "start") } catch { if startText != nil { body.fail("start", error.fields["start"] ?? "") } }
            try body.check()
            guard let local else { throw APIError.invalid(["start": "required"]) }
            let start = local.instant(in: programme.zone)
            let record = try app.consultations.book(programmeID: programme.id, participantID: participant ?? "", index: index ?? 0,
                                                    facilitatorID: facilitator ?? "", start: start, end: start.addingTimeInterval(Double(duration) * 60),
                                                    modality: modality, allowedIndexes: 1...template.consultations.count, by: context.actor)
            return JSON.response(app.consultationJSON(record, programme, note: context.user.role.allows(.readClinical)), status: 201)
        })

        router.get("/api/v1/programmes/{id}/consultations", api(.plan) { request, context in
            let (programme, _) = try app.programmes.programme(id: request.parameter("id"))
            let showNotes = context.user.role.allows(.readClinical) && programme.leadId == context.user.id
            return JSON.response(["consultations": try app.consultations.list(programmeID: programme.id).map {
                app.consultationJSON($0, programme, note: showNotes)
            }])
        })

        router.get("/api/v1/consultations/{id}", api(nil) { request, context in
            // The clinical note is for the tabacologue of the consultation or of the programme, never a peer helper.
            guard context.user.role.allows(.readClinical) || context.user.role.allows(.plan) else {
                throw APIError.forbidden("Consultations and their clinical notes are not visible to your role.")
            }
            let record = try app.consultations.read(id: request.parameter("id"), by: context.actor)
            let (programme, _) = try app.programmes.programme(id: record.programmeId)
            return JSON.response(app.consultationJSON(record, programme, note: app.isClinician(of: record, programme, context.user)))
        })

        router.patch("/api/v1/consultations/{id}", api(nil) { request, context in
            var body = try BodyReader(request, allowed: ["status", "note", "start", "durationMinutes", "modality"])
            let status = body.enumeration("status", ConsultationStatus.self), note = body.string("note")
            let modality = body.enumeration("modality", ConsultationModality.self), startText = body.string("start")
            let duration = body.int("durationMinutes")
            if let duration, !(10...240).contains(duration) { body.fail("durationMinutes", "must be from 10 to 240") }
            try body.check()
            let current = try app.consultations.read(id: request.parameter("id"), by: context.actor)
            let (programme, _) = try app.programmes.programme(id: current.programmeId)
            let clinician = app.isClinician(of: current, programme, context.user)
            if note != nil && !clinician { throw APIError.forbidden("Only the tabacologue of the consultation writes its note.") }
            if note == nil && !(clinician || context.user.role.allows(.plan)) { throw APIError.forbidden() }
            var start: Date?, end: Date?
            if startText != nil || duration != nil {
                // A new duration alone keeps the start; a new start alone keeps the duration.
                let begins = try startText.map { try Input.localDateTime($0, field: "start").instant(in: programme.zone) } ?? current.startsAt
                start = begins
                end = begins.addingTimeInterval(duration.map { Double($0) * 60 } ?? current.endsAt.timeIntervalSince(current.startsAt))
            }
            let record = try app.consultations.update(id: current.id, status: status, note: note, start: start, end: end,
                                                      modality: modality, by: context.actor)
            return JSON.response(app.consultationJSON(record, programme, note: clinician))
        })

        router.post("/api/v1/participants/{id}/orientations", api(.writeClinical) { request, context in
            var body = try BodyReader(request, allowed: ["kinds", "detail", "programmeId", "consultationId"])
            let kinds = body.strings("kinds", required: true) ?? []
            let parsed = kinds.compactMap(OrientationKind.init(rawValue:))
            if parsed.count != kinds.count {
                body.fail("kinds", "expected some of \(OrientationKind.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            let detail = body.string("detail") ?? "", programme = body.string("programmeId"), consultation = body.string("consultationId")
            try body.check()
            let records = try app.consultations.addOrientations(participantID: request.parameter("id"), programmeID: programme,
                                                                consultationID: consultation, kinds: parsed, detail: detail, by: context.actor)
            return JSON.response(["orientations": records.map { ["id": $0.id, "kind": $0.kind.rawValue, "detail": $0.detail] }], status: 201)
        })
    }

    static func participantJSON(_ record: ParticipantRecord, contact: Bool) -> [String: Any] {
        var object: [String: Any] = [
            "id": record.id, "firstName": record.firstName, "lastName": record.lastName, "birthYear": record.birthYear ?? NSNull(),
            "smokerStatus": record.smokerStatus.rawValue, "precarity": record.precarity, "isolation": record.isolation,
            "difficultCarePath": record.difficultCarePath, "language": record.language,
            "consents": ["dataProcessing": record.consentDataProcessingAt.map { ISO8601.instant($0) as Any } ?? NSNull(),
                         "email": record.consentEmailAt.map { ISO8601.instant($0) as Any } ?? NSNull(),
                         "followUp": record.consentFollowUpAt.map { ISO8601.instant($0) as Any } ?? NSNull()] as [String: Any],
        ]
        if contact {
            object["email"] = record.email ?? NSNull()
            object["phone"] = record.phone ?? NSNull()
            object["postalAddress"] = record.postalAddress ?? NSNull()
            object["preferredChannel"] = record.preferredChannel.rawValue
            object["noContact"] = record.noContact
        }
        return object
    }

    static func enrolmentJSON(_ record: EnrolmentRecord) -> [String: Any] {
        ["id": record.id, "programmeId": record.programmeId, "participantId": record.participantId, "status": record.status.rawValue,
         "requestedAt": ISO8601.instant(record.requestedAt), "withdrawalReason": record.withdrawalReason ?? NSNull()]
    }

    func consultationJSON(_ record: ConsultationRecord, _ programme: ProgrammeRecord, note: Bool) -> [String: Any] {
        var object: [String: Any] = [
            "id": record.id, "programmeId": record.programmeId, "participantId": record.participantId, "index": record.index,
            "facilitatorId": record.facilitatorId, "start": ISO8601.instant(record.startsAt), "end": ISO8601.instant(record.endsAt),
            "startLocal": LocalDateTime(record.startsAt, in: programme.zone).iso, "modality": record.modality.rawValue,
            "status": record.status.rawValue,
        ]
        if note { object["note"] = record.note }
        return object
    }
}
