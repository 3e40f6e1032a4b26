import Foundation
import RelaisDomain
import RelaisStore

/// An enrolment as its page shows it, with what the evaluation takes for a consumption the
/// baseline does not hold.
public struct EnrolmentView: Sendable {
    public var enrolment: EnrolmentRecord
    public var participant: ParticipantRecord
    public var programme: ProgrammeRecord
    /// The entry Fagerström's (or HSI's) count or band when the baseline has no count; else nil.
    public var entryTest: Consumption?
}

extension UseCases {
    /// Enrols a participant, or puts them on the waiting list when the programme is full
    /// (`waitingList` false: refused with 409 instead), with their baseline frozen: what `baseline`
    /// gives, the rest from their record as it is now. Confirmation and reminders are written to
    /// the outbox in the same transaction.
    public func enrol(programmeID: String, participantID: String?, baseline: BaselineInput? = nil, waitingList: Bool = true,
                      by caller: Caller) throws -> EnrolmentRecord {
        try caller.require(.plan)
        guard let participantID = participantID?.nilIfEmpty else { throw ValidationError(field: "participantId", .required) }
        guard let participant = try participants.find(id: participantID) else { throw ValidationError(field: "participantId", .participantUnknown) }
        let frozen = try (baseline ?? BaselineInput()).validated(defaults: participant.baselineFromRecord, equivalents: protocols.tobaccoEquivalents,
                                                                 today: today)
        return try enrolments.enrol(programmeID: programmeID, participantID: participantID, baseline: frozen, waitingList: waitingList,
                                    by: caller.actor)
    }

    /// Replaces the baseline of an enrolment (a mistake at entry, or what was not known then):
    /// the status and publics left out stay as they were, the rest is what is given.
    public func setBaseline(enrolmentID: String, _ input: BaselineInput, by caller: Caller) throws -> EnrolmentRecord {
        try caller.require(.plan)
        let current = try enrolments.enrolment(id: enrolmentID)
        let baseline = try input.validated(defaults: current.baseline, equivalents: protocols.tobaccoEquivalents, today: today)
        return try enrolments.setBaseline(enrolmentID: current.id, baseline, by: caller.actor)
    }

    /// One enrolment with its participant and programme, for planners; the read is audited.
    /// When the baseline has no count, the entry test's is given as the evaluation reads it.
    public func enrolment(_ id: String, by caller: Caller) throws -> EnrolmentView {
        try caller.require(.plan)
        let record = try enrolments.enrolment(id: id)
        let participant = try participants.read(id: record.participantId, by: caller.actor)
        let (programme, _) = try programmes.programme(id: record.programmeId)
        var entryTest: Consumption?
        if record.baseline.cigarettesPerDay == nil {
            // The evaluation's own reading (which test, attributed to which programme), so that the
            // page says what the report counts. A programme it leaves out (cancelled) has none.
            let report = try? evaluate(.programme(programme.id), reducedThresholdPercent: settings.reducedThresholdPercent)
            entryTest = report?.participations.first { $0.participantID == participant.id && $0.entryConsumptionSource == .entryTest }?
                .entryConsumption
        }
        return EnrolmentView(enrolment: record, participant: participant, programme: programme, entryTest: entryTest)
    }

    /// Withdraws an enrolment; the first on the waiting list takes the place, in one transaction.
    public func withdraw(enrolmentID: String, reason: String?, by caller: Caller) throws -> (withdrawn: EnrolmentRecord, promoted: EnrolmentRecord?) {
        try caller.require(.plan)
        return try enrolments.withdraw(enrolmentID: enrolmentID, reason: reason ?? "", by: caller.actor)
    }

    /// The enrolments of a programme (the API's roster), audited.
    public func enrolmentList(programmeID: String, by caller: Caller) throws -> [(EnrolmentRecord, ParticipantRecord)] {
        try caller.require(.plan)
        _ = try programmes.programme(id: programmeID)
        return try enrolments.roster(programmeID: programmeID, auditedFor: caller.actor)
    }
}
