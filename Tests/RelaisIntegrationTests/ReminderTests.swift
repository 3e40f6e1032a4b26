import Foundation
import RelaisTestSupport
import Testing

/// Reminders end to end: a running daemon configured for SMTP towards a real server (aiosmtpd),
/// data entered through the API, the clock advanced with `relais send-due --now`.
@Suite("Reminders and follow-up on a running daemon", .serialized)
struct ReminderTests {
    /// A configuration file for the daemon and the CLI alike.
    static func configuration(_ directory: TemporaryDirectory, smtpPort: Int) throws -> String {
        let file = directory.file("relais.yaml")
        try """
            http:
              public_base_url: https://relais.example.org
            mail:
              transport: smtp
              from: relais@example.org
              reply_to: contact@example.org
              smtp:
                host: 127.0.0.1
                port: \(smtpPort)
                security: none
                timeout_seconds: 5
              sweep_interval_seconds: 3600
            """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    static func sendDue(_ daemon: Daemon, _ config: String, _ instant: String) throws -> [String: Any] {
        let result = try daemon.cli(["send-due", "--config", config, "--now", instant])
        guard result.status == 0, let object = result.json as? [String: Any] else {
            throw TestHTTPError(description: "send-due failed (\(result.status)): \(result.stderr)")
        }
        return object
    }

    /// A coordinator and Claire, tabacologue, and the answer to creating "Printemps sans tabac"
    /// (CSAPA Nord, Salle 2, Thursdays 18:00 in Paris from 4 March 2027), led by her.
    static func springProgramme(_ daemon: Daemon) throws -> (coordinator: String, claire: String, created: TestResponse) {
        let coordinator = try token(daemon, user: "coord", role: "coordinator")
        _ = try token(daemon, user: "claire", role: "tabacologue")
        let claire = try userID(daemon, "claire", token: coordinator)
        let site = try post(daemon, "/api/v1/sites", #"{"name":"CSAPA Nord","address":"1 rue de la Paix, Lille"}"#, token: coordinator)
        let siteID = try #require(site.json["id"] as? String)
        let room = try post(daemon, "/api/v1/sites/\(siteID)/rooms", #"{"name":"Salle 2","capacity":20}"#, token: coordinator)
        let roomID = try #require(room.json["id"] as? String)
        let created = try post(daemon, "/api/v1/programmes", #"""
            {"title":"Printemps sans tabac","siteId":"\#(siteID)","roomId":"\#(roomID)","start":"2027-03-04T18:00","leadId":"\#(claire)"}
            """#, token: coordinator)
        return (coordinator, claire, created)
    }

    static func subjects(_ server: SMTPTestServer) throws -> [String] {
        try server.messages().map { try PythonEmail.parse($0).subject ?? "" }
    }

    @Test func fromPlanningToTheFollowUpTheDaemonSendsEachMessageOnceAndTurnsSilenceIntoTasks() throws {
        let server = try SMTPTestServer()
        let directory = TemporaryDirectory()
        let config = try Self.configuration(directory, smtpPort: server.port)
        var daemon = try Daemon(directory: directory, arguments: ["--config", config])
        let (coordinator, claire, created) = try Self.springProgramme(daemon)
        #expect(created.status == 201, "\(created.text)")
        let programmeID = try #require(created.json["id"] as? String)
        let sessions = try #require(created.json["sessions"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        let ana = try #require(try post(daemon, "/api/v1/participants", #"""
            {"firstName":"Ana","lastName":"Martin","birthYear":1980,"email":"ana@example.org","consentEmail":true,"consentFollowUp":true}
            """#, token: coordinator).json["id"] as? String)
        let chloe = try #require(try post(daemon, "/api/v1/participants", #"""
            {"firstName":"Chloé","lastName":"Petit","birthYear":1975,"phone":"06 12 34 56 78","consentFollowUp":true}
            """#, token: coordinator).json["id"] as? String)
        for participant in [ana, chloe] {
            #expect(try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(participant)"}"#, token: coordinator).status == 201)
        }

        // The confirmation: for Ana only, Chloé has no email.
        _ = try Self.sendDue(daemon, config, "2027-02-01T10:00:00Z")
        #expect(try Self.subjects(server) == ["Votre inscription : Printemps sans tabac"])

        // Sunday: the window is closed and nothing moves.
        #expect(try Self.sendDue(daemon, config, "2027-02-28T12:00:00Z")["windowOpen"] as? Bool == false)

        // The reminder of session 1 falls due on Tuesday 2 March 18:00 in Paris. SMTP is down then:
        // nothing is lost, and it goes once when the server is back.
        server.stop()
        let down = try Self.sendDue(daemon, config, "2027-03-02T17:00:00Z")
        #expect(down["transportError"] as? String != nil && down["retrying"] as? Int == 1)
        try server.restart()
        #expect(try Self.sendDue(daemon, config, "2027-03-02T17:02:00Z")["sent"] as? Int == 0, "waits for its back-off")
        #expect(try Self.sendDue(daemon, config, "2027-03-02T17:05:00Z")["sent"] as? Int == 1)
        let reminder = try PythonEmail.parse(try #require(server.waitForMessages(2).last))
        #expect(reminder.subject == "Rappel : séance 1 « Évaluer sa dépendance physique » le jeudi 4 mars 2027 à 18 h 00")
        #expect(reminder.text?.contains("Lieu : CSAPA Nord, Salle 2, 1 rue de la Paix, Lille") == true)
        #expect(reminder.attachments.first?.contentType == "text/calendar")

        // Attendance before a session has started is refused, naming the session: nothing is planned.
        let early = try TestHTTP.postJSON(port: daemon.port, "/api/v1/sessions/\(sessions[2])/attendance",
                                          #"{"records":[{"participantId":"\#(ana)","status":"present"}]}"#, token: coordinator, method: "PUT")
        #expect(early.status == 422 && early.text.contains("session_not_started"), "\(early.text)")
        #expect(try RelaisBinary.sqlite(daemon.dataDir, "SELECT COUNT(*) FROM outbox WHERE kind = 'end_questionnaire'") == ["0"])

        // The evening of session 3 (18 March, 18:00 to 20:00 in Paris): attendance of all three
        // sessions, and the end questionnaires and the follow-up are planned.
        daemon.stop()
        daemon = try Daemon(directory: directory, arguments: ["--config", config], environment: Daemon.fakeTime("2027-03-18 19:30:00"))
        for session in sessions {
            let records = [ana, chloe].map { #"{"participantId":"\#($0)","status":"present"}"# }.joined(separator: ",")
            let recorded = try TestHTTP.postJSON(port: daemon.port, "/api/v1/sessions/\(session)/attendance", #"{"records":[\#(records)]}"#,
                                                 token: coordinator, method: "PUT")
            #expect(recorded.status == 200, "\(recorded.text)")
        }
        _ = try Self.sendDue(daemon, config, "2027-03-19T09:00:00Z")
        #expect(try Self.subjects(server).contains("Votre avis sur le programme « Printemps sans tabac »"))

        // Chloé's questionnaire became a phone task, with its script and a printable letter.
        let tasks = try TestHTTP.get(port: daemon.port, "/api/v1/tasks?state=open", headers: [("Authorization", "Bearer \(coordinator)")])
        let open = try #require(tasks.json["tasks"] as? [[String: Any]])
        #expect(open.count == 1)
        #expect(open.first?["kind"] as? String == "questionnaire_call")
        #expect((open.first?["participant"] as? [String: Any])?["phone"] as? String == "06 12 34 56 78")
        let taskID = try #require(open.first?["id"] as? String)
        let detail = try TestHTTP.get(port: daemon.port, "/api/v1/tasks/\(taskID)", headers: [("Authorization", "Bearer \(coordinator)")])
        let script = try #require(detail.json["script"] as? [[String: Any]])
        #expect(script.map { $0["instrument"] as? String } == ["end_status", "satisfaction_end", "impact_end"])
        #expect((script.first?["questions"] as? [[String: Any]])?.isEmpty == false)
        let login = try logIn(daemon, name: "coord", password: "password for coord")
        let letter = try TestHTTP.get(port: daemon.port, "/tasks/\(taskID)/letter", headers: [("Cookie", "relais_session=\(login.session ?? "")")])
        #expect(letter.status == 200)
        #expect(letter.text.contains("Chloé Petit") && letter.text.contains("https://relais.example.org/q/"))
        #expect(letter.text.contains("☐"))
        // Printed again, the letter carries the same live link (the one already posted stays valid).
        func letterLink(_ text: String) -> String? {
            text.range(of: #"https://relais\.example\.org/q/[A-Za-z0-9_-]+"#, options: .regularExpression).map { String(text[$0]) }
        }
        let reprinted = try TestHTTP.get(port: daemon.port, "/tasks/\(taskID)/letter", headers: [("Cookie", "relais_session=\(login.session ?? "")")])
        let firstLink = try #require(letterLink(letter.text))
        #expect(letterLink(reprinted.text) == firstLink)
        let opened = try TestHTTP.get(port: daemon.port, String(firstLink.dropFirst("https://relais.example.org".count)))
        #expect(opened.status == 200 && opened.text.contains("Chloé"))
        #expect(try RelaisBinary.sqlite(daemon.dataDir, "SELECT COUNT(*) FROM questionnaire_token WHERE letter_nonce IS NOT NULL") == ["1"])
        let assigned = try TestHTTP.postJSON(port: daemon.port, "/api/v1/tasks/\(taskID)", #"{"assignedTo":"\#(claire)","note":"rappeler mardi"}"#,
                                             token: coordinator, method: "PATCH")
        #expect(assigned.json["assignedTo"] as? String == claire)
        let badState = try TestHTTP.postJSON(port: daemon.port, "/api/v1/tasks/\(taskID)", #"{"state":"finished"}"#, token: coordinator, method: "PATCH")
        #expect(badState.status == 422)

        // 18 June, three months after the last attended session: Ana's follow-up invitation.
        daemon.stop()
        daemon = try Daemon(directory: directory, arguments: ["--config", config], environment: Daemon.fakeTime("2027-06-18 08:30:00"))
        _ = try Self.sendDue(daemon, config, "2027-06-18T08:00:00Z")
        let followUp = try #require(try server.messages().map { try PythonEmail.parse($0) }.first { $0.subject == "Où en êtes-vous, trois mois après le programme ?" })
        let link = try #require(followUp.text?.split(whereSeparator: \.isWhitespace).first { $0.hasPrefix("https://relais.example.org/q/") })
        let path = String(link.dropFirst("https://relais.example.org".count))

        // The form: plain HTML, no script, her first name, every question.
        let form = try TestHTTP.get(port: daemon.port, path)
        #expect(form.status == 200)
        #expect(form.text.contains("Bonjour Ana") && form.text.contains(#"name="followup_3m.status""#))
        #expect(!form.text.contains("<script"))
        // A missing answer is named next to its question, and what was given is kept.
        let incomplete = try TestHTTP.postForm(port: daemon.port, path, [("followup_3m.status", "stopped")])
        #expect(incomplete.status == 422)
        #expect(incomplete.text.contains("error-summary") && incomplete.text.contains(#"value="stopped" checked"#))
        let answered = try TestHTTP.postForm(port: daemon.port, path, [
            ("followup_3m.status", "stopped"), ("followup_3m.aids_used", "patches"), ("followup_3m.aids_used", "vaping"),
            ("followup_3m.orientation_followed", "yes"), ("followup_3m.would_recommend", "yes"),
        ])
        #expect(answered.status == 200)
        #expect(answered.text.contains("Merci"))
        // The link is now spent: a polite page, and nothing about Ana.
        let again = try TestHTTP.get(port: daemon.port, path)
        #expect(again.status == 410)
        #expect(!again.text.contains("Ana") && !again.text.contains("followup_3m"))
        let stored = try TestHTTP.get(port: daemon.port, "/api/v1/participants/\(ana)/assessments", headers: [("Authorization", "Bearer \(coordinator)")])
        let followUps = (stored.json["assessments"] as? [[String: Any]] ?? []).filter { $0["instrument"] as? String == "followup_3m" }
        #expect(followUps.count == 1 && followUps.first?["source"] as? String == "participant_web")

        // Its reminders were cancelled in the same transaction.
        let reminders = try TestHTTP.get(port: daemon.port, "/api/v1/outbox?participant=\(ana)&kind=follow_up_reminder",
                                         headers: [("Authorization", "Bearer \(coordinator)")])
        let states = (reminders.json["messages"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
        #expect(states == ["cancelled", "cancelled"])
        let badFilter = try TestHTTP.get(port: daemon.port, "/api/v1/outbox?state=lost", headers: [("Authorization", "Bearer \(coordinator)")])
        #expect(badFilter.status == 422)
        // Only a failed message goes back in the queue.
        let sentID = try #require((try TestHTTP.get(port: daemon.port, "/api/v1/outbox?state=sent", headers: [("Authorization", "Bearer \(coordinator)")])
            .json["messages"] as? [[String: Any]])?.first?["id"] as? String)
        #expect(try post(daemon, "/api/v1/outbox/\(sentID)/retry", "{}", token: coordinator).status == 409)
        #expect(try post(daemon, "/api/v1/outbox/nope/retry", "{}", token: coordinator).status == 404)

        // Killed between sweeps and restarted: the same sweeps again send nothing twice.
        let before = server.messages().count
        #expect(daemon.stop(signal: SIGKILL) != 0)
        daemon = try Daemon(directory: directory, arguments: ["--config", config], environment: Daemon.fakeTime("2027-06-18 09:00:00"))
        _ = try Self.sendDue(daemon, config, "2027-06-18T08:00:00Z")
        _ = try Self.sendDue(daemon, config, "2027-06-25T08:00:00Z")
        _ = try Self.sendDue(daemon, config, "2027-07-02T08:00:00Z")
        #expect(server.messages().count == before, "no reminder to Ana after her answer, no duplicate after the restart")
        let ids = try server.messages().map { try PythonEmail.parse($0).messageID ?? "" }
        #expect(Set(ids).count == ids.count)

        let listed = try daemon.cli(["outbox", "list", "--config", config, "--state", "sent"])
        #expect(listed.status == 0)
        #expect((listed.json as? [[String: Any]])?.count == ids.count)
        #expect(try daemon.cli(["outbox", "list", "--config", config, "--state", "lost"]).status == 1)
        #expect(try daemon.cli(["send-due", "--config", config, "--now", "tomorrow"]).status == 1)
        daemon.stop()
    }

    @Test func anUnknownLinkShowsAPolitePageAndNoData() throws {
        let daemon = try Daemon()
        let page = try TestHTTP.get(port: daemon.port, "/q/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
        #expect(page.status == 404)
        #expect(page.text.contains("Lien inconnu"))
        let posted = try TestHTTP.postForm(port: daemon.port, "/q/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", [("followup_3m.status", "stopped")])
        #expect(posted.status == 410)
        daemon.stop()
    }

    @Test func theDemoProducesTheNextMessagesWhenTheClockIsAdvanced() throws {
        let directory = TemporaryDirectory()
        let dataDir = directory.file("var")
        let demo = try RelaisBinary.run(["demo", "--data-dir", dataDir, "--today", "2026-11-23"])
        #expect(demo.status == 0, "\(demo.stderr)")
        let summary = try #require(demo.json as? [String: Any])
        #expect((summary["accounts"] as? [[String: Any]])?.count == 4)
        #expect(try RelaisBinary.run(["demo", "--data-dir", dataDir]).status == 1, "refuses a data folder that is not empty")
        let maildir = (dataDir as NSString).appendingPathComponent("maildir/new")
        let before = try FileManager.default.contentsOfDirectory(atPath: maildir).count
        #expect(before > 0, "the replayed past left its mail")
        let names = try RelaisBinary.sqlite(dataDir, "SELECT last_name FROM participant")
        #expect(names.allSatisfy { $0.hasSuffix("(FICTIF)") })

        // Advancing through the follow-up of the past programme produces the invitations,
        // the reminders and then phone tasks.
        var kinds: [String: Int] = [:]
        for day in stride(from: 0, through: 35, by: 1) {
            let date = Calendar(identifier: .gregorian).date(byAdding: .day, value: day, to: ISO8601DateFormatter().date(from: "2026-11-24T09:00:00Z")!)!
            let swept = try RelaisBinary.run(["send-due", "--data-dir", dataDir, "--now", ISO8601DateFormatter().string(from: date)])
            #expect(swept.status == 0, "\(swept.stderr)")
        }
        for row in try RelaisBinary.sqlite(dataDir, "SELECT kind || '|' || COUNT(*) FROM outbox WHERE state = 'sent' GROUP BY kind") {
            let parts = row.split(separator: "|")
            kinds[String(parts[0])] = Int(parts[1])
        }
        #expect((kinds["follow_up_invitation"] ?? 0) > 0)
        #expect((kinds["follow_up_reminder"] ?? 0) > 0)
        #expect((kinds["session_reminder"] ?? 0) > 0)
        #expect((kinds["follow_up_call"] ?? 0) > 0)
        let tasks = try RelaisBinary.sqlite(dataDir, "SELECT COUNT(*) FROM task WHERE kind = 'follow_up_call'")
        #expect(Int(tasks.first ?? "0")! > 0)
        #expect(try FileManager.default.contentsOfDirectory(atPath: maildir).count > before)
    }
}
