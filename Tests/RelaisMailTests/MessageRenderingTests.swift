import Foundation
import RelaisMail
import RelaisTestSupport
import Testing

/// A realistic session reminder, with everything that is hard to encode.
func sampleMessage(attachments: [MailAttachment] = [sampleInvite], subject: String = longFrenchSubject) -> MailMessage {
    MailMessage(
        from: MailAddress("relais@csapa.example.org", displayName: "CSAPA Les Tilleuls — Relais"),
        to: MailAddress("marie.dupont@example.org", displayName: "Marie-Hélène Dupont-Lefèvre"),
        replyTo: MailAddress("coordination@csapa.example.org", displayName: "Dupont, Marie (coordination) \"CSAPA\""),
        subject: subject,
        text: sampleText,
        html: sampleHTML,
        attachments: attachments,
        messageID: "0b6e5f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b@relais.example.org",
        date: Date(timeIntervalSince1970: 1_795_455_230),  // Mon, 23 Nov 2026 17:33:50 +0000
        listUnsubscribe: "<mailto:contact@csapa.example.org?subject=unsubscribe>",
        headers: [(name: "X-Relais-Kind", value: "session_reminder")])
}

let longFrenchSubject = "Rappel : votre séance « Préparer l'arrêt » a lieu jeudi 22 octobre à 18 h 00"

let sampleText = """
    Bonjour Marie-Hélène,

    Votre prochaine séance « Préparer l'arrêt » a lieu jeudi 22 octobre à 18 h 00, salle 2 (rez-de-chaussée), 12 rue des Écoles, 69003 Lyon. Pensez à apporter votre carnet de suivi et, si vous le souhaitez, la liste de vos questions pour le groupe.
    Lien visio : https://visio.example.org/join?room=preparer-arret&key=a1b2=c3d4
    Une ligne avec des espaces en fin de ligne   
    Une ligne avec une tabulation en fin\t
    = en début de ligne, et a=b, et 100 % = 1
    .
    .une ligne qui commence par un point
    From the team: à bientôt !
    Émojis : 🚭 💪🏽 👩‍⚕️ et accents combinés : e\u{301}te\u{301}
    \(String(repeating: "é", count: 200))
    """

let sampleHTML = """
    <!doctype html><html lang="fr"><body><p style="font-family: sans-serif; color: #222">Bonjour Marie-Hélène,</p>
    <p>Votre prochaine séance « Préparer l'arrêt » a lieu <strong>jeudi 22 octobre à 18 h 00</strong>.</p>
    <p><a href="https://visio.example.org/join?room=preparer-arret&amp;key=a1b2=c3d4">Rejoindre la visio</a></p></body></html>
    """

let sampleInvite = MailAttachment(
    filename: "séance du 22 octobre.ics",
    contentType: "text/calendar; charset=utf-8; method=PUBLISH",
    data: Data("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Relais//FR\r\nMETHOD:PUBLISH\r\nBEGIN:VEVENT\r\nSUMMARY:Préparer l'arrêt\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n".utf8))

@Suite struct MessageRenderingTests {
    @Test func pythonDecodesHeadersBodiesAndAttachments() throws {
        let binary = Data((0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) })
        let pdf = MailAttachment(filename: "programme.pdf", contentType: "application/pdf", data: binary)
        let message = sampleMessage(attachments: [sampleInvite, pdf])
        let parsed = try PythonEmail.parse(message.rendered())

