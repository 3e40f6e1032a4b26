import Foundation
import RelaisTestSupport
import Testing

let fullFagerstrom = #"{"q1":"within5","q2":"yes","q3":"first_morning","q4":"ge31","q5":"yes","q6":"yes"}"#

@Suite("Instruments: CLI, API and FHIR on a running daemon", .serialized)
struct InstrumentAPITests {
    @Test func theCLIPrintsTheScoreAsJSONAndErrorsOnStderr() throws {
        let result = try RelaisBinary.run(["score", "fagerstrom", "--answers", fullFagerstrom])
        #expect(result.status == 0)
        let json = try #require(result.json as? [String: Any])
        #expect(json["instrument"] as? String == "fagerstrom")
        #expect(json["version"] as? String == "1.1.0")
        #expect(json["total"] as? Int == 10)
        #expect(json["band"] as? String == "high")
        #expect((json["derived"] as? [String: [String: Any]])?["hsi"]?["total"] as? Int == 6)
        #expect((json["derived"] as? [String: [String: Any]])?["hsi"]?["band"] as? String == "high")

        let fromStdin = try RelaisBinary.run(["score", "qmat", "--answers", "-"], stdin: #"{"q1":"stopped","q2":"a_lot","q3":"stopped","q4":"often"}"#)
        #expect((fromStdin.json as? [String: Any])?["total"] as? Int == 18)
        #expect((fromStdin.json as? [String: Any])?["derived"] == nil, "derived only where defined")

        let invalid = try RelaisBinary.run(["score", "fagerstrom", "--answers", #"{"q1":"soon"}"#])
        #expect(invalid.status == 1)
        #expect(invalid.stdout.isEmpty)
        let errors = try #require(try JSONSerialization.jsonObject(with: Data(invalid.stderr.utf8)) as? [String: Any])
        let fields = (errors["error"] as? [String: Any])?["fields"] as? [String: String]
        #expect(fields?["q1"]?.contains("unknown option 'soon'") == true)
        #expect(fields?["q2"] == "required")
        #expect(try RelaisBinary.run(["score", "nope", "--answers", "{}"]).status == 1)
        #expect(try RelaisBinary.run(["score", "fagerstrom", "--answers", "[1,2]"]).status == 1)
    }

    @Test func definitionsAreLocalisedAndScoringIsStateless() throws {
        let daemon = try Daemon()
        let bearer = try token(daemon, user: "tab", role: "tabacologue")
        let auth = ("Authorization", "Bearer \(bearer)")
        let list = try TestHTTP.get(port: daemon.port, "/api/v1/instruments", headers: [auth])
        #expect(list.status == 200)
        let ids = (list.json["instruments"] as? [[String: Any]])?.compactMap { $0["id"] as? String }
        #expect(ids?.contains("fagerstrom") == true && ids?.contains("followup_3m") == true)

        let french = try TestHTTP.get(port: daemon.port, "/api/v1/instruments/fagerstrom", headers: [auth])
        let english = try TestHTTP.get(port: daemon.port, "/api/v1/instruments/fagerstrom", headers: [auth, ("Accept-Language", "en-GB,en;q=0.9,fr;q=0.5")])
        #expect(french.header("Content-Language") == "fr" && english.header("Content-Language") == "en")
        let frItem = (french.json["items"] as? [[String: Any]])?.first
        let enItem = (english.json["items"] as? [[String: Any]])?.first
        #expect((frItem?["text"] as? String)?.contains("réveil") == true)
        #expect((enItem?["text"] as? String)?.contains("wake") == true)
        let bands = ((french.json["scores"] as? [[String: Any]])?.first?["bands"] as? [[String: Any]])?.compactMap { $0["code"] as? String }
        #expect(bands == ["none", "low", "medium", "high"])

        let scored = try TestHTTP.postJSON(port: daemon.port, "/api/v1/instruments/fagerstrom/score", fullFagerstrom, token: bearer)
        #expect(scored.status == 200)
        #expect(scored.json["total"] as? Int == 10)
        let invalid = try TestHTTP.postJSON(port: daemon.port, "/api/v1/instruments/qmat/score", #"{"q1":"maybe"}"#, token: bearer)
        #expect(invalid.status == 422)
        let error = invalid.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == "validation_failed")
        #expect((error?["fields"] as? [String: String])?["q1"]?.contains("unknown option 'maybe'") == true)
        #expect(try TestHTTP.get(port: daemon.port, "/api/v1/instruments/nope", headers: [auth]).status == 404)
        daemon.stop()
    }

    @Test func assessmentsAreStoredWithScoresVersionAndAudit() throws {
        let daemon = try Daemon()
        let coordinator = try token(daemon, user: "coord", role: "coordinator")
        let clinician = try token(daemon, user: "tab", role: "tabacologue")
        let helper = try token(daemon, user: "pair", role: "peer_helper")
        let created = try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants", #"{"firstName":"Nadia","lastName":"Test","noContact":true}"#, token: coordinator)
        #expect(created.status == 201)
        let participant = try #require(created.json["id"] as? String)

        let body = #"{"instrument":"fagerstrom","date":"2026-11-05","answers":{"q1":"6to30","q2":"no","q3":"other","q4":25,"q5":"no","q6":"no"}}"#
        let stored = try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants/\(participant)/assessments", body, token: clinician)
        #expect(stored.status == 201)
        #expect(stored.json["total"] as? Int == 4)
        #expect(stored.json["band"] as? String == "low")
        #expect(stored.json["bandLabel"] as? String == "Dépendance faible")
        #expect(stored.json["version"] as? String == "1.1.0")
        #expect((stored.json["answers"] as? [String: Any])?["q4_count"] as? Int == 25)
        #expect(((stored.json["derived"] as? [String: Any])?["hsi"] as? [String: Any])?["total"] as? Int == 4)

        let partial = #"{"instrument":"qmat","partial":true,"source":"phone","answers":{"q1":"stopped"}}"#
        let second = try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants/\(participant)/assessments", partial, token: coordinator)
        #expect(second.status == 201)
        #expect(second.json["total"] is NSNull)

        let invalid = try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants/\(participant)/assessments",
                                            #"{"instrument":"qmat","date":"2026-13-01","answers":{"q1":"stopped"}}"#, token: clinician)
        #expect(invalid.status == 422)
        let fields = (invalid.json["error"] as? [String: Any])?["fields"] as? [String: String]
        #expect(fields?["date"] != nil)
        let badAnswers = try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants/\(participant)/assessments",
                                               #"{"instrument":"qmat","answers":{"q1":"stopped"}}"#, token: clinician)
        #expect(((badAnswers.json["error"] as? [String: Any])?["fields"] as? [String: String])?["q2"] == "required")

        let history = try TestHTTP.get(port: daemon.port, "/api/v1/participants/\(participant)/assessments",
                                       headers: [("Authorization", "Bearer \(clinician)")])
        #expect(history.status == 200)
        let items = history.json["assessments"] as? [[String: Any]]
        #expect(items?.map { $0["instrument"] as? String } == ["fagerstrom", "qmat"])
        #expect(items?.last?["source"] as? String == "phone")

        // Roles: a peer helper sees no scores; unknown participants are 404.
        #expect(try TestHTTP.get(port: daemon.port, "/api/v1/participants/\(participant)/assessments",
                                 headers: [("Authorization", "Bearer \(helper)")]).status == 403)
        #expect(try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants/\(participant)/assessments", body, token: helper).status == 403)
        #expect(try TestHTTP.get(port: daemon.port, "/api/v1/instruments", headers: [("Authorization", "Bearer \(helper)")]).status == 403)
        #expect(try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants/nobody/assessments", body, token: clinician).status == 404)

        // Every read and change of the record is in the audit log.
        daemon.stop()
        let audit = try RelaisBinary.sqlite(daemon.dataDir, "SELECT actor_name || ':' || action FROM audit_log WHERE entity = 'participant' ORDER BY id")
        #expect(audit == ["coord:create", "tab:record_assessment", "coord:record_assessment", "tab:read_assessments"])
    }

    @Test func fhirQuestionnaireAndQuestionnaireResponseHaveTheRightShape() throws {
        let daemon = try Daemon()
        let bearer = try token(daemon, user: "tab", role: "tabacologue")
        let auth = ("Authorization", "Bearer \(bearer)")
        let questionnaire = try TestHTTP.get(port: daemon.port, "/api/v1/instruments/fagerstrom/fhir", headers: [auth])
        #expect(questionnaire.status == 200)
        #expect(questionnaire.header("Content-Type")?.hasPrefix("application/fhir+json") == true)
        let q = questionnaire.json
        #expect(q["resourceType"] as? String == "Questionnaire")
        #expect(q["status"] as? String == "active")
        let url = try #require(q["url"] as? String)
        let items = try #require(q["item"] as? [[String: Any]])
        #expect(items.compactMap { $0["linkId"] as? String } == ["q1", "q2", "q3", "q4", "q5", "q6"])
        #expect(items.allSatisfy { $0["type"] as? String == "choice" })
        let q1Options = items[0]["answerOption"] as? [[String: Any]]
        #expect((q1Options?.first?["valueCoding"] as? [String: Any])?["code"] as? String == "within5")
        #expect(((q1Options?.first?["extension"] as? [[String: Any]])?.first?["valueDecimal"] as? Int) == 3)
        let co = try TestHTTP.get(port: daemon.port, "/api/v1/instruments/co/fhir", headers: [auth]).json
        #expect((co["item"] as? [[String: Any]])?.first?["type"] as? String == "integer")

        let participant = try #require(try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants", #"{"firstName":"Luc","lastName":"Test","phone":"0612345678"}"#,
                                                            token: try token(daemon, user: "coord", role: "coordinator")).json["id"] as? String)
        let stored = try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants/\(participant)/assessments",
                                           #"{"instrument":"fagerstrom","answers":\#(fullFagerstrom)}"#, token: bearer)
        let assessment = try #require(stored.json["id"] as? String)
        let response = try TestHTTP.get(port: daemon.port, "/api/v1/participants/\(participant)/assessments/\(assessment)/fhir", headers: [auth]).json
        #expect(response["resourceType"] as? String == "QuestionnaireResponse")
        #expect(response["questionnaire"] as? String == "\(url)|1.1.0")
        #expect(response["status"] as? String == "completed")
        #expect((response["subject"] as? [String: Any])?["reference"] as? String == "Patient/\(participant)")
        let answered = try #require(response["item"] as? [[String: Any]])
        #expect(answered.compactMap { $0["linkId"] as? String } == ["q1", "q2", "q3", "q4", "q5", "q6"])
        let firstAnswer = (answered[0]["answer"] as? [[String: Any]])?.first?["valueCoding"] as? [String: Any]
        #expect(firstAnswer?["code"] as? String == "within5")
        #expect(firstAnswer?["system"] as? String == "\(url)#q1")
        daemon.stop()
    }

    @Test func aMalformedInstrumentFileStopsTheDaemonNamingIt() throws {
        let folder = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: folder.file("instruments"), withIntermediateDirectories: true)
        try #"{"format":1,"id":"broken""#.write(toFile: folder.file("instruments/broken.json"), atomically: true, encoding: .utf8)
        let result = try RelaisBinary.run(["serve", "--data-dir", folder.file("var"), "--port", "0"],
                                          environment: ["RELAIS_PROTOCOLS_DIR": folder.path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("broken.json"))
        #expect(result.stderr.contains("not valid JSON"))
    }
}
