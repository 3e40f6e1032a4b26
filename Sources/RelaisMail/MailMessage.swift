import Foundation
import RelaisDomain

/// An email address with an optional display name ("Marie Dupont <marie@example.org>").
public struct MailAddress: Sendable, Hashable {
    public var address: String
    public var displayName: String?

    public init(_ address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }

    /// Whether the transports can deliver to the address: the domain's rule (`EmailAddress`),
    /// the one entry forms apply. Transports refuse anything else before talking to a server.
    public var isValid: Bool { EmailAddress.isDeliverable(address) }

    /// The address as written in headers and envelopes: only atext, "." and "@" survive, so an
    /// invalid address can never inject a header or an SMTP command (CR, LF, "<", ">", spaces).
    var renderedAddress: String {
        String(decoding: address.utf8.filter(Self.isRenderedAddressByte), as: UTF8.self)
    }

    static func isRenderedAddressByte(_ byte: UInt8) -> Bool {
        MIME.isAtext(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "@")
    }
}

/// A file attached to a message, e.g. the .ics of a session reminder.
public struct MailAttachment: Sendable, Equatable {
    public var filename: String
    /// The MIME type with its parameters, e.g. "text/calendar; charset=utf-8; method=PUBLISH".
    public var contentType: String
    public var data: Data

    public init(filename: String, contentType: String, data: Data) {
        self.filename = filename
        self.contentType = contentType
        self.data = data
    }
}

/// One message to one recipient, with a plain text and an HTML version of the same content.
public struct MailMessage: Sendable {
    public var from: MailAddress
    /// Exactly one recipient: every Relais message is personal (reminders, invitations, digests).
    public var to: MailAddress
    public var replyTo: MailAddress?
    public var subject: String
    public var text: String
    public var html: String
    public var attachments: [MailAttachment]
    /// Without angle brackets, e.g. "0b6e…@relais.example.org". Derive it from the outbox key so a
    /// retried delivery carries the same Message-ID and receivers can spot duplicates.
    public var messageID: String
    public var date: Date
    /// Full header value, e.g. "<mailto:contact@example.org?subject=unsubscribe>".
    public var listUnsubscribe: String?
    /// Extra headers such as ("X-Relais-Kind", "session_reminder"). Names that the renderer
    /// writes itself (From, Subject, Content-Type…) are ignored here.
    public var headers: [(name: String, value: String)]

    /// Seeds the MIME boundaries. Fixed per value so `rendered()` gives the same bytes every
    /// time (what goes to SMTP equals what a maildir file holds), random across messages.
    let boundarySeed: String

    public init(from: MailAddress, to: MailAddress, replyTo: MailAddress? = nil,
                subject: String, text: String, html: String, attachments: [MailAttachment] = [],
                messageID: String, date: Date = Date(), listUnsubscribe: String? = nil,
                headers: [(name: String, value: String)] = []) {
        self.from = from
        self.to = to
        self.replyTo = replyTo
        self.subject = subject
        self.text = text
        self.html = html
        self.attachments = attachments
        self.messageID = messageID
        self.date = date
        self.listUnsubscribe = listUnsubscribe
        self.headers = headers
        self.boundarySeed = MIME.randomHex(bytes: 12)
    }

    /// A fresh Message-ID (without angle brackets) under `domain`.
    public static func newMessageID(domain: String) -> String {
        MIME.randomHex(bytes: 16) + "@" + domain
    }

    /// Headers the renderer owns; an extra header with one of these names would contradict it.
    static let reservedHeaderNames: Set<String> = [
        "date", "from", "to", "cc", "bcc", "reply-to", "subject", "message-id", "mime-version",
        "list-unsubscribe", "content-type", "content-transfer-encoding", "content-disposition",
    ]
}

