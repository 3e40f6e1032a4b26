import Foundation
import Logging
import RelaisDomain
import RelaisMail
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
    /// Set when the transport failed and the sweep stopped early (the rest waits for the next sweep);
    /// a refusal of one message's recipient does not stop it.
    public var transportError: String?

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
        var report = SweepReport(at: now, windowOpen: window.allows(now))
        let due: [String]
        if report.windowOpen {
            try outbox.scheduleDaily(localDate: LocalDateTime(now, in: window.timeZone).date, evaluationDate: evaluationDate, at: now)
            due = try outbox.due(at: now, limit: limit)
        } else {
            // Outside the hours, only what must not wait (security notices to staff).
            due = try outbox.due(at: now, limit: limit, kinds: MessageKind.allCases.filter(\.ignoresSendingWindow))
        }
        report.due = due.count
        for id in due {
            switch try outbox.prepare(id: id, at: now, tokenDays: policy.tokenDays, timeZone: window.timeZone) {
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
                    // A transport that is down fails every message alike: stop here and let the
                    // next sweep try again, instead of burning an attempt of each message. A
                    // refusal of this message alone (its recipient greylisted, say) waits for its
                    // own back-off while the sweep goes on.
                    if error.scope == .transport {
                        report.transportError = error.reason
                        break
                    }
                }
            }
            if report.transportError != nil { break }
        }
        return report
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
