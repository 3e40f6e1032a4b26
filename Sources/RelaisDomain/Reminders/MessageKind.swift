import Foundation

/// What an outbox entry is for. Most are mail; `followUpCall` is an action the sender performs at
/// its due time (opening a phone task when the follow-up is still unanswered).
public enum MessageKind: String, Codable, Sendable, CaseIterable {
    case enrolmentConfirmation = "enrolment_confirmation"
    /// To a participant placed on the waiting list of a full programme: they are told where they
    /// stand (without email, staff call them: nothing is queued for a phone).
    case waitingList = "waiting_list"
    case sessionReminder = "session_reminder"
    case sessionChanged = "session_changed"
    case sessionCancelled = "session_cancelled"
    /// An individual consultation still to come was moved: the old and the new time.
    case consultationChanged = "consultation_changed"
    case endQuestionnaire = "end_questionnaire"
    case endQuestionnaireReminder = "end_questionnaire_reminder"
    case followUpInvitation = "follow_up_invitation"
    case followUpReminder = "follow_up_reminder"
    case followUpCall = "follow_up_call"
    case staffDigest = "staff_digest"
    case evaluationReminder = "evaluation_reminder"
    /// To a staff member whose password someone else reset: so that an administrator cannot use
    /// a clinical account unnoticed.
    case passwordReset = "password_reset"
    /// Before an individual consultation (as before a session): its day, time and how it is held.
    case consultationReminder = "consultation_reminder"

    /// Mail to a participant (as opposed to staff mail and actions).
    public var isParticipantMail: Bool {
        switch self {
        case .staffDigest, .evaluationReminder, .followUpCall, .passwordReset: return false
        default: return true
        }
    }

    /// A security notice goes at once, even outside the sending hours meant for participants.
    public var ignoresSendingWindow: Bool { self == .passwordReset }

    /// Mail that carries a questionnaire link: without email it becomes a phone task.
    public var carriesQuestionnaire: Bool {
        switch self {
        case .endQuestionnaire, .endQuestionnaireReminder, .followUpInvitation, .followUpReminder: return true
        default: return false
        }
    }

    /// Information the participant must not miss: without email, a phone task says it instead.
    /// (A routine reminder two days before a session is simply skipped.)
    public var needsPhoneWithoutEmail: Bool {
        carriesQuestionnaire || self == .sessionChanged || self == .sessionCancelled || self == .consultationChanged
    }
}

/// The timing rules of the reminders (README, "Reminders and follow-up"), in one place.
public struct ReminderPolicy: Sendable, Equatable {
    /// Session reminder: this many days before the start (consultation reminders too).
    public var sessionReminderDays = 2
    /// The same reminders sent by SMS: this many days before (1: the day before, or 2),
    /// `sms.reminder_days_before`; a reminder due earlier waits for it.
    public var smsReminderDays = 2
    /// Follow-up reminders, in days after the invitation.
    public var followUpReminderDays = [7, 14]
    /// Then a phone task, this many days after the invitation.
    public var followUpCallDays = 21
    /// End-of-programme questionnaire reminder, in days after the invitation.
    public var endQuestionnaireReminderDays = [7]
    /// Delivery attempts before a message is marked failed, and the first back-off.
    public var maxAttempts = 6
    public var firstRetrySeconds = 300
    /// Questionnaire links expire after this many days.
    public var tokenDays = 60
    /// Whether SMS go at all (`sms.enabled`): off, participants are reached by email or by phone only.
    public var smsEnabled = true
    /// A message to a participant whose moment passed more than this many days before it is
    /// written (a programme entered after the fact) is never sent: it is kept as skipped,
    /// "recorded late", and a questionnaire becomes a phone task for the staff instead.
    public var staleAfterDays = 14

    /// Whether a message for `moment`, written at `now`, comes too late to be sent.
    public func isStale(moment: Date, writtenAt now: Date) -> Bool {
        now.timeIntervalSince(moment) > Double(staleAfterDays) * 86400
    }

    public init() {}

    /// Exponential back-off: first, 2×first, 4×first … capped at 6 hours.
    public func retryDelay(afterAttempt attempt: Int) -> TimeInterval {
        let exponent = min(max(attempt - 1, 0), 16)
        return min(Double(firstRetrySeconds) * pow(2, Double(exponent)), 6 * 3600)
    }
}
