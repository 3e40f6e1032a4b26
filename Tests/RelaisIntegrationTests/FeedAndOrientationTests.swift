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
}
