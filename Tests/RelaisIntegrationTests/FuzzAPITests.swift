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

    /// The answers' statuses; a 5xx is a failure, and a run must have seen both refusals and successes.
    struct Tally {
        var statuses: [Int: Int] = [:]
        var failures: [String] = []

        mutating func count(_ response: TestResponse, for request: String) {
            statuses[response.status, default: 0] += 1
            if response.status >= 500 { failures.append("\(request) → \(response.status)") }
        }

        func judge(_ name: String, _ structure: HardeningTests.Structure) {
            print("\(name): \(statuses.values.reduce(0, +)) requests, statuses \(statuses.sorted { $0.key < $1.key })")
            #expect(failures.isEmpty, "\(failures.count) server errors, first: \(failures.prefix(5))")
            #expect(structure.healthy(), "the daemon still answers")
            #expect((statuses[422] ?? 0) > 0 && ((statuses[200] ?? 0) + (statuses[201] ?? 0)) > 0, "both refusals and successes were exercised")
            structure.daemon.stop()
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
        var tally = Tally()
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
                response = try TestHTTP.postJSON(port: daemon.port, request.1, request.2 ?? "", token: coordinator, method: request.0)
            }
            tally.count(response, for: "\(request.0) \(request.1) \(request.2 ?? "")")
        }
        tally.judge("fuzz over HTTP", structure)
    }

    /// The clinical fields added after the first fuzz (treatments, the consultation record, the
    /// enrolment's baseline, assessment corrections, period reports, the mobile number, the newer
    /// instruments), through the API and their pages: the same promise, no 5xx and no trap.
    @Test func theClinicalRecordFieldsNeverAnswer5xxNorStopTheDaemon() throws {
        let structure = try HardeningTests.Structure()
        let daemon = structure.daemon, coordinator = structure.coordinator, clinician = structure.clinician
        let created = try structure.programme()
        let programmeID = try #require(created.json["id"] as? String, "\(created.text)")
        let participant = try #require(try post(daemon, "/api/v1/participants", #"{"firstName":"Ana","lastName":"Test","noContact":true}"#,
                                                token: coordinator).json["id"] as? String)
        let enrolled = try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(participant)"}"#, token: coordinator)
        let enrolmentID = try #require(enrolled.json["id"] as? String, "\(enrolled.text)")
        let consultation = try post(daemon, "/api/v1/programmes/\(programmeID)/consultations", #"""
            {"participantId":"\#(participant)","index":1,"facilitatorId":"\#(structure.claire)","start":"2026-11-05T10:00"}
            """#, token: coordinator)
        let consultationID = try #require(consultation.json["id"] as? String, "\(consultation.text)")
        let assessment = try post(daemon, "/api/v1/participants/\(participant)/assessments", #"{"instrument":"co","answers":{"ppm":12},"date":"2026-11-05"}"#,
                                  token: clinician)
        let assessmentID = try #require(assessment.json["id"] as? String, "\(assessment.text)")
        let treatment = try post(daemon, "/api/v1/participants/\(participant)/treatments", #"{"kind":"nicotine_patch","dose":"21 mg","start":"2026-11-05"}"#,
                                 token: clinician)
        let treatmentID = try #require(treatment.json["id"] as? String, "\(treatment.text)")
        let claire = try structure.session("claire"), coord = try structure.session("coord")

        var random = SeededGenerator.seeded()
        var tally = Tally()
        let cases = Int(ProcessInfo.processInfo.environment["RELAIS_FUZZ_CASES"] ?? "") ?? 1500
        for _ in 0..<cases {
            // Each field is fuzzed one time in two and plausible otherwise, so that some requests succeed.
            let v = { (valid: String) -> String in Bool.random(using: &random) ? valid : Self.value(&random, dates: false) }
            let day = { (valid: String) -> String in Self.quoted(Bool.random(using: &random) ? valid : FuzzInput.date(&random)) }
            let typed = { (valid: String) -> String in Bool.random(using: &random) ? valid : FuzzInput.number(&random) }
            let raw = { (valid: String) -> String in
                TestHTTP.escape(Bool.random(using: &random) ? valid : Bool.random(using: &random) ? FuzzInput.number(&random) : FuzzInput.date(&random))
            }
            let request: (String, String, String?, String)
            switch Int.random(in: 0..<12, using: &random) {
            case 0: request = ("POST", "/api/v1/participants/\(participant)/treatments",
                               #"{"kind":"nicotine_gum","dose":\#(v("\"2 mg\"")),"start":\#(day("2026-11-06")),"end":\#(day("2026-11-20"))}"#, clinician)
            case 1: request = ("PATCH", "/api/v1/participants/\(participant)/treatments/\(treatmentID)",
                               #"{"start":\#(day("2026-11-05")),"end":\#(day("2026-12-01")),"reason":"fuzz"}"#, clinician)
            case 2: request = ("PUT", "/api/v1/consultations/\(consultationID)/record", #"""
                {"products":{"cigarette":\#(v("10")),"cigar":\#(v("1"))},"yearsSmoked":\#(v("20")),"packYears":\#(v("10.5")),"quitAttempts":\#(v("2")),"longestQuit":\#(v("3")),"longestQuitUnit":"months","quitDate":\#(day("2026-11-20")),"coPpm":\#(v("12")),"weightKg":\#(v("70.5")),"craving":\#(v("4")),"eCigaretteNicotineMgPerMl":\#(v("6"))}
                """#, clinician)
            case 3: request = ("PUT", "/api/v1/enrolments/\(enrolmentID)/baseline",
                               #"{"smokingStatus":"smoker","cigarettesPerDay":\#(v("15")),"products":{"cigarette":\#(v("15"))},"quitDate":\#(day("2026-11-20"))}"#, coordinator)
            case 4: request = ("PATCH", "/api/v1/participants/\(participant)/assessments/\(assessmentID)",
                               #"{"answers":{"ppm":\#(v("8"))},"date":\#(day("2026-11-06")),"reason":"fuzz"}"#, clinician)
            case 5: request = ("GET", "/api/v1/reports/period?from=\(raw("2026-01-01"))&to=\(raw("2026-12-31"))", nil, coordinator)
            case 6: request = ("PATCH", "/api/v1/participants/\(participant)",
                               #"{"birthYear":\#(v("1970")),"mobile":\#(Self.quoted(typed("+33612345678")))}"#, coordinator)
            case 7: request = ("POST", "/api/v1/instruments/\(["audit_c", "cast", "phq4", "hsi", "qmat"].randomElement(using: &random)!)/score",
                               #"{"answers":{"q1":\#(v("1")),"q2":\#(v("0"))},"partial":true}"#, clinician)
            case 8: request = ("PAGE", "/reports/period?from=\(raw("2026-01-01"))&to=\(raw("2026-12-31"))", nil, "coord")
            case 9: request = ("FORM", "/participants/\(participant)/treatments", typed("2026-11-07"), "claire")
            case 10: request = ("FORM", "/consultations/\(consultationID)/record", typed("12"), "claire")
            default: request = ("FORM", "/enrolments/\(enrolmentID)/baseline", typed("15"), "coord")
            }
            let response: TestResponse
            let browser = request.3 == "claire" ? claire : coord
            switch request.0 {
            case "PAGE": response = try browser.get(request.1)
            case "FORM":
                let entered = request.2 ?? ""
                let fields: [(String, String)] = switch request.1 {
                case let path where path.hasSuffix("/treatments"):
                    [("kind", "nicotine_patch"), ("dose", "21 mg"), ("start", entered), ("end", Bool.random(using: &random) ? "" : FuzzInput.date(&random))]
                case let path where path.hasSuffix("/record"):
                    [("products.cigarette", entered), ("coPpm", Bool.random(using: &random) ? "8" : FuzzInput.number(&random)),
                     ("weightKg", Bool.random(using: &random) ? "" : FuzzInput.number(&random)), ("quitDate", Bool.random(using: &random) ? "" : FuzzInput.date(&random)),
                     ("longestQuit", Bool.random(using: &random) ? "" : FuzzInput.number(&random)), ("longestQuitUnit", "days")]
                default:
                    [("smokingStatus", "smoker"), ("products.cigarette", entered), ("quitDate", Bool.random(using: &random) ? "" : FuzzInput.date(&random))]
                }
                response = try browser.post(request.1, fields)
            default:
                response = try TestHTTP.postJSON(port: daemon.port, request.1, request.2 ?? "", token: request.3, method: request.0)
            }
            tally.count(response, for: "\(request.0) \(request.1) \(request.2 ?? "")")
        }
        tally.judge("fuzz of the clinical record over HTTP", structure)
    }
}