        #expect(parsed.defects == [])
        #expect(parsed.subject == longFrenchSubject)
        #expect(parsed.addresses("from").map(\.name) == ["CSAPA Les Tilleuls — Relais"])
        #expect(parsed.addresses("from").map(\.address) == ["relais@csapa.example.org"])
        #expect(parsed.addresses("to").map(\.name) == ["Marie-Hélène Dupont-Lefèvre"])
        #expect(parsed.addresses("to").map(\.address) == ["marie.dupont@example.org"])
        #expect(parsed.addresses("reply-to").map(\.name) == ["Dupont, Marie (coordination) \"CSAPA\""])
        #expect(parsed.addresses("reply-to").map(\.address) == ["coordination@csapa.example.org"])
        #expect(parsed.messageID == "<0b6e5f3a-1c2d-4e5f-8a9b-0c1d2e3f4a5b@relais.example.org>")
        #expect(parsed.timestamp == 1_795_455_230)
        #expect(parsed.header("Date") == "Mon, 23 Nov 2026 17:33:50 +0000")
        #expect(parsed.header("MIME-Version") == "1.0")
        #expect(parsed.listUnsubscribe == "<mailto:contact@csapa.example.org?subject=unsubscribe>")
        #expect(parsed.header("X-Relais-Kind") == "session_reminder")
        #expect(parsed.contentType == "multipart/mixed")
        #expect(parsed.partTypes == ["multipart/mixed", "multipart/alternative", "text/plain", "text/html",
                                     "text/calendar", "application/pdf"])
        #expect(parsed.text == sampleText)
        #expect(parsed.html == sampleHTML)
        let attachments = parsed.attachments
        #expect(attachments.count == 2)
        #expect(attachments.first?.filename == "séance du 22 octobre.ics")
        #expect(attachments.first?.contentType == "text/calendar")
        #expect(attachments.first?.data == sampleInvite.data)
        #expect(attachments.last?.filename == "programme.pdf")
        #expect(attachments.last?.data == binary)
    }

    @Test func withoutAttachmentsTheTopLevelIsAlternative() throws {
        let parsed = try PythonEmail.parse(sampleMessage(attachments: []).rendered())
        #expect(parsed.defects == [])
        #expect(parsed.partTypes == ["multipart/alternative", "text/plain", "text/html"])
        #expect(parsed.text == sampleText)
        #expect(parsed.attachments.isEmpty)
    }

    @Test func linesAreCRLFShortAndEncodedWordsWithinLimits() throws {
        let rendered = sampleMessage().rendered()
        let (lines, bare) = crlfLines(rendered)
        #expect(!bare, "a CR or LF outside a CRLF pair")
        #expect(rendered.suffix(2) == Data("\r\n".utf8))
        #expect(lines.allSatisfy { $0.count <= 998 })
        // In practice far below the hard limit: folded headers and QP/base64 bodies stay at 78.
        #expect(lines.map(\.count).max()! <= 78)
        let text = String(decoding: rendered, as: UTF8.self)
        let words = text.matches(of: /=\?UTF-8\?B\?[A-Za-z0-9+\/=]*\?=/).map { String($0.output) }
        #expect(words.count > 3)
        #expect(words.allSatisfy { $0.count <= 75 })
        // RFC 2047: a line holding an encoded word is at most 76 characters.
        for line in lines.map({ String(decoding: $0, as: UTF8.self) }) where line.contains("=?UTF-8?") {
            #expect(line.count <= 76, "\(line)")
        }
        // The header block is pure ASCII (no SMTPUTF8 needed) and no body line starts with ".".
        let head = rendered.prefix(upTo: rendered.range(of: Data("\r\n\r\n".utf8))!.lowerBound)
        #expect(head.allSatisfy { $0 < 0x80 })
        #expect(!lines.contains { $0.first == UInt8(ascii: ".") })
        #expect(!lines.contains { $0.starts(with: Array("From ".utf8)) })
        // The QP text stays readable in a maildir file.
        #expect(text.contains("Bonjour Marie-H=C3=A9l=C3=A8ne,"))
    }

    @Test func subjectsAndDisplayNamesDecodeExactly() throws {
        let subjects = [
            "Séance",
            "Plain ASCII subject that is rather long, long enough to need folding onto a second line, and more",
            String(repeating: "x", count: 1500),
            "🚭" + String(repeating: "é", count: 90) + "👩‍⚕️👩‍⚕️👩‍⚕️",
            "  leading and trailing spaces  ",
            "looks like =?UTF-8?B?SGk=?= an encoded word",
            String(repeating: "e\u{301}", count: 60),
            "",
        ]
        let names = ["Marie-Hélène Dupont-Lefèvre de la Tour d'Auvergne et de Saint-Éloi-sur-Mer (née Martin)",
                     "Dr. O'Brien, \\ \"Sam\"", "Zoé", "👩‍⚕️ Infirmière tabacologue", "Dupont, Zoé (CSAPA)",
                     "Ôdile-Françoise-Émilienne-Bénédicte-Géraldine Lefèvre-Désirée-Hélène", String(repeating: "Ö", count: 120)]
        for (index, subject) in subjects.enumerated() {
            var message = sampleMessage(attachments: [], subject: subject)
            let name = names[index % names.count]
            message.to.displayName = name
            let rendered = message.rendered()
            let parsed = try PythonEmail.parse(rendered)
            #expect(parsed.subject == subject)
            // A single word longer than one encoded word (45 octets) must be split; RFC 2047
            // decoders join the pieces, Python's phrase parser puts a space between them.
            if !name.split(separator: " ").contains(where: { $0.utf8.count > 45 }) {
                #expect(parsed.addresses("to").map(\.name) == [name])
            }
            if !name.allSatisfy(\.isASCII) {
                #expect(parsed.legacyAddress("to") == name + " <marie.dupont@example.org>")
            }
            #expect(parsed.addresses("to").map(\.address) == ["marie.dupont@example.org"])
            #expect(parsed.defects == [])
            let lines = crlfLines(rendered).lines.map { String(decoding: $0, as: UTF8.self) }
            #expect(lines.allSatisfy { $0.utf8.count <= 998 })
            #expect(lines.filter { $0.contains("=?UTF-8?") }.allSatisfy { $0.utf8.count <= 76 })
        }
    }

    @Test func headerInjectionIsNeutralised() throws {
        var message = sampleMessage(attachments: [], subject: "Rappel\r\nBcc: spy@evil.example\r\n\r\nbody")
        message.to = MailAddress("victim@example.org", displayName: "Victim\r\nBcc: spy2@evil.example")
        message.replyTo = MailAddress("reply@example.org>\r\nBcc: spy3@evil.example", displayName: nil)
        message.listUnsubscribe = "<mailto:x@example.org>\nBcc: spy4@evil.example"
        message.headers = [(name: "X-Relais-Kind", value: "reminder\r\nBcc: spy5@evil.example"),
                           (name: "Bcc", value: "spy6@evil.example"),
                           (name: "X-Evil\r\nBcc", value: "spy7@evil.example")]
        message.messageID = "id@example.org>\r\nBcc: spy8@evil.example"
        let rendered = message.rendered()
        let parsed = try PythonEmail.parse(rendered)
        #expect(!parsed.keys.contains { $0.lowercased() == "bcc" })
        let lines = crlfLines(rendered).lines.map { String(decoding: $0, as: UTF8.self) }
        #expect(!lines.contains { $0.lowercased().hasPrefix("bcc") })
        #expect(parsed.subject == "Rappel  Bcc: spy@evil.example    body")
        #expect(parsed.header("X-Relais-Kind") == "reminder  Bcc: spy5@evil.example")
        #expect(parsed.addresses("to").map(\.address) == ["victim@example.org"])
        // The invalid addresses are refused by every transport, before anything is sent.
        #expect(!message.replyTo!.isValid)
        #expect(!MailAddress("a@b.org\r\nBcc: c@d.org").isValid)
        #expect(!MailAddress("josé@example.org").isValid)
        #expect(MailAddress("first.last+tag@sub.example.org").isValid)
    }

    @Test func renderingIsStableForOneMessageAndBoundariesDifferAcrossMessages() {
        let first = sampleMessage()
        #expect(first.rendered() == first.rendered())
        let second = sampleMessage()
        #expect(first.rendered() != second.rendered())
        let boundary = /boundary="([^"]+)"/
        let text = String(decoding: first.rendered(), as: UTF8.self)
        let boundaries = text.matches(of: boundary).map { String($0.output.1) }
        #expect(boundaries.count == 2)
        // A boundary never occurs inside a part, only on its delimiter lines.
        for b in boundaries {
            let occurrences = text.components(separatedBy: b).count - 1
            let delimiterLines = text.components(separatedBy: "\r\n").filter { $0 == "--" + b || $0 == "--" + b + "--" }.count
            #expect(occurrences == delimiterLines + 1)  // + the boundary= parameter
        }
    }

    @Test func quotedPrintableLinesStayWithinSeventySix() throws {
        let tricky = (1...40).map { n in String(repeating: "a", count: n) + "=" + String(repeating: "é", count: n % 7) + " " }
            .joined(separator: "\n") + "\n" + String(repeating: "=", count: 300) + "\n" + String(repeating: " ", count: 100)
        var message = sampleMessage(attachments: [])
        message.text = tricky
        message.html = tricky
        let rendered = message.rendered()
        let parsed = try PythonEmail.parse(rendered)
        #expect(parsed.text == tricky)
        #expect(parsed.html == tricky)
        let body = rendered.suffix(from: rendered.range(of: Data("\r\n\r\n".utf8))!.upperBound)
        #expect(crlfLines(Data(body)).lines.allSatisfy { $0.count <= 76 })
    }

    @Test func asciiFilenamesAndDisplayNamesStayReadable() throws {
        var message = sampleMessage(attachments: [MailAttachment(filename: "invitation.ics", contentType: "text/calendar; method=PUBLISH",
                                                                 data: Data("x".utf8))])
        message.from = MailAddress("relais@example.org", displayName: "Relais CSAPA")
        let text = String(decoding: message.rendered(), as: UTF8.self)
        #expect(text.contains("From: Relais CSAPA <relais@example.org>\r\n"))
        #expect(text.contains("filename=\"invitation.ics\""))
        let parsed = try PythonEmail.parse(message.rendered())
        #expect(parsed.attachments.first?.filename == "invitation.ics")
        #expect(parsed.defects == [])
    }
}
