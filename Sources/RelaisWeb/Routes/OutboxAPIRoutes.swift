import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

/// The JSON of an outbox message, shared by the API and `relais outbox list`.
public enum OutboxJSON {
    public static func object(_ message: OutboxRecord) -> [String: Any] {
        func optional(_ value: Any?) -> Any { value ?? NSNull() }
        return [
            "id": message.id, "key": message.key, "kind": message.kind.rawValue, "state": message.state.rawValue,
            "participantId": optional(message.participantId), "userId": optional(message.userId),
            "programmeId": optional(message.programmeId), "sessionId": optional(message.sessionId),
            "invitationId": optional(message.invitationId),
            "dueAt": ISO8601.instant(message.dueAt), "nextAttemptAt": ISO8601.instant(message.nextAttemptAt),
            "attempts": message.attempts, "lastError": optional(message.lastError), "recipient": optional(message.recipient),
            "messageId": optional(message.messageId), "sentAt": optional(message.sentAt.map(ISO8601.instant)),
            "closedReason": optional(message.closedReason), "createdAt": ISO8601.instant(message.createdAt),
        ]
    }
}

extension RelaisApp {
    func registerOutboxAPI(_ router: inout Router) {
        let app = self

        router.get("/api/v1/outbox", api(.manageReminders) { request, _ in
            var problems: [String: String] = [:]
            let state = request.queryValue("state").flatMap { raw in
                OutboxState(rawValue: raw) ?? { problems["state"] = "one of \(OutboxState.allCases.map(\.rawValue).joined(separator: ", "))"; return nil }()
            }
            let kind = request.queryValue("kind").flatMap { raw in
                MessageKind(rawValue: raw) ?? { problems["kind"] = "one of \(MessageKind.allCases.map(\.rawValue).joined(separator: ", "))"; return nil }()
            }
            let limit = try Self.limit(request, &problems)
            guard problems.isEmpty else { throw APIError.invalid(problems) }
            let messages = try app.outbox.list(state: state, kind: kind, participantID: request.queryValue("participant"), limit: limit)
            return JSON.response(["messages": messages.map(OutboxJSON.object)])
        })

        router.post("/api/v1/outbox/{id}/retry", api(.manageReminders) { request, context in
            JSON.response(OutboxJSON.object(try app.outbox.retry(id: request.parameter("id"), by: context.actor)))
        })

        router.get("/api/v1/tasks", api(.manageReminders) { request, context in
            var problems: [String: String] = [:]
            let state = request.queryValue("state").flatMap { raw in
                TaskState(rawValue: raw) ?? { problems["state"] = "one of \(TaskState.allCases.map(\.rawValue).joined(separator: ", "))"; return nil }()
            }
            let limit = try Self.limit(request, &problems)
            guard problems.isEmpty else { throw APIError.invalid(problems) }
            let tasks = try app.tasks.list(state: state, assignedTo: request.queryValue("assignedTo"),
                                           participantID: request.queryValue("participant"), limit: limit)
            return JSON.response(["tasks": try tasks.map { try app.taskJSON($0, withScript: false, language: request.preferredLanguage, by: context.actor) }])
        })

        router.post("/api/v1/tasks", api(.manageReminders) { request, context in
            var body = try BodyReader(request, allowed: ["participantId", "reason", "dueOn", "assignedTo"])
            let participantID = body.string("participantId", required: true), reason = body.string("reason", required: true)
            let assignedTo = body.string("assignedTo")
            var dueOn: CalendarDate?
            if let raw = body.string("dueOn") {
                do throws(ValidationError) { dueOn = try Input.calendarDate(raw, field: "dueOn") } catch { body.fail("dueOn", error.fields["dueOn"] ?? "") }
            }
            try body.check()
            let task = try app.tasks.create(participantID: participantID ?? "", reason: reason ?? "", dueOn: dueOn, assignedTo: assignedTo,
                                            by: context.actor)
            return JSON.response(try app.taskJSON(task, withScript: false, language: request.preferredLanguage, by: context.actor), status: 201)
        })

        router.get("/api/v1/tasks/{id}", api(.manageReminders) { request, context in
            let task = try app.tasks.task(id: request.parameter("id"))
            return JSON.response(try app.taskJSON(task, withScript: true, language: request.preferredLanguage, by: context.actor))
        })

        router.patch("/api/v1/tasks/{id}", api(.manageReminders) { request, context in
            var body = try BodyReader(request, allowed: ["state", "assignedTo", "note"])
            let state = body.enumeration("state", TaskState.self)
            let note = body.string("note")
            // null unassigns; absent leaves as is.
            let assignedTo: String?? = body.isNull("assignedTo") ? .some(nil) : body.has("assignedTo") ? .some(body.string("assignedTo")) : nil
            try body.check()
            let task = try app.tasks.update(id: request.parameter("id"), state: state, assignedTo: assignedTo, note: note, by: context.actor)
            return JSON.response(try app.taskJSON(task, withScript: false, language: request.preferredLanguage, by: context.actor))
        })
    }

    static func limit(_ request: Request, _ problems: inout [String: String]) throws -> Int {
        guard let raw = request.queryValue("limit") else { return 200 }
        guard let value = Int(raw), (1...10_000).contains(value) else {
            problems["limit"] = "a whole number from 1 to 10000"
            return 200
        }
        return value
    }

    /// A task as staff need it to make the call: who, how to reach them, why, and with the
    /// script the questions to ask (those of the questionnaire it stands for).
    func taskJSON(_ task: TaskRecord, withScript: Bool, language: String, by actor: Actor) throws -> [String: Any] {
        let participant = try participants.read(id: task.participantId, by: actor)
        var object: [String: Any] = [
            "id": task.id, "kind": task.kind.rawValue, "state": task.state.rawValue, "reason": task.reason, "dueOn": task.dueOn,
            "note": task.note, "participantId": task.participantId, "programmeId": task.programmeId ?? NSNull(),
            "invitationId": task.invitationId ?? NSNull(), "assignedTo": task.assignedTo ?? NSNull(),
            "createdAt": ISO8601.instant(task.createdAt), "closedAt": task.closedAt.map(ISO8601.instant) ?? NSNull(),
            "participant": ["firstName": participant.firstName, "lastName": participant.lastName,
                            "phone": participant.phone ?? NSNull(), "email": participant.email ?? NSNull(),
                            "postalAddress": participant.postalAddress ?? NSNull()] as [String: Any],
        ]
        if withScript, let invitationID = task.invitationId {
            let invitation = try questionnaires.invitation(id: invitationID)
            object["script"] = invitation.instruments.compactMap { instruments[$0] }.map { instrument -> [String: Any] in
                ["instrument": instrument.id, "title": instrument.definition.title.text(language),
                 "questions": instrument.definition.items.map { item -> [String: Any] in
                     ["item": item.id, "text": item.text.text(language),
                      "options": (item.options ?? []).map { ["code": $0.code, "label": $0.label.text(language)] }]
                 }]
            }
            object["letter"] = "/tasks/\(task.id)/letter"
        }
        return object
    }
}
