import Foundation
#if canImport(Glibc)
import Glibc
#endif
import CCurl
import RelaisDomain
@testable import RelaisMail
import RelaisTestSupport
import Testing

func smtpSettings(_ server: SMTPTestServer, username: String? = nil, password: String? = nil,
                  security: SMTPSecurity = .none, caCertificatePath: String? = nil) -> SMTPSettings {
    SMTPSettings(host: "127.0.0.1", port: server.port, security: security, username: username, password: password,
                 timeoutSeconds: 10, heloName: "relais.test", caCertificatePath: caCertificatePath)
}

@Suite struct SMTPTransportTests {
    @Test func deliversTheRenderedBytesToTheSingleRecipient() throws {
        let server = try SMTPTestServer()
        let transport = SMTPTransport(settings: smtpSettings(server))
        #expect(transport.name == "smtp")
        let message = sampleMessage()
        try transport.deliver(message)

        let received = server.received()
        #expect(received.count == 1)
        #expect(received.first?.message == message.rendered())
        #expect(received.first?.envelope == SMTPEnvelope(mailFrom: "relais@csapa.example.org", rcptTos: ["marie.dupont@example.org"]))
        let parsed = try PythonEmail.parse(try #require(received.first?.message))
        #expect(parsed.subject == longFrenchSubject)
        #expect(parsed.text == sampleText)
        #expect(parsed.attachments.first?.data == sampleInvite.data)
    }

    @Test func authenticationWithRightAndWrongCredentials() throws {
        let server = try SMTPTestServer(auth: (user: "relais", password: "s3cret:with spaces"))
        try SMTPTransport(settings: smtpSettings(server, username: "relais", password: "s3cret:with spaces")).deliver(sampleMessage())
        #expect(server.messages().count == 1)

        do {
            try SMTPTransport(settings: smtpSettings(server, username: "relais", password: "wrong")).deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            // libcurl: CURLE_LOGIN_DENIED after "535 5.7.8 Authentication credentials invalid". A
            // configuration problem, so the message stays retryable once the operator fixes it.
            #expect(error.reason.contains("Login denied"))
            #expect(error.reason.contains("535"))
            #expect(!error.isPermanent)
            #expect(error.scope == .transport)
            #expect(error.failure == .authenticationFailed)
        }
        do {
            // No credentials at all: the server requires AUTH (530), again a configuration problem.
            try SMTPTransport(settings: smtpSettings(server)).deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(error.reason.contains("530"))
            #expect(!error.isPermanent)
        }
        #expect(server.messages().count == 1)
    }

    @Test func refusedRecipientIsPermanent() throws {
        let server = try SMTPTestServer(rejectRecipients: ["marie.dupont@example.org"])
        do {
            try SMTPTransport(settings: smtpSettings(server)).deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(error.isPermanent)
            #expect(error.scope == .message)
            #expect(error.reason.contains("550"))
            #expect(error.reason.contains("marie.dupont@example.org"))
            // "550 5.1.1 … User unknown": staff are told the mailbox does not exist.
            #expect(error.failure == .mailboxUnknown)
        }
        #expect(server.messages().isEmpty)
    }

    @Test func aGreylistedRecipientIsDeferredForThisMessageOnly() throws {
        let server = try SMTPTestServer(greylistRecipients: ["marie.dupont@example.org"])
        let transport = SMTPTransport(settings: smtpSettings(server))
        let deferred = try #require(throws: MailDeliveryError.self) { try transport.deliver(sampleMessage()) }
        // 451 to RCPT TO: worth a retry of this message, and no sign that the server is unusable.
        #expect(!deferred.isPermanent && deferred.scope == .message && deferred.reason.contains("451"))
        #expect(deferred.failure == .recipientDeferred)
        #expect(server.messages().isEmpty)
        try transport.deliver(sampleMessage())
        #expect(server.envelopes().map(\.rcptTos) == [["marie.dupont@example.org"]])
    }

    @Test func aServerClosingWith421AtRecipientIsATransportFailure() throws {
        let server = try SMTPTestServer(closeAtRecipients: ["marie.dupont@example.org"])
        let closing = try #require(throws: MailDeliveryError.self) { try SMTPTransport(settings: smtpSettings(server)).deliver(sampleMessage()) }
        // 421 answers RCPT TO but says the server is going away: every next message would fail too.
        #expect(!closing.isPermanent && closing.scope == .transport && closing.reason.contains("421"))
        #expect(closing.failure == .transportFailed)
        #expect(server.messages().isEmpty)
    }

    @Test func serverDownIsTemporaryAndDeliveryWorksAfterRestartOnTheSamePort() throws {
        let server = try SMTPTestServer()
        let transport = SMTPTransport(settings: smtpSettings(server))
        let port = server.port
        try transport.deliver(sampleMessage())
        server.stop()
        #expect(!server.isRunning)
        do {
            try transport.deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(!error.isPermanent)
            #expect(error.scope == .transport)
            #expect(error.reason.contains("Couldn't connect"))
            #expect(error.failure == .serverUnreachable)
        }
        try server.restart()
        #expect(server.port == port)
        #expect(server.isRunning)
        let second = sampleMessage(subject: "Après le redémarrage")
        try transport.deliver(second)
        let messages = server.messages()
        #expect(messages.count == 2)
        #expect(messages.last == second.rendered())
    }

    @Test func testServerProcessEndsWithTheObject() throws {
        var pid: Int32 = 0
        do {
            let server = try SMTPTestServer()
            pid = try #require(server.processIdentifier)
            #expect(kill(pid, 0) == 0)
        }
        #expect(kill(pid, 0) != 0)
    }

    @Test func twentyConcurrentDeliveriesArriveExactlyOnce() throws {
        let server = try SMTPTestServer()
        let transport = SMTPTransport(settings: smtpSettings(server))
        let failures = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            var message = sampleMessage(attachments: [])
            message.messageID = "concurrent-\(index)@relais.test"
            message.to = MailAddress("participant\(index)@example.org")
            do { try transport.deliver(message) } catch { failures.append(index) }
        }
        #expect(failures.values.isEmpty)
        let received = server.received()
        #expect(received.count == 20)
        let ids = try received.map { try PythonEmail.parse($0.message).messageID ?? "" }
        #expect(ids.sorted() == (0..<20).map { "<concurrent-\($0)@relais.test>" }.sorted())
        for item in received {
            let parsed = try PythonEmail.parse(item.message)
            let index = parsed.messageID!.dropFirst("<concurrent-".count).prefix { $0.isNumber }
            #expect(item.envelope.rcptTos == ["participant\(index)@example.org"])
        }
    }

