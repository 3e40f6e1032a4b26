/// The words of the outbox, the questionnaires and the phone tasks.
/// Where a message of the outbox stands.
public enum OutboxState: String, Codable, Sendable, CaseIterable {
    /// Waiting for its time (or its next attempt).
    case pending
    /// Delivered to the transport (for actions: performed).
    case sent
    /// Gave up after the last attempt, or refused for good: shown in the staff digest.
    case failed
    /// Its reason went away before it was due (answered, withdrawn, session moved).
    case cancelled
    /// Its condition no longer held at send time, or it became a phone task.
    case skipped
}

/// Which questionnaire a participant is invited to answer.
public enum InvitationPurpose: String, Codable, Sendable, CaseIterable {
    case endOfProgramme = "end_of_programme"
    case followUp = "follow_up"
}

/// Why a phone call is to be made.
public enum TaskKind: String, Codable, Sendable, CaseIterable {
    /// The 3-month follow-up is still unanswered after the mailed reminders.
    case followUpCall = "follow_up_call"
    /// A questionnaire for a participant who cannot be mailed (no email, or no consent to email).
    case questionnaireCall = "questionnaire_call"
    /// A session moved or cancelled, for a participant who cannot be mailed.
    case sessionChangeCall = "session_change_call"
    /// Mail that could not be delivered.
    case deliveryFailed = "delivery_failed"
    /// Created by staff.
    case other
}

/// Where a phone task stands.
public enum TaskState: String, Codable, Sendable, CaseIterable {
    case open, done
    /// Closed without reaching the participant: lost to follow-up.
    case unreachable
}
