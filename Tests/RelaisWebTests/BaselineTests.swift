import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// The inputs of the evaluation (issue 12): the baseline frozen on an enrolment (API and page),
/// the participant's new fields, the programme's "Mois sans tabac" flag, assessments attached to a
/// programme and the end-of-programme status where it is asked.
@Suite("Inputs of the evaluation: baseline, publics, flags, end status")
struct BaselineTests {
    typealias Fixture = ProgrammePageTests.Fixture

    static func json(_ page: PageClient.Page) throws -> [String: Any] { try SameRuleTests.json(page) }
    static func codes(_ page: PageClient.Page) throws -> [String: String] { try SameRuleTests.fieldCodes(page) }

    /// A participant made through the API, with what `extra` adds to the body.
    static func participant(_ world: Fixture, _ first: String, _ extra: String = "") throws -> String {
        let created = try world.client.api(.post, "/api/v1/participants",
                                           #"{"firstName":"\#(first)","lastName":"Test","phone":"06 11 22 33 44"\#(extra)}"#, as: "coord")
        #expect(created.status == 201, "\(created.text)")
        return try #require(try json(created)["id"] as? String)
    }

    static func enrol(_ world: Fixture, _ programmeID: String, _ participantID: String, baseline: String? = nil) throws -> PageClient.Page {
        let body = #"{"participantId":"\#(participantID)""# + (baseline.map { #","baseline":\#($0)"# } ?? "") + "}"
        return try world.client.api(.post, "/api/v1/programmes/\(programmeID)/enrolments", body, as: "coord")
    }

    static func baseline(_ page: PageClient.Page) throws -> [String: Any] {
        try #require(try json(page)["baseline"] as? [String: Any])
    }

    /// The enrolments of a programme by participant id, read through the API.
    static func enrolments(_ world: Fixture, _ programmeID: String) throws -> [String: [String: Any]] {
        let list = try world.client.api(.get, "/api/v1/programmes/\(programmeID)/enrolments", as: "coord")
        let rows = try #require(try json(list)["enrolments"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["participantId"] as? String ?? "", $0) })
    }

    // MARK: - Baseline through the API

    @Test func enrollingWithABaselineFreezesItsValuesWithTheirSources() throws {
        let world = try Fixture()
        let (programme, _) = try world.programme()
        // Ana was enrolled by the page with her record's values; her record has no public.
        let ana = try #require(try Self.enrolments(world, programme)[world.ana.id]?["baseline"] as? [String: Any])
        #expect(ana["smokingStatus"] as? String == "smoker" && ana["smokingStatusSource"] as? String == "record")
        #expect(ana["cigarettesPerDay"] is NSNull && ana["goal"] is NSNull && ana["quitDate"] is NSNull)
        #expect((ana["products"] as? [String: Any])?.isEmpty == true && (ana["publics"] as? [String])?.isEmpty == true)

        // Products are converted with the shipped table (a cigarillo counts 2, a pipe 2.5); the
        // status and publics left out come from the record.
        let bruno = try Self.participant(world, "Bruno", #","precarity":true,"justice":true"#)
        let enrolled = try Self.enrol(world, programme, bruno, baseline: #"{"products":{"cigarette":10,"cigarillo":3,"pipe":1},"goal":"reduce"}"#)
        #expect(enrolled.status == 201)
        let frozen = try Self.baseline(enrolled)
        #expect(frozen["cigarettesPerDay"] as? Double == 18.5)
        #expect(frozen["products"] as? [String: Double] == ["cigarette": 10, "cigarillo": 3, "pipe": 1])
        #expect(frozen["smokingStatus"] as? String == "smoker" && frozen["smokingStatusSource"] as? String == "record")
        #expect(frozen["publics"] as? [String] == ["justice", "precarity"] && frozen["goal"] as? String == "reduce")

        // A declared status is marked so; an ex-smoker gives a quit date and no consumption.
        let chloe = try Self.participant(world, "Chloé")
        let declared = try Self.baseline(try Self.enrol(world, programme, chloe,
                                                        baseline: #"{"smokingStatus":"ex_smoker","quitDate":"2026-03-01","goal":"consolidate","publics":["disability"]}"#))
        #expect(declared["smokingStatus"] as? String == "ex_smoker" && declared["smokingStatusSource"] as? String == "declared")
        #expect(declared["quitDate"] as? String == "2026-03-01" && declared["publics"] as? [String] == ["disability"])
        #expect(try Self.baseline(try Self.enrol(world, programme, try Self.participant(world, "Dan"), baseline: #"{"cigarettesPerDay":12.5}"#))["cigarettesPerDay"] as? Double == 12.5)

        // Every list of enrolments carries the baseline.
        let listed = try Self.enrolments(world, programme)
        #expect((listed[bruno]?["baseline"] as? [String: Any])?["cigarettesPerDay"] as? Double == 18.5)
        #expect(listed.values.allSatisfy { $0["baseline"] is [String: Any] })
    }

    @Test func eachBaselineProblemIsNamedAndNothingIsEnrolled() throws {
        let world = try Fixture()
        let (programme, _) = try world.programme()
        let eve = try Self.participant(world, "Eve")
        let cases: [(String, [String: String])] = [
            (#"{"smokingStatus":"sometimes","cigarettesPerDay":-1,"goal":"quit","quitDate":"2099-01-01","publics":["young_adult"]}"#,
             ["baseline.smokingStatus": "expected_one_of", "baseline.cigarettesPerDay": "number_range", "baseline.goal": "expected_one_of",
              "baseline.quitDate": "date_in_future", "baseline.publics": "expected_one_of"]),
            (#"{"cigarettesPerDay":10,"products":{"cigar":1}}"#, ["baseline.products": "baseline_count_twice"]),
            (#"{"products":{"snuff":2,"cigar":300}}"#, ["baseline.products.snuff": "expected_one_of", "baseline.products.cigar": "number_range"]),
            (#"{"products":{"waterpipe":6}}"#, ["baseline.products": "number_range"]),
            (#"{"smokingStatus":"ex_smoker","cigarettesPerDay":5}"#, ["baseline.cigarettesPerDay": "baseline_ex_smoker_smokes"]),
            (#"{"quitDate":"2026-01-10"}"#, ["baseline.quitDate": "baseline_quit_date_smoker"]),
            (#"{"smokingStatus":"ex_smoker","quitDate":"10/01/2026"}"#, ["baseline.quitDate": "date_format"]),
            (#"{"colour":"blue"}"#, ["baseline.colour": "unknown_field"]),
            (#"{"cigarettesPerDay":"ten"}"#, ["baseline.cigarettesPerDay": "expected_whole_number"]),
            (#""smoker""#, ["baseline": "expected_object"]),
        ]
        for (baseline, expected) in cases {
            let refused = try Self.enrol(world, programme, eve, baseline: baseline)
            #expect(refused.status == 422, "\(baseline)")
            #expect(try Self.codes(refused) == expected, "\(baseline)")
        }
        #expect(try Self.enrolments(world, programme)[eve] == nil)
    }

    @Test func putReplacesTheBaselineAndEditingTheRecordLaterDoesNotMoveIt() throws {
        let world = try Fixture()
        let (programme, _) = try world.programme()
        let bruno = try Self.participant(world, "Bruno", #","precarity":true"#)
        let enrolmentID = try #require(try Self.json(try Self.enrol(world, programme, bruno))["id"] as? String)

        // The record changes after enrolment: the baseline stays as it was.
        let edited = try world.client.api(.patch, "/api/v1/participants/\(bruno)",
                                          #"{"smokerStatus":"ex_smoker","precarity":false,"justice":true}"#, as: "coord")
        #expect(edited.status == 200)
        let kept = try #require(try Self.enrolments(world, programme)[bruno]?["baseline"] as? [String: Any])
        #expect(kept["smokingStatus"] as? String == "smoker" && kept["publics"] as? [String] == ["precarity"])

        // PUT replaces it; the status and publics left out stay, with their source.
        let put = try world.client.api(.put, "/api/v1/enrolments/\(enrolmentID)/baseline", #"{"cigarettesPerDay":12,"goal":"stop"}"#, as: "claire")
        #expect(put.status == 200)
        let replaced = try Self.baseline(put)
        #expect(try Self.json(put)["id"] as? String == enrolmentID)
        #expect(replaced["cigarettesPerDay"] as? Double == 12 && replaced["goal"] as? String == "stop")
        #expect(replaced["smokingStatus"] as? String == "smoker" && replaced["smokingStatusSource"] as? String == "record")
        #expect(replaced["publics"] as? [String] == ["precarity"])
        let again = try Self.baseline(try world.client.api(.put, "/api/v1/enrolments/\(enrolmentID)/baseline",
                                                           #"{"smokingStatus":"ex_smoker","quitDate":"2020-01-10","publics":[]}"#, as: "coord"))
        #expect(again["smokingStatusSource"] as? String == "declared" && again["cigarettesPerDay"] is NSNull && again["goal"] is NSNull)
        #expect(again["quitDate"] as? String == "2020-01-10" && (again["publics"] as? [String])?.isEmpty == true)

        // The body is the baseline: its problems are named by its own fields.
        let refused = try world.client.api(.put, "/api/v1/enrolments/\(enrolmentID)/baseline", #"{"cigarettesPerDay":500,"colour":1}"#, as: "coord")
        #expect(try refused.status == 422 && (Self.codes(refused)) == ["colour": "unknown_field"])
        let range = try world.client.api(.put, "/api/v1/enrolments/\(enrolmentID)/baseline", #"{"smokingStatus":"smoker","cigarettesPerDay":500}"#, as: "coord")
        #expect(try range.status == 422 && (Self.codes(range)) == ["cigarettesPerDay": "number_range"])
        for name in ["sam", "root"] {
            #expect(try world.client.api(.put, "/api/v1/enrolments/\(enrolmentID)/baseline", "{}", as: name).status == 403)
        }
        #expect(try world.client.api(.put, "/api/v1/enrolments/nope/baseline", "{}", as: "coord").status == 404)

        // A withdrawal answers with the baseline too.
        let withdrawn = try world.client.api(.post, "/api/v1/enrolments/\(enrolmentID)/withdraw", #"{"reason":"Déménagement"}"#, as: "coord")
        let body = try #require(try Self.json(withdrawn)["withdrawn"] as? [String: Any])
        #expect((body["baseline"] as? [String: Any])?["smokingStatus"] as? String == "ex_smoker")
    }

    // MARK: - The enrolment page

    @Test func theEnrolmentPageShowsTheFrozenBaselineAndTheEntryTestsCount() throws {
        let world = try Fixture()
        let (programme, _) = try world.programme()
        let enrolment = try #require(try Self.enrolments(world, programme)[world.ana.id]?["id"] as? String)

        let roster = try world.client.get("/programmes/\(programme)", as: "coord")
        #expect(roster.text.contains("href=\"/enrolments/\(enrolment)\""))
        #expect(try world.client.get("/participants/\(world.ana.id)", as: "coord").text.contains("href=\"/enrolments/\(enrolment)\""))
        #expect(!(try world.client.get("/programmes/\(programme)", as: "sam").text.contains("/enrolments/")))

        let page = try world.client.get("/enrolments/\(enrolment)", as: "coord")
        #expect(page.status == 200)
        #expect(page.text.contains("Situation à l&#39;entrée dans le programme") && page.text.contains("Ana Dupont"))
        #expect(page.text.contains("Fumeur·se") && page.text.contains("(repris du dossier à l&#39;inscription)"))
        #expect(page.text.contains("Non renseignée : elle sera prise du test de Fagerström d&#39;entrée"))
        // The form shows each product's equivalent from the table.
        #expect(page.text.contains("<label for=\"products-cigarillo\">Cigarillo</label></th><td>2 cigarettes</td>"))
        #expect(page.text.contains("<td>2,5 cigarettes</td>") && page.text.contains("<td>40 cigarettes</td>"))

        // With no count entered, the page gives the entry Fagerström's, as the evaluation reads it.
        let fagerstrom = try world.client.api(.post, "/api/v1/participants/\(world.ana.id)/assessments",
                                              #"{"instrument":"fagerstrom","programmeId":"\#(programme)","answers":{"q1":"within5","q2":"yes","q3":"first_morning","q4":25,"q5":"yes","q6":"yes"}}"#,
                                              as: "claire")
        #expect(fagerstrom.status == 201, "\(fagerstrom.text)")
        let withTest = try world.client.get("/enrolments/\(enrolment)", as: "claire")
        #expect(withTest.text.contains("25 cigarettes (ou équivalents) par jour <span class=\"muted\">(d&#39;après le test de Fagerström d&#39;entrée)</span>"))
        // A test that ticked a range gives the range.
        let bruno = try Self.participant(world, "Bruno")
        let brunoEnrolment = try #require(try Self.json(try Self.enrol(world, programme, bruno))["id"] as? String)
        _ = try world.client.api(.post, "/api/v1/participants/\(bruno)/assessments",
                                 #"{"instrument":"fagerstrom","answers":{"q1":"after60","q2":"no","q3":"other","q4":"11to20","q5":"no","q6":"no"}}"#, as: "claire")
        #expect(try world.client.get("/enrolments/\(brunoEnrolment)", as: "coord").text.contains("de 11 à 20 cigarettes par jour"))

        for name in ["sam", "root"] {
            #expect(try world.client.get("/enrolments/\(enrolment)", as: name).status == 403)
            #expect(try world.client.post("/enrolments/\(enrolment)/baseline", [("cigarettesPerDay", "3")], as: name).status == 403)
        }
        #expect(try world.client.get("/enrolments/nope", as: "coord").status == 404)
    }

    @Test func theCorrectionFormSavesKeepsTheStatusSourceAndPlacesErrorsNextToFields() throws {
        let world = try Fixture()
        let (programme, _) = try world.programme()
        let enrolment = try #require(try Self.enrolments(world, programme)[world.ana.id]?["id"] as? String)

        // Two ways of counting at once, a count that is no number, a quit date for a smoker: each next to its field, values kept.
        let refused = try world.client.post("/enrolments/\(enrolment)/baseline", [
            ("smokingStatus", "smoker"), ("cigarettesPerDay", "beaucoup"), ("products.cigar", "2"), ("goal", "reduce"), ("publics", "precarity"),
        ], as: "coord")
        #expect(refused.status == 422)
        #expect(refused.text.contains("id=\"cigarettesPerDay-error\">Indiquez un nombre de 0 à 200"))
        #expect(refused.text.contains("value=\"beaucoup\"") && refused.text.contains("id=\"products-cigar\" name=\"products.cigar\" value=\"2\""))
        #expect(refused.text.contains("id=\"publics-precarity\" name=\"publics\" value=\"precarity\" checked"))
        #expect(refused.text.contains("id=\"goal-reduce\" name=\"goal\" value=\"reduce\" checked"))
        let twice = try world.client.post("/enrolments/\(enrolment)/baseline", [
            ("smokingStatus", "smoker"), ("cigarettesPerDay", "10"), ("products.cigar", "2"), ("quitDate", "2026-01-10"),
        ], as: "coord")
        #expect(twice.status == 422)
        #expect(twice.text.contains("id=\"products-error\">indiquez soit le nombre de cigarettes par jour, soit le détail par produit"))
        #expect(twice.text.contains("id=\"quitDate-error\">la date d&#39;arrêt ne concerne que les ex-fumeurs"))
        #expect(twice.text.contains("href=\"#quitDate\""))

        // Per-product counts, with a decimal comma: saved in cigarette-equivalents; the status left as it was keeps its source.
        let saved = try world.client.post("/enrolments/\(enrolment)/baseline", [
            ("smokingStatus", "smoker"), ("cigarettesPerDay", ""), ("products.cigarette", "4,5"), ("products.cigarillo", "3"), ("goal", "reduce"),
            ("publics", "precarity"), ("publics", "justice"),
        ], as: "claire")
        #expect(saved.status == 303 && saved.location == "/enrolments/\(enrolment)?done=b_saved")
        let stored = try world.client.app.enrolments.enrolment(id: enrolment).baseline
        #expect(stored.cigarettesPerDay == 10.5 && stored.products == ["cigarette": 4.5, "cigarillo": 3])
        #expect(stored.smokingStatusSource == .record && stored.goal == .reduce && stored.publics == [.precarity, .justice])
        let shown = try world.client.get(saved.location!, as: "claire")
        #expect(shown.text.contains("Situation à l&#39;entrée corrigée."))
        #expect(shown.text.contains("10,5 cigarettes (ou équivalents) par jour <span class=\"muted\">(saisie pour cette inscription)</span>"))
        #expect(shown.text.contains("Cigarillo : 3 par jour × 2 = 6 équivalents cigarette"))
        #expect(shown.text.contains("Réduire sa consommation") && shown.text.contains("Personne placée sous main de justice, Situation de précarité"))
        #expect(shown.text.contains("id=\"products-cigarette\" name=\"products.cigarette\" value=\"4.5\""), "the form shows what is stored")

        // A new status is declared.
        _ = try world.client.post("/enrolments/\(enrolment)/baseline", [("smokingStatus", "ex_smoker"), ("quitDate", "2025-06-01")], as: "coord")
        let declared = try world.client.app.enrolments.enrolment(id: enrolment).baseline
        #expect(declared.smokingStatus == .exSmoker && declared.smokingStatusSource == .declared && declared.quitDate == CalendarDate(iso: "2025-06-01"))
        #expect(declared.cigarettesPerDay == nil && declared.publics.isEmpty, "the form replaces the whole baseline")
        #expect(try world.client.get("/enrolments/\(enrolment)", as: "coord").text.contains("(déclaré pour cette inscription)"))
    }

    // MARK: - Participants

    @Test func theParticipantsNewFieldsGoThroughTheAPITheFormsAndTheExport() throws {
        let world = try Fixture()
        let created = try world.client.api(.post, "/api/v1/participants", #"""
            {"firstName":"Inès","lastName":"Morel","noContact":true,"sex":"female","postalCode":"59 000","pregnant":true,
             "chronicIllness":true,"complementaireSanteSolidaire":true}
            """#, as: "coord")
        #expect(created.status == 201)
        let body = try Self.json(created)
        let id = try #require(body["id"] as? String)
        #expect(body["sex"] as? String == "female" && body["postalCode"] as? String == "59000")
        #expect(body["pregnant"] as? Bool == true && body["chronicIllness"] as? Bool == true && body["complementaireSanteSolidaire"] as? Bool == true)
        #expect(body["mentalIllness"] as? Bool == false && body["disability"] as? Bool == false && body["justice"] as? Bool == false)
        #expect(body["precarity"] as? Bool == false && body["isolation"] as? Bool == false, "the older fields stay as they were")

        for (extra, expected) in [(#""sex":"f""#, ["sex": "expected_one_of"]), (#""postalCode":"5900""#, ["postalCode": "postal_code_invalid"]),
                                  (#""postalCode":"59 0A0""#, ["postalCode": "postal_code_invalid"]), (#""justice":"yes""#, ["justice": "expected_boolean"])] {
            let refused = try world.client.api(.post, "/api/v1/participants", #"{"firstName":"A","lastName":"B","noContact":true,"# + extra + "}", as: "coord")
            #expect(try refused.status == 422 && Self.codes(refused) == expected, "\(extra)")
        }
        // A field left out keeps its value; null clears the sex, "" the postal code.
        let patched = try Self.json(try world.client.api(.patch, "/api/v1/participants/\(id)", #"{"justice":true,"pregnant":false}"#, as: "claire"))
        #expect(patched["justice"] as? Bool == true && patched["pregnant"] as? Bool == false && patched["sex"] as? String == "female")
        let cleared = try Self.json(try world.client.api(.patch, "/api/v1/participants/\(id)", #"{"sex":null,"postalCode":""}"#, as: "coord"))
        #expect(cleared["sex"] is NSNull && cleared["postalCode"] is NSNull && cleared["justice"] as? Bool == true)

        // The form: the invalid postal code is named next to its field, the values kept.
        let fields: [(String, String)] = [("firstName", "Jules"), ("lastName", "Petit"), ("noContact", "1"), ("sex", "male"), ("postalCode", "ABCDE"),
                                          ("mentalIllness", "1"), ("disability", "1"), ("smokerStatus", "smoker"), ("language", "fr")]
        let form = try world.client.post("/participants/new", fields, as: "coord")
        #expect(form.status == 422)
        #expect(form.text.contains("id=\"postalCode-error\">code postal attendu : cinq chiffres"))
        #expect(form.text.contains("href=\"#postalCode\"") && form.text.contains("value=\"ABCDE\""))
        #expect(form.text.contains("id=\"sex-male\" name=\"sex\" value=\"male\" checked") && form.text.contains("id=\"disability\" name=\"disability\" value=\"1\" checked"))
        let saved = try world.client.post("/participants/new", fields.map { $0.0 == "postalCode" ? ("postalCode", "13001") : $0 }, as: "coord")
        let location = try #require(saved.location)
        let jules = String(location.dropFirst("/participants/".count).prefix { $0 != "?" })
        let record = try world.client.get("/participants/\(jules)", as: "coord")
        #expect(record.text.contains("Homme") && record.text.contains("13001"))
        #expect(record.text.contains("Trouble psychique, Situation de handicap"))
        let edit = try world.client.get("/participants/\(jules)/edit", as: "coord")
        #expect(edit.text.contains("id=\"sex-male\" name=\"sex\" value=\"male\" checked") && edit.text.contains("value=\"13001\""))
        #expect(edit.text.contains("id=\"mentalIllness\" name=\"mentalIllness\" value=\"1\" checked"))
        #expect(!edit.text.contains("id=\"pregnant\" name=\"pregnant\" value=\"1\" checked"))

        // The GDPR export gives them back, and the enrolments' baselines.
        let programme = try world.programme().id
        _ = try Self.enrol(world, programme, jules, baseline: #"{"cigarettesPerDay":8}"#)
        let export = try world.client.get("/participants/\(jules)/export.json", as: "coord")
        let file = try Self.json(export)
        let participant = try #require(file["participant"] as? [String: Any])
        #expect(participant["sex"] as? String == "male" && participant["postalCode"] as? String == "13001" && participant["disability"] as? Bool == true)
        let enrolments = try #require(file["enrolments"] as? [[String: Any]])
        #expect((enrolments.first?["baseline"] as? [String: Any])?["cigarettesPerDay"] as? Double == 8)
    }

    // MARK: - Programmes

    @Test func theMoisSansTabacFlagIsInTheAPIAndTheForm() throws {
        let world = try Fixture()
        func request(_ flag: String) -> String {
            #"{"title":"Novembre","modality":"visio","visioUrl":"https://visio.example.org/r/1","start":"2027-11-02T18:00","leadId":"\#(world.lead.id)""# + flag + "}"
        }
        #expect(try world.client.api(.post, "/api/v1/programmes/preview", request(#","moisSansTabac":true"#), as: "coord").status == 200)
        let flagged = try world.client.api(.post, "/api/v1/programmes", request(#","moisSansTabac":true"#), as: "coord")
        #expect(try flagged.status == 201 && (Self.json(flagged))["moisSansTabac"] as? Bool == true)
        let id = try #require(try Self.json(flagged)["id"] as? String)
        #expect(try Self.json(try world.client.api(.get, "/api/v1/programmes/\(id)", as: "coord"))["moisSansTabac"] as? Bool == true)
        let plain = try world.client.api(.post, "/api/v1/programmes", request("").replacingOccurrences(of: "Novembre", with: "Autre")
            .replacingOccurrences(of: "2027-11-02", with: "2027-12-07"), as: "coord")
        #expect(try plain.status == 201 && (Self.json(plain))["moisSansTabac"] as? Bool == false)
        #expect(try world.client.api(.post, "/api/v1/programmes/preview", request(#","moisSansTabac":"yes""#), as: "coord").status == 422)

        let form = try world.client.get("/programmes/new", as: "coord")
        #expect(form.text.contains("<label class=\"choice\" for=\"moisSansTabac\"><input type=\"checkbox\" id=\"moisSansTabac\" name=\"moisSansTabac\""))
        let created = try world.client.post("/programmes/new", world.programmeForm(start: "2028-11-02T18:00", action: "create") + [("moisSansTabac", "on")],
                                            as: "coord")
        let location = try #require(created.location)
        let pageID = String(location.dropFirst("/programmes/".count).prefix { $0 != "?" })
        #expect(try world.client.app.programmes.programme(id: pageID).0.moisSansTabac)
        #expect(try world.client.get(location, as: "coord").text.contains("<span class=\"tag\">Mois sans tabac</span>"))
    }

    // MARK: - Assessments

    @Test func anAssessmentNamesItsProgrammeByTheAPIAndTheForm() throws {
        let world = try Fixture()
        let (programme, _) = try world.programme()
        let other = try world.programme(start: "2028-03-02T18:00").id
        _ = try world.client.api(.post, "/api/v1/enrolments/\(try #require(try Self.enrolments(world, other)[world.ana.id]?["id"] as? String))/withdraw",
                                 #"{"reason":"Double inscription"}"#, as: "coord")
        let stranger = try Self.participant(world, "Hugo")

        let attached = try world.client.api(.post, "/api/v1/participants/\(world.ana.id)/assessments",
                                            #"{"instrument":"co","answers":{"ppm":4},"programmeId":"\#(programme)"}"#, as: "coord")
        #expect(try attached.status == 201 && (Self.json(attached))["programmeId"] as? String == programme)
        let byDate = try world.client.api(.post, "/api/v1/participants/\(world.ana.id)/assessments", #"{"instrument":"co","answers":{"ppm":4}}"#, as: "coord")
        #expect(try byDate.status == 201 && (Self.json(byDate))["programmeId"] is NSNull)
        let notEnrolled = try world.client.api(.post, "/api/v1/participants/\(stranger)/assessments",
                                               #"{"instrument":"co","answers":{"ppm":4},"programmeId":"\#(programme)"}"#, as: "coord")
        #expect(try notEnrolled.status == 422 && (Self.codes(notEnrolled)) == ["programmeId": "participant_not_enrolled"])
        let list = try #require(try Self.json(try world.client.api(.get, "/api/v1/participants/\(world.ana.id)/assessments", as: "coord"))["assessments"]
            as? [[String: Any]])
        #expect(list.compactMap { $0["programmeId"] as? String } == [programme])

        // The form offers the participant's programmes (withdrawn ones too), "by the date" first; a link may preselect one.
        let form = try world.client.get("/participants/\(world.ana.id)/assessments/new?instrument=co&programme=\(programme)", as: "claire")
        #expect(form.text.contains("<option value=\"\">D&#39;après la date</option>"))
        #expect(form.text.contains("<option value=\"\(programme)\" selected>") && form.text.contains("<option value=\"\(other)\">"))
        let saved = try world.client.post("/participants/\(world.ana.id)/assessments/new?instrument=co",
                                          [("date", "2026-11-30"), ("source", "staff"), ("co.ppm", "3"), ("programmeId", other)], as: "claire")
        #expect(saved.status == 303)
        let stored = try world.client.app.assessments.assessments(participantID: world.ana.id, by: .system)
        #expect(stored.first { $0.takenOn == "2026-11-30" }?.programmeId == other)
        let refused = try world.client.post("/participants/\(stranger)/assessments/new?instrument=co",
                                            [("date", "2026-11-30"), ("source", "staff"), ("co.ppm", "3"), ("programmeId", programme)], as: "claire")
        #expect(refused.status == 422 && refused.text.contains("id=\"programmeId-error\">n&#39;est pas inscrit·e à ce programme"))
    }

    // MARK: - End status

    @Test func theLastSessionAndTheLastConsultationAskTheEndStatusForTheProgramme() throws {
        let world = try Fixture()
        let (programme, sessions) = try world.programme()
        let last = try #require(sessions.last)
        try world.client.moveClock(to: last.startsAt.addingTimeInterval(90 * 60))
        #expect(try world.client.get("/sessions/\(last.id)", as: "claire").text.contains("href=\"/sessions/\(last.id)/quick/end_status\""))
        #expect(!(try world.client.get("/sessions/\(sessions[0].id)", as: "claire").text.contains("/quick/end_status")))

        let quick = try world.client.get("/sessions/\(last.id)/quick/end_status", as: "claire")
        #expect(quick.status == 200 && quick.text.contains("name=\"p\(world.ana.id).end_status.status\"")
                && quick.text.contains("name=\"p\(world.ana.id).end_status.cigarettes_per_day\""))
        let saved = try world.client.post("/sessions/\(last.id)/quick/end_status", [("p\(world.ana.id).end_status.status", "reduced"),
                                                                                  ("p\(world.ana.id).end_status.cigarettes_per_day", "6")], as: "claire")
        #expect(saved.status == 303 && saved.location?.contains("done=quick_saved&count=1") == true)
        let answer = try #require(try world.client.app.assessments.assessments(participantID: world.ana.id, by: .system).last)
        #expect(answer.instrumentId == "end_status" && answer.programmeId == programme)
        #expect(answer.answerValues == ["status": .string("reduced"), "cigarettes_per_day": .number(6)])

        // The programme's last consultation (the template's last index) links to the entry of the
        // end status, with the programme chosen; the first does not.
        func book(_ index: Int, _ start: String) throws -> String {
            let booked = try world.client.api(.post, "/api/v1/programmes/\(programme)/consultations",
                                              #"{"participantId":"\#(world.ana.id)","index":\#(index),"facilitatorId":"\#(world.lead.id)","start":"\#(start)"}"#,
                                              as: "coord")
            #expect(booked.status == 201, "\(booked.text)")
            return try #require(try Self.json(booked)["id"] as? String)
        }
        let first = try book(1, "2027-11-08T10:00"), second = try book(2, "2027-11-25T10:00")
        let link = "/participants/\(world.ana.id)/assessments/new?instrument=end_status&amp;programme=\(programme)"
        let lastPage = try world.client.get("/consultations/\(second)", as: "claire")
        #expect(lastPage.text.contains("href=\"\(link)\"") && lastPage.text.contains("Enregistrer le statut de fin de programme"))
        #expect(!(try world.client.get("/consultations/\(first)", as: "claire").text.contains("instrument=end_status")))
        let entry = try world.client.get("/participants/\(world.ana.id)/assessments/new?instrument=end_status&programme=\(programme)", as: "claire")
        #expect(entry.status == 200 && entry.text.contains("<option value=\"\(programme)\" selected>"))
    }
}
