import Foundation
import HTTPServer
import Logging
import RelaisConfig
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// The structured record of a consultation (products, history, CO, weight, pregnancy, craving,
/// goal, plan), by the API and by its page: who reads and writes it, cell by cell; its checks;
/// its versions; its CO reading as a `co` assessment; the CO safety prompt; the prefill.
@Suite("Consultation record")
struct ConsultationRecordTests {
    typealias Fixture = ProgrammePageTests.Fixture
    static let paris = TimeZone(identifier: "Europe/Paris")!

    /// Ana's first consultation of a programme led by Claire, held by Inès (a tabacologue who does
    /// not lead it) on 20 November 2027 at 10:00. Omar is another tabacologue of the structure, Sam
    /// the programme's peer helper, Root the administrator.
    struct World {
        let world: Fixture
        let ines: User
        let programmeID: String
        let consultationID: String
        let start: Date
        var client: PageClient { world.client }
        var api: String { "/api/v1/consultations/\(consultationID)/record" }
        var page: String { "/consultations/\(consultationID)/record" }

        init(_ world: Fixture? = nil, programme: (id: String, sessions: [SessionRecord])? = nil, at local: String = "2027-11-20T10:00") throws {
            let world = try world ?? Fixture()
            self.world = world
            ines = try world.client.user("ines", role: .tabacologue)
            programmeID = try programme?.id ?? world.programme().id
            let booked = try world.client.api(.post, "/api/v1/programmes/\(programmeID)/consultations",
                                              #"{"participantId":"\#(world.ana.id)","index":1,"facilitatorId":"\#(ines.id)","start":"\#(local)"}"#,
                                              as: "coord")
            #expect(booked.status == 201, "\(booked.text)")
            consultationID = try #require(try SameRuleTests.json(booked)["id"] as? String)
            start = LocalDateTime(iso: local)!.instant(in: ConsultationRecordTests.paris)
        }

        func put(_ body: String, as name: String = "ines") throws -> PageClient.Page { try client.api(.put, api, body, as: name) }
        func get(as name: String) throws -> PageClient.Page { try client.api(.get, api, as: name) }
        func stored() throws -> StoredClinicalRecord? { try client.app.actions.clinicalRecords.read(consultationID: consultationID, by: .system) }
        func writes() throws -> [AuditEntry] {
            try client.app.store.auditEntries(entity: "participant", id: world.ana.id).filter { $0.action == "write_consultation_record" }
        }
    }

