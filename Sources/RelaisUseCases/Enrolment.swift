import Foundation
import RelaisDomain
import RelaisStore

extension UseCases {
    /// Enrols a participant, or puts them on the waiting list when the programme is full
    /// (`waitingList` false: refused with 409 instead). Confirmation and reminders are written
    /// to the outbox in the same transaction.
    public func enrol(programmeID: String, participantID: String?, waitingList: Bool = true, by caller: Caller) throws -> EnrolmentRecord {
        try caller.require(.plan)
        guard let participantID = participantID?.nilIfEmpty else { throw ValidationError(field: "participantId", .required) }
        return try enrolments.enrol(programmeID: programmeID, participantID: participantID, waitingList: waitingList, by: caller.actor)
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