    @Test func startTLSIsUsedWhenRequiredAndPlainTextIsRefused() throws {
        let folder = TemporaryDirectory()
        let tls = try SMTPTestServer.makeSelfSignedCertificate(in: folder.path)
        let server = try SMTPTestServer(auth: (user: "relais", password: "pw"), tls: tls, requireStartTLS: true)
        try SMTPTransport(settings: smtpSettings(server, username: "relais", password: "pw", security: .startTLS,
                                                 caCertificatePath: tls.certificate)).deliver(sampleMessage())
        #expect(server.messages().count == 1)
        do {
            // Without the CA, the self-signed certificate is refused: nothing is sent in clear.
            try SMTPTransport(settings: smtpSettings(server, username: "relais", password: "pw", security: .startTLS))
                .deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(!error.isPermanent)
        }
        do {
            try SMTPTransport(settings: smtpSettings(server, username: "relais", password: "pw", security: .none))
                .deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(!error.isPermanent)
        }
        #expect(server.messages().count == 1)
    }

    @Test func implicitTLS() throws {
        let folder = TemporaryDirectory()
        let tls = try SMTPTestServer.makeSelfSignedCertificate(in: folder.path)
        let server = try SMTPTestServer(tls: tls, implicitTLS: true)
        let message = sampleMessage()
        try SMTPTransport(settings: smtpSettings(server, security: .tls, caCertificatePath: tls.certificate)).deliver(message)
        #expect(server.messages() == [message.rendered()])
        // Plain SMTP against a TLS port gets no greeting it understands: an error, retryable.
        #expect { try SMTPTransport(settings: smtpSettings(server, security: .none)).deliver(message) } throws: {
            ($0 as? MailDeliveryError)?.isPermanent == false
        }
    }

    @Test func silentServerTimesOut() throws {
        // A listening socket that never answers: the TCP connection succeeds (kernel backlog)
        // but no greeting ever comes, so only CURLOPT_TIMEOUT ends the delivery.
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        try withUnsafeMutablePointer(to: &address) { pointer in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                guard bind(fd, $0, length) == 0, listen(fd, 8) == 0, getsockname(fd, $0, &length) == 0 else {
                    throw MailDeliveryError(reason: "cannot listen")
                }
            }
        }
        let port = Int(UInt16(bigEndian: address.sin_port))
        let settings = SMTPSettings(host: "127.0.0.1", port: port, security: .none, timeoutSeconds: 1)
        let start = Date()
        do {
            try SMTPTransport(settings: settings).deliver(sampleMessage())
            Issue.record("expected an error")
        } catch {
            #expect(!error.isPermanent)
            #expect(error.reason.contains("Timeout"))
            #expect(error.failure == .timeout)
        }
        #expect(Date().timeIntervalSince(start) < 5)
    }

    @Test func invalidAddressesAndSettingsFailBeforeConnecting() throws {
        var message = sampleMessage()
        message.to = MailAddress("marie@example.org>\r\nRCPT TO:<spy@evil.example")
        let transport = SMTPTransport(settings: SMTPSettings(host: "127.0.0.1", port: 1, security: .none, timeoutSeconds: 2))
        #expect { try transport.deliver(message) } throws: { ($0 as? MailDeliveryError)?.isPermanent == true }
        for settings in [SMTPSettings(host: "bad host", port: 25, security: .none),
                         SMTPSettings(host: "mail.example.org", port: 0, security: .none)] {
            #expect { try SMTPTransport(settings: settings).deliver(sampleMessage()) } throws: {
                ($0 as? MailDeliveryError)?.isPermanent == false
            }
        }
    }

    /// Issue 13: "éric@exemple.fr" was accepted on the participant form and then failed for good at
    /// sending. Entry and every transport now apply one rule (`EmailAddress`): what entry refuses,
    /// each transport refuses before connecting (a permanent failure staff can act on), and what
    /// entry accepts, the SMTP server receives.
    @Test func everyTransportRefusesWhatEntryRefusesAndDeliversWhatItAccepts() throws {
        let server = try SMTPTestServer()
        let folder = TemporaryDirectory()
        let transports: [any MailTransport] = [SMTPTransport(settings: smtpSettings(server)), try MaildirTransport(directory: folder.file("maildir")),
                                               SendmailTransport(command: "/bin/true", timeoutSeconds: 5)]
        let refused = ["éric@exemple.fr", "eric@exemplé.fr", "marie dupont@example.org", "marie..dupont@example.org", "<marie@example.org>"]
        for address in refused {
            #expect(EmailAddress.entryProblem(address) != nil, "\(address)")
            var message = sampleMessage(attachments: [])
            message.to = MailAddress(address)
            for transport in transports {
                let error = try #require(throws: MailDeliveryError.self, "\(transport.name) \(address)") { try transport.deliver(message) }
                #expect(error.isPermanent && error.failure == .addressInvalid && error.scope == .message, "\(transport.name) \(address)")
            }
        }
        #expect(server.messages().isEmpty, "refused before any connection")
        let accepted = ["eric@exemple.fr", "first.last+tag@sub.example.org", "o'brien@example.ie"]
        for address in accepted {
            #expect(EmailAddress.entryProblem(address) == nil, "\(address)")
            var message = sampleMessage(attachments: [])
            message.to = MailAddress(address)
            for transport in transports { try transport.deliver(message) }
        }
        #expect(server.envelopes().map(\.rcptTos) == accepted.map { [$0] })
    }

    @Test func aRefusalIsClassifiedByTheCommandItAnswered() {
        func dialogue(_ lines: [(out: Bool, String)]) -> SMTPDialogue {
            let dialogue = SMTPDialogue()
            for (out, line) in lines { if out { dialogue.commandSent(Substring(line)) } else { dialogue.replyReceived(Substring(line)) } }
            return dialogue
        }
        let unknown = dialogue([(true, "MAIL FROM:<a@b.org>"), (false, "250 OK"), (true, "RCPT TO:<x@y.org>"), (false, "550 5.1.1 User unknown")])
        #expect(SMTPTransport.failure(CURLE_SEND_ERROR, responseCode: 550, dialogue: unknown) == .mailboxUnknown)
        let policy = dialogue([(true, "RCPT TO:<x@y.org>"), (false, "554 5.7.1 Relay access denied")])
        #expect(SMTPTransport.failure(CURLE_SEND_ERROR, responseCode: 554, dialogue: policy) == .recipientRefused)
        let sender = dialogue([(true, "MAIL FROM:<a@b.org>"), (false, "553 5.7.1 Sender address rejected")])
        #expect(SMTPTransport.failure(CURLE_SEND_ERROR, responseCode: 553, dialogue: sender) == .senderRefused)
        let content = dialogue([(true, "RCPT TO:<x@y.org>"), (false, "250 OK"), (true, "DATA"), (false, "354 go ahead"), (false, "552 5.3.4 Message too big")])
        #expect(SMTPTransport.failure(CURLE_SEND_ERROR, responseCode: 552, dialogue: content) == .messageRefused)
        // The lines after AUTH are credentials: never taken for a command.
        let auth = dialogue([(true, "AUTH LOGIN"), (false, "334 VXNlcm5hbWU6"), (true, "cmVsYWlz"), (false, "535 5.7.8 Authentication failed")])
        #expect(SMTPTransport.failure(CURLE_LOGIN_DENIED, responseCode: 535, dialogue: auth) == .authenticationFailed)
        #expect(SMTPTransport.failure(CURLE_PEER_FAILED_VERIFICATION, responseCode: 0, dialogue: SMTPDialogue()) == .tlsFailed)
        #expect(SMTPTransport.failure(CURLE_COULDNT_RESOLVE_HOST, responseCode: 0, dialogue: SMTPDialogue()) == .serverUnreachable)
    }
}
