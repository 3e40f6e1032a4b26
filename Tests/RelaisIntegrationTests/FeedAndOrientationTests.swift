import Foundation
import RelaisTestSupport
import Testing

@Suite("Planning CLI, orientations and facilitator feeds", .serialized)
struct FeedAndOrientationTests {
    @Test func thePlanCommandPrintsTheProposalAsJSON() throws {
        let result = try RelaisBinary.run(["plan", "--template", "3g2i", "--start", "2026-10-22T18:00", "--timezone", "Europe/Paris"])
        #expect(result.status == 0, "\(result.stderr)")
        let plan = try #require(result.json as? [String: Any])
        let sessions = try #require(plan["sessions"] as? [[String: Any]])
        #expect(sessions.map { $0["start"] as? String } == ["2026-10-22T16:00:00Z", "2026-10-29T17:00:00Z", "2026-11-05T17:00:00Z"])
        #expect(sessions.allSatisfy { $0["kind"] as? String == "group" && $0["holiday"] is NSNull })
        #expect(plan["followUpDue"] as? String == "2027-02-05")
        #expect(try RelaisBinary.run(["plan", "--start", "2026-13-01T18:00"]).status == 1)
        #expect(try RelaisBinary.run(["plan", "--template", "9x9", "--start", "2026-11-04T18:00"]).status == 1)
    }

