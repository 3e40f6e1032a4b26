import Foundation
import RelaisTestSupport
import Testing

/// The address links name, end to end: `relais serve --port 0` without `http.public_base_url`
/// records the address it binds, and `relais send-due` (another process) mails links to it.
@Suite("The address links name, on a running daemon", .serialized)
struct ServedAddressTests {
    @Test func linksNameThePortTheDaemonBoundAndFailedDeliveriesSayWhoAndWhy() throws {
        let server = try SMTPTestServer()
        let directory = TemporaryDirectory()
        let config = directory.file("relais.yaml")
        try """
            mail:
              transport: smtp
              from: relais@example.org
              smtp:
                host: 127.0.0.1
                port: \(server.port)
                security: none
                timeout_seconds: 5
              sweep_interval_seconds: 3600
            """.write(toFile: config, atomically: true, encoding: .utf8)
        // The evening of the programme's last session (attendance is recorded from a session's start).
        let daemon = try Daemon(directory: directory, arguments: ["--config", config], environment: Daemon.fakeTime("2027-03-18 19:30:00"))
        defer { daemon.stop() }
        let served = "http://127.0.0.1:\(daemon.port)"

        // Recorded for the other processes, and warned about: nobody outside this machine opens it.
        let recorded = try String(contentsOfFile: daemon.dataDir + "/served-address", encoding: .utf8)
        #expect(recorded == served + "\n")
        #expect(daemon.log.contains("links in mail and letters use \(served), which participants outside this machine cannot open"))
        #expect(daemon.log.contains("set http.public_base_url"))

        let coordinator = try token(daemon, user: "coord", role: "coordinator")
        _ = try token(daemon, user: "claire", role: "tabacologue")
        let claire = try userID(daemon, "claire", token: coordinator)
        let site = try #require(try post(daemon, "/api/v1/sites", #"{"name":"CSAPA Nord","address":"1 rue de la Paix, Lille"}"#, token: coordinator)
            .json["id"] as? String)
        let created = try post(daemon, "/api/v1/programmes", #"""
            {"title":"Printemps sans tabac","siteId":"\#(site)","start":"2027-03-04T18:00","leadId":"\#(claire)"}
            """#, token: coordinator)
        let programme = try #require(created.json["id"] as? String, "\(created.text)")
        let sessions = try #require(created.json["sessions"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        let ana = try #require(try post(daemon, "/api/v1/participants", #"""
            {"firstName":"Ana","lastName":"Martin","birthYear":1980,"email":"ana@example.org","consentEmail":true,"consentFollowUp":true}
            """#, token: coordinator).json["id"] as? String)
        let eric = try #require(try post(daemon, "/api/v1/participants", #"""
            {"firstName":"Éric","lastName":"Durand","birthYear":1982,"email":"eric@exemple.fr","consentEmail":true,"consentFollowUp":true}
            """#, token: coordinator).json["id"] as? String)
        // Éric's address as it was entered before Relais checked addresses as the transports do.
        _ = try RelaisBinary.sqlite(daemon.dataDir, "UPDATE participant SET email = 'éric@exemple.fr' WHERE id = '\(eric)'")
        for participant in [ana, eric] {
            #expect(try post(daemon, "/api/v1/programmes/\(programme)/enrolments", #"{"participantId":"\#(participant)"}"#, token: coordinator).status == 201)
        }
        for session in sessions {
            let records = [ana, eric].map { #"{"participantId":"\#($0)","status":"present"}"# }.joined(separator: ",")
            let recorded = try TestHTTP.postJSON(port: daemon.port, "/api/v1/sessions/\(session)/attendance", #"{"records":[\#(records)]}"#,
                                                 token: coordinator, method: "PUT")
            #expect(recorded.status == 200)
        }

        // `relais send-due`, another process: the questionnaire link names the port bound.
        let sweep = try daemon.cli(["send-due", "--config", config, "--now", "2027-03-19T09:00:00Z"])
        #expect(sweep.status == 0, "\(sweep.stderr)")
        let mails = try server.messages().map { try PythonEmail.parse($0) }
        let invitation = try #require(mails.first { $0.subject == "Votre avis sur le programme « Printemps sans tabac »" })
        let link = try #require(invitation.text?.split(whereSeparator: \.isWhitespace).first { $0.contains("/q/") })
        #expect(link.hasPrefix("\(served)/q/"), "\(link)")
        #expect(try TestHTTP.get(port: daemon.port, String(link.dropFirst(served.count))).text.contains("Bonjour Ana"))
        #expect(server.envelopes().allSatisfy { $0.rcptTos == ["ana@example.org"] }, "Éric's address never reached the server")

        // Éric's messages failed for good: the dashboard names him and says why in French, with
        // a link to correct his address instead of a useless retry.
        let login = try logIn(daemon, name: "coord", password: "password for coord")
        let dashboard = try TestHTTP.get(port: daemon.port, "/", headers: [("Cookie", "relais_session=\(login.session ?? "")")]).text
        #expect(dashboard.contains("Éric Durand") && dashboard.contains("adresse e-mail impossible à livrer (lettres accentuées"))
        #expect(dashboard.contains("/participants/\(eric)/edit#email") && !dashboard.contains("invalid recipient address"))
        #expect(!dashboard.contains("/retry"))
    }

    @Test func aPublicBaseURLWinsAndSilencesTheWarning() throws {
        let directory = TemporaryDirectory()
        let config = directory.file("relais.yaml")
        try "http:\n  public_base_url: https://relais.example.org\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try Daemon(directory: directory, arguments: ["--config", config])
        defer { daemon.stop() }
        #expect(!daemon.log.contains("cannot open"))
        // The address served is recorded all the same (the setting wins when links are written).
        #expect(try String(contentsOfFile: daemon.dataDir + "/served-address", encoding: .utf8) == "http://127.0.0.1:\(daemon.port)\n")
    }
}
