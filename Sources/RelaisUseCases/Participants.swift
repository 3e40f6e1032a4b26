import Foundation
import RelaisDomain
import RelaisStore

/// A participant's individual consultation on their record: the clinical note is left empty
/// unless the caller is its clinician.
public struct ConsultationOnRecord: Sendable {
    public var consultation: ConsultationRecord
    public var programme: ProgrammeRecord?
    public var clinician: Bool
    /// A note exists, whether or not the caller may read it.
    public var hasNote: Bool
    /// When its structured record was last written, whether or not the caller may read it; nil: none.
    public var recordWrittenAt: Date? = nil
}

/// Everything a participant's record page shows, each part as the caller may see it.
public struct ParticipantRecordView: Sendable {
    public var participant: ParticipantRecord
    public var enrolments: [ParticipantEnrolment]
    public var consultations: [ConsultationOnRecord]
    /// Empty unless the caller reads assessments; withdrawn ones included (marked).
    public var assessments: [AssessmentRecord]
    /// Their corrections and the names of who recorded, corrected or withdrew them.
    public var assessmentHistory = AssessmentHistory(assessments: [])
    public var orientations: [OrientationRecord]
    public var invitations: [InvitationRecord]
    public var openTasks: [TaskRecord]
    public var programmes: [String: ProgrammeRecord]
    /// The message each open task stands for, by task id (a failed delivery's reason is read from
    /// it, in the page's language, rather than the transport's English kept in the task).
    public var openTaskMessages: [String: OutboxRecord] = [:]
    /// The CO readings (assessment ids) that call for thinking of domestic CO poisoning: high in
    /// someone who says they do not smoke.
    public var coPoisoningPrompts: Set<String> = []
    /// The participant's messages, latest first (email, SMS, phone tasks instead), for staff who
    /// manage reminders; empty otherwise.
    public var messages: [OutboxRecord] = []
}

/// A page of the participants list.
public struct ParticipantList: Sendable {
    public var participants: [ParticipantRecord]
    /// Enrolments by participant id, when asked for (none: absent).
    public var enrolments: [String: Int]
    /// The cursor of the next page; nil on the last.
    public var next: String?
}

/// The GDPR export of a participant, each part as the caller may see it (clinical notes and
/// orientation details for clinicians, assessments for roles that read them).
public struct ParticipantExport: Sendable {
    public var file: ParticipantFile
    public var consultations: [ConsultationOnRecord]
    /// Nil unless the caller reads assessments.
    public var assessments: [AssessmentRecord]?
    /// Their corrections and withdrawals, with the staff's names; nil like `assessments`.
    public var assessmentHistory: AssessmentHistory?
    /// The treatments with their history; nil unless the caller reads the clinical record.
    public var treatments: TreatmentHistory?
}

extension UseCases {
    public func createParticipant(_ request: ParticipantRequest, by caller: Caller) throws -> ParticipantRecord {
        try caller.require(.plan)
        return try participants.create(try request.details(over: nil), by: caller.actor)
    }

    /// Changes the fields the request gives, keeping the others.
    public func updateParticipant(_ id: String, _ request: ParticipantRequest, by caller: Caller) throws -> ParticipantRecord {
        try caller.require(.plan)
        let current = try participants.read(id: id, by: caller.actor)
        return try participants.update(id: current.id, try request.details(over: current.details), by: caller.actor)
    }

    /// One participant, the read audited.
    public func participant(_ id: String, by caller: Caller) throws -> ParticipantRecord {
        guard caller.may(.readContactDetails) || caller.may(.plan) else { throw Refusal.forbidden() }
        return try participants.read(id: id, by: caller.actor)
    }

    /// How many participants a page of the list holds when the caller does not say, and at most.
    public static let participantPageSize = 100
    public static let participantPageMaximum = 500

