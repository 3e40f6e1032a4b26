import Foundation
import RelaisDomain

/// One SMS, ready to go: the number (E.164), the sender shown on the phone, the text (already
/// normalised, `SMSText.normalized`), and the reference its delivery reports name.
public struct SMSMessage: Sendable, Equatable {
    public var to: String
    public var from: String
    public var text: String
    /// Names this attempt of this message (the outbox row and a nonce): delivery reports come
    /// back with it.
    public var reference: String
    /// What the message is (`session_reminder`…), written in the spool for people reading it.
    public var kind: String

    public init(to: String, from: String, text: String, reference: String, kind: String = "") {
        self.to = to
        self.from = from
        self.text = text
        self.reference = reference
        self.kind = kind
    }

    public var length: SMSText.Length { SMSText.length(of: text) }
}

/// Why an SMS could not be handed over, in the terms the outbox shares with mail: whether it is
/// worth retrying, whether it concerns this message or every message (the gateway is down),
/// and a code staff read in their language.
public struct SMSDeliveryError: Error, Sendable, CustomStringConvertible {
    public var reason: String
    public var isPermanent: Bool
    public var concernsTransport: Bool
    public var failure: DeliveryFailure

    public init(reason: String, isPermanent: Bool = false, concernsTransport: Bool? = nil, failure: DeliveryFailure) {
        self.reason = reason
        self.isPermanent = isPermanent
        self.concernsTransport = concernsTransport ?? !isPermanent
        self.failure = failure
    }

    public var description: String { isPermanent ? "\(reason) (permanent)" : reason }
}

/// A way to hand an SMS over: files in a spool folder, or a Kannel gateway. Implementations are
/// safe to call from several threads at once.
public protocol SMSTransport: Sendable {
    /// "spool" or "kannel", for logs and the settings page.
    var name: String { get }
    func send(_ message: SMSMessage) throws(SMSDeliveryError)
}

extension SMSMessage {
    /// Every transport refuses what no gateway should be given: a number not in E.164, a text
    /// longer than three SMS, an empty text.
    public func validate() throws(SMSDeliveryError) {
        guard MobileNumber.isE164(to) else {
            throw SMSDeliveryError(reason: "invalid mobile number '\(to.prefix(40))' (E.164 expected)", isPermanent: true, failure: .numberInvalid)
        }
        guard !text.isEmpty else { throw SMSDeliveryError(reason: "empty text", isPermanent: true, failure: .textTooLong) }
        let length = self.length
        guard length.segments <= SMSText.maxSegments else {
            throw SMSDeliveryError(reason: "text of \(length) is longer than \(SMSText.maxSegments) SMS", isPermanent: true, failure: .textTooLong)
        }
    }
}
