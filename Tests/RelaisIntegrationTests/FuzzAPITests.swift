import Foundation
import RelaisTestSupport
import Testing

/// Random and boundary values in every date, year and number field of the API and of the pages
/// that parse them, against a running daemon: no answer may be a 5xx, and the daemon must
/// still answer afterwards (a trap would have killed it).
@Suite("Fuzz: dates and numbers through HTTP", .serialized)
struct FuzzAPITests {
    /// A JSON value as a careless script or an attacker sends it.
    static func value(_ random: inout SeededGenerator, dates: Bool) -> String {
        switch Int.random(in: 0..<10, using: &random) {
        case 0, 1: return quoted(dates ? FuzzInput.localTime(&random) : FuzzInput.number(&random))
        case 2: return quoted(FuzzInput.date(&random))
        case 3: return quoted(FuzzInput.noise(&random))
        case 4:
            let number = FuzzInput.number(&random)
            return Double(number).map { $0.isFinite && !number.contains("x") && !number.hasPrefix("+") && !number.hasPrefix("0") ? number : "1e999" } ?? "-0"
        case 5: return ["true", "null", "[]", "{}", "[1,2]", "{\"a\":1}", "\"\"", "1.5", "-1"].randomElement(using: &random)!
        default: return quoted(dates ? FuzzInput.localTime(&random) : String(Int.random(in: -1000...100_000, using: &random)))
        }
    }

    static func quoted(_ text: String) -> String {
        String(decoding: try! JSONSerialization.data(withJSONObject: [text]), as: UTF8.self).dropFirst().dropLast().description
    }

    @Test func thousandsOfRandomRequestsNeverAnswer5xxNorStopTheDaemon() throws {
        let structure = try HardeningTests.Structure()
        let daemon = structure.daemon, coordinator = structure.coordinator, claire = structure.claire
        let created = try structure.programme()
        let programmeID = try #require(created.json["id"] as? String, "\(created.text)")
        let sessionID = try #require((created.json["sessions"] as? [[String: Any]])?.first?["id"] as? String)
        let participant = try #require(try post(daemon, "/api/v1/participants", #"{"firstName":"Ana","lastName":"Test","noContact":true}"#,
                                                token: coordinator).json["id"] as? String)
        _ = try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(participant)"}"#, token: coordinator)
        let consultation = try post(daemon, "/api/v1/programmes/\(programmeID)/consultations", #"""
            {"participantId":"\#(participant)","index":1,"facilitatorId":"\#(claire)","start":"2026-11-05T10:00"}
            """#, token: coordinator)
        let consultationID = try #require(consultation.json["id"] as? String, "\(consultation.text)")
        let browser = try structure.session("coord")

        var random = SeededGenerator.seeded()
        var failures: [String] = []
        var statuses: [Int: Int] = [:]
        let cases = Int(ProcessInfo.processInfo.environment["RELAIS_FUZZ_CASES"] ?? "") ?? 2500
        for _ in 0..<cases {
            let v = { (dates: Bool) -> String in Self.value(&random, dates: dates) }
            let raw = TestHTTP.escape(Bool.random(using: &random) ? FuzzInput.number(&random) : FuzzInput.date(&random))
            let request: (String, String, String?)
            switch Int.random(in: 0..<14, using: &random) {
            case 0: request = ("POST", "/api/v1/programmes/preview", #"{"title":\#(v(false)),"start":\#(v(true)),"cadence":\#(["\"weekly\"", Self.quoted("every:" + FuzzInput.number(&random)), "[\(v(true)),\(v(true)),\(v(true))]", v(true)].randomElement(using: &random)!),"leadId":"\#(claire)","capacity":\#(v(false))}"#)
            case 1: request = ("PATCH", "/api/v1/sessions/\(sessionID)", #"{"start":\#(v(true)),"reason":"fuzz"}"#)
            case 2: request = ("POST", "/api/v1/programmes/\(programmeID)/consultations", #"{"participantId":"\#(participant)","index":\#(v(false)),"facilitatorId":"\#(claire)","start":\#(v(true)),"durationMinutes":\#(v(false))}"#)
            case 3: request = ("PATCH", "/api/v1/consultations/\(consultationID)", #"{"start":\#(v(true)),"durationMinutes":\#(v(false))}"#)
            case 4: request = ("POST", "/api/v1/participants", #"{"firstName":\#(v(false)),"lastName":"Fuzz","birthYear":\#(v(false)),"noContact":true}"#)
            case 5: request = ("POST", "/api/v1/participants/\(participant)/assessments", #"{"instrument":"co","answers":{"ppm":\#(v(false))},"date":\#(v(true))}"#)
            case 6: request = ("POST", "/api/v1/participants/\(participant)/assessments", #"{"instrument":"fagerstrom","answers":{"q1":"within5","q2":"yes","q3":"other","q4":\#(v(false)),"q5":"no","q6":"no"},"date":\#(Self.quoted(FuzzInput.date(&random)))}"#)
            case 7: request = ("POST", "/api/v1/tasks", #"{"participantId":"\#(participant)","reason":\#(v(false)),"dueOn":\#(Self.quoted(FuzzInput.date(&random)))}"#)
            case 8: request = ("GET", "/api/v1/outbox?limit=\(raw)", nil)
            case 9: request = ("GET", "/api/v1/programmes?year=\(raw)", nil)
            case 10: request = ("GET", "/api/v1/reports/years/\(raw)", nil)
            case 11: request = ("POST", "/api/v1/instruments/fagerstrom/score", #"{"answers":{"q1":"within5","q4":\#(v(false))},"partial":true}"#)
            case 12: request = ("PAGE", "/programmes?year=\(raw)", nil)
            default: request = ("FORM", "/programmes/new", FuzzInput.localTime(&random))
            }
            let response: TestResponse
            switch request.0 {
            case "PAGE": response = try browser.get(request.1)
            case "FORM":
                response = try browser.post(request.1, [("template", "3g2i"), ("title", "Fuzz"), ("modality", "visio"), ("visioUrl", "https://v.example.org"),
                                                       ("start", request.2 ?? ""), ("cadence", Bool.random(using: &random) ? "weekly" : "every:" + FuzzInput.number(&random)),
                                                       ("leadId", claire), ("action", "preview")])
            default:
                response = try TestHTTP.request(port: daemon.port, request.0, request.1,
                                                headers: [("Authorization", "Bearer \(coordinator)"), ("Content-Type", "application/json")],
                                                body: Data((request.2 ?? "").utf8))
            }
            statuses[response.status, default: 0] += 1
            if response.status >= 500 { failures.append("\(request.0) \(request.1) \(request.2 ?? "") → \(response.status)") }
        }
        print("fuzz over HTTP: \(cases) requests, statuses \(statuses.sorted { $0.key < $1.key })")
        #expect(failures.isEmpty, "\(failures.count) server errors, first: \(failures.prefix(5))")
        #expect(structure.healthy(), "the daemon still answers")
        #expect((statuses[422] ?? 0) > 0 && ((statuses[200] ?? 0) + (statuses[201] ?? 0)) > 0, "both refusals and successes were exercised")
        daemon.stop()
    }
}
