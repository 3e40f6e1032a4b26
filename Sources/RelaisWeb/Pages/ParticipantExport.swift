import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// The GDPR export (right of access and portability): the whole record as JSON, in the API's
/// shapes. Consultation notes only for their clinician; assessments for roles that read them.
struct ParticipantExportBody: Encodable {
    struct Participant: Encodable {
        var record: ParticipantBody
        var createdAt: Date
        @Nullable var updatedAt: Date?

        func encode(to encoder: any Encoder) throws {
            try record.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(createdAt, forKey: .createdAt)
            try container.encode(_updatedAt, forKey: .updatedAt)
        }

        enum Keys: String, CodingKey { case createdAt, updatedAt }
    }

    struct Enrolment: Encodable {
        var enrolment: EnrolmentBody
        var programmeTitle: String
        @Nullable var enrolledAt: Date?
        @Nullable var withdrawnAt: Date?
        var sessionsAttended: Int

        func encode(to encoder: any Encoder) throws {
            try enrolment.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(programmeTitle, forKey: .programmeTitle)
            try container.encode(_enrolledAt, forKey: .enrolledAt)
            try container.encode(_withdrawnAt, forKey: .withdrawnAt)
            try container.encode(sessionsAttended, forKey: .sessionsAttended)
        }

        enum Keys: String, CodingKey { case programmeTitle, enrolledAt, withdrawnAt, sessionsAttended }
    }

    struct Attendance: Encodable {
        var sessionId: String
        var programmeId: String
        var session: Int
        var title: String
        var start: Date
        var status: AttendanceStatus
        var recordedAt: Date
    }

    struct Consultation: Encodable {
        var consultation: ConsultationBody
        var programmeTitle: String
        /// Its structured record (current version), for its clinician only.
        var record: ClinicalRecordBody? = nil

        func encode(to encoder: any Encoder) throws {
            try consultation.encode(to: encoder)
            var container = encoder.container(keyedBy: Keys.self)
            try container.encode(programmeTitle, forKey: .programmeTitle)
            try container.encodeIfPresent(record, forKey: .record)
        }

        enum Keys: String, CodingKey { case programmeTitle, record }
    }

    struct Orientation: Encodable {
        var id: String
        var kind: OrientationKind
        var detail: String
        @Nullable var programmeId: String?
        @Nullable var consultationId: String?
        @Nullable var followed: String?
        var createdAt: Date
    }

    struct Invitation: Encodable {
        var id: String
        var programmeId: String
        var purpose: InvitationPurpose
        var instruments: [String]
        var dueOn: String
        var createdAt: Date
        @Nullable var answeredAt: Date?
        @Nullable var answeredSource: String?
    }

    struct Task: Encodable {
        var id: String
        var kind: TaskKind
        @Nullable var programmeId: String?
        var reason: String
        var state: TaskState
        var dueOn: String
        var note: String
        var createdAt: Date
        @Nullable var closedAt: Date?
    }

    struct Message: Encodable {
        var id: String
        var kind: MessageKind
        var state: OutboxState
        var dueAt: Date
        @Nullable var sentAt: Date?
        @Nullable var recipient: String?
        @Nullable var closedReason: String?
    }

    struct AuditRow: Encodable {
        var at: Date
        var actor: String
        var action: String
        var entity: String
        @Nullable var detail: String?
    }

    var format = "relais-participant-export/1"
    var exportedAt: Date
    var structure: String
    var participant: Participant
    var enrolments: [Enrolment]
    var attendance: [Attendance]
    var consultations: [Consultation]
    var orientations: [Orientation]
    var invitations: [Invitation]
    var tasks: [Task]
    var messages: [Message]
    var audit: [AuditRow]
    var assessments: [AssessmentBody]?
    /// For the roles that read the clinical record only.
    var treatments: [TreatmentBody]?
}

extension RelaisApp {
    func exportBody(_ export: ParticipantExport, _ context: WebContext) -> ParticipantExportBody {
        let file = export.file
        let consultations = export.consultations.compactMap { item -> ParticipantExportBody.Consultation? in
            guard let programme = item.programme else { return nil }
            return ParticipantExportBody.Consultation(
                consultation: ConsultationBody(ConsultationView(consultation: item.consultation, programme: programme, clinician: item.clinician, now: clock.now())),
                programmeTitle: programme.title, record: file.clinicalRecords[item.consultation.id].map { ClinicalRecordBody(input: $0.input) })
        }
        return ParticipantExportBody(
            exportedAt: clock.now(), structure: configuration.structureName,
            participant: .init(record: ParticipantBody(file.participant, contact: true), createdAt: file.participant.createdAt,
                               updatedAt: file.participant.updatedAt),
            enrolments: file.enrolments.map { item in
                .init(enrolment: EnrolmentBody(item.enrolment), programmeTitle: item.programme.title, enrolledAt: item.enrolment.enrolledAt,
                      withdrawnAt: item.enrolment.withdrawnAt, sessionsAttended: item.sessionsAttended)
            },
            attendance: file.attendance.map { item in
                .init(sessionId: item.sessionId, programmeId: item.programmeId, session: item.sessionIndex, title: item.sessionTitle,
                      start: item.startsAt, status: item.status, recordedAt: item.recordedAt)
            },
            consultations: consultations,
            orientations: file.orientations.map { item in
                .init(id: item.id, kind: item.kind, detail: item.detail, programmeId: item.programmeId, consultationId: item.consultationId,
                      followed: item.followed, createdAt: item.createdAt)
            },
            invitations: file.invitations.map { item in
                .init(id: item.id, programmeId: item.programmeId, purpose: item.purpose, instruments: item.instruments, dueOn: item.dueOn,
                      createdAt: item.createdAt, answeredAt: item.answeredAt, answeredSource: item.answeredSource)
            },
            tasks: file.tasks.map { item in
                .init(id: item.id, kind: item.kind, programmeId: item.programmeId, reason: item.reason, state: item.state, dueOn: item.dueOn,
                      note: item.note, createdAt: item.createdAt, closedAt: item.closedAt)
            },
            messages: file.messages.map { item in
                .init(id: item.id, kind: item.kind, state: item.state, dueAt: item.dueAt, sentAt: item.sentAt, recipient: item.recipient,
                      closedReason: item.closedReason)
            },
            audit: file.audit.map { entry in .init(at: entry.at, actor: entry.actorName, action: entry.action, entity: entry.entity, detail: entry.detail) },
            assessments: export.assessments?.map { assessmentBody($0, language: context.language, history: export.assessmentHistory) },
            treatments: export.treatments.map { history in history.treatments.map { treatmentBody($0, language: context.language, history: history) } })
    }
}
