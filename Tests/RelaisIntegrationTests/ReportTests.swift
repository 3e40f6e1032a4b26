import Foundation
import RelaisTestSupport
import Testing

/// The yearly evaluation end to end: a fixture year built through the API with known answers on a
/// running daemon, the figures computed by hand, then the same report on the command line.
@Suite("Yearly evaluation on a running daemon", .serialized)
struct ReportTests {
    static func get(_ daemon: Daemon, _ path: String, token: String?, language: String? = nil) throws -> TestResponse {
        var headers: [(String, String)] = []
        if let token { headers.append(("Authorization", "Bearer \(token)")) }
        if let language { headers.append(("Accept-Language", language)) }
        return try TestHTTP.get(port: daemon.port, path, headers: headers)
    }

    static func line(_ outcome: [String: Any]?, _ status: String) -> [String: Any]? {
        (outcome?["lines"] as? [[String: Any]])?.first { $0["status"] as? String == status }
    }

    /// Ten participants of a programme of March 2025 (Thursdays 6, 13 and 20, a peer helper co-leading):
    ///
    /// | | flags | sessions | Fagerström q4 | 3-month answer (by phone) |
    /// |---|---|---|---|---|
    /// | P0 | precarity | 3/3 | 20 | stopped, 0 a day; CO 4 ppm two days later |
    /// | P1 | isolation | 3/3 | 20 | reduced, 8 a day (≤ 10) |
    /// | P2 | | 3/3 | 20 | says reduced, 15 a day (> 10): unchanged |
    /// | P3 | | 3/3 | 10 | stopped, no number; CO 12 ppm (not below 10) |
    /// | P4 | | 3/3 | 20 | increased, 25 a day |
    /// | P5 | | 3/3 | 20 | – |
    /// | P6 | | 2/3 | 20 | – |
    /// | P7 | | withdrawn after session 1 | 20 | – |
    /// | P8 | | enrolled, never came | – | – |
    /// | P9 | | withdrawn before session 1 | – | not counted |
    ///
    /// Counted 9, started 8, all eligible at 3 months (due in June 2025). Respondents P0–P4: response
    /// rate 5/8 = 62.5 %. Stopped 2: 40 % of respondents, 25 % by intention to treat. Reduced 1:
    /// 20 % and 12.5 %. Stopped or reduced: 60 % and 37.5 %. CO-validated: P0 only, 20 % and 12.5 %.
    /// All three sessions: P0–P5, 6/9. Priority public: 2/9. Q-MAT: P0 8 → 14.
    struct Fixture {
        let daemon: Daemon
        let coordinator: String, clinician: String, helper: String, admin: String
        let siteID: String, programmeID: String
        let people: [String]

