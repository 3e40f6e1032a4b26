// The MIME renderer as it was before the byte-oriented rewrite, kept verbatim (renamed) as a
// test oracle: the new `rendered()` must produce exactly the same bytes. Test code only.
import Foundation
@testable import RelaisMail

/// The previous `MailAddress.renderedAddress`.
func legacyRenderedAddress(_ address: MailAddress) -> String {
    String(decoding: address.address.utf8.filter { LegacyMIME.isAtext($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "@") },
           as: UTF8.self)
}

/// The previous `MailMessage.reservedHeaderNames`.
let legacyReservedHeaderNames: Set<String> = [
    "date", "from", "to", "cc", "bcc", "reply-to", "subject", "message-id", "mime-version",
    "list-unsubscribe", "content-type", "content-transfer-encoding", "content-disposition",
]

enum LegacyMIME {
    static let crlf = "\r\n"

    /// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters (excluding CRLF).
    static let recommendedLineLength = 78
    /// RFC 2047 §2: a line holding an encoded word is at most 76 characters.
    static let encodedWordLineLength = 76
    /// RFC 2047 §2: an encoded word is at most 75 characters.
    static let maxEncodedWordLength = 75

    // MARK: - Header text hygiene

    /// Replaces every control character (CR and LF above all) with a space. Header values come
    /// from participants' names and free text: a raw CR or LF there would let anyone append
    /// headers (header injection), so no value ever reaches the output unsanitised.
    static func sanitizeHeaderText(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let v = scalar.value
            let isControl = v < 0x20 || v == 0x7F || (v >= 0x80 && v < 0xA0)
                || v == 0x2028 || v == 0x2029 || v == 0x85
            scalars.append(isControl ? " " : scalar)
        }
        return String(scalars)
    }

    static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    /// RFC 5322 §3.2.3 atext: what may appear in an atom without quoting.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"):
            return true
        default:
            return "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte)
        }
    }

    // MARK: - RFC 2047 encoded words

    /// Splits `text` into `=?UTF-8?B?…?=` encoded words. The first word fits in `firstBudget`
    /// characters, the others in 75 (RFC 2047 §2). Words end on character boundaries (§5: "a
    /// multi-octet character may not be split across adjacent encoded-words"): on grapheme
    /// clusters where possible, on Unicode scalars for a cluster too long for one word.
    static func encodedWords(_ text: String, firstBudget: Int = maxEncodedWordLength) -> [String] {
        let overhead = "=?UTF-8?B??=".count
        func capacity(_ budget: Int) -> Int { max(1, (budget - overhead) / 4) * 3 }  // octets per word
        var words: [String] = []
        var current: [UInt8] = []
        var limit = capacity(min(firstBudget, maxEncodedWordLength))

        func flush() {
            // With an empty word the first line's budget was too small for even one character:
            // the word simply gets the full size (the line stays far below 998 octets).
            if !current.isEmpty { words.append("=?UTF-8?B?" + Data(current).base64EncodedString() + "?=") }
            current = []
            limit = capacity(maxEncodedWordLength)
        }
        func append(_ bytes: [UInt8]) {
            if current.count + bytes.count > limit { flush() }
            current += bytes
        }
        for character in text {
            let bytes = Array(String(character).utf8)
            if bytes.count <= capacity(maxEncodedWordLength) {
                append(bytes)
            } else {
                // A pathological cluster (e.g. a long run of combining marks): fall back to scalars.
                for scalar in character.unicodeScalars { append(Array(String(scalar).utf8)) }
            }
        }
        flush()
        return words
    }

    // MARK: - Header folding

    /// An unstructured header (Subject, extra headers), folded per RFC 5322 §2.2.3.
    /// Printable ASCII that does not look like an encoded word is kept readable and folded at
    /// spaces; anything else (non-ASCII, "=?", a word too long to fold) becomes encoded words,
    /// one per line, which decoders join without the folding whitespace (RFC 2047 §6.2).
    static func unstructuredHeader(_ name: String, _ value: String) -> String {
        let clean = sanitizeHeaderText(value)
        let prefix = name + ": "
        let words = clean.split(separator: " ", omittingEmptySubsequences: false)
        let longest = words.map(\.utf8.count).max() ?? 0
        let plain = isPrintableASCII(clean) && !clean.contains("=?")
            && prefix.utf8.count + longest <= recommendedLineLength
            && !clean.hasPrefix(" ") && !clean.hasSuffix(" ")   // folding would eat edge spaces
        if plain {
            return fold(prefix: prefix, tokens: words.map(String.init), limit: recommendedLineLength)
        }
        let encoded = encodedWords(clean, firstBudget: encodedWordLineLength - prefix.utf8.count)
        return prefix + encoded.joined(separator: crlf + " ") + crlf
    }

    /// Joins tokens with single spaces, starting a continuation line (CRLF + space) before a
    /// token that would push the line past `limit`. Returns the header line(s) with final CRLF.
    static func fold(prefix: String, tokens: [String], limit: Int) -> String {
        var out = prefix
        var lineLength = prefix.utf8.count
        var first = true
        for token in tokens {
            let length = token.utf8.count
            if first {
                out += token
                lineLength += length
                first = false
            } else if lineLength + 1 + length > limit {
                out += crlf + " " + token
                lineLength = 1 + length
            } else {
                out += " " + token
                lineLength += 1 + length
            }
        }
        return out + crlf
    }

    // MARK: - Addresses

    /// The tokens of an RFC 5322 name-addr: the display name as atoms, a quoted string or encoded
    /// words, then `<address>`. Returns tokens so the caller folds them together.
    static func addressTokens(_ address: MailAddress, prefixLength: Int) -> (tokens: [String], hasEncodedWords: Bool) {
        let addr = "<" + legacyRenderedAddress(address) + ">"
        guard let rawName = address.displayName else { return ([addr], false) }
        let name = sanitizeHeaderText(rawName).trimmingCharacters(in: .whitespaces)
        if name.isEmpty { return ([addr], false) }
        if isPrintableASCII(name) && !name.contains("=?") {
            let words = name.split(separator: " ").map(String.init)
            if words.allSatisfy({ $0.utf8.allSatisfy(isAtext) }) {
                return (words + [addr], false)
            }
            // RFC 5322 §3.2.4: specials such as "," or "." need a quoted string.
            let escaped = name.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return (["\"" + escaped + "\"", addr], false)
        }
        return (phraseTokens(name, firstBudget: encodedWordLineLength - prefixLength) + [addr], true)
    }

    /// A non-ASCII display name as a phrase (RFC 2047 §5(3)): plain atoms stay readable and
    /// each run of words needing encoding becomes encoded words, as Python's generator does.
    /// Keeping runs whole matters: decoders drop the space between two adjacent encoded words
    /// (§6.2), so a space is only ever inside an encoded word or between an atom and a word.
    /// The base64 alphabet is safe in a phrase ("=", "/" and "+" are not specials).
    static func phraseTokens(_ name: String, firstBudget: Int) -> [String] {
        var tokens: [String] = []
        var run: [Substring] = []
        func flushRun() {
            guard !run.isEmpty else { return }
            tokens += encodedWords(run.joined(separator: " "), firstBudget: tokens.isEmpty ? firstBudget : maxEncodedWordLength)
            run = []
        }
        for word in name.split(separator: " ") {
            // "=?" in an atom would be taken for an encoded word by the receiver.
            if word.utf8.allSatisfy(isAtext) && !word.contains("=?") {
                flushRun()
                tokens.append(String(word))
            } else {
                run.append(word)
            }
        }
        flushRun()
        return tokens
    }

    static func addressHeader(_ name: String, _ address: MailAddress) -> String {
        let (tokens, encoded) = addressTokens(address, prefixLength: name.utf8.count + 2)
        return fold(prefix: name + ": ", tokens: tokens, limit: encoded ? encodedWordLineLength : recommendedLineLength)
    }

    // MARK: - Quoted-printable (RFC 2045 §6.7)

    /// Encodes text as quoted-printable with CRLF hard line breaks. Any of CRLF, LF or CR in the
    /// input is a line break. Encoded lines are at most 76 characters (rule 5), a trailing space
    /// or tab is encoded (rule 3), and UTF-8 is encoded octet by octet (rule 1).
    /// Two extra safety encodings: a "." starting a line (some sendmail programs end the message
    /// on a lone "." line, and SMTP relies on dot-stuffing) and "From " starting a line (mbox
    /// readers would split the message there) are written as =2E and =46.
    static func quotedPrintable(_ text: String) -> String {
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
        let lines = normalized.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for line in lines {
            out.append(contentsOf: quotedPrintableLine(Array(line.utf8)))
        }
        return out.joined(separator: crlf)
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func quotedPrintableLine(_ bytes: [UInt8]) -> [String] {
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(bytes.count)
        let startsWithFrom = bytes.starts(with: Array("From ".utf8))
        for (index, byte) in bytes.enumerated() {
            let isLast = index == bytes.count - 1
            let literal: Bool
            switch byte {
            case UInt8(ascii: "="): literal = false
            case UInt8(ascii: " "), UInt8(ascii: "\t"): literal = !isLast
            case UInt8(ascii: "."): literal = index != 0
            case UInt8(ascii: "F"): literal = !(index == 0 && startsWithFrom)
            case 33...126: literal = true
            default: literal = false
            }
            tokens.append(literal ? [byte] : [UInt8(ascii: "="), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
        }
        // Pack tokens into lines: 75 characters plus the soft break "=", or 76 on the last line.
        var lines: [String] = []
        var current: [UInt8] = []
        for (index, token) in tokens.enumerated() {
            let isLast = index == tokens.count - 1
            let fits = current.count + token.count <= (isLast ? 76 : 75)
            if !fits {
                lines.append(String(decoding: current + [UInt8(ascii: "=")], as: UTF8.self))
                current = []
            }
            current += token
        }
        lines.append(String(decoding: current, as: UTF8.self))
        return lines
    }

    // MARK: - Base64 body lines

    /// Base64 in lines of 76 characters (RFC 2045 §6.8), CRLF-separated, final CRLF included.
    static func base64Lines(_ data: Data) -> String {
        let encoded = Array(data.base64EncodedString().utf8)
        var out = ""
        out.reserveCapacity(encoded.count + encoded.count / 76 * 2 + 2)
        var index = 0
        while index < encoded.count {
            let end = min(index + 76, encoded.count)
            out += String(decoding: encoded[index..<end], as: UTF8.self) + crlf
            index = end
        }
        return out
    }

    // MARK: - Parameters (RFC 2045 §5.1, RFC 2231)

    /// `; name="value"` for printable ASCII, or RFC 2231 `name*0*=utf-8''…` continuations for
    /// anything else or anything long, each on its own folded line so none gets too long.
    static func parameter(_ name: String, _ value: String) -> String {
        let clean = sanitizeHeaderText(value)
        if isPrintableASCII(clean) && clean.utf8.count + name.utf8.count <= 60 {
            let escaped = clean.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            return ";" + crlf + " " + name + "=\"" + escaped + "\""
        }
        // RFC 2231 §7 attribute-char: everything else is percent-encoded. Segments end on
        // character boundaries so each one stays readable on its own.
        func percentEncoded(_ character: Character) -> String {
            String(character).utf8.map { byte -> String in
                let safe = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                    || "!#$&+-.^_`|~".utf8.contains(byte)
                return safe ? String(UnicodeScalar(byte)) : "%" + String(format: "%02X", byte)
            }.joined()
        }
        var segments: [String] = []
        var current = "utf-8''"
        for character in clean {
            let piece = percentEncoded(character)
            if current.utf8.count + piece.utf8.count > 60, !current.isEmpty, current != "utf-8''" {
                segments.append(current)
                current = ""
            }
            current += piece
        }
        segments.append(current)
        return segments.enumerated().map { index, segment in
            ";" + crlf + " " + name + "*\(index)*=" + segment
        }.joined()
    }

    /// A MIME type and its parameters as given by the caller (e.g. `text/calendar; method=PUBLISH`),
    /// reduced to printable ASCII on one line: it is emitted as-is, so it must not break out.
    static func sanitizeContentType(_ value: String) -> String {
        let clean = String(decoding: sanitizeHeaderText(value).utf8.filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
            .trimmingCharacters(in: .whitespaces)
        return clean.isEmpty ? "application/octet-stream" : String(clean.prefix(900))
    }

    // MARK: - Date (RFC 5322 §3.3)

    /// "Mon, 23 Nov 2026 17:33:50 +0000". Written by hand in UTC so neither the locale nor the
    /// process time zone can change it.
    static func date(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        calendar.locale = Locale(identifier: "en_US_POSIX")
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let weekday = days[((c.weekday ?? 1) + 6) % 7]
        return "\(weekday), \(two(c.day)) \(months[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// Random lowercase hex, from the system's cryptographic generator.
    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &generator)) }.joined()
    }
}

