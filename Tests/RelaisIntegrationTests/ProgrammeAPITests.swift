import Foundation
import RelaisTestSupport
import Testing

/// A user id, looked up by name through the API.
func userID(_ daemon: Daemon, _ name: String, token: String) throws -> String {
    let users = try TestHTTP.get(port: daemon.port, "/api/v1/users", headers: [("Authorization", "Bearer \(token)")]).json["users"] as? [[String: Any]]
    return try #require(users?.first { $0["name"] as? String == name }?["id"] as? String)
}

func post(_ daemon: Daemon, _ path: String, _ body: String, token: String) throws -> TestResponse {
    try TestHTTP.postJSON(port: daemon.port, path, body, token: token)
}

@Suite("Programmes through the API alone", .serialized)
struct ProgrammeAPITests {
    @Test func aCoordinatorRunsMoisSansTabacThroughTheAPI() throws {
        let daemon = try Daemon()
        let coordinator = try token(daemon, user: "coord", role: "coordinator")
        let clinician = try token(daemon, user: "claire", role: "tabacologue")
        let helper = try token(daemon, user: "sam", role: "peer_helper")
        let claire = try userID(daemon, "claire", token: coordinator)
        let sam = try userID(daemon, "sam", token: coordinator)

        let site = try post(daemon, "/api/v1/sites", #"{"name":"CSAPA Nord","address":"1 rue de la Paix, Lille"}"#, token: coordinator)
        #expect(site.status == 201)
        let siteID = try #require(site.json["id"] as? String)
        let room = try post(daemon, "/api/v1/sites/\(siteID)/rooms", #"{"name":"Salle 2","capacity":20}"#, token: coordinator)
        let roomID = try #require(room.json["id"] as? String)

        // A peer helper never leads alone.
        let alone = try post(daemon, "/api/v1/programmes", #"{"title":"X","siteId":"\#(siteID)","roomId":"\#(roomID)","start":"2026-11-04T18:00","leadId":"\#(sam)"}"#, token: coordinator)
        #expect(alone.status == 422)
        #expect(((alone.json["error"] as? [String: Any])?["fields"] as? [String: String])?["leadId"]?.contains("peer helper") == true)

        let created = try post(daemon, "/api/v1/programmes", #"""
            {"title":"Mois sans tabac 2026","siteId":"\#(siteID)","roomId":"\#(roomID)","start":"2026-11-04T18:00",
             "leadId":"\#(claire)","peerHelperId":"\#(sam)"}
            """#, token: coordinator)
        #expect(created.status == 201)
        let programmeID = try #require(created.json["id"] as? String)
        let sessions = try #require(created.json["sessions"] as? [[String: Any]])
        #expect(sessions.map { $0["start"] as? String } == ["2026-11-04T17:00:00Z", "2026-11-11T17:00:00Z", "2026-11-18T17:00:00Z"])
        #expect(sessions[1]["holiday"] as? String == "Armistice 1918")
        #expect(created.json["followUpDue"] as? String == "2027-02-18")

        // The same facilitator or room at the same time is refused.
        let clash = try post(daemon, "/api/v1/programmes", #"{"title":"Doublon","siteId":"\#(siteID)","roomId":"\#(roomID)","start":"2026-11-04T18:30","leadId":"\#(claire)"}"#, token: coordinator)
        #expect(clash.status == 409)
        #expect(((clash.json["error"] as? [String: Any])?["message"] as? String)?.contains("already leads") == true)

        // 16 enrolled, then 2 on the waiting list.
        var participants: [String] = []
        for index in 1...18 {
            let contact = index % 3 == 0 ? #""phone":"06 12 34 56 \#(String(format: "%02d", index))""# : #""email":"p\#(index)@example.org","consentEmail":true"#
            let created = try post(daemon, "/api/v1/participants", #"{"firstName":"Prénom\#(index)","lastName":"Test","birthYear":1980,\#(contact)}"#, token: coordinator)
            #expect(created.status == 201, "\(created.text)")
            let id = try #require(created.json["id"] as? String)
            participants.append(id)
            let enrolment = try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(id)"}"#, token: coordinator)
            #expect(enrolment.json["status"] as? String == (index <= 16 ? "enrolled" : "waiting"))
        }
        let minor = try post(daemon, "/api/v1/participants", #"{"firstName":"Jeune","lastName":"Test","birthYear":2015,"noContact":true}"#, token: coordinator)
        #expect(minor.status == 422)
        let noWay = try post(daemon, "/api/v1/participants", #"{"firstName":"Sans","lastName":"Contact"}"#, token: coordinator)
        #expect(((noWay.json["error"] as? [String: Any])?["fields"] as? [String: String])?["contact"] != nil)
        let full = try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(participants[0])"}"#, token: coordinator)
        #expect(full.status == 409)

        // 32 consultations, two per enrolled participant, in the facilitator's free time.
        var consultations: [String] = []
        for (index, participant) in participants.prefix(16).enumerated() {
            for number in 1...2 {
                let day = (number == 1 ? 5 : 12) + index / 8
                let hour = 9 + index % 8
                let booked = try post(daemon, "/api/v1/programmes/\(programmeID)/consultations", #"""
                    {"participantId":"\#(participant)","index":\#(number),"facilitatorId":"\#(claire)","start":"2026-11-\#(String(format: "%02d", day))T\#(String(format: "%02d", hour)):00","modality":"in_person"}
                    """#, token: coordinator)
                #expect(booked.status == 201, "\(booked.text)")
                if let id = booked.json["id"] as? String { consultations.append(id) }
            }
        }
        #expect(consultations.count == 32)
        let doubleBooked = try post(daemon, "/api/v1/programmes/\(programmeID)/consultations", #"""
            {"participantId":"\#(participants[0])","index":1,"facilitatorId":"\#(claire)","start":"2026-11-05T09:15"}
            """#, token: coordinator)
        #expect(doubleBooked.status == 409)
        let peerConsultation = try post(daemon, "/api/v1/programmes/\(programmeID)/consultations", #"""
            {"participantId":"\#(participants[1])","index":1,"facilitatorId":"\#(sam)","start":"2026-11-06T09:00"}
            """#, token: coordinator)
        #expect(peerConsultation.status == 422)

        // The clinician writes a note; a peer helper can never read it.
        let noted = try TestHTTP.postJSON(port: daemon.port, "/api/v1/consultations/\(consultations[0])",
                                          #"{"status":"done","note":"Patchs 21 mg, rappel dans 15 jours"}"#, token: clinician, method: "PATCH")
        #expect(noted.status == 200)
        #expect(noted.json["note"] as? String == "Patchs 21 mg, rappel dans 15 jours")
        #expect(try TestHTTP.get(port: daemon.port, "/api/v1/consultations/\(consultations[0])", headers: [("Authorization", "Bearer \(helper)")]).status == 403)
        let asCoordinator = try TestHTTP.get(port: daemon.port, "/api/v1/consultations/\(consultations[0])", headers: [("Authorization", "Bearer \(coordinator)")])
        #expect(asCoordinator.status == 200 && asCoordinator.json["note"] == nil)

        // Attendance by the peer helper, who sees first names and initials only.
        let sessionID = try #require(sessions[0]["id"] as? String)
        let records = participants.prefix(16).enumerated().map { #"{"participantId":"\#($1)","status":"\#($0 == 3 ? "excused" : "present")"}"# }
        let attendance = try TestHTTP.postJSON(port: daemon.port, "/api/v1/sessions/\(sessionID)/attendance",
                                               #"{"records":[\#(records.joined(separator: ","))],"note":"Groupe dynamique"}"#, token: helper, method: "PUT")
        #expect(attendance.status == 200, "\(attendance.text)")
        let peerView = try TestHTTP.get(port: daemon.port, "/api/v1/sessions/\(sessionID)", headers: [("Authorization", "Bearer \(helper)")])
        let roster = try #require(peerView.json["roster"] as? [[String: Any]])
        #expect(roster.count == 16)
        #expect(roster.allSatisfy { ($0["name"] as? String)?.hasSuffix(" T.") == true })
        #expect(roster.filter { $0["attendance"] as? String == "present" }.count == 15)

        // A withdrawal promotes the first on the waiting list.
        let enrolments = try TestHTTP.get(port: daemon.port, "/api/v1/programmes/\(programmeID)/enrolments", headers: [("Authorization", "Bearer \(coordinator)")])
        let first = try #require((enrolments.json["enrolments"] as? [[String: Any]])?.first?["id"] as? String)
        let withdrawn = try post(daemon, "/api/v1/enrolments/\(first)/withdraw", #"{"reason":"Déménagement"}"#, token: coordinator)
        #expect((withdrawn.json["promoted"] as? [String: Any])?["participantId"] as? String == participants[16])

        // Rescheduling off the holiday is recorded; cancelling shows in the feed.
        let moved = try TestHTTP.postJSON(port: daemon.port, "/api/v1/sessions/\(sessions[1]["id"] as! String)",
                                          #"{"start":"2026-11-12T18:00","reason":"11 novembre férié"}"#, token: coordinator, method: "PATCH")
        #expect(moved.status == 200)
        #expect(moved.json["start"] as? String == "2026-11-12T17:00:00Z")
        #expect(moved.json["holiday"] is NSNull)
        let cancelled = try post(daemon, "/api/v1/sessions/\(sessions[2]["id"] as! String)/cancel", #"{"reason":"Salle indisponible"}"#, token: coordinator)
        #expect(cancelled.json["status"] as? String == "cancelled")

        let feed = try post(daemon, "/api/v1/programmes/\(programmeID)/feed", "{}", token: coordinator)
        let url = try #require(feed.json["url"] as? String)
        let path = String(url[url.range(of: "/calendar/")!.lowerBound...])
        let ics = try TestHTTP.get(port: daemon.port, path)
        #expect(ics.status == 200)
        #expect(ics.header("Content-Type")?.hasPrefix("text/calendar") == true)
        try validateWithPythonICalendar(ics.text, expectedEvents: 3, cancelled: 1)

        // Audit rows for the participant records.
        daemon.stop()
        let audit = try RelaisBinary.sqlite(daemon.dataDir, "SELECT action, COUNT(*) FROM audit_log WHERE entity = 'participant' GROUP BY action ORDER BY action")
        #expect(audit.contains("enrol|16") && audit.contains("wait_list|2") && audit.contains("book_consultation|32"))
        #expect(audit.contains("attendance|16") && audit.contains("promote_from_waiting_list|1"))
    }
}

/// Parses the feed with Python's icalendar (a real, independent RFC 5545 parser).
func validateWithPythonICalendar(_ text: String, expectedEvents: Int, cancelled: Int) throws {
    let directory = TemporaryDirectory()
    try text.write(toFile: directory.file("feed.ics"), atomically: true, encoding: .utf8)
    let script = """
        import sys, icalendar
        cal = icalendar.Calendar.from_ical(open(sys.argv[1], 'rb').read())
        events = [c for c in cal.walk('VEVENT')]
        assert len(events) == \(expectedEvents), len(events)
        assert len([e for e in events if str(e.get('STATUS')) == 'CANCELLED']) == \(cancelled)
        assert len(cal.walk('VTIMEZONE')) == 1
        uids = [str(e['UID']) for e in events]
        assert len(set(uids)) == len(uids)
        for e in events:
            start = e.decoded('DTSTART')
            assert start.tzinfo is not None and e['DTSTART'].params['TZID'] == 'Europe/Paris', e['DTSTART'].params
        print('ok', len(events))
        """
    try script.write(toFile: directory.file("check.py"), atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", directory.file("check.py"), directory.file("feed.ics")]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let printed = String(decoding: data, as: UTF8.self)
    #expect(process.terminationStatus == 0, "icalendar rejected the feed: \(printed)\n\(text)")
}
