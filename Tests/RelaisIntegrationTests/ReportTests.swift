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

    /// Twelve participants of a programme of March 2025 (Thursdays 6, 13 and 20, a peer helper
    /// co-leading), everything entered through the API. The baseline is given at enrolment, or
    /// taken from the record and the entry Fagerström; end statuses are attached to the programme.
    ///
    /// | | baseline | sessions | end (20 March) | 3 months (25 June, by phone) |
    /// |---|---|---|---|---|
    /// | P0 | smoker, 20 a day, precarity | 3/3 | stopped, 0; CO 4 ppm that day | stopped, 0, no relapse; CO 4 ppm 2 days later |
    /// | P1 | smoker, 10 cigarettes + 10 roll-ups = 20, isolation | 3/3 | reduced, 8 (≤ 10) | reduced, 8 |
    /// | P2 | smoker, from the Fagerström: 20 | 3/3 | – | says reduced, 15 (> 10): unchanged |
    /// | P3 | smoker, only the band 11–20 of the Fagerström | 3/3 | stopped, 0; no CO: not measured | stopped, no count; CO 12 ppm next day: not abstinent |
    /// | P4 | smoker, 20 | 3/3 | increased, 25 | increased, 25 |
    /// | P5 | smoker, 20 | 3/3 | – | – |
    /// | P6 | smoker, 20 | 2/3 | says stopped but 2 a day: reduced | – |
    /// | P7 | smoker, 20, withdrew after session 1 | 1/3 | – | – |
    /// | P8 | smoker, enrolled, never came | 0/3 | in no base | |
    /// | P9 | withdrew before session 1 | – | not counted | |
    /// | P10 | ex-smoker (declared, quit November 2024) | 3/3 | stopped, 0: abstinent | stopped, no relapse: abstinent |
    /// | P11 | ex-smoker (from the record) | 3/3 | – | reduced, 3: relapsed |
    ///
    /// Afterwards P2's record says ex-smoker and P11's smoker: the baselines do not move.
    ///
    /// Smokers in the base (started, due): P0–P7 = 8 at each time point.
    /// End: stopped 2 (P0 P3), reduced 2 (P1 P6), increased 1, unknown 3; respondents 5 (62.5 %);
    /// stopped by intention to treat 25 %, among respondents 40 %; CO measured 1, validated 1.
    /// 3 months: stopped 2 (P0 P3), reduced 1, unchanged 1, increased 1, unknown 3; CO measured 2,
    /// validated 1 (P0); stopped and maintained 2 (P0 P3): 25 % by intention to treat.
    /// Ex-smokers (P10 P11): end abstinent 1, unknown 1; 3 months abstinent 1, relapsed 1.
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
                {"title":"Printemps 2025","siteId":"\#(siteID)","roomId":"\#(roomID)","start":"2025-03-06T18:00","leadId":"\#(claire)","peerHelperId":"\#(sam)","capacity":14,"moisSansTabac":true}
                """#, token: coordinator)
            guard created.status == 201 else { throw TestHTTPError(description: "programme: \(created.text)") }
            programmeID = try #require(created.json["id"] as? String)
            let sessions = try #require(created.json["sessions"] as? [[String: Any]]).compactMap { $0["id"] as? String }

            let baselines = [
                #"{"cigarettesPerDay":20,"goal":"stop"}"#, #"{"products":{"cigarette":10,"roll_your_own":10},"goal":"reduce"}"#, nil, nil,
                #"{"cigarettesPerDay":20}"#, #"{"cigarettesPerDay":20}"#, #"{"cigarettesPerDay":20}"#, #"{"cigarettesPerDay":20}"#, nil, nil,
                #"{"smokingStatus":"ex_smoker","quitDate":"2024-11-01","goal":"consolidate"}"#, nil,
            ]
            var people: [String] = [], enrolments: [String] = []
            for index in 0..<12 {
                let flags = index == 0 ? #","precarity":true"# : index == 1 ? #","isolation":true"# : index == 11 ? #","smokerStatus":"ex_smoker""# : ""
                let sex = index % 2 == 0 ? "female" : "male"
                let person = try post(daemon, "/api/v1/participants", #"""
                    {"firstName":"Prénom\#(index)","lastName":"Famille\#(index)","birthYear":\#(1950 + index * 5),"email":"personne\#(index)@example.org","consentEmail":true,"consentFollowUp":true,"phone":"06 11 22 33 4\#(index % 10)","sex":"\#(sex)","postalCode":"5900\#(index % 10)"\#(flags)}
                    """#, token: coordinator)
                guard person.status == 201, let id = person.json["id"] as? String else { throw TestHTTPError(description: "participant: \(person.text)") }
                people.append(id)
                let baseline = baselines[index].map { #","baseline":\#($0)"# } ?? ""
                let enrolment = try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(id)"\#(baseline)}"#, token: coordinator)
                guard enrolment.status == 201 else { throw TestHTTPError(description: "enrolment P\(index): \(enrolment.text)") }
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
            let exSmokers = [(10, "present"), (11, "present")]
            try attendance(sessions[0], (0...7).map { ($0, "present") } + [(8, "absent")] + exSmokers)
            _ = try post(daemon, "/api/v1/enrolments/\(enrolments[7])/withdraw", #"{"reason":"Déménagement"}"#, token: coordinator)
            try attendance(sessions[1], (0...6).map { ($0, "present") } + [(8, "absent")] + exSmokers)
            try attendance(sessions[2], (0...5).map { ($0, "present") } + [(6, "absent"), (8, "absent")] + exSmokers)

            func assess(_ person: Int, _ instrument: String, _ answers: String, _ date: String, source: String = "staff", programme: Bool = false) throws {
                let attached = programme ? #","programmeId":"\#(programmeID)""# : ""
                let response = try post(daemon, "/api/v1/participants/\(people[person])/assessments", #"""
                    {"instrument":"\#(instrument)","answers":\#(answers),"date":"\#(date)","source":"\#(source)"\#(attached)}
                    """#, token: coordinator)
                guard response.status == 201 else { throw TestHTTPError(description: "\(instrument) for P\(person): \(response.text)") }
            }
            for person in 0...7 {
                let q4 = person == 3 ? #""11to20""# : "20"
                try assess(person, "fagerstrom", #"{"q1":"6to30","q2":"yes","q3":"other","q4":\#(q4),"q5":"no","q6":"no"}"#, "2025-03-06")
                try assess(person, "co", #"{"ppm":15}"#, "2025-03-06")
            }
            try assess(0, "qmat", #"{"q1":"reduced_much","q2":"a_lot","q3":"same","q4":"often"}"#, "2025-03-13")
            try assess(0, "qmat", #"{"q1":"stopped","q2":"enormously","q3":"reduced_little","q4":"sometimes"}"#, "2025-03-20")
            // End statuses, entered at the last session (P6 at a consultation a week later).
            func end(_ person: Int, _ status: String, _ count: Int, _ date: String = "2025-03-20") throws {
                try assess(person, "end_status", #"{"status":"\#(status)","cigarettes_per_day":\#(count)}"#, date, programme: true)
            }
            try end(0, "stopped", 0)
            try assess(0, "co", #"{"ppm":4}"#, "2025-03-20", programme: true)
            try end(1, "reduced", 8)
            try end(3, "stopped", 0)
            try end(4, "increased", 25)
            try end(6, "stopped", 2, "2025-03-27")
            try end(10, "stopped", 0)
            try assess(10, "co", #"{"ppm":3}"#, "2025-03-20", programme: true)
            let satisfaction = ["very_satisfied", "satisfied"].map { code in
                #"{"overall":"\#(code)","listening":"\#(code)","exchanges_facilitator":"\#(code)","session_frequency":"\#(code)","session_hours":"\#(code)","session_duration":"\#(code)","session_place":"\#(code)","materials":"\#(code)"}"#
            }
            for person in 0...1 {
                try assess(person, "satisfaction_end", satisfaction[person], "2025-03-27", source: "paper")
                try assess(person, "impact_end", #"{"knowledge_dependence":\#(8 + person),"self_efficacy_reduce":7,"self_efficacy_stop":6,"motivation_change":9}"#,
                           "2025-03-27", source: "paper")
            }
            func followUp(_ person: Int, _ status: String, _ cigarettes: Int?, relapse: String = "not_stopped") throws {
                let count = cigarettes.map { #","cigarettes_per_day":\#($0)"# } ?? ""
                try assess(person, "followup_3m", #"""
                    {"status":"\#(status)"\#(count),"relapse":"\#(relapse)","aids_used":["patches"],"orientation_followed":"yes","would_recommend":"yes"}
                    """#, "2025-06-25", source: "phone")
            }
            try followUp(0, "stopped", 0, relapse: "no")
            try assess(0, "co", #"{"ppm":4}"#, "2025-06-27")
            try followUp(1, "reduced", 8)
            try followUp(2, "reduced", 15)
            try followUp(3, "stopped", nil, relapse: "no")
            try assess(3, "co", #"{"ppm":12}"#, "2025-06-26")
            try followUp(4, "increased", 25)
            try followUp(10, "stopped", nil, relapse: "no")
            try followUp(11, "reduced", 3)
            // The records change afterwards; the baselines frozen at enrolment do not.
            for (person, status) in [(2, "ex_smoker"), (11, "smoker")] {
                let changed = try TestHTTP.postJSON(port: daemon.port, "/api/v1/participants/\(people[person])", #"{"smokerStatus":"\#(status)"}"#,
                                                    token: coordinator, method: "PATCH")
                guard changed.status == 200 else { throw TestHTTPError(description: "record of P\(person): \(changed.text)") }
            }
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

    static func outcome(_ report: [String: Any], _ timePoint: String) -> [String: Any]? {
        (report["outcomes"] as? [[String: Any]])?.first { $0["timePoint"] as? String == timePoint }
    }

    @Test func theAPIGivesTheFiguresComputedByHand() throws {
        let world = try Fixture()
        defer { world.daemon.stop() }
        let response = try Self.get(world.daemon, "/api/v1/reports/years/2025", token: world.coordinator)
        #expect(response.status == 200, "\(response.text)")
        let report = response.json
        #expect(report["format"] as? String == "relais-evaluation/1")
        let participants = try #require(report["participants"] as? [String: Any])
        #expect(participants["counted"] as? Int == 11 && participants["started"] as? Int == 10)
        #expect(participants["smokers"] as? Int == 9 && participants["exSmokers"] as? Int == 2, "the baselines, not the records as they are now")
        #expect(participants["withdrawnBeforeStarting"] as? Int == 1 && participants["withdrawnAfterStarting"] as? Int == 1)

        // The contract for scripts: one object per time point, counts as integers.
        let end = try #require(Self.outcome(report, "end"))
        let endSmokers = try #require(end["smokers"] as? [String: Any])
        #expect(endSmokers["base"] as? Int == 8 && endSmokers["respondents"] as? Int == 5)
        #expect(endSmokers["stopped"] as? Int == 2 && endSmokers["reduced"] as? Int == 2 && endSmokers["unchanged"] as? Int == 0)
        #expect(endSmokers["increased"] as? Int == 1 && endSmokers["unknown"] as? Int == 3)
        #expect(endSmokers["coMeasured"] as? Int == 1 && endSmokers["stoppedCoValidated"] as? Int == 1)
        #expect(endSmokers["maintainedStopped"] == nil, "follow-ups only")
        let endRates = try #require(end["rates"] as? [String: Any])
        #expect(endRates["stoppedIntentionToTreat"] as? Double == 25 && endRates["stoppedAmongRespondents"] as? Double == 40)
        #expect(endRates["responseRate"] as? Double == 62.5)
        #expect(end["exSmokers"] as? [String: Int] == ["base": 2, "abstinenceMaintained": 1, "relapsed": 0, "unknown": 1])

        let m3 = try #require(Self.outcome(report, "m3"))
        let smokers = try #require(m3["smokers"] as? [String: Any])
        #expect(smokers["base"] as? Int == 8 && smokers["respondents"] as? Int == 5)
        #expect(smokers["stopped"] as? Int == 2 && smokers["reduced"] as? Int == 1 && smokers["unchanged"] as? Int == 1)
        #expect(smokers["increased"] as? Int == 1 && smokers["unknown"] as? Int == 3)
        #expect(smokers["coMeasured"] as? Int == 2 && smokers["stoppedCoValidated"] as? Int == 1)
        #expect(smokers["maintainedStopped"] as? Int == 2)
        let rates = try #require(m3["rates"] as? [String: Any])
        #expect(rates["stoppedIntentionToTreat"] as? Double == 25 && rates["maintainedStoppedIntentionToTreat"] as? Double == 25)
        #expect(m3["exSmokers"] as? [String: Int] == ["base": 2, "abstinenceMaintained": 1, "relapsed": 1, "unknown": 0])

        // The first version's view, kept for the scripts that read it: the same smokers.
        let followUp = try #require(report["followUp"] as? [String: Any])
        #expect(followUp["eligible"] as? Int == 8 && followUp["respondents"] as? Int == 5 && followUp["responseRate"] as? Double == 62.5)
        #expect(Self.line(followUp, "stopped")?["intentionToTreat"] as? Double == 25)
        // Breakdowns: six women and six men enrolled, P9 not counted.
        let breakdowns = try #require(report["breakdowns"] as? [[String: Any]])
        let sex = try #require(breakdowns.first { $0["dimension"] as? String == "sex" }?["groups"] as? [[String: Any]])
        #expect(sex.first { $0["code"] as? String == "female" }?["participants"] as? Int == 6)
        #expect(sex.first { $0["code"] as? String == "male" }?["participants"] as? Int == 5)
        let mst = try #require(breakdowns.first { $0["dimension"] as? String == "moisSansTabac" }?["groups"] as? [[String: Any]])
        #expect(mst.first { $0["code"] as? String == "yes" }?["participants"] as? Int == 11)

        let attendance = try #require(report["attendance"] as? [String: Any])
        #expect((attendance["completedSessions"] as? [String: Any])?["count"] as? Int == 8)
        #expect((attendance["completedConsultations"] as? [String: Any])?["count"] as? Int == 1)
        let qmat = try #require(report["qmatChange"] as? [String: Any])
        #expect(qmat["pairs"] as? Int == 1 && qmat["entryMean"] as? Double == 8 && qmat["endMean"] as? Double == 14)
        #expect((report["satisfaction"] as? [String: Any])?["respondents"] as? Int == 2)
        #expect((report["orientations"] as? [String: Any])?["made"] as? Int == 1)
        let definitions = try #require(report["definitions"] as? [[String: Any]])
        #expect(definitions.contains { ($0["text"] as? String)?.contains("Russell Standard") == true })
        // No participant anywhere in the JSON.
        for (index, id) in world.people.enumerated() {
            #expect(!response.text.contains(id) && !response.text.contains("Famille\(index)") && !response.text.contains("personne\(index)@"))
        }

        // The same figures for the programme, for the site; none for another year.
        let programme = try Self.get(world.daemon, "/api/v1/reports/programmes/\(world.programmeID)", token: world.clinician)
        #expect(programme.status == 200)
        #expect((Self.outcome(programme.json, "m3")?["smokers"] as? [String: Any])?["maintainedStopped"] as? Int == 2)
        let site = try Self.get(world.daemon, "/api/v1/reports/years/2025?site=\(world.siteID)", token: world.coordinator)
        #expect((Self.outcome(site.json, "end")?["smokers"] as? [String: Any])?["respondents"] as? Int == 5)
        #expect(((try Self.get(world.daemon, "/api/v1/reports/years/2024", token: world.coordinator)).json["participants"] as? [String: Any])?["counted"] as? Int == 0)
        // A stricter threshold: P1's 8 out of 20 (60 % fewer) is no longer a reduction at 75 %.
        let strict = try Self.get(world.daemon, "/api/v1/reports/years/2025?reduced=75", token: world.coordinator)
        #expect((Self.outcome(strict.json, "m3")?["smokers"] as? [String: Any])?["reduced"] as? Int == 0)
        #expect((strict.json["settings"] as? [String: Any])?["reducedThresholdPercent"] as? Double == 75)
        // English definitions on request.
        let english = try Self.get(world.daemon, "/api/v1/reports/years/2025", token: world.coordinator, language: "en")
        #expect((english.json["definitions"] as? [[String: Any]])?.contains { ($0["text"] as? String)?.contains("non-respondents are counted as smokers") == true } == true)
        #expect(english.header("Content-Language") == "en")
        let french = try Self.get(world.daemon, "/api/v1/reports/years/2025?lang=fr", token: world.coordinator, language: "en")
        #expect(french.header("Content-Language") == "fr", "?lang wins over Accept-Language")

        // A reporting period: the programmes that begin in it; refused dates name their field.
        let march = try Self.get(world.daemon, "/api/v1/reports/period?from=2025-03-01&to=2025-03-31", token: world.coordinator)
        #expect(march.status == 200 && (march.json["scope"] as? [String: Any])?["kind"] as? String == "period")
        #expect((march.json["participants"] as? [String: Any])?["counted"] as? Int == 11)
        let april = try Self.get(world.daemon, "/api/v1/reports/period?from=2025-04-01&to=2025-12-31&site=\(world.siteID)", token: world.coordinator)
        #expect((april.json["participants"] as? [String: Any])?["counted"] as? Int == 0)
        for (query, field) in [("from=2025-03-31&to=2025-03-01", "to"), ("from=2025-13-01&to=2025-12-31", "from"), ("from=1999-01-01&to=2025-01-01", "from")] {
            let refused = try Self.get(world.daemon, "/api/v1/reports/period?" + query, token: world.coordinator)
            #expect(refused.status == 422 && ((refused.json["error"] as? [String: Any])?["fields"] as? [String: String])?[field] != nil, "\(query)")
        }
    }

    @Test func erasingAParticipantKeepsTheirFiguresInTheEvaluation() throws {
        let world = try Fixture()
        defer { world.daemon.stop() }
        let before = try Self.get(world.daemon, "/api/v1/reports/years/2025", token: world.coordinator).json
        // P0 asks to be erased: her stop, its CO validation and its maintenance stay counted.
        let login = try logIn(world.daemon, name: "coord", password: "password for coord")
        let page = try TestHTTP.get(port: world.daemon.port, "/participants/\(world.people[0])/erase", headers: [("Cookie", "relais_session=\(login.session ?? "")")])
        let csrf = try #require(page.text.range(of: #"name="_csrf" value="[^"]+""#, options: .regularExpression).map {
            String(page.text[$0].dropFirst(#"name="_csrf" value=""#.count).dropLast())
        })
        let erased = try TestHTTP.postForm(port: world.daemon.port, "/participants/\(world.people[0])/erase", [("confirmName", "Famille0"), ("_csrf", csrf)],
                                           headers: [("Cookie", "relais_session=\(login.session ?? "")")])
        #expect(erased.status == 303, "\(erased.text)")
        #expect(try Self.get(world.daemon, "/api/v1/participants/\(world.people[0])", token: world.coordinator).status == 404)
        let after = try Self.get(world.daemon, "/api/v1/reports/years/2025", token: world.coordinator).json
        for timePoint in ["end", "m3"] {
            #expect(NSDictionary(dictionary: Self.outcome(after, timePoint)?["smokers"] as? [String: Any] ?? [:])
                    == NSDictionary(dictionary: Self.outcome(before, timePoint)?["smokers"] as? [String: Any] ?? ["x": 1]), "\(timePoint)")
        }
        #expect((after["participants"] as? [String: Any])?["erased"] as? Int == 1)
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
        #expect(row("participants.counted") == ["11", "", ""])
        #expect(row("m3.base") == ["8", "", ""])
        #expect(row("m3.respondents") == ["5", "8", "62,5"])
        #expect(row("m3.stopped.respondents") == ["< 5", "5", "< 5"])
        #expect(row("participants.precarity") == ["< 5", "11", "< 5"])
        let english = try world.daemon.cli(["report", "--year", "2025", "--format", "csv", "--language", "en"])
        #expect(CSVRows.table(english.stdout).first { $0.last == "m3.respondents" }?[5] == "62.5")

        // --participants: one pseudonymised row each, nothing that names or reaches anyone.
        let rows = try world.daemon.cli(["report", "--year", "2025", "--format", "csv", "--participants"])
        #expect(rows.status == 0)
        let people = CSVRows.table(rows.stdout)
        #expect(people.count == 12)
        #expect(people.first?.prefix(3) == ["Participant (pseudonyme)", "Programme", "Identifiant du programme"])
        for (index, id) in world.people.enumerated() {
            for value in [id, "Prénom\(index)", "Famille\(index)", "personne\(index)@example.org", "06 11 22 33 4\(index % 10)"] {
                #expect(!rows.stdout.contains(value), "\(value)")
            }
        }
        let again = try world.daemon.cli(["report", "--year", "2025", "--format", "csv", "--participants"])
        let first = Set(people.dropFirst().map { $0[0] })
        let second = Set(CSVRows.table(again.stdout).dropFirst().map { $0[0] })
        #expect(first.count == 11 && first.isDisjoint(with: second), "a new salt for each export")

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
