import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases

/// How staff see messages by channel and state: the participant record's messages, the SMS of
/// the outbox page, the dashboard's SMS counts, the settings page's SMS rows and test SMS.
extension RelaisApp {
    /// The status staff read of a message: its state, and for an SMS handed to the gateway what
    /// the delivery report said (`accepted`, `delivered`, `failed`).
    static func messageStatus(_ message: OutboxRecord) -> String {
        if message.state == .sent, let delivery = message.delivery { return delivery.rawValue }
        return message.state.rawValue
    }

    /// The statuses of SMS in the order the pages list their counts.
    static let smsStatuses = ["pending", "sent", "accepted", "delivered", "failed", "cancelled", "skipped"]

    /// One message as a row: when, what, how, to whom, and its status in words.
    func messageRow(_ message: OutboxRecord, participant: ParticipantRecord? = nil, language: String) -> [String: Any] {
        let strings = renderer.strings(language)
        let status = Self.messageStatus(message)
        let moment = message.sentAt ?? message.nextAttemptAt
        var row: [String: Any] = [
            "id": message.id, "kind": strings["kind_\(message.kind.rawValue)"] ?? message.kind.rawValue,
            "channel": message.channel.map { strings["s_channel_\($0.rawValue)"] ?? $0.rawValue } ?? (strings["s_channel_none"] ?? ""),
            "isSMS": message.channel == .sms,
            "status": strings["s_status_\(status)"] ?? status, "statusCode": status,
            "when": when(moment, structureZone, language),
            "recipient": message.recipient.map { message.channel == .sms ? MobileNumber.display($0) : $0 } ?? "",
            "detail": message.deliveryDetail ?? "",
            "deliveryAt": message.deliveryAt.map { when($0, structureZone, language) } ?? "",
        ]
        if message.state == .failed { row["reason"] = renderer.text((message.failure ?? .transportFailed).reason, language: language) }
        if let participant {
            row["participantId"] = participant.id
            row["name"] = "\(participant.firstName) \(participant.lastName)"
        }
        return row
    }

    /// SMS counts by status, each with its label, for the dashboard and the outbox page.
    func smsCountRows(_ counts: [String: Int], language: String) -> [[String: Any]] {
        let strings = renderer.strings(language)
        return Self.smsStatuses.compactMap { status in
            guard let count = counts[status], count > 0 else { return nil }
            return ["status": status, "label": strings["s_status_\(status)"] ?? status, "count": count]
        }
    }
}