    /// A page of the participants whose name contains `search`, by name then id, after `cursor`
    /// (the `next` of the previous page; nil for the first), `limit` at most (nil: the default
    /// size); the participants shown audited in one row. With `counting`, the number of
    /// enrolments of each, which the list page shows.
    public func participants(search: String?, cursor: String? = nil, limit: Int? = nil, counting: Bool = false,
                             by caller: Caller) throws -> ParticipantList {
        try caller.require(.readContactDetails)
        var problems: [String: Reason] = [:]
        let limit = limit ?? Self.participantPageSize
        if !(1...Self.participantPageMaximum).contains(limit) {
            problems["limit"] = Reason(.numberRange, ["min": "1", "max": String(Self.participantPageMaximum)])
        }
        // An empty `cursor=` is the first page, as an empty `limit=` is the default size.
        let cursor = cursor?.nilIfEmpty
        let after = cursor.flatMap(ParticipantCursor.init(text:))
        if cursor != nil && after == nil { problems["cursor"] = Reason(.cursorInvalid) }
        guard problems.isEmpty else { throw ValidationError(problems) }
        let page = try participants.list(search: search?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty, after: after, limit: limit,
                                         by: caller.actor)
        let counts = counting ? try participantRecords.enrolmentCounts(participantIDs: page.participants.map(\.id)) : [:]
        return ParticipantList(participants: page.participants, enrolments: counts, next: page.next?.text)
    }

    /// The participant's whole record as the caller may see it, read with one audit row per part.
    public func participantRecord(_ id: String, by caller: Caller) throws -> ParticipantRecordView {
        try caller.require(.readContactDetails)
        let participant = try participants.read(id: id, by: caller.actor)
        let enrolments = try participantRecords.enrolments(participantID: id)
        var programmes = Dictionary(enrolments.map { ($0.programme.id, $0.programme) }, uniquingKeysWith: { first, _ in first })
        let shown = try onRecord(try participantRecords.consultations(participantID: id), programmes: &programmes, by: caller)
        let history = caller.may(.readAssessments) ? try assessments.history(participantID: id, by: caller.actor) : AssessmentHistory(assessments: [])
        let openTasks = caller.may(.manageReminders) || caller.may(.readContactDetails)
            ? try tasks.list(state: .open, assignedTo: nil, participantID: id) : []
        var messages: [String: OutboxRecord] = [:]
        for task in openTasks where task.kind == .deliveryFailed {
            if let outboxID = task.outboxId, let message = try outbox.message(id: outboxID) { messages[task.id] = message }
        }
        var view = ParticipantRecordView(
            participant: participant, enrolments: enrolments, consultations: shown,
            assessments: history.assessments, assessmentHistory: history,
            orientations: try orientations(participantID: id, by: caller),
            invitations: try questionnaires.invitations(participantID: id),
            openTasks: openTasks, programmes: programmes, openTaskMessages: messages,
            coPoisoningPrompts: try coPoisoningPrompts(participant: participant, assessments: history.assessments,
                                                       clinicianOf: Set(shown.filter(\.clinician).map(\.consultation.id))))
        if caller.may(.manageReminders) {
            view.messages = try outbox.list(state: nil, kind: nil, participantID: id, limit: 50)
        }
        return view
    }

    /// The GDPR export: everything stored about the participant, read in one transaction with
    /// its one audit row, then narrowed to what the caller may see.
    public func exportParticipant(_ id: String, by caller: Caller) throws -> ParticipantExport {
        try caller.require(.readContactDetails)
        var file = try participantRecords.export(participantID: id, by: caller.actor)
        var programmes = Dictionary(file.enrolments.map { ($0.programme.id, $0.programme) }, uniquingKeysWith: { first, _ in first })
        let consultations = try onRecord(file.consultations, programmes: &programmes, by: caller)
        file.consultations = consultations.map(\.consultation)
        // A consultation's structured record, like its note, only for its clinician.
        let clinicianOf = Set(consultations.filter(\.clinician).map(\.consultation.id))
        file.clinicalRecords = file.clinicalRecords.filter { clinicianOf.contains($0.key) }
        if !caller.may(.readClinical) { file.orientations = file.orientations.map { var record = $0; record.detail = ""; return record } }
        let reads = caller.may(.readAssessments)
        return ParticipantExport(file: file, consultations: consultations, assessments: reads ? file.assessments : nil,
                                 assessmentHistory: reads ? file.assessmentHistory : nil,
                                 treatments: caller.may(.readClinical) ? file.treatments : nil)
    }

