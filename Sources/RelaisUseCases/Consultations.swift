import Foundation
import RelaisDomain
import RelaisStore

/// A consultation as its page and the API show it: the clinical note only for its clinician.
public struct ConsultationView: Sendable {
    public var consultation: ConsultationRecord
    public var programme: ProgrammeRecord
    /// Whether the caller is the consultation's clinician (tabacologue of the consultation or
    /// lead of the programme): the note and the clinical record are theirs to read and write.
    public var clinician: Bool
    /// Why it cannot be marked done or missed yet (its time has not come); nil once it has.
    public var notStarted: Reason?

    public init(consultation: ConsultationRecord, programme: ProgrammeRecord, clinician: Bool, now: Date) {
        self.consultation = consultation
        self.programme = programme
        self.clinician = clinician
        notStarted = TimeGuards.consultationDone(startsAt: consultation.startsAt, zone: programme.zone, now: now)
    }
}

extension UseCases {
    /// The consultations the programme's template provides, and their default durations.
    public func consultationSlots(programme: ProgrammeRecord) -> [ConsultationTemplate] {
        template(programme.templateId)?.consultations ?? []
    }

    /// Books an individual consultation. One rule for every way in: the index is one of the
    /// template's, the duration 10 to 240 minutes (the template's by default), the time a local
    /// time of the programme's zone inside the date window, the facilitator a tabacologue free
    /// at that time, the participant enrolled and free.
    public func bookConsultation(programmeID: String, _ booking: ConsultationBooking, by caller: Caller) throws -> ConsultationView {
        try caller.require(.plan)
        let (programme, _) = try programmes.programme(id: programmeID)
        guard let template = template(programme.templateId) else {
            throw Refusal.conflict(.templateNotInstalled, ["template": programme.templateId])
        }
        guard !template.consultations.isEmpty else { throw Refusal.conflict(.templateWithoutConsultation) }
        var problems: [String: Reason] = [:]
        if booking.participantID?.nilIfEmpty == nil { problems["participantId"] = .required }
        if booking.facilitatorID?.nilIfEmpty == nil { problems["facilitatorId"] = .required }
        let indexes = 1...template.consultations.count
        if let index = booking.index {
            if !indexes.contains(index) {
                problems["index"] = Reason(.consultationIndexRange, ["min": String(indexes.lowerBound), "max": String(indexes.upperBound)])
            }
        } else {
            problems["index"] = .required
        }
        let duration = booking.durationMinutes ?? template.consultations.first { $0.index == booking.index }?.durationMinutes ?? 45
        if !(10...240).contains(duration) { problems["durationMinutes"] = Reason(.durationRange, ["min": "10", "max": "240"]) }
        var modality = ConsultationModality.inPerson
        if let raw = booking.modality?.nilIfEmpty {
            if let value = ConsultationModality(rawValue: raw) { modality = value } else { problems["modality"] = Self.oneOf(ConsultationModality.self) }
        }
        var local: LocalDateTime?
        do throws(ValidationError) { local = try Input.localDateTime(booking.start, field: "start") } catch {
            problems["start"] = booking.start?.nilIfEmpty == nil ? .required : error.fields["start"]
        }
        guard problems.isEmpty, let local, let index = booking.index else { throw ValidationError(problems) }
        let start = local.instant(in: programme.zone)
        try checkConsultationTime(start: start, status: nil, programme: programme, moved: true)
        try checkPastConfirmation(start, booking.confirmedPast)
        let record = try consultations.book(programmeID: programme.id, participantID: booking.participantID ?? "", index: index,
                                            facilitatorID: booking.facilitatorID ?? "", start: start,
                                            end: start.addingTimeInterval(Double(duration) * 60), modality: modality,
                                            allowedIndexes: indexes, by: caller.actor)
        return ConsultationView(consultation: record, programme: programme, clinician: isClinician(record, programme, caller), now: clock.now())
    }

    /// A consultation, its read audited: for planners; its note only to its clinician.
    public func consultation(_ id: String, by caller: Caller) throws -> ConsultationView {
        try caller.require(.forbiddenRole) { role, _ in Access.mayOpenConsultation(role: role) }
        let record = try consultations.read(id: id, by: caller.actor)
        let (programme, _) = try programmes.programme(id: record.programmeId)
        return ConsultationView(consultation: record, programme: programme, clinician: isClinician(record, programme, caller), now: clock.now())
    }

    /// The consultations of a programme, each with whether the caller is its clinician.
    public func consultations(programmeID: String, by caller: Caller) throws -> [ConsultationView] {
        try caller.require(.plan)
        let (programme, _) = try programmes.programme(id: programmeID)
        return try consultations.list(programmeID: programme.id).map { record in
            ConsultationView(consultation: record, programme: programme, clinician: isClinician(record, programme, caller), now: clock.now())
        }
    }

