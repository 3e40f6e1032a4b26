import Foundation

/// How long an SMS is, the way the network counts it (3GPP TS 23.038 and 23.040).
///
/// A text made only of the GSM 7-bit default alphabet goes as GSM-7: 160 characters in one SMS,
/// 153 per part once it is split (each part carries a 7-byte concatenation header); the
/// characters of the extension table (`€ [ ] { } \ ^ ~ |`) take two places each. One character
/// outside it (`ê`, `ç`, `ô`, an emoji…) makes the whole text go as UCS-2: 70 characters in one SMS,
/// 67 per part, counted in UTF-16 units (an emoji outside the basic plane takes two).
/// French keeps `é è à ù É` in GSM-7, but `ê â î ô û ç ë ï` force UCS-2, and so do the typographic
/// apostrophe and quotes, which `normalized` turns into their plain forms first.
public enum SMSText {
    public enum Encoding: String, Sendable, Codable, Equatable {
        case gsm7 = "GSM-7"
        case ucs2 = "UCS-2"
    }

    /// Relais's limit for one message to a participant: three parts.
    public static let maxSegments = 3

    /// The GSM 7-bit default alphabet (one septet each). `Ç` is the table's 0x09 (shown as `ç`
    /// by some phones, but only the capital is the standard's).
    static let basic: Set<Character> = Set(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
    /// The extension table, reached through an escape: two septets each.
    static let extended: Set<Character> = Set("^{}\\[~]|€\u{000C}")

    public struct Length: Sendable, Equatable, CustomStringConvertible {
        public var encoding: Encoding
        /// Septets for GSM-7, UTF-16 units for UCS-2.
        public var units: Int
        public var segments: Int

        public init(encoding: Encoding, units: Int, segments: Int) {
            self.encoding = encoding
            self.units = units
            self.segments = segments
        }

        public var description: String { "\(units) \(encoding == .gsm7 ? "septets" : "UTF-16 units") in \(encoding.rawValue), \(segments) SMS" }
    }

    /// The encoding a gateway must use for `text`.
    public static func encoding(of text: String) -> Encoding {
        text.allSatisfy { basic.contains($0) || extended.contains($0) } ? .gsm7 : .ucs2
    }

    /// The length of `text` as sent, and the number of SMS it takes.
    public static func length(of text: String) -> Length {
        let encoding = encoding(of: text)
        switch encoding {
        case .gsm7:
            let units = text.reduce(0) { $0 + (extended.contains($1) ? 2 : 1) }
            // A two-septet character is never split across two parts.
            return Length(encoding: .gsm7, units: units, segments: units <= 160 ? 1 : gsmSegments(text))
        case .ucs2:
            let units = text.utf16.count
            return Length(encoding: .ucs2, units: units, segments: units <= 70 ? 1 : (units + 66) / 67)
        }
    }

    private static func gsmSegments(_ text: String) -> Int {
        var segments = 1, used = 0
        for character in text {
            let width = extended.contains(character) ? 2 : 1
            if used + width > 153 {
                segments += 1
                used = 0
            }
            used += width
        }
        return segments
    }

    /// The text as it should go: typographic punctuation that has a plain equivalent in GSM-7
    /// replaced by it (a curly apostrophe alone would turn the whole text into UCS-2 and halve
    /// its room), no-break spaces as spaces, line ends as `\n`, runs of spaces and blank lines
    /// collapsed, no space at the ends of lines. Letters are never changed: `ê` stays `ê`.
    public static func normalized(_ text: String) -> String {
        let replacements: [Character: String] = [
            "\u{2019}": "'", "\u{2018}": "'", "\u{02BC}": "'", "«": "\"", "»": "\"", "\u{201C}": "\"", "\u{201D}": "\"",
            "\u{00A0}": " ", "\u{202F}": " ", "\u{2009}": " ", "\u{2013}": "-", "\u{2014}": "-", "\u{2010}": "-", "\u{2011}": "-",
            "\u{2026}": "...", "\t": " ", "\r\n": "\n", "\r": "\n",
        ]
        // French quotes keep their inner spaces: « x » is "x".
        var quoted = text
        for space in [" ", "\u{00A0}", "\u{202F}"] {
            quoted = quoted.replacingOccurrences(of: "«" + space, with: "«").replacingOccurrences(of: space + "»", with: "»")
        }
        var plain = ""
        for character in quoted { plain += replacements[character] ?? String(character) }
        var lines: [String] = []
        for line in plain.split(separator: "\n", omittingEmptySubsequences: false) {
            let words = line.split(separator: " ", omittingEmptySubsequences: true)
            lines.append(words.joined(separator: " "))
        }
        // At most one blank line in a row, none at the ends.
        var result: [String] = []
        for line in lines where !(line.isEmpty && (result.last?.isEmpty ?? true)) { result.append(line) }
        while result.last?.isEmpty == true { result.removeLast() }
        return result.joined(separator: "\n")
    }

    /// The sender an SMS shows: an alphanumeric sender of at most 11 characters (letters without
    /// accents, digits, spaces), as operators require, made from the structure's name: as many
    /// of its whole words as fit ("CSAPA Nord"), else the start of the first one. Nil when the
    /// name has no letter to show.
    public static func senderName(from name: String) -> String? {
        let folded = name.folding(options: [.diacriticInsensitive, .widthInsensitive], locale: Locale(identifier: "fr_FR"))
        // Elided one-letter words ("d'", "l'") say nothing on a phone's screen.
        let words = folded.split(whereSeparator: { !($0.isASCII && ($0.isLetter || $0.isNumber)) }).map(String.init)
            .filter { $0.count > 1 || $0.allSatisfy(\.isNumber) }
        var sender = ""
        for word in words {
            let candidate = sender.isEmpty ? word : sender + " " + word
            if candidate.count <= 11 { sender = candidate } else { break }
        }
        if sender.isEmpty, let first = words.first { sender = String(first.prefix(11)) }
        guard sender.contains(where: \.isLetter) else { return nil }
        return sender
    }

    /// Whether `sender` may be used as it is: 1 to 11 letters, digits and spaces with at least one
    /// letter (alphanumeric), or a number of 3 to 15 digits with an optional `+`.
    public static func isValidSender(_ sender: String) -> Bool {
        if sender.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "+") }) {
            let digits = sender.hasPrefix("+") ? sender.dropFirst() : Substring(sender)
            return (3...15).contains(digits.count) && digits.allSatisfy(\.isNumber)
        }
        return (1...11).contains(sender.count) && sender.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == " ") }
            && sender.contains(where: \.isLetter) && sender.first != " " && sender.last != " "
    }
}
