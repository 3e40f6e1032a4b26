import RelaisDomain

/// Why a delivery failed. `isPermanent` means retrying the same message cannot succeed
/// (e.g. the server refused the recipient with a 5xx reply); everything else is worth a retry.
public struct MailDeliveryError: Error, Sendable, CustomStringConvertible {
    /// What the failure puts in doubt: the next message, or only this one.
    public enum Scope: Sendable, Equatable {
        /// This message alone: its recipient was refused, for good or for now (greylisting), or
        /// its content was refused. The next message may well go through.
        case message
        /// The way out: no connection, TLS or authentication failure, timeout, the server closing
        /// (421), a local command failing. Every message would fail alike.
        case transport
    }

    /// The technical detail, in English, for the log (staff read `failure`'s sentence).
    public var reason: String
    public var isPermanent: Bool
    public var scope: Scope
    /// What went wrong, as a stable code with a sentence in the locale files.
    public var failure: DeliveryFailure

    /// A permanent refusal concerns this message; anything else is taken as the transport's
    /// unless the transport can tell that the server refused this message's recipient.
    public init(reason: String, isPermanent: Bool = false, scope: Scope? = nil, failure: DeliveryFailure = .transportFailed) {
        self.reason = reason
        self.isPermanent = isPermanent
        self.scope = scope ?? (isPermanent ? .message : .transport)
        self.failure = failure
    }

    public var description: String { isPermanent ? "\(reason) (permanent)" : reason }
}

/// A way to hand a message over: SMTP, a sendmail-like command, or files in a maildir.
/// Implementations are safe to call from several threads at once.
public protocol MailTransport: Sendable {
    /// A short name for logs and the staff digest ("smtp", "sendmail", "maildir").
    var name: String { get }
    func deliver(_ message: MailMessage) throws(MailDeliveryError)
}

extension MailMessage {
    /// Transports refuse undeliverable addresses up front, by the rule entry forms apply
    /// (`EmailAddress`): a server would refuse them anyway (no SMTPUTF8), and it keeps the
    /// envelope free of anything the renderer had to strip.
    func validateAddresses() throws(MailDeliveryError) {
        if let problem = EmailAddress.deliveryProblem(to.address) {
            throw MailDeliveryError(reason: "invalid recipient address '\(MIME.sanitizeHeaderText(to.address))' (\(problem))", isPermanent: true,
                                    failure: .addressInvalid)
        }
        if let problem = EmailAddress.deliveryProblem(from.address) {
            // The sender comes from the configuration, not from the message: fixable, so not permanent.
            throw MailDeliveryError(reason: "invalid sender address '\(MIME.sanitizeHeaderText(from.address))' (\(problem))",
                                    failure: .senderRefused)
        }
    }
}