        init() throws {
            daemon = try Daemon()
            coordinator = try token(daemon, user: "coord", role: "coordinator")
            clinician = try token(daemon, user: "claire", role: "tabacologue")
            helper = try token(daemon, user: "sam", role: "peer_helper")
            admin = try token(daemon, user: "root", role: "admin")
            let claire = try userID(daemon, "claire", token: coordinator)
            let sam = try userID(daemon, "sam", token: coordinator)
            siteID = try #require(try post(daemon, "/api/v1/sites", #"{"name":"CSAPA Nord","address":"1 rue de la Paix, Lille"}"#, token: coordinator).json["id"] as? String)
            let roomID = try #require(try post(daemon, "/api/v1/sites/\(siteID)/rooms", #"{"name":"Salle 2","capacity":20}"#, token: coordinator).json["id"] as? String)
            let created = try post(daemon, "/api/v1/programmes", #"""
                {"title":"Printemps 2025","siteId":"\#(siteID)","roomId":"\#(roomID)","start":"2025-03-06T18:00","leadId":"\#(claire)","peerHelperId":"\#(sam)","capacity":12}
                """#, token: coordinator)
            guard created.status == 201 else { throw TestHTTPError(description: "programme: \(created.text)") }
            programmeID = try #require(created.json["id"] as? String)
            let sessions = try #require(created.json["sessions"] as? [[String: Any]]).compactMap { $0["id"] as? String }

            var people: [String] = [], enrolments: [String] = []
            for index in 0..<10 {
                let flags = index == 0 ? #","precarity":true"# : index == 1 ? #","isolation":true"# : ""
                let person = try post(daemon, "/api/v1/participants", #"""
                    {"firstName":"Prénom\#(index)","lastName":"Famille\#(index)","birthYear":\#(1950 + index),"email":"personne\#(index)@example.org","consentEmail":true,"consentFollowUp":true,"phone":"06 11 22 33 4\#(index)"\#(flags)}
                    """#, token: coordinator)
                guard person.status == 201, let id = person.json["id"] as? String else { throw TestHTTPError(description: "participant: \(person.text)") }
                people.append(id)
                let enrolment = try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(id)"}"#, token: coordinator)
                enrolments.append(try #require(enrolment.json["id"] as? String))
            }
            self.people = people
            _ = try post(daemon, "/api/v1/enrolments/\(enrolments[9])/withdraw", #"{"reason":"Ne peut pas venir"}"#, token: coordinator)

            func attendance(_ session: String, _ records: [(Int, String)]) throws {
                let body = records.map { #"{"participantId":"\#(people[$0.0])","status":"\#($0.1)"}"# }.joined(separator: ",")
                let response = try TestHTTP.postJSON(port: daemon.port, "/api/v1/sessions/\(session)/attendance", #"{"records":[\#(body)]}"#,
                                                     token: helper, method: "PUT")
                guard response.status == 200 else { throw TestHTTPError(description: "attendance: \(response.text)") }
            }
            try attendance(sessions[0], (0...7).map { ($0, "present") } + [(8, "absent")])
            _ = try post(daemon, "/api/v1/enrolments/\(enrolments[7])/withdraw", #"{"reason":"Déménagement"}"#, token: coordinator)
            try attendance(sessions[1], (0...6).map { ($0, "present") } + [(8, "absent")])
            try attendance(sessions[2], (0...5).map { ($0, "present") } + [(6, "absent"), (8, "absent")])

            func assess(_ person: Int, _ instrument: String, _ answers: String, _ date: String, source: String = "staff") throws {
                let response = try post(daemon, "/api/v1/participants/\(people[person])/assessments", #"""
                    {"instrument":"\#(instrument)","answers":\#(answers),"date":"\#(date)","source":"\#(source)"}
                    """#, token: coordinator)
                guard response.status == 201 else { throw TestHTTPError(description: "\(instrument) for P\(person): \(response.text)") }
            }
            for person in 0...7 {
                try assess(person, "fagerstrom", #"{"q1":"6to30","q2":"yes","q3":"other","q4":\#(person == 3 ? 10 : 20),"q5":"no","q6":"no"}"#, "2025-03-06")
                try assess(person, "co", #"{"ppm":15}"#, "2025-03-06")
            }
            try assess(0, "qmat", #"{"q1":"reduced_much","q2":"a_lot","q3":"same","q4":"often"}"#, "2025-03-13")
            try assess(0, "qmat", #"{"q1":"stopped","q2":"enormously","q3":"reduced_little","q4":"sometimes"}"#, "2025-03-20")
            let satisfaction = ["very_satisfied", "satisfied"].map { code in
                #"{"overall":"\#(code)","listening":"\#(code)","exchanges_facilitator":"\#(code)","session_frequency":"\#(code)","session_hours":"\#(code)","session_duration":"\#(code)","session_place":"\#(code)","materials":"\#(code)"}"#
            }
            for person in 0...1 {
                try assess(person, "satisfaction_end", satisfaction[person], "2025-03-27", source: "paper")
                try assess(person, "impact_end", #"{"knowledge_dependence":\#(8 + person),"self_efficacy_reduce":7,"self_efficacy_stop":6,"motivation_change":9}"#,
                           "2025-03-27", source: "paper")
            }
            func followUp(_ person: Int, _ status: String, _ cigarettes: Int?) throws {
                let count = cigarettes.map { #","cigarettes_per_day":\#($0)"# } ?? ""
                try assess(person, "followup_3m", #"""
                    {"status":"\#(status)"\#(count),"aids_used":["patches"],"orientation_followed":"yes","would_recommend":"yes"}
                    """#, "2025-06-25", source: "phone")
            }
            try followUp(0, "stopped", 0)
            try assess(0, "co", #"{"ppm":4}"#, "2025-06-27")
            try followUp(1, "reduced", 8)
            try followUp(2, "reduced", 15)
            try followUp(3, "stopped", nil)
            try assess(3, "co", #"{"ppm":12}"#, "2025-06-26")
            try followUp(4, "increased", 25)
            // P0's two consultations, done; an orientation to her GP.
            for (index, start) in [(1, "2025-03-07T10:00"), (2, "2025-03-21T10:00")] {
                let booked = try post(daemon, "/api/v1/programmes/\(programmeID)/consultations", #"""
                    {"participantId":"\#(people[0])","index":\#(index),"facilitatorId":"\#(claire)","start":"\#(start)","modality":"in_person"}
                    """#, token: coordinator)
                guard let id = booked.json["id"] as? String else { throw TestHTTPError(description: "consultation: \(booked.text)") }
                let done = try TestHTTP.postJSON(port: daemon.port, "/api/v1/consultations/\(id)", #"{"status":"done"}"#, token: clinician, method: "PATCH")
                guard done.status == 200 else { throw TestHTTPError(description: "consultation done: \(done.text)") }
            }
            let oriented = try post(daemon, "/api/v1/participants/\(people[0])/orientations",
                                    #"{"kinds":["medecin_traitant"],"programmeId":"\#(programmeID)"}"#, token: clinician)
            guard oriented.status == 201 else { throw TestHTTPError(description: "orientation: \(oriented.text)") }
        }
    }

    @Test func theAPIGivesTheFiguresComputedByHand() throws {
        let world = try Fixture()
        defer { world.daemon.stop() }
        let response = try Self.get(world.daemon, "/api/v1/reports/years/2025", token: world.coordinator)
        #expect(response.status == 200, "\(response.text)")
        let report = response.json
        #expect(report["format"] as? String == "relais-evaluation/1")
        let participants = try #require(report["participants"] as? [String: Any])
        #expect(participants["counted"] as? Int == 9 && participants["started"] as? Int == 8)
        #expect(participants["withdrawnBeforeStarting"] as? Int == 1 && participants["withdrawnAfterStarting"] as? Int == 1)
        #expect((participants["priority"] as? [String: Any])?["count"] as? Int == 2)
        let programmes = try #require(report["programmes"] as? [String: Any])
        #expect(programmes["planned"] as? Int == 1 && programmes["held"] as? Int == 1)

        let followUp = try #require(report["followUp"] as? [String: Any])
        #expect(followUp["eligible"] as? Int == 8 && followUp["respondents"] as? Int == 5)
        #expect(followUp["responseRate"] as? Double == 62.5)
        // The rate among respondents and the intention-to-treat rate differ, as they must.
        #expect(Self.line(followUp, "stopped")?["count"] as? Int == 2)
        #expect(Self.line(followUp, "stopped")?["amongRespondents"] as? Double == 40)
        #expect(Self.line(followUp, "stopped")?["intentionToTreat"] as? Double == 25)
        #expect(Self.line(followUp, "reduced")?["amongRespondents"] as? Double == 20)
        #expect(Self.line(followUp, "reduced")?["intentionToTreat"] as? Double == 12.5)
        #expect(Self.line(followUp, "unchanged")?["count"] as? Int == 1, "P2's declared reduction is below 50 %")
        #expect(Self.line(followUp, "increased")?["count"] as? Int == 1)
        #expect(Self.line(followUp, "unknown")?["count"] as? Int == 3)
        #expect(Self.line(followUp, "stopped_or_reduced")?["amongRespondents"] as? Double == 60)
        #expect(Self.line(followUp, "stopped_or_reduced")?["intentionToTreat"] as? Double == 37.5)
        #expect(followUp["coValidated"] as? Int == 1)
        #expect(followUp["coValidatedAmongRespondents"] as? Double == 20 && followUp["coValidatedIntentionToTreat"] as? Double == 12.5)

        let attendance = try #require(report["attendance"] as? [String: Any])
        #expect((attendance["completedSessions"] as? [String: Any])?["count"] as? Int == 6)
        #expect((attendance["completedSessions"] as? [String: Any])?["denominator"] as? Int == 9)
        #expect((attendance["completedConsultations"] as? [String: Any])?["count"] as? Int == 1)
        let sessions = try #require(attendance["sessions"] as? [[String: Any]])
        #expect(sessions.compactMap { $0["present"] as? Int } == [8, 7, 6])
        let qmat = try #require(report["qmatChange"] as? [String: Any])
        #expect(qmat["pairs"] as? Int == 1 && qmat["entryMean"] as? Double == 8 && qmat["endMean"] as? Double == 14)
        let fagerstrom = try #require((report["entryScores"] as? [String: Any])?["fagerstrom"] as? [String: Any])
        #expect(fagerstrom["n"] as? Int == 8)
        #expect((report["satisfaction"] as? [String: Any])?["respondents"] as? Int == 2)
        #expect((report["orientations"] as? [String: Any])?["made"] as? Int == 1)
        #expect(((report["peerHelpers"] as? [String: Any])?["sessionsCoLed"] as? [String: Any])?["count"] as? Int == 3)
        let definitions = try #require(report["definitions"] as? [[String: Any]])
        #expect(definitions.contains { ($0["text"] as? String)?.contains("Russell Standard") == true })
        // No participant anywhere in the JSON.
        for (index, id) in world.people.enumerated() {
            #expect(!response.text.contains(id) && !response.text.contains("Famille\(index)") && !response.text.contains("personne\(index)@"))
        }

        // The same figures for the programme, for the site; none for another year.
        let programme = try Self.get(world.daemon, "/api/v1/reports/programmes/\(world.programmeID)", token: world.clinician)
        #expect(programme.status == 200)
        #expect(Self.line(programme.json["followUp"] as? [String: Any], "stopped")?["intentionToTreat"] as? Double == 25)
        let site = try Self.get(world.daemon, "/api/v1/reports/years/2025?site=\(world.siteID)", token: world.coordinator)
        #expect((site.json["followUp"] as? [String: Any])?["respondents"] as? Int == 5)
        #expect(((try Self.get(world.daemon, "/api/v1/reports/years/2024", token: world.coordinator)).json["participants"] as? [String: Any])?["counted"] as? Int == 0)
        // A stricter threshold: P1's 8 out of 20 (60 % fewer) is no longer a reduction at 75 %.
        let strict = try Self.get(world.daemon, "/api/v1/reports/years/2025?reduced=75", token: world.coordinator)
        #expect(Self.line(strict.json["followUp"] as? [String: Any], "reduced")?["count"] as? Int == 0)
        #expect((strict.json["settings"] as? [String: Any])?["reducedThresholdPercent"] as? Double == 75)
        // English definitions on request.
        let english = try Self.get(world.daemon, "/api/v1/reports/years/2025", token: world.coordinator, language: "en")
        #expect((english.json["definitions"] as? [[String: Any]])?.contains { ($0["text"] as? String)?.contains("non-respondents are counted as smokers") == true } == true)
        #expect(english.header("Content-Language") == "en")
        let french = try Self.get(world.daemon, "/api/v1/reports/years/2025?lang=fr", token: world.coordinator, language: "en")
        #expect(french.header("Content-Language") == "fr", "?lang wins over Accept-Language")

        // The model of the report: each time point, intention to treat first. No end status was
        // taken: the end's base of 8 is all unknown. At 3 months the same figures as above.
        let outcomes = try #require(report["outcomes"] as? [[String: Any]])
        #expect(outcomes.map { $0["timePoint"] as? String } == ["end", "m3"])
        #expect((outcomes[0]["smokers"] as? [String: Any])?["unknown"] as? Int == 8)
        let m3 = try #require(outcomes[1]["smokers"] as? [String: Any])
        #expect(m3["base"] as? Int == 8 && m3["respondents"] as? Int == 5 && m3["stopped"] as? Int == 2 && m3["reduced"] as? Int == 1)
        #expect(m3["unchanged"] as? Int == 1 && m3["increased"] as? Int == 1 && m3["unknown"] as? Int == 3)
        #expect(m3["coMeasured"] as? Int == 2 && m3["stoppedCoValidated"] as? Int == 1 && m3["maintainedStopped"] as? Int == 0)
        #expect((outcomes[1]["rates"] as? [String: Any])?["stoppedIntentionToTreat"] as? Double == 25)

        // A reporting period: the programmes that begin in it; refused dates name their field.
        let march = try Self.get(world.daemon, "/api/v1/reports/period?from=2025-03-01&to=2025-03-31", token: world.coordinator)
        #expect(march.status == 200 && (march.json["scope"] as? [String: Any])?["kind"] as? String == "period")
        #expect((march.json["participants"] as? [String: Any])?["counted"] as? Int == 9)
        let april = try Self.get(world.daemon, "/api/v1/reports/period?from=2025-04-01&to=2025-12-31&site=\(world.siteID)", token: world.coordinator)
        #expect((april.json["participants"] as? [String: Any])?["counted"] as? Int == 0)
        for (query, field) in [("from=2025-03-31&to=2025-03-01", "to"), ("from=2025-13-01&to=2025-12-31", "from"), ("from=1999-01-01&to=2025-01-01", "from")] {
            let refused = try Self.get(world.daemon, "/api/v1/reports/period?" + query, token: world.coordinator)
            #expect(refused.status == 422 && ((refused.json["error"] as? [String: Any])?["fields"] as? [String: String])?[field] != nil, "\(query)")
        }
    }

    @Test func rolesAndErrorsFollowTheAPIConventions() throws {
        let world = try Fixture()
        defer { world.daemon.stop() }
        for path in ["/api/v1/reports/years/2025", "/api/v1/reports/programmes/\(world.programmeID)", "/api/v1/reports/period?from=2025-01-01&to=2025-12-31"] {
            #expect(try Self.get(world.daemon, path, token: world.coordinator).status == 200)
            #expect(try Self.get(world.daemon, path, token: world.clinician).status == 200)
            #expect(try Self.get(world.daemon, path, token: world.helper).status == 403)
            #expect(try Self.get(world.daemon, path, token: world.admin).status == 403)
            #expect(try Self.get(world.daemon, path, token: nil).status == 401)
        }
        let unknownSite = try Self.get(world.daemon, "/api/v1/reports/years/2025?site=nowhere", token: world.coordinator)
        #expect(unknownSite.status == 404 && (unknownSite.json["error"] as? [String: Any])?["code"] as? String == "not_found")
        #expect(try Self.get(world.daemon, "/api/v1/reports/years/twenty", token: world.coordinator).status == 404)
        #expect(try Self.get(world.daemon, "/api/v1/reports/programmes/nope", token: world.coordinator).status == 404)
        let badThreshold = try Self.get(world.daemon, "/api/v1/reports/years/2025?reduced=150", token: world.coordinator)
        #expect(badThreshold.status == 422)
        #expect(((badThreshold.json["error"] as? [String: Any])?["fields"] as? [String: String])?["reduced"] != nil)

        // The page, in a browser session: charts and the figures.
        let login = try logIn(world.daemon, name: "coord", password: "password for coord")
        let page = try TestHTTP.get(port: world.daemon.port, "/reports/years/2025", headers: [("Cookie", "relais_session=\(login.session ?? "")")])
        #expect(page.status == 200)
        #expect(page.text.contains("<svg") && page.text.contains("62,5 %") && page.text.contains("Définitions"))
        let csv = try TestHTTP.get(port: world.daemon.port, "/reports/years/2025/participants.csv", headers: [("Cookie", "relais_session=\(login.session ?? "")")])
        #expect(csv.status == 200 && csv.header("Content-Type")?.hasPrefix("text/csv") == true)
        let helperLogin = try logIn(world.daemon, name: "sam", password: "password for sam")
        #expect(try TestHTTP.get(port: world.daemon.port, "/reports/years/2025", headers: [("Cookie", "relais_session=\(helperLogin.session ?? "")")]).status == 403)
    }

    @Test func theCommandLineGivesTheSameReport() throws {
        let world = try Fixture()
        defer { world.daemon.stop() }
        let json = try world.daemon.cli(["report", "--year", "2025"])
        #expect(json.status == 0, "\(json.stderr)")
        let report = try #require(json.json as? [String: Any])
        let followUp = report["followUp"] as? [String: Any]
        #expect(followUp?["responseRate"] as? Double == 62.5)
        #expect(Self.line(followUp, "stopped")?["amongRespondents"] as? Double == 40)
        #expect(Self.line(followUp, "stopped")?["intentionToTreat"] as? Double == 25)

        // csv: the aggregate file, small counts masked, as a French spreadsheet opens it.
        let aggregate = try world.daemon.cli(["report", "--year", "2025", "--format", "csv"])
        #expect(aggregate.status == 0)
        #expect(aggregate.stdout.hasPrefix("\u{FEFF}Rapport;Évaluation 2025\r\nPérimètre;Tous les sites\r\nPériode;du 01/01/2025 au 31/12/2025\r\n"))
        let table = CSVRows.table(aggregate.stdout)
        #expect(table.first == ["Rubrique", "Indicateur", "Catégorie", "Valeur", "Dénominateur", "Pourcentage", "Code"])
        func row(_ code: String) -> [String] { Array((table.first { $0.last == code } ?? [])[3...5]) }
        #expect(row("participants.counted") == ["9", "", ""])
        #expect(row("m3.base") == ["8", "", ""])
        #expect(row("m3.respondents") == ["5", "8", "62,5"])
        #expect(row("m3.stopped.respondents") == ["< 5", "5", "< 5"])
        #expect(row("participants.precarity") == ["< 5", "9", "< 5"])
        let english = try world.daemon.cli(["report", "--year", "2025", "--format", "csv", "--language", "en"])
        #expect(CSVRows.table(english.stdout).first { $0.last == "m3.respondents" }?[5] == "62.5")

        // --participants: one pseudonymised row each, nothing that names or reaches anyone.
        let rows = try world.daemon.cli(["report", "--year", "2025", "--format", "csv", "--participants"])
        #expect(rows.status == 0)
        let people = CSVRows.table(rows.stdout)
        #expect(people.count == 10)
        #expect(people.first?.prefix(3) == ["Participant (pseudonyme)", "Programme", "Identifiant du programme"])
        for (index, id) in world.people.enumerated() {
            for value in [id, "Prénom\(index)", "Famille\(index)", "personne\(index)@example.org", "06 11 22 33 4\(index)"] {
                #expect(!rows.stdout.contains(value), "\(value)")
            }
        }
        let again = try world.daemon.cli(["report", "--year", "2025", "--format", "csv", "--participants"])
        let first = Set(people.dropFirst().map { $0[0] })
        let second = Set(CSVRows.table(again.stdout).dropFirst().map { $0[0] })
        #expect(first.count == 9 && first.isDisjoint(with: second), "a new salt for each export")

        // A period, a programme, and the bilan as plain text.
        let period = try world.daemon.cli(["report", "--from", "2025-03-01", "--to", "2025-03-31"])
        #expect(period.status == 0 && ((period.json as? [String: Any])?["scope"] as? [String: Any])?["kind"] as? String == "period")
        let programme = try world.daemon.cli(["report", "--programme", world.programmeID, "--format", "csv"])
        #expect(programme.status == 0 && CSVRows.parse(programme.stdout).first == ["Rapport", "Évaluation — Printemps 2025"])
        let bilan = try world.daemon.cli(["report", "--year", "2025", "--format", "bilan"])
        #expect(bilan.status == 0 && bilan.stdout.contains("\nIntitulé de l'action\n") && bilan.stdout.contains("Lieu : CSAPA Nord, 1 rue de la Paix, Lille"))
        #expect(bilan.stdout.contains("- Suivi à 3 mois : 25 % (2 sur une base de 8 fumeurs à l'entrée ayant commencé le programme)"))

        // html: one standalone file; --out never overwrites.
        let out = world.daemon.directory.file("rapport-2025.html")
        let html = try world.daemon.cli(["report", "--year", "2025", "--format", "html", "--out", out])
        #expect(html.status == 0, "\(html.stderr)")
        let page = try String(contentsOfFile: out, encoding: .utf8)
        #expect(page.hasPrefix("<!doctype html>") && page.contains("<style>") && page.contains("<svg") && page.contains("62,5 %"))
        #expect(try world.daemon.cli(["report", "--year", "2025", "--format", "html", "--out", out]).status == 1)

        // Refused input and bad usage.
        #expect(try world.daemon.cli(["report", "--year", "2025", "--site", "nowhere"]).status == 1)
        #expect(try world.daemon.cli(["report", "--year", "2025", "--format", "xml"]).status == 2)
        #expect(try world.daemon.cli(["report", "--year", "2025", "--participants"]).status == 2)
        #expect(try world.daemon.cli(["report", "--from", "2025-03-31", "--to", "2025-03-01"]).status == 2, "the period ends before it starts")
        #expect(try world.daemon.cli(["report", "--from", "2025-03-01"]).status == 2)
        #expect(try world.daemon.cli(["report", "--year", "2025", "--from", "2025-03-01", "--to", "2025-03-31"]).status == 2)
        #expect(try world.daemon.cli(["report", "--from", "1999-01-01", "--to", "2025-03-31"]).status == 2)
        let help = try RelaisBinary.run(["report", "--help"])
        #expect(help.status == 0 && help.stdout.contains("AGGREGATE") && help.stdout.contains("--participants"))
        #expect(try RelaisBinary.run(["--help"]).stdout.contains("report"))
    }
}
