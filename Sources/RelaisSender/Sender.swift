import Foundation
import Logging
import RelaisDomain
import RelaisMail
import RelaisSMS
import RelaisStore

/// What one sweep did.
public struct SweepReport: Codable, Sendable, Equatable {
    public var at: Date
    /// False outside the sending hours: nothing was looked at.
    public var windowOpen: Bool
    public var due = 0
    public var sent = 0
    public var retrying = 0
    public var failed = 0
    public var skipped = 0
    public var cancelled = 0
    public var tasksOpened = 0
    /// Of `sent`, those sent by SMS.
    public var smsSent = 0
    /// Left pending for later: outside their channel's hours (an SMS at night, on a Sunday or a
    /// public holiday), an SMS reminder waiting for its day, or a transport down in this sweep.
    public var deferred = 0
    /// Set when the mail transport failed: no more mail in this sweep (the rest waits for the
    /// next); a refusal of one message's recipient does not stop it.
    public var transportError: String?
    /// The same for the SMS gateway: no more SMS in this sweep.
    public var smsTransportError: String?

    public init(at: Date, windowOpen: Bool) {
        self.at = at
        self.windowOpen = windowOpen
    }
}

/// The sender loop's single step: inside the sending window, writes the day's staff messages,
/// then takes the due messages one by one: re-check, compose, deliver, mark. A message is
/// marked sent before the next one is taken, so a crash re-sends at most the one in flight
/// (with the same Message-ID).
public struct Sender: Sendable {
    public var outbox: Outbox
    public var transport: any MailTransport
    public var composer: MessageComposer
    public var window: SendingWindow
    /// SMS: their transport, texts and hours; nil when SMS are switched off (`sms.enabled`).
    public var sms: SMSSending?
    public var policy: ReminderPolicy
    /// MM-DD of the yearly evaluation reminder.
    public var evaluationDate: String
    public var logger: Logger
    /// A file locked for the duration of a sweep, so that the daemon's loop and a
    /// `relais send-due` never work on the same messages at once.
    public var lockPath: String?

    public init(outbox: Outbox, transport: any MailTransport, composer: MessageComposer, window: SendingWindow, policy: ReminderPolicy,
                evaluationDate: String, logger: Logger) {
        self.outbox = outbox
        self.transport = transport
        self.composer = composer
        self.window = window
        self.policy = policy
        self.evaluationDate = evaluationDate
        self.logger = logger
    }

