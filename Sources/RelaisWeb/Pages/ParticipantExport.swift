import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore

extension RelaisApp {
    /// The GDPR export (right of access and portability): the whole record as JSON, in the API's
    /// shapes. Consultation notes only for a tabacologue who may read them (`mayReadNote`).
    func exportJSON(_ file: ParticipantFile, _ context: WebContext) throws -> [String: Any] {
        let language = context.language
        let programmes = Dictionary(file.enrolments.map { ($0.programme.id, $0.programme) }, uniquingKeysWith: { first, _ in first })
        func instant(_ date: Date?) -> Any { date.map { ISO8601.instant($0) as Any } ?? NSNull() }
        func optional(_ value: String?) -> Any { value.map { $0 as Any } ?? NSNull() }

        var participant = Self.participantJSON(file.participant, contact: true)
        participant["createdAt"] = ISO8601.instant(file.participant.createdAt)
        participant["updatedAt"] = instant(file.participant.updatedAt)

        var consultations: [[String: Any]] = []
        for consultation in file.consultations {
            let programme = try programmes[consultation.programmeId] ?? self.programmes.programme(id: consultation.programmeId).0
            var object = consultationJSON(consultation, programme,
                                          note: mayReadNote(consultation, programme: programme, user: context.user))
            object["programmeTitle"] = programme.title
            consultations.append(object)
        }
        var object: [String: Any] = [
            "format": "relais-participant-export/1",
            "exportedAt": ISO8601.instant(clock.now()),
            "structure": configuration.structureName,
            "participant": participant,
            "enrolments": file.enrolments.map { item -> [String: Any] in
                var enrolment = Self.enrolmentJSON(item.enrolment)
                enrolment["programmeTitle"] = item.programme.title
                enrolment["enrolledAt"] = instant(item.enrolment.enrolledAt)
                enrolment["withdrawnAt"] = instant(item.enrolment.withdrawnAt)
                enrolment["sessionsAttended"] = item.sessionsAttended
                return enrolment
            },
            "attendance": file.attendance.map { item -> [String: Any] in
                ["sessionId": item.sessionId, "programmeId": item.programmeId, "session": item.sessionIndex, "title": item.sessionTitle,
                 "start": ISO8601.instant(item.startsAt), "status": item.status.rawValue, "recordedAt": ISO8601.instant(item.recordedAt)]
            },
            "consultations": consultations,
            "orientations": file.orientations.map { item -> [String: Any] in
                ["id": item.id, "kind": item.kind.rawValue, "detail": item.detail, "programmeId": optional(item.programmeId),
                 "consultationId": optional(item.consultationId), "followed": optional(item.followed),
                 "createdAt": ISO8601.instant(item.createdAt)]
            },
            "invitations": file.invitations.map { item -> [String: Any] in
                ["id": item.id, "programmeId": item.programmeId, "purpose": item.purpose.rawValue, "instruments": item.instruments,
                 "dueOn": item.dueOn, "createdAt": ISO8601.instant(item.createdAt), "answeredAt": instant(item.answeredAt),
                 "answeredSource": optional(item.answeredSource)]
            },
            "tasks": file.tasks.map { item -> [String: Any] in
                ["id": item.id, "kind": item.kind.rawValue, "programmeId": optional(item.programmeId), "reason": item.reason,
                 "state": item.state.rawValue, "dueOn": item.dueOn, "note": item.note, "createdAt": ISO8601.instant(item.createdAt),
                 "closedAt": instant(item.closedAt)]
            },
            "messages": file.messages.map { item -> [String: Any] in
                ["id": item.id, "kind": item.kind.rawValue, "state": item.state.rawValue, "dueAt": ISO8601.instant(item.dueAt),
                 "sentAt": instant(item.sentAt), "recipient": optional(item.recipient), "closedReason": optional(item.closedReason)]
            },
            "audit": file.audit.map { entry -> [String: Any] in
                ["at": ISO8601.instant(entry.at), "actor": entry.actorName, "action": entry.action, "entity": entry.entity,
                 "detail": optional(entry.detail)]
            },
        ]
        if context.user.role.allows(.readAssessments) {
            object["assessments"] = file.assessments.map { assessmentJSON($0, language: language) }
        }
        return object
    }
}
