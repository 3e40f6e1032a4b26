import Foundation
import GRDB
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
import RelaisTestSupport
@testable import RelaisWeb
import Testing

/// The evaluation pages, exports and bilan sheets, through the router in process, as each role.
@Suite("Pages: evaluation report, period, exports and bilan")
struct ReportPageTests {
    /// One programme of March 2026 (sessions on 5, 12 and 19 March, a peer helper co-leading) with
    /// seven participants, each enrolled with a baseline. End status at the last session (19 March),
    /// CO readings recorded for the programme, the 3-month follow-up answered on 20 June:
    ///
    /// | # | baseline | sessions | end | CO | 3 months |
    /// |---|---|---|---|---|---|
    /// | 0 | smoker 20, precarity | 3/3 | stopped, 0 | 3 ppm: validated | stopped, 0, no relapse |
    /// | 1 | smoker 20, precarity | 3/3 | reduced, 10 (≤ 10) | — | reduced, 5 |
    /// | 2 | smoker 20, precarity | 3/3 | unchanged, 20 | — | unchanged |
    /// | 3 | smoker 20 | 3/3 | stopped, 0 | none: not measured | — |
    /// | 4 | smoker 20 | 3/3 | — | — | — |
    /// | 5 | ex-smoker | 3/3 | stopped, 0: abstinence | — | stopped, 0: abstinence |
    /// | 6 | smoker 20 | 2/3 | — | — | — |
    ///
    /// Base (smokers at entry who started, due): 6. End: stopped 2, reduced 1, unchanged 1,
    /// unknown 2; respondents 4. ITT stopped 2/6 = 33.3 %, among respondents 2/4 = 50 %, response
    /// 66.7 %; stopped or reduced 3/6 = 50 % (75 % of respondents). CO validated 1/6 = 16.7 %.
    /// 3 months: stopped 1, reduced 1, unchanged 1, unknown 3; respondents 3, response 50 %; ITT
    /// stopped 1/6 = 16.7 %, among respondents 33.3 %; stopped or reduced 2/6 = 33.3 % (66.7 %);
    /// maintained 1 (16.7 %). With a threshold of 80 %, 5 out of 20 is no reduction: stopped or
    /// reduced at 3 months 1/6 = 16.7 %. Q-MAT: 0–3 from 8 to 14, 4–6 stay at 10: means 8.86 →
    /// 12.29, change +3.43, 4 higher and 3 unchanged. Attendance: 6 of 7 at every session (85.7 %).
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
            site = try app.sites.create(name: "CSAPA Nord", address: "1 rue de la Paix, 59000 Lille", by: .system)
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
                    consentDataProcessing: true, consentEmail: true, consentFollowUp: true, postalCode: "59000").validated(currentYear: 2026)
                let person = try app.participants.create(details, by: .system)
                let baseline = index == 5 ? Baseline(smokingStatus: .exSmoker, goal: .consolidate)
                    : Baseline(smokingStatus: .smoker, cigarettesPerDay: 20, goal: .stop, publics: index < 3 ? [.precarity] : [])
                _ = try app.enrolments.enrol(programmeID: programme.id, participantID: person.id, baseline: baseline, waitingList: false, by: .system)
                people.append(person)
            }
            self.people = people
            for session in sessions {
                try app.enrolments.recordAttendance(sessionID: session.id, people.enumerated().map { index, person in
                    (participantID: person.id, status: session.index == 3 && index == 6 ? AttendanceStatus.absent : .present)
                }, note: nil, by: .system)
            }
            func record(_ index: Int, _ instrument: String, _ answers: [String: JSONValue], on day: String, programme: String? = nil) throws {
                _ = try app.assessments.record(participantID: people[index].id, programmeID: programme, result: try #require(app.instruments[instrument]).score(answers),
                                               takenOn: CalendarDate(iso: day)!, partial: false, source: .staff, by: .system)
            }
            // Q-MAT: participants 0–3 from 8 (q1 reduced_much 4, q2 a_lot 2, q4 often 2) to 14; 4–6 stay at 10.
            for index in people.indices {
                let entry: [String: JSONValue] = index < 4
                    ? ["q1": .string("reduced_much"), "q2": .string("a_lot"), "q3": .string("same"), "q4": .string("often")]
                    : ["q1": .string("reduced_much"), "q2": .string("a_lot"), "q3": .string("reduced_little"), "q4": .string("often")]
                let end: [String: JSONValue] = index < 4
                    ? ["q1": .string("stopped"), "q2": .string("enormously"), "q3": .string("reduced_little"), "q4": .string("sometimes")]
                    : entry
                try record(index, "qmat", entry, on: "2026-03-12")
                try record(index, "qmat", end, on: "2026-03-19")
            }
            for (index, status, count) in [(0, "stopped", 0.0), (1, "reduced", 10), (2, "unchanged", 20), (3, "stopped", 0), (5, "stopped", 0)] {
                try record(index, "end_status", ["status": .string(status), "cigarettes_per_day": .number(count)], on: "2026-03-19", programme: programme.id)
            }
            try record(0, "co", ["ppm": .number(3)], on: "2026-03-19", programme: programme.id)
            for (index, status, count) in [(0, "stopped", 0.0), (1, "reduced", 5), (2, "unchanged", -1), (5, "stopped", 0)] {
                var answers: [String: JSONValue] = ["status": .string(status), "aids_used": .array([.string("patches")]), "relapse": .string("no"),
                                                    "orientation_followed": .string("not_applicable"), "would_recommend": .string("yes")]
                if count >= 0 { answers["cigarettes_per_day"] = .number(count) }
                try record(index, "followup_3m", answers, on: "2026-06-20", programme: programme.id)
            }
        }
    }

    @Test func theYearPageHeadsWithIntentionToTreat() throws {
        let world = try Fixture()
        let page = try world.client.get("/reports/years/2026", as: "coord")
        #expect(page.status == 200)
        let html = page.text
        #expect(html.contains("<h1>Évaluation 2026</h1>"))
        #expect(html.contains("Printemps sans tabac") && html.contains("href=\"/reports/programmes/\(world.programmeID)\""))
        for chart in ["chart-attendance", "chart-outcomes", "chart-qmat"] { #expect(html.contains("<svg") && html.contains("id=\"\(chart)-title\"")) }
        // The headline of each time point, by intention to treat, with the rate among respondents beside it.
        #expect(html.contains("<div class=\"r-headline\"><dt>Arrêt — Fin de programme (intention de traiter)</dt><dd><span class=\"r-value\">33,3 %</span>"
                              + "<span class=\"r-detail\">2 sur 6 · 50 % parmi les 4 répondants · réponse 66,7 %</span>"))
        #expect(html.contains("<dt>Arrêt — Suivi à 3 mois (intention de traiter)</dt><dd><span class=\"r-value\">16,7 %</span>"))
        #expect(html.contains("<dt>Arrêt ou réduction — Suivi à 3 mois (intention de traiter)</dt><dd><span class=\"r-value\">33,3 %</span>"))
        #expect(html.contains("Arrêt en intention de traiter : 33,3 % (2 sur une base de 6).</strong> À côté : 50 % parmi les 4 répondants ; taux de réponse 66,7 %."))
        #expect(html.contains("<th scope=\"row\">validés (CO inférieur à 10 ppm)</th><td>1</td>"))
        #expect(html.contains("<th scope=\"row\">non mesurés (arrêts déclarés, pas un échec)</th><td>1</td>"))
        #expect(html.contains("Arrêt maintenu (arrêt en fin de programme et à ce suivi, sans rechute déclarée) : 1 sur 6, soit 16,7 % en intention de traiter."))
        #expect(html.contains("<caption>Ex-fumeurs à l&#39;entrée, hors des taux d&#39;arrêt (base : 1)</caption>"))
        #expect(html.contains("<caption>Territoire (département)</caption>") && html.contains("<th scope=\"row\">59 — Nord</th><td>7</td>"))
        #expect(html.contains("6 / 7 (85,7 %)"), "all three group sessions")
        #expect(html.contains("3 / 7 (42,9 %)"), "priority public")
        #expect(html.contains("Séances coanimées par un pair aidant : 3 sur 3"))
        #expect(html.contains("Moyenne 8,86 à l&#39;entrée, 12,29 en fin de programme (écart +3,43) : 4 en hausse, 3 stables, 0 en baisse."))
        // The definitions, on the page.
        #expect(html.contains("Intention de traiter (chiffre de tête), répondants, taux de réponse"))
        #expect(html.contains("au moins 50 % de cigarettes par jour en moins"))
        #expect(html.contains("strictement inférieure à 10 ppm"))
        // The exports, the bilan and the period form; no participant named anywhere.
        for href in ["/reports/years/2026/participants.csv", "/reports/years/2026/aggregate.csv", "/reports/years/2026/bilan"] {
            #expect(html.contains("href=\"\(href)\""), "\(href)")
        }
        #expect(html.contains("<form class=\"r-period\" method=\"get\" action=\"/reports/period\">"))
        for person in world.people { #expect(!html.contains(person.lastName) && !html.contains(person.email ?? "-")) }
        // A threshold of 80 %: 5 cigarettes out of 20 is no reduction any more.
        let strict = try world.client.get("/reports/years/2026?reduced=80", as: "coord")
        #expect(strict.text.contains("au moins 80 % de cigarettes par jour en moins"))
        #expect(strict.text.contains("<dt>Arrêt ou réduction — Suivi à 3 mois (intention de traiter)</dt><dd><span class=\"r-value\">16,7 %</span>"))
        #expect(strict.text.contains("href=\"/reports/years/2026/aggregate.csv?reduced=80\""), "the links keep the threshold")
        // Another year and another site: nothing to report, said plainly.
        #expect(try world.client.get("/reports/years/2025", as: "coord").text.contains("Aucun programme prévu sur cette période"))
        let other = try world.client.app.sites.create(name: "Antenne Sud", address: "", by: .system)
        let south = try world.client.get("/reports/years/2026?site=\(other.id)", as: "coord")
        #expect(south.status == 200 && south.text.contains("Site : Antenne Sud") && !south.text.contains("Printemps sans tabac"))
        #expect(try world.client.get("/reports/years/2026?site=\(world.site.id)", as: "coord").text.contains("66,7 %"))
        // In English on request.
        let english = try world.client.get("/reports/years/2026?lang=en", as: "coord")
        #expect(english.text.contains("<h1>Evaluation 2026</h1>") && english.text.contains("Stopped, by intention to treat: 33.3% (2 of a base of 6)."))
        #expect(try world.client.get("/reports/years/2026?lang=de", as: "coord").status == 422)
    }

    @Test func thePeriodPageAndItsRefusals() throws {
        let world = try Fixture()
        let page = try world.client.get("/reports/period?from=2026-03-01&to=2026-03-31", as: "coord")
        #expect(page.status == 200)
        #expect(page.text.contains("<h1>Évaluation du 01/03/2026 au 31/03/2026</h1>") && page.text.contains("Printemps sans tabac"))
        #expect(page.text.contains("name=\"from\" value=\"2026-03-01\"") && page.text.contains("33,3 %"))
        for href in ["/reports/period/aggregate.csv?from=2026-03-01&amp;to=2026-03-31", "/reports/period/bilan?from=2026-03-01&amp;to=2026-03-31"] {
            #expect(page.text.contains("href=\"\(href)\""), "\(href)")
        }
        let site = try world.client.get("/reports/period?from=2026-03-01&to=2026-03-31&site=\(world.site.id)", as: "coord")
        #expect(site.text.contains("<strong aria-current=\"page\">CSAPA Nord</strong>"))
        #expect(site.text.contains("href=\"/reports/period?from=2026-03-01&amp;to=2026-03-31\">Tous les sites</a>"))
        #expect(!(try world.client.get("/reports/period?from=2026-04-01&to=2026-12-31", as: "coord")).text.contains("Printemps sans tabac"))
        let csv = try world.client.get("/reports/period/aggregate.csv?from=2026-03-01&to=2026-03-31", as: "coord")
        #expect(csv.status == 200 && CSVRows.parse(csv.text)[2] == ["Période", "du 01/03/2026 au 31/03/2026"])
        #expect(csv.headers[.contentDisposition] == "attachment; filename=\"relais-evaluation-2026-03-01-2026-03-31-agrege.csv\"")
        // Each bad date is refused, naming its field.
        for (query, field) in [("from=2026-02-30&to=2026-03-31", "from"), ("from=2026-03-01", "to"), ("from=1999-12-31&to=2026-03-31", "from"),
                               ("from=2026-03-01&to=2101-01-01", "to"), ("from=2026-03-31&to=2026-03-01", "to"), ("", "from")] {
            let refused = try world.client.get("/reports/period?" + query, as: "coord")
            #expect(refused.status == 422, "\(query)")
            // The field by its name on the page, never its code.
            let label = field == "from" ? "Du" : "Au"
            #expect(refused.text.contains("La valeur du champ « \(label) » est refusée"), "\(query): names \(label)")
        }
    }

    @Test func theProgrammePageHasItsExportsAndBilan() throws {
        let world = try Fixture()
        let page = try world.client.get("/reports/programmes/\(world.programmeID)", as: "claire")
        #expect(page.status == 200)
        #expect(page.text.contains("Évaluation — Printemps sans tabac"))
        #expect(page.text.contains("jeudi 5 mars 2026"))
        #expect(page.text.contains("id=\"chart-attendance-title\"") && page.text.contains("id=\"chart-outcomes-title\""))
        #expect(page.text.contains("Définitions") && !page.text.contains("r-period"))
        for file in ["aggregate.csv", "participants.csv", "bilan"] {
            #expect(page.text.contains("href=\"/reports/programmes/\(world.programmeID)/\(file)\""), "\(file)")
        }
        let aggregate = try world.client.get("/reports/programmes/\(world.programmeID)/aggregate.csv", as: "claire")
        #expect(aggregate.status == 200, "no longer a 404")
        #expect(CSVRows.parse(aggregate.text).prefix(3).map { $0 } == [["Rapport", "Évaluation — Printemps sans tabac"],
                                                                       ["Périmètre", "CSAPA Nord · à partir du jeudi 5 mars 2026"],
                                                                       ["Séances", "du 05/03/2026 au 19/03/2026"]])
        #expect(CSVRows.table(aggregate.text).first { $0.last == "end.base" }?[3] == "6")
        let participants = try world.client.get("/reports/programmes/\(world.programmeID)/participants.csv", as: "claire")
        #expect(participants.status == 200 && CSVRows.table(participants.text).count == 8)
        #expect(try world.client.get("/reports/programmes/nope", as: "coord").status == 404)
        #expect(try world.client.get("/reports/programmes/nope/aggregate.csv", as: "coord").status == 404)
    }

    @Test func onlyCoordinatorsAndTabacologuesSeeReports() throws {
        let world = try Fixture()
        let programme = "/reports/programmes/\(world.programmeID)", period = "/reports/period"
        for path in ["/reports/years/2026", programme, "/reports/years/2026/participants.csv", "/reports/years/2026/aggregate.csv",
                     "/reports/years/2026/bilan", programme + "/aggregate.csv", programme + "/participants.csv", programme + "/bilan"]
                + ["", "/aggregate.csv", "/participants.csv", "/bilan"].map({ period + $0 + "?from=2026-01-01&to=2026-12-31" }) {
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

    @Test func theParticipantExportIsPseudonymisedWithAFreshSaltEachTime() throws {
        let world = try Fixture()
        let first = try world.client.get("/reports/years/2026/participants.csv", as: "coord")
        #expect(first.status == 200)
        #expect(first.headers[.contentType] == "text/csv; charset=utf-8")
        #expect(first.headers[.contentDisposition] == "attachment; filename=\"relais-evaluation-2026-participants.csv\"")
        #expect(first.text.hasPrefix("\u{FEFF}Rapport;Évaluation 2026\r\nPérimètre;Tous les sites\r\nPériode;du 01/01/2026 au 31/12/2026\r\nDonnées au;"))
        let rows = CSVRows.table(first.text)
        let header = try #require(rows.first)
        let report = try world.client.app.actions.evaluation(.year(2026, siteID: nil), reducedThresholdPercent: 50, by: .commandLine("report"))
        #expect(header == world.client.app.reports.participantCSVHeadings(report))
        #expect(header.prefix(6) == ["Participant (pseudonyme)", "Programme", "Identifiant du programme", "Début du programme", "Site", "Modèle de programme"])
        for column in ["Fagerström à l'entrée", "Consommation à l'entrée (équivalents cigarettes par jour)", "Q-MAT à l'entrée", "Q-MAT en fin de programme",
                       "Fin : statut", "3 mois : statut", "3 mois : contrôle CO", "Satisfaction (1 à 4) : Globalement, êtes-vous satisfait(e) du programme ?",
                       "Orientation suivie", "Département"] {
            #expect(header.contains(column), "\(column)")
        }
        #expect(rows.count == 8 && rows.dropFirst().allSatisfy { $0.count == header.count })
        // Nothing that names or reaches a person, anywhere in the file.
        for person in world.people {
            for value in [person.firstName, person.lastName, person.email!, person.phone!, person.postalAddress!, "rue des Essais", person.id, "59000"] {
                #expect(!first.text.contains(value), "\(value) in the export")
            }
            #expect(!rows.joined().contains(String(person.birthYear!)))
        }
        let column = { (name: String) in header.firstIndex(of: name)! }
        #expect(rows.dropFirst().map { $0[column("3 mois : statut")] } == ["Arrêt", "Réduction", "Inchangé", "Inconnu", "Inconnu", "Abstinence maintenue", "Inconnu"])
        #expect(rows.dropFirst().allSatisfy { $0[column("Site")] == "CSAPA Nord" && $0[column("Début du programme")] == "05/03/2026" })
        #expect(rows.dropFirst().map { $0[column("Consommation à l'entrée (équivalents cigarettes par jour)")] } == ["20", "20", "20", "20", "20", "", "20"])
        #expect(rows.dropFirst().allSatisfy { $0[column("Département")] == "59 — Nord" })
        // A new export, a new salt: no pseudonym in common.
        let second = CSVRows.table(try world.client.get("/reports/years/2026/participants.csv", as: "coord").text)
        let firstIDs = Set(rows.dropFirst().map { $0[0] }), secondIDs = Set(second.dropFirst().map { $0[0] })
        #expect(firstIDs.count == 7 && secondIDs.count == 7 && firstIDs.isDisjoint(with: secondIDs))
        #expect(firstIDs.allSatisfy { $0.hasPrefix("P-") && $0.count == 18 })
        // Each export is audited.
        let audit = try world.client.app.store.auditEntries(entity: "report")
        #expect(audit.filter { $0.action == "export" && $0.detail == "participants.csv" }.count == 2)
        #expect(audit.first?.actorName == "coord")
        // English headings and labels with ?lang=en.
        let english = CSVRows.table(try world.client.get("/reports/years/2026/participants.csv?lang=en", as: "coord").text)
        #expect(english.first?.first == "Participant (pseudonym)" && english[1][english[0].firstIndex(of: "3 months: status")!] == "Stopped")
    }

    @Test func theAggregateFileMasksSmallCounts() throws {
        let world = try Fixture()
        let response = try world.client.get("/reports/years/2026/aggregate.csv", as: "coord")
        #expect(response.status == 200)
        #expect(response.text.hasPrefix("\u{FEFF}"))
        let rows = CSVRows.table(response.text)
        #expect(rows.first == ["Rubrique", "Indicateur", "Catégorie", "Valeur", "Dénominateur", "Pourcentage", "Code"])
        func row(_ code: String) -> [String]? { rows.first { $0.last == code }.map { Array($0[3...5]) } }
        #expect(row("participants.counted") == ["7", "", ""])
        #expect(row("participants.started") == ["7", "7", "100"])
        #expect(row("participants.precarity") == ["< 5", "7", "< 5"], "3 people")
        #expect(row("participants.isolation") == ["0", "7", "0"], "zero is shown")
        #expect(row("end.base") == ["6", "", ""])
        #expect(row("end.respondents") == ["< 5", "6", "< 5"])
        #expect(row("end.unknown.itt") == ["< 5", "6", "< 5"])
        #expect(row("m3.unknown.itt") == ["< 5", "6", "< 5"])
        #expect(row("attendance.session_1.present") == ["7", "7", "100"])
        #expect(row("attendance.all_group_sessions") == ["6", "7", "85,7"], "a decimal comma")
        #expect(row("entry.qmat.mean")?[0] == "8,86", "a mean over 7 people")
        #expect(row("settings.reduced_threshold_percent")?[0] == "50")
        // The definitions travel with the file (a text with `;` is quoted).
        #expect(rows.first { $0.last == "definition.rates" }?[3].contains("Russell Standard") == true)
        // Activity figures designate no one: shown as they are.
        #expect(row("programmes.planned") == ["1", "", ""])
        #expect(row("peer_helpers.sessions_co_led") == ["3", "3", "100"])
        // No count of people from 1 to 4 in any cell (activity and means aside).
        let activity = ["settings.", "programmes.", "peer_helpers.", "messages.", "phone_tasks.", "definition."]
        for cells in rows.dropFirst() where !activity.contains(where: { cells[6].hasPrefix($0) }) {
            for cell in cells[6].hasSuffix("mean") ? [cells[4]] : [cells[3], cells[4]] {
                if let number = Int(cell) { #expect(number == 0 || number >= 5, "\(cells)") }
            }
        }
        for person in world.people { #expect(!response.text.contains(person.lastName)) }
    }

    @Test func theBilanSheetIsPlainTextToCopy() throws {
        let world = try Fixture()
        let page = try world.client.get("/reports/years/2026/bilan", as: "coord")
        #expect(page.status == 200)
        let html = page.text
        #expect(html.contains("<h1>Bilan de l&#39;action — Évaluation 2026</h1>"))
        let labels = ["Intitulé de l&#39;action", "Dates de l&#39;action (début – fin)", "Porteur de l&#39;action", "Public visé", "Nombre de participants",
                      "Séances réalisées", "Objectifs", "Indicateurs et résultats", "Définitions des indicateurs"]
        let positions = labels.compactMap { html.range(of: "-label\">\($0) ")?.lowerBound }
        #expect(positions.count == labels.count && positions == positions.sorted(), "the fields in the funders' order")
        // Plain text in <pre>, a copy button hidden until the script shows it, no inline script.
        #expect(html.contains("<pre class=\"b-text\" id=\"b-holder\">Structure de démonstration\nLieu : CSAPA Nord, 1 rue de la Paix, 59000 Lille</pre>"))
        #expect(html.contains("data-copy=\"b-results\"") && html.contains(" hidden>Copier</button>"))
        #expect(html.contains("<script src=\"/static/copy.js\"></script>") && !html.contains("<script>"))
        #expect(html.contains("- Fin de programme : 33,3 % (2 sur une base de 6 fumeurs à l&#39;entrée ayant commencé le programme)"))
        #expect(html.contains("href=\"/reports/years/2026\""), "back to the report")
        for person in world.people { #expect(!html.contains(person.lastName)) }
        let script = try world.client.get("/static/copy.js", as: nil)
        #expect(script.status == 200 && script.headers[.contentType] == "text/javascript; charset=utf-8" && script.text.contains("data-copy"))
        let programme = try world.client.get("/reports/programmes/\(world.programmeID)/bilan", as: "claire")
        #expect(programme.status == 200 && programme.text.contains("Printemps sans tabac — Programme d&#39;accompagnement au sevrage tabagique"))
        #expect(programme.text.contains("href=\"/reports/programmes/\(world.programmeID)\""))
    }

    @Test func erasedParticipantsStayInTheCountsButLeaveTheExport() throws {
        let world = try Fixture()
        let erased = world.people[0]
        // Through the use case, as the erasure page does: what the evaluation finds today is kept.
        _ = try world.client.app.actions.eraseParticipant(erased.id, confirmingName: erased.lastName, by: .commandLine("erase"))
        let report = try world.client.app.actions.evaluation(.year(2026, siteID: nil), reducedThresholdPercent: 50, by: .commandLine("report"))
        #expect(report.participants.counted == 7 && report.participants.erased == 1)
        let followUp = try #require(report.outcomes.last)
        #expect(followUp.smokers.respondents == 3 && followUp.smokers.stopped == 1 && followUp.smokers.maintainedStopped == 1, "her time points were kept")
        #expect(report.entryScores.qmat.n == 6, "her scores were not")
        #expect(CSVRows.table(world.client.app.reports.participantsCSV(report)).count == 7)
        let page = try world.client.get("/reports/years/2026", as: "coord")
        #expect(page.text.contains("1 participant effacé est compté par ses lignes anonymes"))
    }

    @Test func theStandalonePageCarriesItsStylesheet() throws {
        let world = try Fixture()
        let report = try world.client.app.actions.evaluation(.year(2026, siteID: nil), reducedThresholdPercent: 50, by: .commandLine("report"))
        let html = world.client.app.reportStandaloneHTML(report, language: "fr")
        #expect(html.hasPrefix("<!doctype html>"))
        #expect(html.contains("<style>") && html.contains("/* Reports */") && html.contains("@media print"))
        #expect(!html.contains("<link rel=\"stylesheet\"") && !html.contains("<script"))
        #expect(html.contains("<svg") && html.contains("66,7 %"))
        #expect(!html.contains("class=\"r-controls") && !html.contains("href=\"/reports/"), "no links in a file")
        let english = world.client.app.reportStandaloneHTML(report, language: "en")
        #expect(english.contains("Evaluation 2026") && english.contains("66.7%") && english.contains("non-respondents are counted as smokers"))
    }
}
