import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// The same action by the JSON API and by its page, through the whole pipeline (authentication,
/// role check, handler, use case): one rule, the same answer, the same stored facts.
@Suite("One rule for the API and the pages")
struct SameRuleTests {
    typealias Fixture = ProgrammePageTests.Fixture

    static func json(_ page: PageClient.Page) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(page.text.utf8)) as? [String: Any])
    }

    static func fieldCodes(_ page: PageClient.Page) throws -> [String: String] {
        let error = try #require(try json(page)["error"] as? [String: Any])
        let reasons = error["reasons"] as? [String: [String: Any]] ?? [:]
        return reasons.compactMapValues { $0["code"] as? String }
    }

    /// A programme with Ana's first consultation booked through the API by the coordinator.
    static func firstConsultation(_ world: Fixture) throws -> (programmeID: String, consultationID: String) {
        let (id, _) = try world.programme()
        let created = try world.client.api(.post, "/api/v1/programmes/\(id)/consultations",
                                           #"{"participantId":"\#(world.ana.id)","index":1,"facilitatorId":"\#(world.lead.id)","start":"2027-11-20T10:00"}"#,
                                           as: "coord")
        #expect(created.status == 201)
        return (id, try #require(try json(created)["id"] as? String))
    }

    @Test func aNumberThatDoesNotFitAndAnUnknownConsultationAreNamedByTheirField() throws {
        let world = try Fixture()
        for value in ["1e20", "1.5", "\"1980\""] {
            let refused = try world.client.api(.post, "/api/v1/participants",
                                               #"{"firstName":"Léa","lastName":"Roux","noContact":true,"birthYear":\#(value)}"#, as: "coord")
            let fields = try Self.fieldCodes(refused)
            #expect(refused.status == 422 && fields.keys.sorted() == ["birthYear"], "\(value): \(refused.text)")
        }
        let orientation = try world.client.api(.post, "/api/v1/participants/\(world.ana.id)/orientations",
                                               #"{"kinds":["csapa"],"consultationId":"no-such-consultation"}"#, as: "claire")
        let orientationFields = try Self.fieldCodes(orientation)
        #expect(orientation.status == 422 && orientationFields["consultationId"] == "consultation_not_found")
        #expect(try world.client.app.actions.consultations.orientations(participantID: world.ana.id).isEmpty)
    }

    @Test func attendanceIsForTheProgrammesFacilitatorsAndTheCoordinationByBothWays() throws {
        let world = try Fixture()
        let (_, sessions) = try world.programme()
        let session = sessions[0]
        let sheet = #"{"records":[{"participantId":"\#(world.ana.id)","status":"absent"}],"note":"écrit par l'API"}"#

        // Another tabacologue of the structure: refused both ways, nothing written.
        #expect(try world.client.api(.put, "/api/v1/sessions/\(session.id)/attendance", sheet, as: "omar").status == 403)
        let page = try world.client.post("/sessions/\(session.id)/attendance", [("attendance.\(world.ana.id)", "present"), ("note", "écrit par la page")],
                                         as: "omar")
        #expect(page.status == 403)
        #expect(try world.client.app.enrolments.attendance(sessionID: session.id).isEmpty)
        #expect(try world.client.app.programmes.session(id: session.id).0.note == "")

        // Before the session has started: refused both ways, naming the session, nothing written.
        let earlyAPI = try world.client.api(.put, "/api/v1/sessions/\(session.id)/attendance", sheet, as: "claire")
        #expect(try earlyAPI.status == 422 && Self.fieldCodes(earlyAPI) == ["session": "session_not_started"])
        #expect(earlyAPI.text.contains("session 1 has not started yet (it starts on Thursday 4 November 2027, 18:00)"))
        let earlyPage = try world.client.post("/sessions/\(session.id)/attendance", [("attendance.\(world.ana.id)", "present")], as: "claire")
        #expect(earlyPage.status == 422 && earlyPage.text.contains("la séance 1 n&#39;a pas encore commencé"))
        #expect(try world.client.app.enrolments.attendance(sessionID: session.id).isEmpty)
        try world.client.moveClock(to: session.startsAt)

        // Its lead, its peer helper and a coordinator: accepted both ways, the same facts.
        let byAPI = try world.client.api(.put, "/api/v1/sessions/\(session.id)/attendance", sheet, as: "claire")
        #expect(byAPI.status == 200)
        #expect(try world.client.app.enrolments.attendance(sessionID: session.id)[world.ana.id] == .absent)
        let byPage = try world.client.post("/sessions/\(session.id)/attendance", [("attendance.\(world.ana.id)", "present"), ("note", "par la page")],
                                           as: "sam")
        #expect(byPage.status == 303)
        #expect(try world.client.app.enrolments.attendance(sessionID: session.id)[world.ana.id] == .present)
        #expect(try world.client.app.programmes.session(id: session.id).0.note == "par la page")
        #expect(try world.client.api(.put, "/api/v1/sessions/\(session.id)/attendance", sheet, as: "coord").status == 200)

        // An unknown status is refused by both, naming the participant's line.
        let badAPI = try world.client.api(.put, "/api/v1/sessions/\(session.id)/attendance",
                                          #"{"records":[{"participantId":"\#(world.ana.id)","status":"late"}]}"#, as: "claire")
        let badPage = try world.client.post("/sessions/\(session.id)/attendance", [("attendance.\(world.ana.id)", "late")], as: "claire")
        #expect(badAPI.status == 422 && badPage.status == 422)
        #expect(try Self.fieldCodes(badAPI).values.contains("expected_one_of"))
        #expect(try world.client.app.enrolments.attendance(sessionID: session.id)[world.ana.id] == .absent)
    }

    @Test func aConsultationIsBookedUnderTheSameChecksByBothWays() throws {
        let world = try Fixture()
        let (id, _) = try world.programme()
        func booking(index: String, duration: String) -> [(String, String)] {
            [("participantId", world.ana.id), ("index", index), ("facilitatorId", world.lead.id), ("start", "2027-11-20T10:00"),
             ("durationMinutes", duration), ("modality", "phone")]
        }
        func body(index: Int, duration: Int) -> String {
            #"{"participantId":"\#(world.ana.id)","index":\#(index),"facilitatorId":"\#(world.lead.id)","start":"2027-11-20T10:00","durationMinutes":\#(duration),"modality":"phone"}"#
        }
        // The template has two consultations: a third is refused by both, so is a 5-minute one.
        for (index, duration, field) in [(3, 45, "index"), (0, 45, "index"), (1, 5, "durationMinutes"), (1, 600, "durationMinutes")] {
            let api = try world.client.api(.post, "/api/v1/programmes/\(id)/consultations", body(index: index, duration: duration), as: "coord")
            #expect(api.status == 422, "\(index) \(duration)")
            #expect(try Self.fieldCodes(api)[field] == (field == "index" ? "consultation_index_range" : "duration_range"))
            let page = try world.client.post("/programmes/\(id)/consultations", booking(index: String(index), duration: String(duration)), as: "coord")
            #expect(page.status == 422, "\(index) \(duration)")
            #expect(page.text.contains("id=\"c-\(field)-error\"") && page.text.contains("href=\"#c-\(field)\""), "\(field) named on the page")
            #expect(page.text.contains("value=\"2027-11-20T10:00\""), "what was typed is kept")
        }
        // Words where a number is expected: named, not silently replaced by the template's default.
        let words = try world.client.post("/programmes/\(id)/consultations", booking(index: "1", duration: "une heure"), as: "coord")
        #expect(words.status == 422)
        #expect(try world.client.app.consultations.list(programmeID: id).isEmpty)

        // Valid: the page books it; the API then refuses the same index twice, as the page does.
        let booked = try world.client.post("/programmes/\(id)/consultations", booking(index: "1", duration: "30"), as: "coord")
        #expect(booked.status == 303)
        let twiceAPI = try world.client.api(.post, "/api/v1/programmes/\(id)/consultations", body(index: 1, duration: 30), as: "coord")
        let twicePage = try world.client.post("/programmes/\(id)/consultations", booking(index: "1", duration: "30"), as: "coord")
        #expect(twiceAPI.status == 409 && twicePage.status == 409)
        let consultations = try world.client.app.consultations.list(programmeID: id)
        #expect(consultations.count == 1 && consultations[0].endsAt.timeIntervalSince(consultations[0].startsAt) == 30 * 60)
    }

    @Test func aNewLengthAloneKeepsTheStartAndIsChecked() throws {
        let world = try Fixture()
        let (id, consultationID) = try Self.firstConsultation(world)
        let before = try #require(try world.client.app.consultations.list(programmeID: id).first)
        let longer = try world.client.api(.patch, "/api/v1/consultations/\(consultationID)", #"{"durationMinutes":90}"#, as: "coord")
        #expect(longer.status == 200)
        let after = try #require(try world.client.app.consultations.list(programmeID: id).first)
        #expect(after.startsAt == before.startsAt && after.endsAt == before.startsAt.addingTimeInterval(90 * 60))
        let tooLong = try world.client.api(.patch, "/api/v1/consultations/\(consultationID)", #"{"durationMinutes":300}"#, as: "coord")
        let tooLongCodes = try Self.fieldCodes(tooLong)
        #expect(tooLong.status == 422 && tooLongCodes["durationMinutes"] == "duration_range")
    }

    @Test func aConsultationNoteIsWrittenByItsClinicianOnlyByBothWays() throws {
        let world = try Fixture()
        let (id, consultationID) = try Self.firstConsultation(world)
        // The coordinator and another tabacologue: 403 both ways, the note untouched.
        for name in ["coord", "omar"] {
            #expect(try world.client.api(.patch, "/api/v1/consultations/\(consultationID)", #"{"note":"intrusion"}"#, as: name).status == 403)
            #expect(try world.client.post("/consultations/\(consultationID)", [("status", "done"), ("note", "intrusion")], as: name).status == 403)
        }
        #expect(try world.client.app.consultations.list(programmeID: id).first?.note == "")
        // Its clinician writes it either way; the other readers never see it.
        #expect(try world.client.post("/consultations/\(consultationID)", [("status", "planned"), ("note", "par la page")], as: "claire").status == 303)
        #expect(try world.client.app.consultations.list(programmeID: id).first?.note == "par la page")
        let byAPI = try world.client.api(.patch, "/api/v1/consultations/\(consultationID)", #"{"note":"par l'API"}"#, as: "claire")
        let written = try Self.json(byAPI)["note"] as? String
        #expect(byAPI.status == 200 && written == "par l'API")
        let coordinatorView = try world.client.api(.get, "/api/v1/consultations/\(consultationID)", as: "coord")
        #expect(coordinatorView.status == 200 && !coordinatorView.text.contains("par l'API"))
        #expect(!(try world.client.get("/consultations/\(consultationID)", as: "coord")).text.contains("par l&#39;API"))
    }
}