    @Test func orientationsAndTheFacilitatorFeedWithRevocation() throws {
        let daemon = try Daemon()
        let coordinator = try token(daemon, user: "coord", role: "coordinator")
        let clinician = try token(daemon, user: "claire", role: "tabacologue")
        let helper = try token(daemon, user: "sam", role: "peer_helper")
        let claire = try userID(daemon, "claire", token: coordinator)
        let programme = try post(daemon, "/api/v1/programmes", #"{"title":"Visio","modality":"visio","visioUrl":"https://visio.example.org/r","start":"2026-12-01T18:00","leadId":"\#(claire)"}"#, token: coordinator)
        #expect(programme.status == 201, "\(programme.text)")
        let programmeID = try #require(programme.json["id"] as? String)
        let participant = try #require(try post(daemon, "/api/v1/participants", #"{"firstName":"Awa","lastName":"Test","phone":"0612345678","preferredChannel":"phone"}"#, token: coordinator).json["id"] as? String)
        #expect(try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(participant)"}"#, token: coordinator).status == 201)
        #expect(try post(daemon, "/api/v1/programmes/\(programmeID)/consultations", #"{"participantId":"\#(participant)","index":1,"facilitatorId":"\#(claire)","start":"2026-12-03T10:00","modality":"phone"}"#, token: coordinator).status == 201)

        let oriented = try post(daemon, "/api/v1/participants/\(participant)/orientations", #"{"kinds":["medecin_traitant","tabac_info_service"],"programmeId":"\#(programmeID)"}"#, token: clinician)
        #expect(oriented.status == 201)
        #expect((oriented.json["orientations"] as? [[String: Any]])?.count == 2)
        #expect(try post(daemon, "/api/v1/participants/\(participant)/orientations", #"{"kinds":["other"]}"#, token: clinician).status == 422)
        #expect(try post(daemon, "/api/v1/participants/\(participant)/orientations", #"{"kinds":["csapa"]}"#, token: helper).status == 403)
        let record = try TestHTTP.get(port: daemon.port, "/api/v1/participants/\(participant)", headers: [("Authorization", "Bearer \(coordinator)")])
        #expect((record.json["orientations"] as? [[String: Any]])?.compactMap { $0["kind"] as? String }.sorted() == ["medecin_traitant", "tabac_info_service"])

        let feed = try post(daemon, "/api/v1/me/feed", "{}", token: clinician)
        #expect(feed.status == 201)
        let url = try #require(feed.json["url"] as? String)
        let path = String(url[url.range(of: "/calendar/")!.lowerBound...])
        let ics = try TestHTTP.get(port: daemon.port, path)
        #expect(ics.status == 200)
        #expect(!ics.text.contains("Awa"), "participants' names never leave in a calendar")
        try validateWithPythonICalendar(ics.text, expectedEvents: 4, cancelled: 0)
        #expect(try TestHTTP.request(port: daemon.port, "DELETE", "/api/v1/me/feed", headers: [("Authorization", "Bearer \(clinician)")]).status == 204)
        #expect(try TestHTTP.get(port: daemon.port, path).status == 404)
        daemon.stop()
    }

    /// RFC 5545 3.8.7.4: each revision of an event raises its SEQUENCE, and a calendar keeps the
    /// version with the highest. The reminder, the notice of the move and the cancellation must
    /// climb, and say what the feed says at the same moment, or a client drops the later news.
    @Test func theSequenceOfAnEventClimbsWithEachRevisionAndMailAndFeedAgree() throws {
        let server = try SMTPTestServer()
        let directory = TemporaryDirectory()
        let config = try ReminderTests.configuration(directory, smtpPort: server.port)
        let daemon = try Daemon(directory: directory, arguments: ["--config", config])
        let coordinator = try token(daemon, user: "coord", role: "coordinator")
        let clinician = try token(daemon, user: "claire", role: "tabacologue")
        let claire = try userID(daemon, "claire", token: coordinator)
        let siteID = try #require(try post(daemon, "/api/v1/sites", #"{"name":"CSAPA Nord","address":"1 rue de la Paix, Lille"}"#, token: coordinator).json["id"] as? String)
        let created = try post(daemon, "/api/v1/programmes", #"{"title":"Printemps","siteId":"\#(siteID)","start":"2027-03-04T18:00","leadId":"\#(claire)"}"#, token: coordinator)
        #expect(created.status == 201, "\(created.text)")
        let programmeID = try #require(created.json["id"] as? String)
        let session = try #require((created.json["sessions"] as? [[String: Any]])?.first?["id"] as? String)
        let ana = try #require(try post(daemon, "/api/v1/participants", #"""
            {"firstName":"Ana","lastName":"Martin","birthYear":1980,"email":"ana@example.org","consentEmail":true}
            """#, token: coordinator).json["id"] as? String)
        #expect(try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(ana)"}"#, token: coordinator).status == 201)
        let feedURL = try #require(try post(daemon, "/api/v1/me/feed", "{}", token: clinician).json["url"] as? String)
        let feedPath = String(feedURL[feedURL.range(of: "/calendar/")!.lowerBound...])
        let uid = "session-\(session)@relais"

        /// The last message received, which must be of `kind`, and its .ics read by icalendar.
        func mailed(_ kind: String, at instant: String, event: String? = nil) throws -> CalendarEntry {
            let before = server.messages().count
            #expect(try ReminderTests.sendDue(daemon, config, instant)["sent"] as? Int == 1)
            #expect(server.messages().count == before + 1)
            let mail = try PythonEmail.parse(try #require(server.messages().last))
            #expect(mail.header("X-Relais-Kind") == kind)
            let ics = try #require(mail.attachments.first { $0.contentType == "text/calendar" })
            return try #require(try icalendarEntries(String(decoding: ics.data, as: UTF8.self))[event ?? uid])
        }
        func inFeed(_ uid: String) throws -> CalendarEntry? {
            let feed = try TestHTTP.get(port: daemon.port, feedPath)
            #expect(feed.status == 200)
            return try icalendarEntries(feed.text)[uid]
        }

        // Two days before: the reminder.
        _ = try ReminderTests.sendDue(daemon, config, "2027-02-01T10:00:00Z") // the confirmation
        let reminder = try mailed("session_reminder", at: "2027-03-02T17:00:00Z")
        #expect(reminder.status == "CONFIRMED")
        #expect(try inFeed(uid) == reminder)

        // Moved to the Friday: the notice carries a higher SEQUENCE, as does the feed.
        let moved = try TestHTTP.postJSON(port: daemon.port, "/api/v1/sessions/\(session)", #"{"start":"2027-03-05T18:00","reason":"salle prise"}"#,
                                          token: coordinator, method: "PATCH")
        #expect(moved.status == 200, "\(moved.text)")
        let change = try mailed("session_changed", at: "2027-03-02T17:10:00Z")
        #expect(change.sequence > reminder.sequence)
        #expect(try inFeed(uid) == change)

        // Cancelled: higher again, with STATUS:CANCELLED in both.
        #expect(try post(daemon, "/api/v1/sessions/\(session)/cancel", #"{"reason":"grève"}"#, token: coordinator).status == 200)
        let cancellation = try mailed("session_cancelled", at: "2027-03-02T17:20:00Z")
        #expect(cancellation.sequence > change.sequence && cancellation.status == "CANCELLED")
        #expect(try inFeed(uid) == cancellation)

        // A consultation in the same feed: its note is no revision, its time and status are.
        let booked = try post(daemon, "/api/v1/programmes/\(programmeID)/consultations",
                              #"{"participantId":"\#(ana)","index":1,"facilitatorId":"\#(claire)","start":"2027-03-08T10:00","modality":"phone"}"#,
                              token: coordinator)
        #expect(booked.status == 201, "\(booked.text)")
        let consultationID = try #require(booked.json["id"] as? String)
        let consultation = "consultation-\(consultationID)@relais"
        let first = try #require(try inFeed(consultation))
        func patch(_ body: String) throws {
            let patched = try TestHTTP.postJSON(port: daemon.port, "/api/v1/consultations/\(consultationID)", body, token: clinician, method: "PATCH")
            #expect(patched.status == 200, "\(patched.text)")
        }
        try patch(#"{"note":"motivée"}"#)
        #expect(try inFeed(consultation)?.sequence == first.sequence)
        try patch(#"{"start":"2027-03-09T10:00"}"#)
        let rebooked = try #require(try inFeed(consultation))
        #expect(rebooked.sequence > first.sequence)
        // The participant is told, with the time she was told before; the mail and the feed agree.
        let notice = try mailed("consultation_changed", at: "2027-03-02T17:30:00Z", event: consultation)
        #expect(notice == rebooked)
        let last = try #require(server.messages().last)
        let text = try #require(try PythonEmail.parse(last).text)
        #expect(text.contains("Avant : lundi 8 mars 2027 à 10 h 00") && text.contains("Désormais : le mardi 9 mars 2027 de 10 h 00 à 10 h 45"))
        #expect(text.contains("Par téléphone : nous vous appellerons à cette heure-là."))
        try patch(#"{"status":"cancelled"}"#)
        let dropped = try #require(try inFeed(consultation))
        #expect(dropped.sequence > rebooked.sequence && dropped.status == "CANCELLED")
        daemon.stop()
    }
}

/// One VEVENT as Python's icalendar package reads it.
struct CalendarEntry: Equatable {
    var sequence: Int
    var status: String
}

/// The VEVENTs of an iCalendar text by UID, read by Python's icalendar (an independent parser).
func icalendarEntries(_ text: String) throws -> [String: CalendarEntry] {
    let directory = TemporaryDirectory()
    try text.write(toFile: directory.file("events.ics"), atomically: true, encoding: .utf8)
    let result = try PythonEmail.run(["python3", "-c", """
        import icalendar, json, sys
        calendar = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
        print(json.dumps({str(e['UID']): [int(e['SEQUENCE']), str(e['STATUS'])] for e in calendar.walk('VEVENT')}))
        """, directory.file("events.ics")])
    guard result.status == 0, let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: [Any]] else {
        throw TestHTTPError(description: "icalendar could not read the calendar (\(result.status)): \(result.stderr)\n\(text)")
    }
    return object.compactMapValues { pair in
        guard pair.count == 2, let sequence = pair[0] as? Int, let status = pair[1] as? String else { return nil }
        return CalendarEntry(sequence: sequence, status: status)
    }
}
