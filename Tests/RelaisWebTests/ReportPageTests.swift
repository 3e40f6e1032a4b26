import Foundation
import GRDB
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// The evaluation pages and exports, through the router in process, as each role.
@Suite("Pages: yearly evaluation report and exports")
struct ReportPageTests {
    /// One programme of March 2026 (3 sessions, a peer helper co-leading) with seven participants:
    ///
    /// | | flags | sessions | Fagerström q4 | 3 months |
    /// |---|---|---|---|---|
    /// | 0 | precarity | 3/3 | 20 | stopped, 0 cigarettes |
    /// | 1 | precarity | 3/3 | 20 | reduced, 5 cigarettes (≤ 10) |
    /// | 2 | precarity | 3/3 | 20 | unchanged |
    /// | 3–5 | – | 3/3 | 20 | no answer |
    /// | 6 | – | 2/3 | 20 | no answer |
    ///
    /// Eligible 7, respondents 3: response rate 42.9 %; stopped 1/3 = 33.3 % among respondents,
    /// 1/7 = 14.3 % by intention to treat; stopped or reduced 66.7 % and 28.6 %. Q-MAT: 0–3 from 8 to
    /// 14, 4–6 stay at 10: means 8.86 → 12.29, change +3.43, 4 higher and 3 unchanged.
    struct Fixture {
        let client: PageClient
        let programmeID: String
        let people: [ParticipantRecord]
        let site: SiteRecord

