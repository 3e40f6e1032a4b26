import Foundation
import RelaisDomain
import RelaisTestSupport
import Testing

/// SMS end to end against the real thing: a running daemon and `relais send-due` configured for
/// `sms.transport: kannel`, Debian's Kannel (bearerbox and smsbox) with the fake SMS centre of
/// kannel-extras as the operator, all on loopback. A reminder goes Relais → smsbox → bearerbox →
/// fakesmsc and its delivery report comes back to the daemon; with the gateway down nothing is
/// lost, and nothing is sent twice once it is back.
@Suite("SMS through a Kannel gateway", .serialized, .enabled(if: KannelGateway.isInstalled, "needs Debian's kannel and kannel-extras (make test-deps)"))
struct SMSGatewayTests {
    static func configuration(_ directory: TemporaryDirectory, gateway: KannelGateway) throws -> String {
        let file = directory.file("relais.yaml")
        try """
            http:
              public_base_url: https://relais.example.org
            mail:
              sweep_interval_seconds: 3600
            sms:
              transport: kannel
              sender: RelaisTest
              kannel:
                url: \(gateway.sendsmsURL)
                username: \(gateway.username)
                password: \(gateway.password)
                timeout_seconds: 5
            """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// A daemon with a programme in March 2027 (Thursdays 18:00 in Paris) and Ana, reached by SMS only.
    static func story(_ daemon: Daemon, firstName: String = "Ana") throws -> (token: String, ana: String, programme: String) {
        let (coordinator, _, created) = try ReminderTests.springProgramme(daemon)
        let programmeID = try #require(created.json["id"] as? String)
        let participant = try post(daemon, "/api/v1/participants", #"""
            {"firstName":"\#(firstName)","lastName":"Martin","birthYear":1980,"mobile":"06 12 34 56 78","consentSms":true,"consentFollowUp":true,"preferredChannel":"sms"}
            """#, token: coordinator)
        #expect(participant.status == 201, "\(participant.text)")
        #expect(participant.json["mobile"] as? String == "+33612345678")
        #expect((participant.json["consents"] as? [String: Any])?["sms"] is String)
        let ana = try #require(participant.json["id"] as? String)
        #expect(try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(ana)"}"#, token: coordinator).status == 201)
        return (coordinator, ana, programmeID)
    }

    static func messages(_ daemon: Daemon, _ token: String, _ query: String) throws -> [[String: Any]] {
        let listed = try TestHTTP.get(port: daemon.port, "/api/v1/outbox?\(query)", headers: [("Authorization", "Bearer \(token)")])
        return listed.json["messages"] as? [[String: Any]] ?? []
    }

    @Test func aReminderGoesThroughKannelArrivesWithItsTextAndItsDeliveryReportMarksItDelivered() throws {
        let gateway = try KannelGateway()
        let directory = TemporaryDirectory()
        let config = try Self.configuration(directory, gateway: gateway)
        let daemon = try Daemon(directory: directory, arguments: ["--config", config])
        // "Anaïs": a letter the GSM alphabet lacks, so her SMS go in UCS-2, in several parts.
        let (coordinator, ana, _) = try Self.story(daemon, firstName: "Anaïs")

        // The confirmation, at once: two SMS joined again at the centre.
        let confirmed = try ReminderTests.sendDue(daemon, config, "2027-02-01T10:00:00Z")
        #expect(confirmed["smsSent"] as? Int == 1, "\(confirmed)\n\(gateway.logs)")
        let first = gateway.waitForMessages(1)
        try #require(first.count == 1, "\(gateway.logs)")
        #expect(first[0].from == "RelaisTest" && first[0].to == "+33612345678")
        // Split by the gateway as Relais counted it: UCS-2, 67 characters a part.
        #expect(first[0].parts == 3 && SMSText.length(of: first[0].text) == .init(encoding: .ucs2, units: 143, segments: 3))
        #expect(first[0].text == "Bonjour Anaïs, inscription confirmée ! 1re séance jeudi 4 mars à 18 h 00, 1 rue de la Paix, Lille, Salle 2. "
                + "Rappel par SMS avant chaque séance.")

        // The reminder falls due Tuesday 2 March 18:00 in Paris; at 21:00 the SMS hours are over.
        let night = try ReminderTests.sendDue(daemon, config, "2027-03-02T20:00:00Z")
        #expect(night["windowOpen"] as? Bool == false && night["smsSent"] as? Int == 0)
        let morning = try ReminderTests.sendDue(daemon, config, "2027-03-03T08:00:00Z")
        #expect(morning["smsSent"] as? Int == 1, "\(morning)")
        let received = gateway.waitForMessages(2)
        try #require(received.count == 2, "\(gateway.logs)")
        #expect(received[1].text == "Bonjour Anaïs, rappel : séance de groupe jeudi 4 mars à 18 h 00, 1 rue de la Paix, Lille, Salle 2.")
        #expect(received[1].parts == 2 && SMSText.length(of: received[1].text).segments == 2)

        // The centre's reports reach the daemon (dlr-url): the reminder is delivered.
        var reminder: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(15)
        repeat {
            reminder = try Self.messages(daemon, coordinator, "participant=\(ana)&kind=session_reminder&channel=sms&state=sent").first ?? [:]
            if reminder["delivery"] as? String == "delivered" { break }
            usleep(100_000)
        } while Date() < deadline
        #expect(reminder["delivery"] as? String == "delivered", "\(reminder)\n\(daemon.log)\n\(gateway.logs)")
        #expect(reminder["channel"] as? String == "sms" && reminder["recipient"] as? String == "+33612345678")
        #expect(reminder["deliveryAt"] is String)

        // A report with a wrong secret is refused; the right one twice changes nothing.
        let reference = try #require(reminder["messageId"] as? String)
        #expect(try TestHTTP.get(port: daemon.port, "/sms/dlr/not-the-secret-at-all/\(reference)?type=2").status == 403)
        #expect(try Self.messages(daemon, coordinator, "participant=\(ana)&kind=session_reminder&state=sent").first?["delivery"] as? String == "delivered")

        // The command line lists the SMS.
        let listed = try daemon.cli(["outbox", "list", "--config", config, "--channel", "sms"])
        #expect(listed.status == 0)
        let rows = try #require(listed.json as? [[String: Any]])
        #expect(!rows.isEmpty && rows.allSatisfy { $0["channel"] as? String == "sms" })
        #expect(try daemon.cli(["outbox", "list", "--config", config, "--channel", "pigeon"]).status == 1)
        // Nobody had to phone her.
        let tasks = try TestHTTP.get(port: daemon.port, "/api/v1/tasks?state=open", headers: [("Authorization", "Bearer \(coordinator)")])
        #expect((tasks.json["tasks"] as? [[String: Any]])?.isEmpty == true)
        daemon.stop()
    }

    @Test func withTheGatewayDownNothingIsLostAndNothingIsSentTwiceOnceItIsBack() throws {
        let gateway = try KannelGateway()
        let directory = TemporaryDirectory()
        let config = try Self.configuration(directory, gateway: gateway)
        let daemon = try Daemon(directory: directory, arguments: ["--config", config])
        let (coordinator, ana, _) = try Self.story(daemon)
        _ = try ReminderTests.sendDue(daemon, config, "2027-02-01T10:00:00Z")
        try #require(gateway.waitForMessages(1).count == 1, "\(gateway.logs)")

        gateway.stop()
        let down = try ReminderTests.sendDue(daemon, config, "2027-03-02T17:00:00Z")
        #expect(down["smsTransportError"] as? String != nil && down["retrying"] as? Int == 1 && down["smsSent"] as? Int == 0, "\(down)")
        let waiting = try #require(try Self.messages(daemon, coordinator, "participant=\(ana)&kind=session_reminder&state=pending").first {
            $0["attempts"] as? Int == 1
        })
        #expect(waiting["failure"] as? String == "gateway_unreachable")

        try gateway.start()
        #expect(try ReminderTests.sendDue(daemon, config, "2027-03-02T17:02:00Z")["smsSent"] as? Int == 0, "waits for its back-off")
        #expect(try ReminderTests.sendDue(daemon, config, "2027-03-02T17:05:00Z")["smsSent"] as? Int == 1)
        let received = gateway.waitForMessages(2)
        // Ana's name is all GSM: one SMS, as plain text.
        #expect(received.count == 2 && received[1].text == "Bonjour Ana, rappel : séance de groupe jeudi 4 mars à 18 h 00, 1 rue de la Paix, Lille, Salle 2.",
                "\(gateway.logs)")
        #expect(received.last?.parts == 1)
        // Later sweeps, and a restart of the daemon: never again.
        daemon.stop(signal: SIGKILL)
        let again = try Daemon(directory: directory, arguments: ["--config", config])
        for instant in ["2027-03-02T17:30:00Z", "2027-03-03T09:00:00Z"] { _ = try ReminderTests.sendDue(again, config, instant) }
        usleep(1_000_000)
        #expect(gateway.received.filter { $0.text.contains("rappel : séance de groupe jeudi 4 mars") }.count == 1)
        let sent = try Self.messages(again, coordinator, "participant=\(ana)&kind=session_reminder&state=sent")
        #expect(sent.count == 1 && sent[0]["attempts"] as? Int == 2)
        again.stop()
    }
}
