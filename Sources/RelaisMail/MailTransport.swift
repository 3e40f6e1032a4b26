/// Why a delivery failed. `isPermanent` means retrying the same message cannot succeed
/// (e.g. the server refused the recipient with a 5xx reply); everything else is worth a retry.
public struct MailDeliveryError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var isPermanent: Bool

    public init(reason: String, isPermanent: Bool = false) {
        self.reason = reason
        self.isPermanent = isPermanent
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
    /// Transports refuse invalid addresses up front: a server would refuse them anyway, and it
    /// keeps the envelope free of anything the renderer had to strip.
    func validateAddresses() throws(MailDeliveryError) {
        guard to.isValid else {
            throw MailDeliveryError(reason: "invalid recipient address '\(MIME.sanitizeHeaderText(to.address))'", isPermanent: true)
        }
        guard from.isValid else {
            // The sender comes from the configuration, not from the message: fixable, so not permanent.
            throw MailDeliveryError(reason: "invalid sender address '\(MIME.sanitizeHeaderText(from.address))'")
        }
    }
}