    public func sweep(at now: Date, limit: Int = 500) throws -> SweepReport {
        let lock = try lockPath.map(SweepLock.init)
        defer { lock?.release() }
        let mailOpen = window.allows(now)
        let smsOpen = sms?.window.allows(now) ?? false
        var report = SweepReport(at: now, windowOpen: mailOpen || smsOpen)
        let due: [String]
        if report.windowOpen {
            // Staff mail is mail: the day's digests are written in the mail hours.
            if mailOpen {
                try outbox.scheduleDaily(localDate: LocalDateTime(now, in: window.timeZone).date, evaluationDate: evaluationDate, at: now)
            }
            due = try outbox.due(at: now, limit: limit)
        } else {
            // Outside the hours, only what must not wait (security notices to staff).
            due = try outbox.due(at: now, limit: limit, kinds: MessageKind.allCases.filter(\.ignoresSendingWindow))
        }
        report.due = due.count
        // A channel whose transport fails is left alone for the rest of the sweep; the other goes on.
        var unavailable: Set<MessageChannel> = sms == nil ? [.sms] : []
        for id in due {
            if unavailable.isSuperset(of: [.email, .sms]) { break }
            let conditions = ChannelConditions(mailWindow: mailOpen ? nil : window, smsWindow: sms?.window, unavailable: unavailable,
                                               linkKey: sms?.linkKey)
            switch try outbox.prepare(id: id, at: now, tokenDays: policy.tokenDays, timeZone: window.timeZone, conditions: conditions) {
            case .deferred(let until, let channel):
                report.deferred += 1
                logger.debug("outbox \(id) waits (\(channel.rawValue)) until \(until.map { "\($0)" } ?? "the next sweep")")
            case .send(let prepared) where prepared.channel == .sms:
                guard let sms else { continue }
                let record = prepared.record
                let reference = SMSComposer.reference(for: record)
                let message = sms.composer.compose(prepared, reference: reference)
                do {
                    try outbox.beginAttempt(id: record.id, reference: reference)
                    try sms.transport.send(message)
                    try outbox.markSent(id: record.id, recipient: message.to, messageID: reference, channel: .sms, at: now, timeZone: window.timeZone)
                    report.sent += 1
                    report.smsSent += 1
                } catch let error as SMSDeliveryError {
                    let state = try outbox.markAttemptFailed(id: record.id, error: error.reason, failure: error.failure, recipient: message.to,
                                                             permanent: error.isPermanent, channel: .sms, policy: policy, at: now,
                                                             timeZone: window.timeZone)
                    if state == .failed { report.failed += 1 } else { report.retrying += 1 }
                    logger.warning("SMS \(record.kind.rawValue) \(record.id) through \(sms.transport.name) failed: \(error)")
                    if error.concernsTransport {
                        report.smsTransportError = error.reason
                        unavailable.insert(.sms)
                    }
                }
            case .closed(let state, let reason):
                if state == .cancelled { report.cancelled += 1 } else { report.skipped += 1 }
                if reason.openedPhoneTask { report.tasksOpened += 1 }
                logger.debug("outbox \(id) \(state.rawValue): \(reason.text)")
            case .performed(let action):
                if action == .phoneTaskOpened { report.tasksOpened += 1 }
            case .send(let prepared):
                let record = prepared.record
                let message = composer.compose(prepared, at: now)
                do {
                    try transport.deliver(message)
                    try outbox.markSent(id: record.id, recipient: prepared.recipient.email, messageID: message.messageID, at: now)
                    report.sent += 1
                } catch let error as MailDeliveryError {
                    let state = try outbox.markAttemptFailed(id: record.id, error: error.reason, failure: error.failure,
                                                             recipient: prepared.recipient.email, permanent: error.isPermanent, policy: policy,
                                                             at: now, timeZone: window.timeZone)
                    if state == .failed { report.failed += 1 } else { report.retrying += 1 }
                    logger.warning("delivery of \(record.kind.rawValue) \(record.id) through \(transport.name) failed: \(error)")
                    // A transport that is down fails every message alike: no more mail in this
                    // sweep (the next one tries again), instead of burning an attempt of each
                    // message; SMS go on. A refusal of this message alone (its recipient
                    // greylisted, say) waits for its own back-off while the sweep goes on.
                    if error.scope == .transport {
                        report.transportError = error.reason
                        unavailable.insert(.email)
                    }
                }
            }
        }
        return report
    }
}

/// What the sender needs for SMS.
public struct SMSSending: Sendable {
    public var transport: any SMSTransport
    public var composer: SMSComposer
    /// The SMS hours: by default those of mail, and never on a public holiday.
    public var window: SendingWindow
    /// The key of letters' links and codes: an SMS carries a questionnaire's short link.
    public var linkKey: @Sendable () throws -> [UInt8]

    public init(transport: any SMSTransport, composer: SMSComposer, window: SendingWindow, linkKey: @escaping @Sendable () throws -> [UInt8]) {
        self.transport = transport
        self.composer = composer
        self.window = window
        self.linkKey = linkKey
    }
}

/// An exclusive `flock` on a file of the data folder, held for one sweep.
struct SweepLock {
    let descriptor: Int32

    init(path: String) throws {
        descriptor = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw SweepLockError(path: path, code: errno) }
        guard flock(descriptor, LOCK_EX) == 0 else {
            let code = errno
            close(descriptor)
            throw SweepLockError(path: path, code: code)
        }
    }

    func release() {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}

struct SweepLockError: Error, CustomStringConvertible {
    var path: String
    var code: Int32
    var description: String { "cannot lock \(path): \(String(cString: strerror(code)))" }
}
