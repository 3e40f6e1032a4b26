import Foundation
import RelaisDomain
import RelaisSMS
import RelaisStore

/// Turns a prepared outbox message into an SMS: short, and for the eyes of whoever sees the
/// phone's screen. It says the day, the time and the place (the site's address and room, never
/// the names of the programme, of the session or of the site, which may say what it is about),
/// or the questionnaire's short link; never a score, never another participant.
public struct SMSComposer: Sendable {
    public var templates: SMSTemplates
    /// The sender shown on the phone: the structure's name (`SMSText.senderName`) or `sms.sender`.
    public var sender: String
    public var structureName: String
    /// The structure's phone number, for "cannot come? call…".
    public var structurePhone: String?
    /// Where links point, without a trailing slash.
    public var publicBaseURL: String

    /// A place line longer than this is cut (a very long address would push the text past three SMS).
    static let placeLimit = 60

    public init(templates: SMSTemplates, sender: String, structureName: String, structurePhone: String?, publicBaseURL: String) {
        self.templates = templates
        self.sender = sender
        self.structureName = structureName
        self.structurePhone = structurePhone
        self.publicBaseURL = publicBaseURL.hasSuffix("/") ? String(publicBaseURL.dropLast()) : publicBaseURL
    }

    /// A new reference for one attempt of this message: its outbox id and a nonce.
    public static func reference(for record: OutboxRecord) -> String {
        "\(record.id).\(UUID().uuidString.prefix(8).lowercased())"
    }

    /// The SMS of a prepared message. The shipped texts fit in three SMS with long names and
    /// addresses; should one not (a structure's phone of 40 characters, a template made longer),
    /// it is written again with the place cut shorter, then without the structure's phone, before
    /// the transport refuses it (`text_too_long`).
    public func compose(_ prepared: PreparedMessage, reference: String) -> SMSMessage {
        let language = prepared.recipient.language == "en" ? "en" : "fr"
        var context = context(prepared, language: language)
        var text = templates.render(prepared.record.kind, language: language, context: context)
        for step in 0..<2 where SMSText.length(of: text).segments > SMSText.maxSegments {
            if step == 0 {
                for key in ["place", "consultation"] {
                    guard var facts = context[key] as? [String: Any], let line = facts["where"] as? String else { continue }
                    facts["where"] = Self.cut(line, to: 30)
                    context[key] = facts
                }
            } else {
                context["structurePhone"] = nil
            }
            text = templates.render(prepared.record.kind, language: language, context: context)
        }
        return SMSMessage(to: prepared.recipient.mobile ?? "", from: sender, text: text, reference: reference, kind: prepared.record.kind.rawValue)
    }

    /// `text` cut after a whole word to at most `limit` characters, with "…".
    static func cut(_ text: String, to limit: Int) -> String {
        guard text.count > limit else { return text }
        var cut = String(text.prefix(limit - 1))
        if let space = cut.lastIndex(of: " ") { cut = String(cut[..<space]) }
        return cut.trimmingCharacters(in: CharacterSet(charactersIn: " ,;-")) + "…"
    }

    /// The short link of a questionnaire: the letters' code page with the code in it.
    public func shortLink(code: String) -> String { "\(publicBaseURL)/c/\(LetterCode.grouped(code))" }

    func context(_ prepared: PreparedMessage, language: String) -> [String: Any] {
        let zone = prepared.timeZone
        var context: [String: Any] = ["firstName": prepared.recipient.firstName, "structure": structureName]
        if let structurePhone { context["structurePhone"] = structurePhone }
        var placeFacts: [String: Any] = [:]
        if let place = prepared.place {
            placeFacts = ["inPerson": place.modality != .visio, "visio": place.modality != .inPerson, "visioURL": place.visioURL ?? "",
                          "where": Self.where(place, language: language)]
            context["place"] = placeFacts
        }
        func when(_ instant: Date) -> [String: Any] {
            ["date": Self.day(instant, zone: zone, language: language), "time": DateWording.time(instant, in: zone, language: language)]
        }
        let before = prepared.record.payload["previousStartsAt"].flatMap(Double.init).map(Date.init(timeIntervalSince1970:))
        if let session = prepared.session {
            var facts = when(session.startsAt)
            facts["index"] = session.index
            if let before { facts["before"] = Self.moment(before, zone: zone, language: language) }
            context["session"] = facts
        }
        if let first = prepared.sessions.first {
            context["first"] = when(first.startsAt)
        }
        if let consultation = prepared.consultation {
            var facts = when(consultation.startsAt)
            facts["inPerson"] = consultation.modality == .inPerson
            facts["visio"] = consultation.modality == .visio
            facts["phone"] = consultation.modality == .phone
            // The site's address: the group's room is not where a consultation is held.
            facts["where"] = prepared.place.map { place -> String in
                var site = place
                site.roomName = nil
                return Self.where(site, language: language)
            } ?? ""
            facts["visioURL"] = prepared.place?.visioURL ?? ""
            if let before { facts["before"] = Self.moment(before, zone: zone, language: language) }
            context["consultation"] = facts
        }
        if let code = prepared.questionnaireCode {
            context["questionnaire"] = ["link": shortLink(code: code), "code": LetterCode.grouped(code),
                                        "expires": prepared.linkExpiresAt.map { Self.day($0, zone: zone, language: language) } ?? ""]
        } else if let token = prepared.questionnaireToken {
            context["questionnaire"] = ["link": "\(publicBaseURL)/q/\(token)", "code": "",
                                        "expires": prepared.linkExpiresAt.map { Self.day($0, zone: zone, language: language) } ?? ""]
        }
        if let months = prepared.followUpMonths {
            context["followUp"] = ["months": months, "period": DateWording.months(months, language: language)]
        }
        return context
    }

    /// The site's address and the room, without the site's name (it may name the care it gives:
    /// "CSAPA…"), cut to `placeLimit` characters; the site's name only when it has no address.
    /// Too long with the room, the address alone, from its end; too long still, cut after a whole word.
    static func `where`(_ place: PlaceFacts, language: String) -> String {
        var address = ""
        if let text = place.siteAddress?.split(whereSeparator: \.isNewline).joined(separator: ", "), !text.isEmpty { address = text }
        else if let name = place.siteName { address = name }
        let room = place.roomName.map { RoomWording.named($0, language: language) }
        let line = [address, room ?? ""].filter { !$0.isEmpty }.joined(separator: ", ")
        if line.count <= placeLimit { return line }
        // The end of an address (street, postcode and town) matters most: its first parts go first.
        var parts = address.components(separatedBy: ", ")
        while parts.joined(separator: ", ").count > placeLimit && parts.count > 2 { parts.removeFirst() }
        return cut(parts.joined(separator: ", "), to: placeLimit)
    }

    /// "jeudi 4 mars": the weekday, the day and the month, without the year.
    static func day(_ instant: Date, zone: TimeZone, language: String) -> String {
        DateWording.dayWithoutYear(LocalDateTime(instant, in: zone).date, language: language)
    }

    /// The day and month of what was announced before a change: "11 mars", "11 March".
    static func moment(_ instant: Date, zone: TimeZone, language: String) -> String {
        let date = LocalDateTime(instant, in: zone).date
        let words = DateWording.dayWithoutYear(date, language: language).split(separator: " ")
        return words.dropFirst().joined(separator: " ")
    }
}