    /// Changes a consultation. One rule for every way in: planners change its time, length,
    /// modality and status; only its clinician writes the note. A new length alone keeps the
    /// start; a new start alone keeps the length.
    public func changeConsultation(_ id: String, _ change: ConsultationChange, by caller: Caller) throws -> ConsultationView {
        try caller.require(.forbiddenRole) { role, _ in Access.mayOpenConsultation(role: role) }
        let current = try consultations.read(id: id, by: caller.actor)
        let (programme, _) = try programmes.programme(id: current.programmeId)
        let clinician = isClinician(current, programme, caller)
        if change.note != nil && !clinician { throw Refusal.forbidden(.notTheConsultationsClinician) }
        var problems: [String: Reason] = [:]
        var status: ConsultationStatus?
        if let raw = change.status?.nilIfEmpty {
            if let value = ConsultationStatus(rawValue: raw) { status = value } else { problems["status"] = Self.oneOf(ConsultationStatus.self) }
        }
        var modality: ConsultationModality?
        if let raw = change.modality?.nilIfEmpty {
            if let value = ConsultationModality(rawValue: raw) { modality = value } else { problems["modality"] = Self.oneOf(ConsultationModality.self) }
        }
        if let duration = change.durationMinutes, !(10...240).contains(duration) {
            problems["durationMinutes"] = Reason(.durationRange, ["min": "10", "max": "240"])
        }
        var start: Date?, end: Date?
        if change.start != nil || change.durationMinutes != nil {
            var begins = current.startsAt
            if let text = change.start {
                do throws(ValidationError) { begins = try Input.localDateTime(text, field: "start").instant(in: programme.zone) } catch {
                    problems["start"] = error.fields["start"]
                }
            }
            start = begins
            end = begins.addingTimeInterval(change.durationMinutes.map { Double($0) * 60 } ?? current.endsAt.timeIntervalSince(current.startsAt))
        }
        guard problems.isEmpty else { throw ValidationError(problems) }
        if start != nil || status != nil {
            try checkConsultationTime(start: start ?? current.startsAt, status: status ?? current.status, programme: programme,
                                      moved: start != nil && start != current.startsAt)
        }
        if let start, start != current.startsAt { try checkPastConfirmation(start, change.confirmedPast) }
        let record = try consultations.update(id: current.id, status: status, note: change.note, start: start, end: end, modality: modality,
                                              by: caller.actor)
        return ConsultationView(consultation: record, programme: programme, clinician: clinician, now: clock.now())
    }

    /// A consultation takes place from the programme's first day, and is done or missed only
    /// once its time has come.
    func checkConsultationTime(start: Date, status: ConsultationStatus?, programme: ProgrammeRecord, moved: Bool) throws {
        let (_, sessions) = try programmes.programme(id: programme.id)
        // A cancelled first session still marks the programme's start: consultations already planned from then stay valid.
        let first = sessions.map(\.startsAt).min()
        if moved, let reason = TimeGuards.consultation(start: start, firstSession: first, zone: programme.zone) {
            throw ValidationError(field: "start", reason)
        }
        if status == .done || status == .missed, let reason = TimeGuards.consultationDone(startsAt: start, zone: programme.zone, now: clock.now()) {
            throw ValidationError(field: "status", reason)
        }
    }

    func isClinician(_ consultation: ConsultationRecord, _ programme: ProgrammeRecord, _ caller: Caller) -> Bool {
        guard let user = caller.user else { return false }
        return Access.isClinician(role: user.role, userID: user.id, consultationFacilitatorID: consultation.facilitatorId,
                                  programmeLeadID: programme.leadId)
    }

    // MARK: Orientations

    /// Records orientations proposed to a participant (a clinician's act).
    public func addOrientations(participantID: String, kinds: [String], detail: String?, programmeID: String?, consultationID: String?,
                                by caller: Caller) throws -> [OrientationRecord] {
        try caller.require(.writeClinical)
        let parsed = kinds.compactMap(OrientationKind.init(rawValue:))
        if parsed.count != kinds.count { throw ValidationError(field: "kinds", Self.oneOf(OrientationKind.self)) }
        let programmeID = programmeID?.nilIfEmpty
        if let programmeID, try !participantRecords.enrolments(participantID: participantID).contains(where: { $0.programme.id == programmeID }) {
            throw ValidationError(field: "programmeId", .participantNotEnrolled)
        }
        return try consultations.addOrientations(participantID: participantID, programmeID: programmeID,
                                                 consultationID: consultationID?.nilIfEmpty, kinds: parsed,
                                                 detail: (detail ?? "").trimmingCharacters(in: .whitespacesAndNewlines), by: caller.actor)
    }

    /// A participant's orientations: the kinds to coordinators and clinicians, the free-text
    /// detail to clinicians only (it is emptied for the others).
    public func orientations(participantID: String, by caller: Caller) throws -> [OrientationRecord] {
        guard caller.may(.readOrientations) else { return [] }
        let records = try consultations.orientations(participantID: participantID)
        return caller.may(.readClinical) ? records : records.map { var record = $0; record.detail = ""; return record }
    }
}
