/// How a message reaches a person.
public enum MessageChannel: String, Codable, Sendable, CaseIterable {
    case email
    case sms
    /// Nobody is written to: a phone task for the staff (and, for a questionnaire, a printable
    /// letter) says it instead.
    case phone
}

/// The ways a participant can be written to, as the send-time check finds them.
public struct ContactMeans: Sendable, Equatable {
    /// An email address and consent to email.
    public var email: Bool
    /// A mobile number, consent to SMS, and SMS switched on for the structure (`sms.enabled`).
    public var sms: Bool
    /// SMS is the participant's preferred channel: it comes before email.
    public var prefersSMS: Bool

    public init(email: Bool, sms: Bool, prefersSMS: Bool = false) {
        self.email = email
        self.sms = sms
        self.prefersSMS = prefersSMS
    }
}

/// Which channel each kind of message takes (the table of the README, "Channels"): email when
/// the participant consented to it and has an address, else SMS when they consented to it with a
/// mobile number (SMS first when it is their preferred channel), else, for what they must not
/// miss, a phone task (with a letter for a questionnaire); a routine message is then not sent.
/// Staff messages are email only; the follow-up call is a phone task by nature.
public enum ChannelRules {
    /// The channels `kind` may take, in the order they are tried.
    public static func channels(for kind: MessageKind, prefersSMS: Bool = false) -> [MessageChannel] {
        switch kind {
        case .staffDigest, .evaluationReminder, .passwordReset: return [.email]
        case .followUpCall: return []
        default: return prefersSMS ? [.sms, .email] : [.email, .sms]
        }
    }

    /// What takes the place of a message that no channel can carry: a phone task, or nothing.
    public static func fallback(for kind: MessageKind) -> MessageChannel? {
        kind == .followUpCall || kind.needsPhoneWithoutEmail ? .phone : nil
    }

    /// The channel of one participant message, or nil when it is simply not sent.
    public static func channel(for kind: MessageKind, _ means: ContactMeans) -> MessageChannel? {
        for channel in channels(for: kind, prefersSMS: means.prefersSMS) {
            switch channel {
            case .email where means.email: return .email
            case .sms where means.sms: return .sms
            default: continue
            }
        }
        return fallback(for: kind)
    }

    /// Whether `kind` is a reminder before an appointment, whose SMS goes
    /// `ReminderPolicy.smsReminderDays` before it.
    public static func isAppointmentReminder(_ kind: MessageKind) -> Bool {
        kind == .sessionReminder || kind == .consultationReminder
    }
}

/// What the SMS gateway's delivery reports say of a message sent by SMS.
public enum SMSDelivery: String, Codable, Sendable, CaseIterable {
    /// The operator's centre took it (it may still be on its way to the phone).
    case accepted
    /// It reached the phone.
    case delivered
    /// It will not reach the phone (number unknown, phone off for too long, refused).
    case failed

    /// Delivered or failed: what a later report cannot change.
    public var isFinal: Bool { self != .accepted }

    /// Kannel's delivery report type (`%d` in `dlr-url`): 1 delivered to the phone, 2 not
    /// delivered to the phone, 4 queued at the operator's centre, 8 delivered to it, 16 not
    /// delivered to it. Nil for another value.
    public init?(kannelType: Int) {
        switch kannelType {
        case 1: self = .delivered
        case 2, 16: self = .failed
        case 4, 8: self = .accepted
        default: return nil
        }
    }
}