    /// Erases a participant at their request, once their last name is typed again to confirm.
    public func eraseParticipant(_ id: String, confirmingName typed: String?, by caller: Caller) throws -> ErasureReceipt {
        try caller.require(.eraseParticipants)
        let record = try participants.read(id: id, by: caller.actor)
        let typed = (typed ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        guard !typed.isEmpty, typed.compare(record.lastName, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame else {
            throw ValidationError(field: "confirmName", .eraseConfirmation)
        }
        // What the evaluation finds today for each of their programmes is kept on the anonymous rows.
        var snapshots: [String: ErasedSnapshot] = [:]
        for enrolment in try participantRecords.enrolments(participantID: record.id) {
            let report = try evaluate(.programme(enrolment.programme.id), reducedThresholdPercent: settings.reducedThresholdPercent)
            if let result = report.participations.first(where: { $0.participantID == record.id }) {
                snapshots[enrolment.programme.id] = ErasedSnapshot(
                    smokerAtEntry: result.smokerAtEntry, sex: result.sex, ageBand: result.ageBand, departement: result.departement,
                    publics: result.publics.sorted(), timePoints: result.timePoints, treatments: result.treatments)
            }
        }
        return try participantRecords.erase(participantID: record.id, snapshots: snapshots, by: caller.actor, timeZone: settings.timeZone)
    }

    /// Creates a participant and, when a programme is named, enrols them in it (or on its
    /// waiting list). The enrolment is reported, not thrown: the participant exists either way.
    public func createAndEnrol(_ request: ParticipantRequest, programmeID: String?, by caller: Caller) throws
        -> (ParticipantRecord, enrolment: EnrolmentRecord?, enrolmentRefused: Bool) {
        let record = try createParticipant(request, by: caller)
        guard let programmeID = programmeID?.nilIfEmpty else { return (record, nil, false) }
        do {
            return (record, try enrol(programmeID: programmeID, participantID: record.id, by: caller), false)
        } catch is Refusal {
            return (record, nil, true)
        } catch is ValidationError {
            return (record, nil, true)
        }
    }

    /// A programme one may still enrol into (exists, not cancelled), or nil.
    public func enrollableProgramme(_ id: String, by caller: Caller) -> ProgrammeRecord? {
        guard caller.may(.plan), let (programme, _) = try? programmes.programme(id: id), programme.status == .planned else { return nil }
        return programme
    }

    /// Consultations as the caller may see them: the note only for their clinician. Programmes
    /// the participant is not enrolled in (any more) are looked up and added to `programmes`.
    func onRecord(_ consultations: [ConsultationRecord], programmes: inout [String: ProgrammeRecord], by caller: Caller) throws -> [ConsultationOnRecord] {
        for consultation in consultations where programmes[consultation.programmeId] == nil {
            programmes[consultation.programmeId] = try? self.programmes.programme(id: consultation.programmeId).0
        }
        let written = try clinicalRecords.written(consultationIDs: consultations.map(\.id))
        return consultations.map { [programmes] consultation in
            let programme = programmes[consultation.programmeId]
            let clinician = programme.map { isClinician(consultation, $0, caller) } ?? false
            var visible = consultation
            if !clinician { visible.note = "" }
            return ConsultationOnRecord(consultation: visible, programme: programme, clinician: clinician,
                                        hasNote: !consultation.note.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty,
                                        recordWrittenAt: written[consultation.id])
        }
    }
}
