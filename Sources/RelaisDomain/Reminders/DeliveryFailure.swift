/// Why a message could not be delivered, as a stable code: what the transports tell of a failure
/// (an SMTP reply, a command's exit status, a file that could not be written), stored with the
/// message so that staff read a sentence in their language (`reason.delivery_…`) rather than
/// libcurl's English, and know what to do about it.
public enum DeliveryFailure: String, Codable, Sendable, CaseIterable {
    /// The address breaks the rule of `EmailAddress`: refused before any server was asked.
    case addressInvalid = "address_invalid"
    /// The receiving server says the mailbox does not exist (5.1.1 "user unknown", 551).
    case mailboxUnknown = "mailbox_unknown"
    /// The server refused this recipient for good (another 5xx reply to RCPT TO).
    case recipientRefused = "recipient_refused"
    /// The server asked to try this recipient later (a 4xx reply to RCPT TO: greylisting, full mailbox).
    case recipientDeferred = "recipient_deferred"
    /// The server refused the message itself (its size or content: a 5xx reply to DATA).
    case messageRefused = "message_refused"
    /// The sender address (`mail.from`) is invalid or was refused.
    case senderRefused = "sender_refused"
    /// The mail server could not be reached (name not found, connection refused).
    case serverUnreachable = "server_unreachable"
    /// The mail server did not answer in time.
    case timeout
    /// The mail server refused the login (`mail.smtp.username`, `mail.smtp.password`).
    case authenticationFailed = "authentication_failed"
    /// The TLS connection could not be set up (certificate, STARTTLS not offered).
    case tlsFailed = "tls_failed"
    /// The mail server closed the connection (421) or the transport failed another way.
    case transportFailed = "transport_failed"
    /// The local end failed: the maildir could not be written, the sendmail command did not run.
    case localFailure = "local_failure"
    /// SMS: the number is not one an SMS can be sent to (refused before any gateway was asked, or by it).
    case numberInvalid = "number_invalid"
    /// SMS: the gateway (Kannel's smsbox) could not be reached.
    case gatewayUnreachable = "gateway_unreachable"
    /// SMS: the gateway refused the message or Relais's login (`sms.kannel.username`, `password`).
    case gatewayRefused = "gateway_refused"
    /// SMS: the operator's delivery report says the message did not reach the phone.
    case notDelivered = "not_delivered"
    /// SMS: the text would take more than three SMS (a template made too long).
    case textTooLong = "text_too_long"

    /// Whether the address itself can never be delivered to: retrying is useless, correcting
    /// the participant's email is what helps.
    public var concernsTheAddress: Bool {
        switch self {
        case .addressInvalid, .mailboxUnknown, .recipientRefused, .numberInvalid: true
        default: false
        }
    }

    /// The reason staff read, from the locale files.
    public var reason: Reason {
        let code: ReasonCode = switch self {
        case .addressInvalid: .deliveryAddressInvalid
        case .mailboxUnknown: .deliveryMailboxUnknown
        case .recipientRefused: .deliveryRecipientRefused
        case .recipientDeferred: .deliveryRecipientDeferred
        case .messageRefused: .deliveryMessageRefused
        case .senderRefused: .deliverySenderRefused
        case .serverUnreachable: .deliveryServerUnreachable
        case .timeout: .deliveryTimeout
        case .authenticationFailed: .deliveryAuthenticationFailed
        case .tlsFailed: .deliveryTLSFailed
        case .transportFailed: .deliveryTransportFailed
        case .localFailure: .deliveryLocalFailure
        case .numberInvalid: .deliveryNumberInvalid
        case .gatewayUnreachable: .deliveryGatewayUnreachable
        case .gatewayRefused: .deliveryGatewayRefused
        case .notDelivered: .deliveryNotDelivered
        case .textTooLong: .deliveryTextTooLong
        }
        return Reason(code)
    }
}