extension MailMessage {
    // The previous `rendered()` and its helpers, names prefixed with "legacy".
    /// The message as RFC 5322 bytes with CRLF line endings, ready for SMTP DATA or a maildir file.
    /// Every line is at most 998 octets (RFC 5322 §2.1.1), in practice at most 78.
    func legacyRendered() -> Data {
        var head = ""
        head += "Date: " + LegacyMIME.date(date) + LegacyMIME.crlf
        head += LegacyMIME.addressHeader("From", from)
        head += LegacyMIME.addressHeader("To", to)
        if let replyTo { head += LegacyMIME.addressHeader("Reply-To", replyTo) }
        head += LegacyMIME.unstructuredHeader("Subject", subject)
        head += "Message-ID: <" + legacyRenderedMessageID + ">" + LegacyMIME.crlf
        head += "MIME-Version: 1.0" + LegacyMIME.crlf
        if let listUnsubscribe {
            head += legacyListUnsubscribeHeader(listUnsubscribe)
            // RFC 8058: one-click unsubscription is only meaningful with an https URI.
            if listUnsubscribe.contains("<https:") {
                head += "List-Unsubscribe-Post: List-Unsubscribe=One-Click" + LegacyMIME.crlf
            }
        }
        for header in headers {
            let name = String(decoding: header.name.utf8.filter { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") },
                              as: UTF8.self)
            guard !name.isEmpty, !legacyReservedHeaderNames.contains(name.lowercased()),
                  name.lowercased() != "list-unsubscribe-post" else { continue }
            head += LegacyMIME.unstructuredHeader(String(name.prefix(76)), header.value)
        }

        let alternativeBoundary = legacyBoundary("alt")
        let alternative = "--" + alternativeBoundary + LegacyMIME.crlf
            + "Content-Type: text/plain; charset=utf-8" + LegacyMIME.crlf
            + "Content-Transfer-Encoding: quoted-printable" + LegacyMIME.crlf + LegacyMIME.crlf
            + LegacyMIME.quotedPrintable(text) + LegacyMIME.crlf
            + "--" + alternativeBoundary + LegacyMIME.crlf
            + "Content-Type: text/html; charset=utf-8" + LegacyMIME.crlf
            + "Content-Transfer-Encoding: quoted-printable" + LegacyMIME.crlf + LegacyMIME.crlf
            + LegacyMIME.quotedPrintable(html) + LegacyMIME.crlf
            + "--" + alternativeBoundary + "--" + LegacyMIME.crlf
        let alternativeType = "Content-Type: multipart/alternative;" + LegacyMIME.crlf
            + " boundary=\"" + alternativeBoundary + "\"" + LegacyMIME.crlf

        var body: String
        if attachments.isEmpty {
            head += alternativeType
            body = alternative
        } else {
            let mixedBoundary = legacyBoundary("mix")
            head += "Content-Type: multipart/mixed;" + LegacyMIME.crlf + " boundary=\"" + mixedBoundary + "\"" + LegacyMIME.crlf
            body = "This is a multipart message in MIME format." + LegacyMIME.crlf
                + "--" + mixedBoundary + LegacyMIME.crlf + alternativeType + LegacyMIME.crlf + alternative
            for attachment in attachments {
                body += "--" + mixedBoundary + LegacyMIME.crlf + legacyAttachmentPart(attachment)
            }
            body += "--" + mixedBoundary + "--" + LegacyMIME.crlf
        }
        return Data((head + LegacyMIME.crlf + body).utf8)
    }

    /// Boundaries start with "=_", which can occur neither in quoted-printable (where "=" is
    /// followed by two hex digits or a line break) nor in base64 (RFC 2045 §5.1 trick), so they
    /// never collide with encoded content; the random seed keeps nested messages apart.
    private func legacyBoundary(_ kind: String) -> String {
        "=_relais_" + kind + "_" + boundarySeed
    }

    private var legacyRenderedMessageID: String {
        // atext excludes "<", ">", spaces and controls: the brackets are ours to add.
        let kept = messageID.utf8.filter { LegacyMIME.isAtext($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "@") }
        let id = String(decoding: kept, as: UTF8.self)
        return String((id.isEmpty ? boundarySeed + "@relais.invalid" : id).prefix(900))
    }

    /// List-Unsubscribe (RFC 2369) holds URIs in angle brackets: it must stay ASCII and cannot
    /// use encoded words, so non-ASCII is percent-encoded as in a URI and folding happens at
    /// the spaces between entries.
    private func legacyListUnsubscribeHeader(_ value: String) -> String {
        var ascii = ""
        for byte in LegacyMIME.sanitizeHeaderText(value).utf8 {
            ascii += byte < 0x80 ? String(UnicodeScalar(byte)) : "%" + String(byte, radix: 16, uppercase: true)
        }
        let tokens = ascii.split(separator: " ").map { String($0.prefix(900)) }
        return LegacyMIME.fold(prefix: "List-Unsubscribe: ", tokens: tokens, limit: LegacyMIME.recommendedLineLength)
    }

    private func legacyAttachmentPart(_ attachment: MailAttachment) -> String {
        // Path separators in a filename are never wanted by the receiver; clients strip them too.
        let filename = attachment.filename.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
        return "Content-Type: " + LegacyMIME.sanitizeContentType(attachment.contentType) + LegacyMIME.parameter("name", filename) + LegacyMIME.crlf
            + "Content-Disposition: attachment" + LegacyMIME.parameter("filename", filename) + LegacyMIME.crlf
            + "Content-Transfer-Encoding: base64" + LegacyMIME.crlf + LegacyMIME.crlf
            + LegacyMIME.base64Lines(attachment.data)
    }
}