        init() throws {
            client = try PageClient()
            let app = client.app
            try client.user("coord", role: .coordinator)
            let lead = try client.user("claire", role: .tabacologue)
            let helper = try client.user("sam", role: .peerHelper)
            try client.user("root", role: .admin)
            site = try app.sites.create(name: "CSAPA Nord", address: "1 rue de la Paix", by: .system)
            let room = try app.sites.addRoom(siteID: site.id, name: "Salle 2", capacity: 20, by: .system)
            let template = try #require(app.templates.first { $0.id == "3g2i" })
            let zone = TimeZone(identifier: "Europe/Paris")!
            let plan = try Planner.plan(template: template, start: LocalDateTime(iso: "2026-03-05T18:00")!, timeZone: zone)
            let (programme, sessions) = try app.programmes.create(ProgrammeDraft(
                template: template, title: "Printemps sans tabac", siteID: site.id, roomID: room.id, modality: .inPerson, visioURL: nil,
                capacity: 12, timeZone: zone, leadID: lead.id, peerHelperID: helper.id,
                sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) }, followUpDue: plan.followUpDue), by: .system)
            programmeID = programme.id
            var people: [ParticipantRecord] = []
            for index in 0..<7 {
                let details = try ParticipantDetails(
                    firstName: "Prénom\(index)", lastName: "Nomdefamille\(index)", birthYear: 1951 + index, email: "personne\(index)@example.org",
                    phone: "06 12 34 56 7\(index)", postalAddress: "\(index + 1) rue des Essais, Lille", preferredChannel: .email,
                    consentDataProcessing: true, consentEmail: true, consentFollowUp: true, precarity: index < 3).validated(currentYear: 2026)
                let person = try app.participants.create(details, by: .system)
                _ = try app.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: true, by: .system)
                people.append(person)
            }
            self.people = people
            for session in sessions {
                try app.enrolments.recordAttendance(sessionID: session.id, people.enumerated().map { index, person in
                    (participantID: person.id, status: session.index == 3 && index == 6 ? AttendanceStatus.absent : .present)
                }, note: nil, by: .system)
            }
            let fagerstrom = try #require(app.instruments["fagerstrom"])
            let followUp = try #require(app.instruments["followup_3m"])
            for person in people {
                _ = try app.assessments.record(participantID: person.id, result: fagerstrom.score([
                    "q1": .string("6to30"), "q2": .string("yes"), "q3": .string("other"), "q4": .number(20), "q5": .string("no"), "q6": .string("no"),
                ]), takenOn: CalendarDate(iso: "2026-03-05")!, partial: false, source: .staff, by: .system)
            }
            // Q-MAT: participants 0–3 from 8 (q1 reduced_much 4, q2 a_lot 2, q4 often 2) to 14; 4–6 stay at 10.
            let qmat = try #require(app.instruments["qmat"])
            for (index, person) in people.enumerated() {
                let entry: [String: JSONValue] = index < 4
                    ? ["q1": .string("reduced_much"), "q2": .string("a_lot"), "q3": .string("same"), "q4": .string("often")]
                    : ["q1": .string("reduced_much"), "q2": .string("a_lot"), "q3": .string("reduced_little"), "q4": .string("often")]
                let end: [String: JSONValue] = index < 4
                    ? ["q1": .string("stopped"), "q2": .string("enormously"), "q3": .string("reduced_little"), "q4": .string("sometimes")]
                    : entry
                _ = try app.assessments.record(participantID: person.id, result: qmat.score(entry), takenOn: CalendarDate(iso: "2026-03-12")!,
                                               partial: false, source: .staff, by: .system)
                _ = try app.assessments.record(participantID: person.id, result: qmat.score(end), takenOn: CalendarDate(iso: "2026-03-19")!,
                                               partial: false, source: .staff, by: .system)
            }
            for (index, status, cigarettes) in [(0, "stopped", 0.0), (1, "reduced", 5.0), (2, "unchanged", -1.0)] {
                var answers: [String: JSONValue] = ["status": .string(status), "aids_used": .array([.string("patches")]),
                                                    "orientation_followed": .string("not_applicable"), "would_recommend": .string("yes")]
                if cigarettes >= 0 { answers["cigarettes_per_day"] = .number(cigarettes) }
                _ = try app.assessments.record(participantID: people[index].id, result: followUp.score(answers),
                                               takenOn: CalendarDate(iso: "2026-06-20")!, partial: false, source: .phone, by: .system)
            }
        }
    }

    @Test func theYearPageGivesEveryFigureWithChartsAndDefinitions() throws {
        let world = try Fixture()
        let page = try world.client.get("/reports/years/2026", as: "coord")
        #expect(page.status == 200)
        let html = page.text
        #expect(html.contains("<h1>Évaluation 2026</h1>"))
        #expect(html.contains("Printemps sans tabac") && html.contains("href=\"/reports/programmes/\(world.programmeID)\""))
        // Three charts, server-drawn SVG.
        for chart in ["chart-attendance", "chart-outcomes", "chart-qmat"] { #expect(html.contains("<svg") && html.contains("id=\"\(chart)-title\"")) }
        // The figures computed by hand above.
        #expect(html.contains("42,9 %"), "3-month response rate")
        #expect(html.contains("33,3 %") && html.contains("14,3 %"), "stopped among respondents and by intention to treat")
        #expect(html.contains("66,7 %") && html.contains("28,6 %"), "stopped or reduced")
        #expect(html.contains("6 / 7 (85,7 %)"), "all three group sessions")
        #expect(html.contains("3 / 7 (42,9 %)"), "priority public")
        #expect(html.contains("Séances coanimées par un pair aidant : 3 sur 3"))
        #expect(html.contains("Moyenne 8,86 à l&#39;entrée, 12,29 en fin de programme (écart +3,43) : 4 en hausse, 3 stables, 0 en baisse."))
        // The definitions, on the page.
        #expect(html.contains("Intention de traiter (ITT, Russell Standard"))
        #expect(html.contains("au moins 50 % de cigarettes par jour en moins"))
        #expect(html.contains("strictement inférieure à 10 ppm"))
        // Links to the exports; no participant named anywhere.
        #expect(html.contains("/reports/years/2026/participants.csv") && html.contains("/reports/years/2026/aggregate.csv"))
        for person in world.people { #expect(!html.contains(person.lastName) && !html.contains(person.email ?? "-")) }
        // A threshold of 75 % makes participant 1's 5 cigarettes out of 20 still a reduction; 80 % does not.
        let strict = try world.client.get("/reports/years/2026?reduced=80", as: "coord")
        #expect(strict.text.contains("au moins 80 % de cigarettes par jour en moins"))
        #expect(strict.text.contains("Arrêt ou réduction à 3 mois (parmi les répondants)</dt><dd><span class=\"r-value\">33,3 %"))
        #expect(page.text.contains("Arrêt ou réduction à 3 mois (parmi les répondants)</dt><dd><span class=\"r-value\">66,7 %"))
        // Another year and another site: nothing to report, said plainly.
        #expect(try world.client.get("/reports/years/2025", as: "coord").text.contains("Aucun programme prévu cette année"))
        let other = try world.client.app.sites.create(name: "Antenne Sud", address: "", by: .system)
        let south = try world.client.get("/reports/years/2026?site=\(other.id)", as: "coord")
        #expect(south.status == 200 && south.text.contains("Site : Antenne Sud") && !south.text.contains("Printemps sans tabac"))
        #expect(try world.client.get("/reports/years/2026?site=\(world.site.id)", as: "coord").text.contains("42,9 %"))
    }

    @Test func theProgrammePageHasItsSessionsAndCharts() throws {
        let world = try Fixture()
        let page = try world.client.get("/reports/programmes/\(world.programmeID)", as: "claire")
        #expect(page.status == 200)
        #expect(page.text.contains("Évaluation — Printemps sans tabac"))
        #expect(page.text.contains("jeudi 5 mars 2026"))
        #expect(page.text.contains("id=\"chart-attendance-title\"") && page.text.contains("id=\"chart-outcomes-title\""))
        #expect(page.text.contains("Définitions"))
        #expect(try world.client.get("/reports/programmes/nope", as: "coord").status == 404)
    }

    @Test func onlyCoordinatorsAndTabacologuesSeeReports() throws {
        let world = try Fixture()
        for path in ["/reports/years/2026", "/reports/programmes/\(world.programmeID)", "/reports/years/2026/participants.csv",
                     "/reports/years/2026/aggregate.csv"] {
            #expect(try world.client.get(path, as: "coord").status == 200, "\(path)")
            #expect(try world.client.get(path, as: "claire").status == 200, "\(path)")
            #expect(try world.client.get(path, as: "sam").status == 403, "peer helper: \(path)")
            #expect(try world.client.get(path, as: "root").status == 403, "admin: \(path)")
            #expect(try world.client.get(path, as: nil).location == "/login", "\(path)")
        }
        #expect(try world.client.get("/reports", as: "coord").location?.hasPrefix("/reports/years/") == true)
        #expect(try world.client.get("/reports/years/deux-mille", as: "coord").status == 404)
        #expect(try world.client.get("/reports/years/2026?site=nowhere", as: "coord").status == 404)
        #expect(try world.client.get("/reports/years/2026?reduced=0", as: "coord").status == 422)
    }

    static func rows(_ csv: String) -> [[String]] {
        csv.split(separator: "\r\n", omittingEmptySubsequences: true).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    @Test func theParticipantExportIsPseudonymisedWithAFreshSaltEachTime() throws {
        let world = try Fixture()
        let first = try world.client.get("/reports/years/2026/participants.csv", as: "coord")
        #expect(first.status == 200)
        #expect(first.headers[.contentType]?.hasPrefix("text/csv") == true)
        #expect(first.headers[.contentDisposition]?.contains("attachment") == true)
        let rows = Self.rows(first.text)
        let header = try #require(rows.first)
        #expect(header == world.client.app.reports.participantCSVColumns)
        #expect(header.prefix(6) == ["participant", "programme", "programme_start", "site", "template", "enrolment"])
        for column in ["fagerstrom_entry", "cigarettes_per_day_entry", "qmat_entry", "qmat_end", "followup_status", "followup_co_validated",
                       "satisfaction_overall", "impact_self_efficacy_stop", "orientation_followed"] {
            #expect(header.contains(column), "\(column)")
        }
        for forbidden in ["name", "first_name", "last_name", "email", "phone", "address", "birth", "birth_year"] {
            #expect(!header.contains { $0.contains(forbidden) }, "\(forbidden)")
        }
        #expect(rows.count == 8)
        #expect(rows.dropFirst().allSatisfy { $0.count == header.count })
        // Nothing that names or reaches a person, anywhere in the file.
        for person in world.people {
            for value in [person.firstName, person.lastName, person.email!, person.phone!, person.postalAddress!, "rue des Essais", person.id] {
                #expect(!first.text.contains(value), "\(value) in the export")
            }
            #expect(!rows.joined().contains(String(person.birthYear!)))
        }
        let column = { (name: String) in header.firstIndex(of: name)! }
        let statuses = rows.dropFirst().map { $0[column("followup_status")] }
        #expect(statuses.filter { $0 == "stopped" }.count == 1 && statuses.filter { $0 == "unknown" }.count == 4)
        #expect(rows.dropFirst().allSatisfy { $0[column("site")] == "CSAPA Nord" && $0[column("programme_start")] == "2026-03-05" })
        #expect(rows.dropFirst().allSatisfy { $0[column("cigarettes_per_day_entry")] == "20" })
        // A new export, a new salt: no pseudonym in common.
        let second = Self.rows(try world.client.get("/reports/years/2026/participants.csv", as: "coord").text)
        let firstIDs = Set(rows.dropFirst().map { $0[0] }), secondIDs = Set(second.dropFirst().map { $0[0] })
        #expect(firstIDs.count == 7 && secondIDs.count == 7 && firstIDs.isDisjoint(with: secondIDs))
        #expect(firstIDs.allSatisfy { $0.hasPrefix("P-") && $0.count == 18 })
        // Each export is audited.
        let audit = try world.client.app.store.auditEntries(entity: "report")
        #expect(audit.filter { $0.action == "export" && $0.detail == "participants.csv" }.count == 2)
        #expect(audit.first?.actorName == "coord")
    }

    @Test func theAggregateFileMasksSmallCounts() throws {
        let world = try Fixture()
        let response = try world.client.get("/reports/years/2026/aggregate.csv", as: "coord")
        #expect(response.status == 200)
        let rows = Self.rows(response.text)
        #expect(rows.first == ["section", "indicator", "category", "value", "denominator", "percent"])
        func row(_ section: String, _ indicator: String, _ category: String = "") -> [String]? {
            rows.first { $0[0] == section && $0[1] == indicator && $0[2] == category }
        }
        #expect(row("participants", "counted")?[3] == "7")
        #expect(row("participants", "started") == ["participants", "started", "", "7", "7", "100"])
        #expect(row("participants", "precarity") == ["participants", "precarity", "", "< 5", "7", "< 5"], "3 people")
        #expect(row("participants", "isolation") == ["participants", "isolation", "", "0", "7", "0"], "zero is shown")
        #expect(row("follow_up", "eligible")?[3] == "7")
        #expect(row("follow_up", "respondents", "response_rate") == ["follow_up", "respondents", "response_rate", "< 5", "7", "< 5"])
        #expect(row("follow_up", "stopped", "among_respondents") == ["follow_up", "stopped", "among_respondents", "< 5", "< 5", "< 5"])
        #expect(row("follow_up", "unknown", "intention_to_treat") == ["follow_up", "unknown", "intention_to_treat", "< 5", "7", "< 5"])
        #expect(row("attendance", "session_1", "present") == ["attendance", "session_1", "present", "7", "7", "100"])
        #expect(row("attendance", "all_group_sessions") == ["attendance", "all_group_sessions", "", "6", "7", "85.7"])
        #expect(row("entry", "fagerstrom", "mean")?[3] == "4", "a mean over 7 people")
        #expect(row("settings", "reduced_threshold_percent")?[3] == "50")
        // The definitions travel with the file (a text with commas is quoted).
        #expect(response.text.contains("definition,rates,"))
        #expect(response.text.contains("Russell Standard"))
        // Activity figures designate no one: shown as they are.
        #expect(row("programmes", "planned") == ["programmes", "planned", "", "1", "", ""])
        #expect(row("peer_helpers", "sessions_co_led") == ["peer_helpers", "sessions_co_led", "", "3", "3", "100"])
        // No count of people from 1 to 4 in any cell (means aside).
        let activity = ["settings", "programmes", "peer_helpers", "messages", "phone_tasks", "definition"]
        for cells in rows.dropFirst() where !activity.contains(cells[0]) {
            let isMean = cells[1].hasSuffix("mean") || cells[1] == "mean_change" || cells[2].hasPrefix("mean")
            for cell in isMean ? [cells[4]] : [cells[3], cells[4]] where !cell.isEmpty && !cell.contains(".") {
                if let number = Int(cell) { #expect(number == 0 || number >= 5, "\(cells)") }
            }
        }
        for person in world.people { #expect(!response.text.contains(person.lastName)) }
    }

    @Test func erasedParticipantsStayInTheCountsButLeaveTheExport() throws {
        let world = try Fixture()
        let erased = world.people[0]
        _ = try ParticipantRecords(store: world.client.app.store).erase(participantID: erased.id, by: .system, timeZone: world.client.app.actions.settings.timeZone)
        let report = try world.client.app.actions.evaluation(.year(2026, siteID: nil), reducedThresholdPercent: 50, by: .commandLine("report"))
        #expect(report.participants.counted == 7 && report.participants.erased == 1)
        #expect(report.followUp.respondents == 3 && report.followUp.count(.stopped) == 1, "her declared stop was kept")
        #expect(report.entryScores.fagerstrom.n == 6, "her scores were not")
        #expect(Self.rows(world.client.app.reports.participantsCSV(report)).count == 7)
        let page = try world.client.get("/reports/years/2026", as: "coord")
        #expect(page.text.contains("1 participants effacés sont comptés"))
    }

    @Test func theStandalonePageCarriesItsStylesheet() throws {
        let world = try Fixture()
        let report = try world.client.app.actions.evaluation(.year(2026, siteID: nil), reducedThresholdPercent: 50, by: .commandLine("report"))
        let html = world.client.app.reportStandaloneHTML(report, language: "fr")
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<style>") && html.contains("/* Reports */") && html.contains("@media print"))
        #expect(!html.contains("<link rel=\"stylesheet\"") && !html.contains("<script"))
        #expect(html.contains("<svg") && html.contains("42,9 %"))
        #expect(!html.contains("class=\"r-controls") && !html.contains("href=\"/reports/"), "no links in a file")
        let english = world.client.app.reportStandaloneHTML(report, language: "en")
        #expect(english.contains("Evaluation 2026") && english.contains("42.9%") && english.contains("non-respondents are counted as smokers"))
    }
}