extension MailMessage {
    /// The message as RFC 5322 bytes with CRLF line endings, ready for SMTP DATA or a maildir file.
    /// Every line is at most 998 octets (RFC 5322 §2.1.1), in practice at most 78.
    /// Everything is appended to one byte buffer, sized up front, and wrapped in `Data` once.
    public func rendered() -> Data {
        var out: [UInt8] = []
        out.reserveCapacity(estimatedRenderedSize)

        out += "Date: ".utf8
        MIME.appendDate(date, to: &out)
        MIME.appendCRLF(to: &out)
        MIME.appendAddressHeader("From", from, to: &out)
        MIME.appendAddressHeader("To", to, to: &out)
        if let replyTo { MIME.appendAddressHeader("Reply-To", replyTo, to: &out) }
        MIME.appendUnstructuredHeader("Subject", subject, to: &out)
        out += "Message-ID: <".utf8
        appendRenderedMessageID(to: &out)
        out += ">\r\nMIME-Version: 1.0\r\n".utf8
        if let listUnsubscribe {
            appendListUnsubscribeHeader(listUnsubscribe, to: &out)
            // RFC 8058: one-click unsubscription is only meaningful with an https URI.
            if Self.containsHTTPSURI(listUnsubscribe) {
                out += "List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n".utf8
            }
        }
        for header in headers {
            let name = header.name.utf8.filter { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") }
            // ASCII only is left, so a byte-wise lowercasing is String.lowercased().
            let lowercased = String(decoding: name.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }, as: UTF8.self)
            guard !name.isEmpty, !Self.reservedHeaderNames.contains(lowercased),
                  lowercased != "list-unsubscribe-post" else { continue }
            MIME.appendUnstructuredHeader(String(decoding: name.prefix(76), as: UTF8.self), header.value, to: &out)
        }

        if attachments.isEmpty {
            appendAlternativeType(to: &out)
            MIME.appendCRLF(to: &out)
            appendAlternative(to: &out)
        } else {
            out += "Content-Type: multipart/mixed;\r\n boundary=\"".utf8
            appendBoundary("mix", to: &out)
            out += "\"\r\n\r\nThis is a multipart message in MIME format.\r\n".utf8
            appendDelimiter("mix", to: &out)
            appendAlternativeType(to: &out)
            MIME.appendCRLF(to: &out)
            appendAlternative(to: &out)
            for attachment in attachments {
                appendDelimiter("mix", to: &out)
                appendAttachmentPart(attachment, to: &out)
            }
            appendDelimiter("mix", closing: true, to: &out)
        }
        return Data(out)
    }

    /// Enough for the message in one allocation: the quoted-printable encoder claims its worst
    /// case (4 bytes per input byte) while it writes; base64 grows by 4/3 plus line breaks.
    /// Headers past 1.5 KB (very long names or subjects) just regrow the buffer.
    private var estimatedRenderedSize: Int {
        var size = 1536 + (text.utf8.count + html.utf8.count) * 4
        for attachment in attachments {
            size += 512 + attachment.data.count / 57 * 78 + 80
        }
        return size
    }

    /// The multipart/alternative part: the text, then the HTML, both quoted-printable.
    private func appendAlternative(to out: inout [UInt8]) {
        appendDelimiter("alt", to: &out)
        out += "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8
        MIME.appendQuotedPrintable(text, to: &out)
        MIME.appendCRLF(to: &out)
        appendDelimiter("alt", to: &out)
        out += "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n".utf8
        MIME.appendQuotedPrintable(html, to: &out)
        MIME.appendCRLF(to: &out)
        appendDelimiter("alt", closing: true, to: &out)
    }

    private func appendAlternativeType(to out: inout [UInt8]) {
        out += "Content-Type: multipart/alternative;\r\n boundary=\"".utf8
        appendBoundary("alt", to: &out)
        out += "\"\r\n".utf8
    }

    /// Boundaries start with "=_", which can occur neither in quoted-printable (where "=" is
    /// followed by two hex digits or a line break) nor in base64 (RFC 2045 §5.1 trick), so they
    /// never collide with encoded content and need no search through the parts; the random
    /// seed keeps nested messages apart.
    private func appendBoundary(_ kind: StaticString, to out: inout [UInt8]) {
        out += "=_relais_".utf8
        out += UnsafeBufferPointer(start: kind.utf8Start, count: kind.utf8CodeUnitCount)
        out.append(UInt8(ascii: "_"))
        out += boundarySeed.utf8
    }