    static let full = #"""
        {"products":{"cigarette":10,"cigarillo":5},"eCigarette":true,"eCigaretteNicotineMgPerMl":6,"yearsSmoked":15,"quitAttempts":2,
         "longestQuit":3,"longestQuitUnit":"months","quitDate":"2027-12-01","coPpm":18,"weightKg":72.5,"pregnancy":"no","craving":7,
         "withdrawalSymptoms":["irritability","insomnia"],"goal":"stop","plan":"Patch 21 mg/24 h, arrêt le 1er décembre"}
        """#

    static func json(_ page: PageClient.Page) throws -> [String: Any] { try SameRuleTests.json(page) }
    static func codes(_ page: PageClient.Page) throws -> [String: String] { try SameRuleTests.fieldCodes(page) }

    /// The form fields of a full record, as a browser posts them.
    static let form: [(String, String)] = [
        ("products.cigarette", "10"), ("products.cigarillo", "5"), ("eCigarette", "yes"), ("eCigaretteNicotineMgPerMl", "6"),
        ("yearsSmoked", "15"), ("packYears", ""), ("quitAttempts", "2"), ("longestQuit", "3"), ("longestQuitUnit", "months"),
        ("quitDate", "2027-12-01"), ("coPpm", "18"), ("weightKg", "72,5"), ("pregnancy", "no"), ("craving", "7"),
        ("withdrawalSymptoms", "irritability"), ("withdrawalSymptoms", "insomnia"), ("goal", "stop"), ("plan", "Patch 21 mg/24 h, arrêt le 1er décembre"),
    ]

    // MARK: Who reads and writes it

    @Test func eachRoleReadsAndWritesTheRecordCellByCell() throws {
        let w = try World()
        try w.client.moveClock(to: w.start.addingTimeInterval(30 * 60))
        // Write, through the API: the consultation's tabacologue and the programme's lead only.
        for name in ["omar", "coord", "sam", "root"] {
            let refused = try w.put(Self.full, as: name)
            #expect(refused.status == 403, "\(name): \(refused.text)")
            #expect(!refused.text.contains("Patch"))
        }
        let byOmar = try Self.json(try w.put(Self.full, as: "omar"))
        #expect(((byOmar["error"] as? [String: Any])?["reason"] as? [String: Any])?["code"] as? String == "not_the_consultations_clinician")
        #expect(try w.stored() == nil && w.writes().isEmpty, "nothing written by the refused")
        #expect(try w.put(Self.full, as: "ines").status == 200)
        #expect(try w.put(Self.full.replacingOccurrences(of: "\"craving\":7", with: "\"craving\":4"), as: "claire").status == 200)
        #expect(try w.stored()?.current.version == 2)

        // Read, through the API: the content for the two clinicians, that it exists for the planners, nothing for the others.
        for name in ["ines", "claire"] {
            let read = try w.get(as: name)
            let body = try Self.json(read)
            #expect(read.status == 200 && (body["record"] as? [String: Any])?["plan"] as? String == "Patch 21 mg/24 h, arrêt le 1er décembre", "\(name)")
        }
        for name in ["omar", "coord"] {
            let read = try w.get(as: name)
            let body = try Self.json(read)
            #expect(read.status == 200 && body["hasRecord"] as? Bool == true && body["version"] as? Int == 2 && body["recordedAt"] is String, "\(name)")
            #expect(body["record"] == nil && body["history"] == nil && body["co"] == nil && !read.text.contains("Patch"), "\(name): no content")
        }
        for name in ["sam", "root"] {
            #expect(try w.get(as: name).status == 403, "\(name)")
        }

        // The page: the form for the two clinicians; 403 for everyone else, reading or writing.
        for name in ["ines", "claire"] {
            let page = try w.client.get(w.page, as: name)
            #expect(page.status == 200 && page.text.contains("Patch 21 mg/24 h") && page.text.contains("action=\"\(w.page)\""), "\(name)")
            #expect(try w.client.post(w.page, Self.form, as: name).status == 303, "\(name)")
        }
        for name in ["omar", "coord", "sam", "root"] {
            let page = try w.client.get(w.page, as: name)
            #expect(page.status == 403 && !page.text.contains("Patch"), "\(name)")
            #expect(try w.client.post(w.page, Self.form + [("plan", "intrusion")], as: name).status == 403, "\(name)")
        }
        #expect(try w.stored()?.input.plan == "Patch 21 mg/24 h, arrêt le 1er décembre")

        // The consultation's page says it exists to the coordinator, and links to it for its clinicians.
        let coordinator = try w.client.get("/consultations/\(w.consultationID)", as: "coord")
        #expect(coordinator.status == 200 && coordinator.text.contains("Dossier de consultation rempli (version 3"))
        #expect(!coordinator.text.contains("href=\"\(w.page)\"") && !coordinator.text.contains("Patch"))
        for name in ["ines", "claire"] {
            #expect(try w.client.get("/consultations/\(w.consultationID)", as: name).text.contains("href=\"\(w.page)\""), "\(name)")
        }
        #expect(try w.client.get("/consultations/\(w.consultationID)", as: "sam").status == 403)
    }

    // MARK: Time and status

    @Test func aRecordIsRefusedBeforeTheConsultationStartsAndForOneNotHeld() throws {
        let w = try World()
        let early = try w.put(Self.full)
        #expect(try early.status == 422 && Self.codes(early) == ["consultation": "consultation_record_not_started"])
        #expect(early.text.contains("its record cannot be written before"))
        let before = try w.client.get(w.page, as: "ines")
        #expect(before.status == 200 && before.text.contains("Le dossier pourra être rempli à partir de l&#39;heure de la consultation"))
        #expect(!before.text.contains("name=\"coPpm\""), "no form before its time")
        let earlyPage = try w.client.post(w.page, Self.form, as: "ines")
        #expect(earlyPage.status == 422 && earlyPage.text.contains("son dossier ne peut pas être rempli avant"))
        #expect(try w.stored() == nil && w.writes().isEmpty)
        #expect(try w.client.app.assessments.assessments(participantID: w.world.ana.id, by: .system).isEmpty, "no CO recorded either")
        let summary = try Self.json(try w.get(as: "coord"))
        #expect(summary["notWritableBefore"] is String && summary["hasRecord"] as? Bool == false)

        // From its start, it is written.
        try w.client.moveClock(to: w.start)
        #expect(try w.put(Self.full).status == 200)
        #expect(try Self.json(try w.get(as: "coord"))["notWritableBefore"] is NSNull)

        // A consultation marked missed (or cancelled) has none: 409 by both ways.
        #expect(try w.client.api(.patch, "/api/v1/consultations/\(w.consultationID)", #"{"status":"missed"}"#, as: "coord").status == 200)
        let missed = try w.put(Self.full.replacingOccurrences(of: "\"craving\":7", with: "\"craving\":1"))
        #expect(missed.status == 409 && missed.text.contains("consultation_record_not_held"))
        let page = try w.client.get(w.page, as: "ines")
        #expect(page.text.contains("La personne n&#39;est pas venue à cette consultation") && !page.text.contains("name=\"coPpm\""))
        #expect(try w.client.post(w.page, Self.form, as: "ines").status == 409)
        #expect(try w.stored()?.current.version == 1)
    }

    // MARK: Checks

    @Test func everyFieldIsCheckedByBothWaysAndNamed() throws {
        let w = try World()
        try w.client.moveClock(to: w.start)
        let bad = try w.put(#"""
            {"products":{"cigarette":10,"snuff":2},"eCigarette":false,"eCigaretteNicotineMgPerMl":6,"longestQuit":3,"quitDate":"2027-13-01",
             "coPpm":250,"weightKg":500,"pregnancy":"maybe","craving":11,"withdrawalSymptoms":["hiccups"],"goal":"quit"}
            """#)
        #expect(try bad.status == 422 && Self.codes(bad) == [
            "products.snuff": "expected_one_of", "eCigaretteNicotineMgPerMl": "e_cigarette_nicotine_without_use", "longestQuitUnit": "required",
            "quitDate": "date_format", "coPpm": "answer_out_of_range", "weightKg": "decimal_range", "pregnancy": "expected_one_of",
            "craving": "number_range", "withdrawalSymptoms": "expected_one_of", "goal": "expected_one_of",
        ])
        #expect(bad.text.contains("expected a number from 30 to 300"))
        let unknown = try w.put(#"{"smokes":true,"craving":7}"#)
        #expect(try unknown.status == 422 && Self.codes(unknown) == ["smokes": "unknown_field"])
        let wrongType = try w.put(#"{"craving":"high"}"#)
        #expect(try wrongType.status == 422 && Self.codes(wrongType).keys.sorted() == ["craving"])
        #expect(try w.put("[]").status == 400)

        // The page: each problem next to its field, in French, what was typed kept.
        var form = Self.form.filter { !["weightKg", "craving", "coPpm", "eCigarette", "products.cigarillo"].contains($0.0) }
        form += [("weightKg", "cinq cents"), ("craving", "12"), ("coPpm", "250"), ("eCigarette", "no"), ("products.cigarillo", "-1")]
        let page = try w.client.post(w.page, form, as: "ines")
        #expect(page.status == 422)
        #expect(page.text.contains("id=\"weightKg-error\">Indiquez un nombre de 30 à 300 (une décimale est permise).")
                && page.text.contains("value=\"cinq cents\""))
        #expect(page.text.contains("id=\"craving-error\">Indiquez un nombre entier de 0 à 10."))
        #expect(page.text.contains("id=\"products-cigarillo-error\">Indiquez un nombre de 0 à 200"))
        #expect(page.text.contains("id=\"eCigaretteNicotineMgPerMl-error\">le dosage en nicotine ne se donne que si la personne utilise une cigarette électronique"))
        #expect(page.text.contains("href=\"#weightKg\"") && page.text.contains("href=\"#products-cigarillo\""), "summarised with links to the fields")
        #expect(page.text.contains("Patch 21 mg/24 h, arrêt le 1er décembre"), "the plan typed is kept")
        // The CO is the instrument's: its range is checked once the rest can be read.
        let co = try w.client.post(w.page, Self.form.filter { $0.0 != "coPpm" } + [("coPpm", "250")], as: "ines")
        #expect(co.status == 422 && co.text.contains("id=\"coPpm-error\"") && co.text.contains("value=\"250\""))
        #expect(try w.stored() == nil && w.writes().isEmpty && w.client.app.assessments.assessments(participantID: w.world.ana.id, by: .system).isEmpty)
    }

    // MARK: Versions, figures, the CO assessment

    @Test func aPutReplacesTheRecordKeepsEachVersionAndRecordsTheCOAsAnAssessment() throws {
        let w = try World()
        try w.client.moveClock(to: w.start.addingTimeInterval(20 * 60))
        let first = try Self.json(try w.put(Self.full))
        #expect(first["version"] as? Int == 1 && first["recordedBy"] as? String == w.ines.id)
        let figures = try #require(first["figures"] as? [String: Any])
        // 10 cigarettes + 5 cigarillos (2 each, the evaluation's table) = 20 a day; 15 years: 15 pack-years.
        #expect(figures["cigaretteEquivalents"] as? Double == 20 && figures["packYears"] as? Double == 15 && figures["packYearsSource"] as? String == "computed")
        let co = try #require(first["co"] as? [String: Any])
        let coID = try #require(co["id"] as? String)
        #expect(co["instrument"] as? String == "co" && co["total"] as? Double == 18 && co["band"] as? String == "above_threshold")
        #expect(co["date"] as? String == "2027-11-20" && co["programmeId"] as? String == w.programmeID, "the consultation's day and programme")
        #expect(try w.writes().count == 1 && w.writes()[0].detail == "\(w.consultationID) v1" && w.writes()[0].actorName == "ines")

        // The lead replaces it: version 2, the first kept with who wrote it and who replaced it.
        let changed = Self.full.replacingOccurrences(of: "\"coPpm\":18", with: "\"coPpm\":9").replacingOccurrences(of: "\"craving\":7", with: "\"craving\":3")
        let second = try Self.json(try w.put(changed, as: "claire"))
        #expect(second["version"] as? Int == 2 && (second["record"] as? [String: Any])?["craving"] as? Int == 3)
        let history = try #require(second["history"] as? [[String: Any]])
        #expect(history.count == 1 && history[0]["version"] as? Int == 1 && history[0]["recordedBy"] as? String == w.ines.id)
        #expect(history[0]["replacedBy"] as? String == w.world.lead.id && (history[0]["record"] as? [String: Any])?["craving"] as? Int == 7)
        // The same reading, corrected (not a second one), its previous value kept with the reason.
        let assessments = try w.client.app.assessments.history(participantID: w.world.ana.id, by: .system)
        #expect(assessments.assessments.map(\.id) == [coID] && assessments.assessments[0].total == 9)
        #expect(assessments.corrections[coID]?.map(\.reason) == ["Mesure modifiée dans le dossier de la consultation"])
        #expect(assessments.corrections[coID]?.first?.previousTotal == 18)

        // The same record again writes no version; what the API reads can be written back as it is.
        #expect(try Self.json(try w.put(changed))["version"] as? Int == 2)
        let record = try #require(second["record"] as? [String: Any])
        let back = String(decoding: try JSONSerialization.data(withJSONObject: record), as: UTF8.self)
        #expect(try Self.json(try w.put(back))["version"] as? Int == 2)

        // The reading taken out: version 3, the assessment withdrawn (kept, counted nowhere).
        let withoutCO = try Self.json(try w.put(changed.replacingOccurrences(of: "\"coPpm\":9,", with: "")))
        #expect(withoutCO["version"] as? Int == 3 && (withoutCO["record"] as? [String: Any])?["coPpm"] is NSNull && withoutCO["co"] is NSNull)
        let after = try w.client.app.assessments.history(participantID: w.world.ana.id, by: .system)
        #expect(after.assessments.count == 1 && after.assessments[0].isWithdrawn && after.counted.isEmpty)
        #expect(after.assessments[0].withdrawnReason == "Mesure retirée du dossier de la consultation")
        #expect(try w.writes().count == 5, "one audit row per write, the unchanged ones included")
        // Typed pack-years are kept as typed.
        let typed = try Self.json(try w.put(#"{"products":{"cigarette":10},"yearsSmoked":15,"packYears":30}"#))
        #expect((typed["figures"] as? [String: Any])?["packYears"] as? Double == 30 && (typed["figures"] as? [String: Any])?["packYearsSource"] as? String == "entered")

        // The page lists the versions replaced.
        let page = try w.client.get(w.page, as: "ines")
        #expect(page.text.contains("Versions précédentes") && page.text.contains("Version 1, écrite le"))
    }

    @Test func thePageWritesTheSameRecordAsTheAPI() throws {
        let w = try World()
        try w.client.moveClock(to: w.start)
        let saved = try w.client.post(w.page, Self.form, as: "ines")
        #expect(saved.status == 303 && saved.location == "\(w.page)?done=cr_saved")
        let record = try #require(try w.stored())
        let expected = ClinicalRecordInput(products: ["cigarette": 10, "cigarillo": 5], eCigarette: true, eCigaretteNicotineMgPerMl: 6, yearsSmoked: 15,
                                           quitAttempts: 2, longestQuit: 3, longestQuitUnit: "months", quitDate: "2027-12-01", coPpm: 18, weightKg: 72.5,
                                           pregnancy: "no", craving: 7, withdrawalSymptoms: ["irritability", "insomnia"], goal: "stop",
                                           plan: "Patch 21 mg/24 h, arrêt le 1er décembre")
        #expect(record.input == expected)
        let shown = try w.client.get(saved.location!, as: "ines")
        #expect(shown.text.contains("Dossier de consultation enregistré.") && shown.text.contains("20 équivalents cigarette par jour")
                && shown.text.contains("15 paquets-années (calculé)") && shown.text.contains("Mesure enregistrée : 18 ppm"))
        // Through the API, the same body gives the same record: no new version.
        #expect(try Self.json(try w.put(Self.full))["version"] as? Int == 1)
        // The participant's export (right of access) carries it for its clinician, like the note.
        let exported = try Self.json(try w.client.get("/participants/\(w.world.ana.id)/export.json", as: "ines"))
        let consultation = try #require((exported["consultations"] as? [[String: Any]])?.first)
        #expect((consultation["record"] as? [String: Any])?["plan"] as? String == "Patch 21 mg/24 h, arrêt le 1er décembre")
        let byCoordinator = try w.client.get("/participants/\(w.world.ana.id)/export.json", as: "coord")
        #expect(byCoordinator.status == 200 && !byCoordinator.text.contains("Patch 21"))
    }

    // MARK: Clinical safety

    @Test func aHighCOInSomeoneWhoSmokesNothingPromptsToThinkOfDomesticPoisoning() throws {
        let w = try World()
        try w.client.moveClock(to: w.start)
        // Products all zero and 14 ppm: the prompt, by the API, on the record's page, beside the reading on the participant's record.
        let nothing = try Self.json(try w.put(#"{"products":{"cigarette":0,"joint":0},"coPpm":14}"#))
        #expect(nothing["safetyPrompts"] as? [String] == ["domestic_co_poisoning"])
        let page = try w.client.get(w.page, as: "ines")
        #expect(page.text.contains("id=\"co-prompt\"") && page.text.contains("pensez à une intoxication domestique au monoxyde de carbone")
                && page.text.contains("Fumer du cannabis élève aussi le CO expiré"))
        let record = try w.client.get("/participants/\(w.world.ana.id)", as: "ines")
        #expect(record.text.contains("CO élevé chez une personne qui dit ne pas fumer : pensez à une intoxication domestique"))
        // The same reading in someone who says they smoke, or below the threshold: no prompt (the form's reminder stays).
        let smokes = try Self.json(try w.put(#"{"products":{"cigarette":10},"coPpm":14}"#))
        #expect(smokes["safetyPrompts"] as? [String] == [])
        let quiet = try w.client.get(w.page, as: "ines")
        #expect(!quiet.text.contains("id=\"co-prompt\"") && quiet.text.contains("id=\"coPpm-hint\""))
        #expect(!(try w.client.get("/participants/\(w.world.ana.id)", as: "ines")).text.contains("CO élevé chez une personne qui dit ne pas fumer"))
        #expect(try Self.json(try w.put(#"{"products":{"cigarette":0},"coPpm":9}"#))["safetyPrompts"] as? [String] == [])
        #expect(try Self.json(try w.put(#"{"products":{"cigarette":0},"coPpm":10}"#))["safetyPrompts"] as? [String] == ["domestic_co_poisoning"],
                "from the threshold itself")

        // Without products in the record, an ex-smoker's word counts; a reading entered elsewhere is flagged beside it too.
        #expect(try w.client.api(.patch, "/api/v1/participants/\(w.world.ana.id)", #"{"smokerStatus":"ex_smoker"}"#, as: "coord").status == 200)
        #expect(try Self.json(try w.put(#"{"coPpm":12}"#))["safetyPrompts"] as? [String] == ["domestic_co_poisoning"])
        #expect(try w.client.api(.post, "/api/v1/participants/\(w.world.ana.id)/assessments", #"{"instrument":"co","answers":{"ppm":22},"date":"2027-11-20"}"#,
                                 as: "coord").status == 201)
        let coordinator = try w.client.get("/participants/\(w.world.ana.id)", as: "coord")
        #expect(coordinator.text.components(separatedBy: "CO élevé chez une personne qui dit ne pas fumer").count == 3, "beside each high reading")
        // A declared relapse after the quit takes it back.
        #expect(try w.client.api(.post, "/api/v1/participants/\(w.world.ana.id)/assessments",
                                 #"{"instrument":"end_status","answers":{"status":"unchanged","cigarettes_per_day":10},"date":"2027-11-20"}"#,
                                 as: "coord").status == 201)
        #expect(!(try w.client.get("/participants/\(w.world.ana.id)", as: "coord")).text.contains("CO élevé chez une personne qui dit ne pas fumer"))
    }

    @Test func thePromptFollowsTheInstrumentsConfiguredThreshold() throws {
        // SRNT's 5 ppm instead of the Russell Standard's 10.
        let directory = NSTemporaryDirectory() + "relais-web-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let protocols = try ProtocolsLoader.catalog(directory: repositoryRoot.appendingPathComponent("Protocols").path,
                                                    settings: ["co.parameters.abstinence_threshold_ppm": "5"])
        let app = try RelaisApp(configuration: Configuration(), store: try Store(path: directory + "/relais.sqlite"), protocols: protocols,
                                logger: Logger(label: "test"))
        let world = try Fixture(app: app)
        // A programme of last autumn, so that the consultation is past on the real clock.
        let today = LocalDateTime(Date(), in: Self.paris).date
        let first = LocalDateTime(date: today.addingDays(-60), hour: 18, minute: 0)!.iso
        let programme = try TimeGuardTests.programmeByAPI(world, start: first)
        let w = try World(world, programme: programme, at: LocalDateTime(date: today.addingDays(-50), hour: 10, minute: 0)!.iso)
        #expect(try Self.json(try w.put(#"{"products":{"cigarette":0},"coPpm":6}"#))["safetyPrompts"] as? [String] == ["domestic_co_poisoning"])
        #expect(try Self.json(try w.put(#"{"products":{"cigarette":0},"coPpm":4}"#))["safetyPrompts"] as? [String] == [])
    }

    @Test func everySessionGuideThatAdministersCOSaysToThinkOfDomesticPoisoning() throws {
        let folder = repositoryRoot.appendingPathComponent("Protocols/sessions")
        var checked = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path) where file.hasSuffix(".md") {
            let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            guard text.contains("`co`") else { continue }
            checked += 1
            #expect(text.contains("intoxication domestique au monoxyde de carbone") && text.contains("cannabis"), "\(file)")
        }
        #expect(checked >= 1)
    }

    // MARK: Prefill

    @Test func anEmptyRecordIsPrefilledFromTheParticipantsPreviousConsultation() throws {
        let w = try World()
        let second = try w.client.api(.post, "/api/v1/programmes/\(w.programmeID)/consultations",
                                      #"{"participantId":"\#(w.world.ana.id)","index":2,"facilitatorId":"\#(w.ines.id)","start":"2027-11-27T10:00"}"#,
                                      as: "coord")
        let secondID = try #require(try Self.json(second)["id"] as? String)
        try w.client.moveClock(to: LocalDateTime(iso: "2027-11-27T10:30")!.instant(in: Self.paris))
        // Nothing to prefill yet.
        let empty = try Self.json(try w.client.api(.get, "/api/v1/consultations/\(secondID)/record", as: "ines"))
        #expect(empty["record"] is NSNull && empty["prefill"] is NSNull)
        #expect(try w.put(Self.full).status == 200)

        let read = try Self.json(try w.client.api(.get, "/api/v1/consultations/\(secondID)/record", as: "ines"))
        #expect(read["hasRecord"] as? Bool == false && read["record"] is NSNull && read["prefillFrom"] as? String == w.consultationID)
        let prefill = try #require(read["prefill"] as? [String: Any])
        let products = prefill["products"] as? [String: Any]
        #expect(products?["cigarette"] as? Double == 10 && products?["cigarillo"] as? Double == 5 && products?.count == 2)
        #expect(prefill["goal"] as? String == "stop" && prefill["yearsSmoked"] as? Int == 15)
        #expect(prefill["coPpm"] is NSNull && prefill["craving"] is NSNull && prefill["withdrawalSymptoms"] is NSNull, "the day's own are not carried")
        #expect(try Self.json(try w.client.api(.get, "/api/v1/consultations/\(secondID)/record", as: "coord"))["prefill"] == nil)

        let page = try w.client.get("/consultations/\(secondID)/record", as: "ines")
        #expect(page.text.contains("id=\"prefilled\"") && page.text.contains("Prérempli avec le dossier de la consultation du samedi 20 novembre 2027"))
        #expect(page.text.contains(#"name="products.cigarette" value="10""#) && page.text.contains("Patch 21 mg/24 h"))
        #expect(page.text.contains(#"name="coPpm" value="""#), "the reading is the day's own: not prefilled")
        // Saved, it is its own record; the first one is untouched.
        #expect(try w.client.post("/consultations/\(secondID)/record", Self.form.filter { $0.0 != "coPpm" }, as: "ines").status == 303)
        let own = try Self.json(try w.client.api(.get, "/api/v1/consultations/\(secondID)/record", as: "ines"))
        #expect(own["version"] as? Int == 1 && own["prefill"] is NSNull)
        #expect(try w.stored()?.current.version == 1)
    }
}
