import Foundation

/// A mobile number Relais can send SMS to, normalised to E.164 (`+33612345678`) where it is
/// entered, so that every later step (the outbox, the gateway, the delivery reports) compares one
/// form. Accepted: French mobiles as people write them (`06 12 34 56 78`, `07.12.34.56.78`,
/// `+33 6 12 34 56 78`, `0033 (0)6…`), including the overseas départements' mobiles, which
/// have their own country codes (`06 90…` is `+590 690…` in Guadeloupe), and any international
/// number written with its country code (`+32 470 12 34 56`, `0044 7700 900123`).
/// Refused, with a reason: a French landline or service number (01–05, 08, 09: no SMS reaches
/// it), and anything that is not a phone number.
public enum MobileNumber {
    /// Separators people type between digits; all are ignored.
    static let separators: Set<Character> = [" ", ".", "-", "/", "(", ")", "\u{00A0}", "\u{202F}", "\u{2010}", "\u{2011}", "\u{2013}", "\t"]

    /// French mobile prefixes (after the 0) whose E.164 country code is not +33: the overseas
    /// départements and Mayotte (ARCEP numbering plan).
    static let overseas: [String: String] = [
        "690": "590", "691": "590",             // Guadeloupe, Saint-Martin, Saint-Barthélemy
        "694": "594",                           // Guyane
        "696": "596", "697": "596",             // Martinique
        "692": "262", "693": "262", "639": "262", // La Réunion, Mayotte
    ]

    /// The E.164 form, or the reason it cannot be one.
    public static func normalized(_ text: String) -> Result<String, Reason> {
        var kept = ""
        for character in text.trimmingCharacters(in: .whitespacesAndNewlines) where !separators.contains(character) {
            kept.append(character)
        }
        // "+33 (0)6 12…": the 0 kept between parentheses is the national prefix, dropped here.
        if kept.hasPrefix("+330") { kept = "+33" + kept.dropFirst(4) }
        if kept.hasPrefix("00330") { kept = "0033" + kept.dropFirst(5) }
        guard !kept.isEmpty, kept.dropFirst(kept.hasPrefix("+") ? 1 : 0).allSatisfy({ $0.isASCII && $0.isNumber }) else {
            return .failure(Reason(.mobileInvalid))
        }
        let international: Substring?
        if kept.hasPrefix("+") { international = kept.dropFirst() }
        else if kept.hasPrefix("00") { international = kept.dropFirst(2) }
        else { international = nil }
        if let digits = international {
            // A country code and a subscriber number: 9 to 15 digits in all (E.164 allows 15; no mobile has fewer than 9).
            guard (9...15).contains(digits.count), digits.first != "0" else { return .failure(Reason(.mobileInvalid)) }
            // A French number written internationally: the same rule as written nationally.
            if digits.hasPrefix("33") {
                return french("0" + digits.dropFirst(2))
            }
            return .success("+" + digits)
        }
        return french(Substring(kept))
    }

    /// A French number written nationally (ten digits from 0).
    private static func french(_ digits: Substring) -> Result<String, Reason> {
        guard digits.count == 10, digits.first == "0" else { return .failure(Reason(.mobileInvalid)) }
        let national = digits.dropFirst()
        guard national.first == "6" || national.first == "7" else {
            // 01–05: landlines, 08: services, 09: internet boxes; 00 would be international.
            return .failure(Reason(digits.dropFirst().first == "0" ? .mobileInvalid : .mobileLandline))
        }
        if let code = overseas[String(national.prefix(3))] { return .success("+" + code + national) }
        return .success("+33" + national)
    }

    /// Whether `text` is already in the stored form: `+`, a country code, 9 to 15 digits in all.
    public static func isE164(_ text: String) -> Bool {
        guard text.hasPrefix("+") else { return false }
        let digits = text.dropFirst()
        return (9...15).contains(digits.count) && digits.first != "0" && digits.allSatisfy { $0.isASCII && $0.isNumber }
    }

    /// `+33612345678` as French readers know it: `06 12 34 56 78`; other numbers stay in E.164,
    /// grouped after the country code only where it is known (`+32 470123456` is left as is).
    public static func display(_ e164: String) -> String {
        if e164.hasPrefix("+33"), e164.count == 12 {
            let national = "0" + e164.dropFirst(3)
            var groups: [String] = []
            var rest = Substring(national)
            while !rest.isEmpty {
                groups.append(String(rest.prefix(2)))
                rest = rest.dropFirst(2)
            }
            return groups.joined(separator: " ")
        }
        return e164
    }
}

extension Result {
    /// The value, or nil for a failure.
    public var successValue: Success? {
        if case .success(let value) = self { return value }
        return nil
    }
}