    /// "--boundary" CRLF, or "--boundary--" CRLF for the closing delimiter.
    private func appendDelimiter(_ kind: StaticString, closing: Bool = false, to out: inout [UInt8]) {
        out += "--".utf8
        appendBoundary(kind, to: &out)
        if closing { out += "--".utf8 }
        MIME.appendCRLF(to: &out)
    }

    private func appendRenderedMessageID(to out: inout [UInt8]) {
        // atext excludes "<", ">", spaces and controls: the brackets are ours to add. What is
        // kept is ASCII, so 900 characters are 900 bytes.
        var kept = 0
        for byte in messageID.utf8 where MailAddress.isRenderedAddressByte(byte) && kept < 900 {
            out.append(byte)
            kept += 1
        }
        if kept == 0 {
            out += boundarySeed.utf8
            out += "@relais.invalid".utf8
        }
    }

    /// Whether the List-Unsubscribe value offers an https URI. A byte search is exact for ASCII
    /// values; anything else keeps String's Character-aware `contains`.
    static func containsHTTPSURI(_ value: String) -> Bool {
        guard value.utf8.allSatisfy({ $0 < 0x80 }) else { return value.contains("<https:") }
        return MIME.withUTF8(value) { bytes in
            let needle = "<https:".utf8
            return bytes.indices.contains { bytes[$0...].starts(with: needle) }
        }
    }

    /// List-Unsubscribe (RFC 2369) holds URIs in angle brackets: it must stay ASCII and cannot
    /// use encoded words, so non-ASCII is percent-encoded as in a URI and folding happens at
    /// the spaces between entries.
    private func appendListUnsubscribeHeader(_ value: String, to out: inout [UInt8]) {
        var ascii: [UInt8] = []
        ascii.reserveCapacity(value.utf8.count)
        for byte in MIME.sanitizeHeaderText(value).utf8 {
            if byte < 0x80 {
                ascii.append(byte)
            } else {
                ascii.append(UInt8(ascii: "%"))
                ascii.append(MIME.hexDigits[Int(byte >> 4)])
                ascii.append(MIME.hexDigits[Int(byte & 0x0F)])
            }
        }
        let tokens = ascii.split(separator: MIME.space).lazy.map { $0.prefix(900) }
        MIME.appendFolded(name: "List-Unsubscribe", tokens: tokens, limit: MIME.recommendedLineLength, to: &out)
    }

    private func appendAttachmentPart(_ attachment: MailAttachment, to out: inout [UInt8]) {
        let filename = Self.replacingPathSeparators(attachment.filename)
        out += "Content-Type: ".utf8
        MIME.appendContentType(attachment.contentType, to: &out)
        MIME.appendParameter("name", filename, to: &out)
        out += "\r\nContent-Disposition: attachment".utf8
        MIME.appendParameter("filename", filename, to: &out)
        out += "\r\nContent-Transfer-Encoding: base64\r\n\r\n".utf8
        MIME.appendBase64Lines(attachment.data, to: &out)
    }

    /// Path separators in a filename are never wanted by the receiver; clients strip them too.
    /// The usual filename has none and is returned as is; an ASCII one is fixed byte by byte;
    /// only a non-ASCII name with a separator goes through Foundation's (Unicode-aware) replacing.
    static func replacingPathSeparators(_ filename: String) -> String {
        let isSeparator = { (byte: UInt8) in byte == UInt8(ascii: "/") || byte == UInt8(ascii: "\\") }
        guard filename.utf8.contains(where: isSeparator) else { return filename }
        guard filename.utf8.allSatisfy({ $0 < 0x80 }) else {
            return filename.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
        }
        return String(decoding: filename.utf8.map { isSeparator($0) ? UInt8(ascii: "_") : $0 }, as: UTF8.self)
    }
}
