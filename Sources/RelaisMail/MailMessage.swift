import Foundation

/// An email address with an optional display name ("Marie Dupont <marie@example.org>").
public struct MailAddress: Sendable, Hashable {
    public var address: String
    public var displayName: String?

    public init(_ address: String, displayName: String? = nil) {
        self.address = address
        self.displayName = displayName
    }

    /// Whether the address is a plain ASCII `local@domain` with dot-atoms on both sides
    /// (RFC 5322 §3.4.1 without quoted local parts or domain literals, which Relais never
    /// needs). A leading "-" is refused too: a sendmail-like command could read it as an option.
    /// Transports refuse anything else before talking to a server.
    public var isValid: Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, address.utf8.count <= 254, !address.hasPrefix("-") else { return false }
        func dotAtom(_ part: Substring) -> Bool {
            !part.isEmpty && !part.hasPrefix(".") && !part.hasSuffix(".") && !part.contains("..")
                && part.utf8.allSatisfy { MIME.isAtext($0) || $0 == UInt8(ascii: ".") }
        }
        return dotAtom(parts[0]) && dotAtom(parts[1]) && parts[0].utf8.count <= 64
    }

    /// The address as written in headers and envelopes: only atext, "." and "@" survive, so an
    /// invalid address can never inject a header or an SMTP command (CR, LF, "<", ">", spaces).
    var renderedAddress: String {
        String(decoding: address.utf8.filter { MIME.isAtext($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "@") },
               as: UTF8.self)
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
    public func rendered() -> Data {
        var head = ""
        head += "Date: " + MIME.date(date) + MIME.crlf
        head += MIME.addressHeader("From", from)
        head += MIME.addressHeader("To", to)
        if let replyTo { head += MIME.addressHeader("Reply-To", replyTo) }
        head += MIME.unstructuredHeader("Subject", subject)
        head += "Message-ID: <" + renderedMessageID + ">" + MIME.crlf
        head += "MIME-Version: 1.0" + MIME.crlf
        if let listUnsubscribe {
            head += listUnsubscribeHeader(listUnsubscribe)
            // RFC 8058: one-click unsubscription is only meaningful with an https URI.
            if listUnsubscribe.contains("<https:") {
                head += "List-Unsubscribe-Post: List-Unsubscribe=One-Click" + MIME.crlf
            }
        }
        for header in headers {
            let name = String(decoding: header.name.utf8.filter { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: ":") },
                              as: UTF8.self)
            guard !name.isEmpty, !Self.reservedHeaderNames.contains(name.lowercased()),
                  name.lowercased() != "list-unsubscribe-post" else { continue }
            head += MIME.unstructuredHeader(String(name.prefix(76)), header.value)
        }

        let alternativeBoundary = boundary("alt")
        let alternative = "--" + alternativeBoundary + MIME.crlf
            + "Content-Type: text/plain; charset=utf-8" + MIME.crlf
            + "Content-Transfer-Encoding: quoted-printable" + MIME.crlf + MIME.crlf
            + MIME.quotedPrintable(text) + MIME.crlf
            + "--" + alternativeBoundary + MIME.crlf
            + "Content-Type: text/html; charset=utf-8" + MIME.crlf
            + "Content-Transfer-Encoding: quoted-printable" + MIME.crlf + MIME.crlf
            + MIME.quotedPrintable(html) + MIME.crlf
            + "--" + alternativeBoundary + "--" + MIME.crlf
        let alternativeType = "Content-Type: multipart/alternative;" + MIME.crlf
            + " boundary=\"" + alternativeBoundary + "\"" + MIME.crlf

        var body: String
        if attachments.isEmpty {
            head += alternativeType
            body = alternative
        } else {
            let mixedBoundary = boundary("mix")
            head += "Content-Type: multipart/mixed;" + MIME.crlf + " boundary=\"" + mixedBoundary + "\"" + MIME.crlf
            body = "This is a multipart message in MIME format." + MIME.crlf
                + "--" + mixedBoundary + MIME.crlf + alternativeType + MIME.crlf + alternative
            for attachment in attachments {
                body += "--" + mixedBoundary + MIME.crlf + attachmentPart(attachment)
            }
            body += "--" + mixedBoundary + "--" + MIME.crlf
        }
        return Data((head + MIME.crlf + body).utf8)
    }

    /// Boundaries start with "=_", which can occur neither in quoted-printable (where "=" is
    /// followed by two hex digits or a line break) nor in base64 (RFC 2045 §5.1 trick), so they
    /// never collide with encoded content; the random seed keeps nested messages apart.
    private func boundary(_ kind: String) -> String {
        "=_relais_" + kind + "_" + boundarySeed
    }

    private var renderedMessageID: String {
        // atext excludes "<", ">", spaces and controls: the brackets are ours to add.
        let kept = messageID.utf8.filter { MIME.isAtext($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "@") }
        let id = String(decoding: kept, as: UTF8.self)
        return String((id.isEmpty ? boundarySeed + "@relais.invalid" : id).prefix(900))
    }

    /// List-Unsubscribe (RFC 2369) holds URIs in angle brackets: it must stay ASCII and cannot
    /// use encoded words, so non-ASCII is percent-encoded as in a URI and folding happens at
    /// the spaces between entries.
    private func listUnsubscribeHeader(_ value: String) -> String {
        var ascii = ""
        for byte in MIME.sanitizeHeaderText(value).utf8 {
            ascii += byte < 0x80 ? String(UnicodeScalar(byte)) : "%" + String(byte, radix: 16, uppercase: true)
        }
        let tokens = ascii.split(separator: " ").map { String($0.prefix(900)) }
        return MIME.fold(prefix: "List-Unsubscribe: ", tokens: tokens, limit: MIME.recommendedLineLength)
    }

    private func attachmentPart(_ attachment: MailAttachment) -> String {
        // Path separators in a filename are never wanted by the receiver; clients strip them too.
        let filename = attachment.filename.replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "\\", with: "_")
        return "Content-Type: " + MIME.sanitizeContentType(attachment.contentType) + MIME.parameter("name", filename) + MIME.crlf
            + "Content-Disposition: attachment" + MIME.parameter("filename", filename) + MIME.crlf
            + "Content-Transfer-Encoding: base64" + MIME.crlf + MIME.crlf
            + MIME.base64Lines(attachment.data)
    }
}
