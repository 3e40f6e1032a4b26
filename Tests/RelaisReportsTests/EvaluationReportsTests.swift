import Foundation
import RelaisDomain
@testable import RelaisReports
import RelaisStore
import RelaisTestSupport
import Testing

/// RelaisReports with the evaluation use case: the JSON document, both CSV files, the page body,
/// the standalone file and the bilan sheet, from a real SQLite store and without the web
/// application. The figures are those computed by hand in `EvaluationYear`.
@Suite("Reports: the evaluation's documents from a store")
struct EvaluationReportsTests {
    static func rows(_ csv: String) -> [[String]] { CSVRows.parse(csv) }
    static func table(_ csv: String) -> [[String]] { CSVRows.table(csv) }

    /// Nothing that names or reaches a participant, nor their id, birth year or postal code.
    static func expectNoOneIn(_ text: String, _ year: EvaluationYear) {
        // A random pseudonym (hexadecimal) may hold "1970" by chance: it is not a birth year.
        let text = text.replacingOccurrences(of: #"P-[0-9a-f]+"#, with: "P-", options: .regularExpression)
        for person in year.people {
            for value in [person.id, person.firstName, person.lastName, person.email, person.phone, "impasse des Tests", person.postalCode,
                          person.birthYear.map(String.init)].compactMap({ $0 }) {
                #expect(!text.contains(value), "\(value)")
            }
        }
    }

    @Test func theJSONDocumentCarriesTheOutcomesAsTheReportEncodesThem() throws {
        let year = try EvaluationYear()
        let report = try year.report(.year(2026, siteID: nil))
        let data = try year.reports.json(report, language: "en")
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["format"] as? String == "relais-evaluation/1")
        #expect((document["participants"] as? [String: Any])?["counted"] as? Int == 8)
        let outcomes = try #require(document["outcomes"] as? [[String: Any]])
        #expect(outcomes.map { $0["timePoint"] as? String } == ["end", "m3"])
        // The end (worked out in EvaluationYear): base 6, stopped 3, reduced 2, unknown 1, respondents 5.
        let end = try #require(outcomes.first?["smokers"] as? [String: Any])
        #expect(end as NSDictionary == ["base": 6, "respondents": 5, "stopped": 3, "reduced": 2, "unchanged": 0, "increased": 0, "unknown": 1,
                                        "coMeasured": 2, "stoppedCoValidated": 1, "estimated": 1] as NSDictionary, "no maintainedStopped at the end")
        // Every count an integer, as written in the text.
        let text = String(decoding: data, as: UTF8.self)
        let counts = try Regex(#""(smokers|exSmokers)":\{("[a-zA-Z]+":[0-9]+,?)+\}"#)
        #expect(text.matches(of: counts).count == 4)
        let endRates = try #require(outcomes.first?["rates"] as? [String: Any])
        #expect(endRates["stoppedIntentionToTreat"] as? Double == 50 && endRates["stoppedAmongRespondents"] as? Double == 60)
        #expect(endRates["responseRate"] as? Double == 83.3 && endRates["stoppedOrReducedIntentionToTreat"] as? Double == 83.3)
        #expect(endRates["stoppedCoValidatedIntentionToTreat"] as? Double == 16.7 && endRates["maintainedStoppedIntentionToTreat"] == nil)
        #expect((outcomes.first?["exSmokers"] as? NSDictionary) == ["base": 1, "abstinenceMaintained": 1, "relapsed": 0, "unknown": 0] as NSDictionary)
        #expect(outcomes.first?["quitAttempts"] == nil && (outcomes.first?["aidsUsed"] as? [Any])?.isEmpty == true)
        // 3 months: base 6, stopped 1, reduced 1, unchanged 1, unknown 3; maintained 1; the ex-smoker relapsed.
        let m3 = try #require(outcomes.last)
        let smokers = try #require(m3["smokers"] as? [String: Any])
        #expect(smokers as NSDictionary == ["base": 6, "respondents": 3, "stopped": 1, "reduced": 1, "unchanged": 1, "increased": 0, "unknown": 3,
                                            "coMeasured": 0, "stoppedCoValidated": 0, "maintainedStopped": 1, "estimated": 0] as NSDictionary)
        #expect((m3["rates"] as? [String: Any])?["stoppedIntentionToTreat"] as? Double == 16.7)
        #expect((m3["rates"] as? [String: Any])?["maintainedStoppedIntentionToTreat"] as? Double == 16.7)
        #expect((m3["exSmokers"] as? NSDictionary) == ["base": 1, "abstinenceMaintained": 0, "relapsed": 1, "unknown": 0] as NSDictionary)
        #expect(m3["quitAttempts"] as? Int == 1)
        let aids = Dictionary(uniqueKeysWithValues: (m3["aidsUsed"] as? [[String: Any]] ?? []).map { ($0["code"] as? String ?? "", $0["count"] as? Int ?? -1) })
        #expect(aids["patches"] == 2 && aids["vaping"] == 1 && aids["none"] == 2 && aids["varenicline"] == 0)
        // The breakdowns, by codes.
        let breakdowns = try #require(document["breakdowns"] as? [[String: Any]])
        #expect(breakdowns.map { $0["dimension"] as? String } == ["sex", "ageBand", "publics", "territory", "modality", "moisSansTabac"])
        let territory = (breakdowns[3]["groups"] as? [[String: Any]] ?? []).map { "\($0["code"] ?? "")=\($0["participants"] ?? "")" }
        #expect(territory == ["59=4", "62=1", "75=1", "unknown=2"])
        let women = (breakdowns[0]["groups"] as? [[String: Any]])?.first { $0["code"] as? String == "female" }
        #expect(((women?["outcomes"] as? [[String: Any]])?.first as? NSDictionary)
                == ["timePoint": "end", "base": 3, "respondents": 2, "stopped": 2, "reduced": 0] as NSDictionary)
        #expect((document["definitions"] as? [[String: Any]])?.contains { ($0["text"] as? String)?.contains("non-respondents are counted as smokers") == true } == true)
        // The text is the API's: keys sorted, slashes as they are.
        let object = try year.reports.jsonObject(report, language: "en")
        #expect(data == (try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])))
        Self.expectNoOneIn(String(decoding: data, as: UTF8.self), year)
        // One site, one programme; unknown ones are not found.
        let south = try year.report(.year(2026, siteID: year.south.id))
        #expect(south.participants.counted == 0 && south.scope.siteName == "Antenne Sud")
        #expect(try year.report(.programme(year.programmeID)).outcomes.first?.smokers.stopped == 3)
        #expect(throws: Refusal.notFound(.siteNotFound)) { try year.report(.year(2026, siteID: "nowhere")) }
        #expect(throws: Refusal.notFound(.programmeNotFound)) { try year.report(.programme("nope")) }
    }

    @Test func aReportingPeriodCountsTheProgrammesThatBeginInIt() throws {
        let year = try EvaluationYear()
        let april = try year.report(.period(from: CalendarDate(iso: "2026-04-01")!, to: CalendarDate(iso: "2026-04-02")!, siteID: nil))
        #expect(april.scope.kind == "period" && april.participants.counted == 8 && april.year == 2026)
        #expect(april.coveredDates.map { "\($0.from.iso)..\($0.to.iso)" } == "2026-04-01..2026-04-02")
        let later = try year.report(.period(from: CalendarDate(iso: "2026-04-03")!, to: CalendarDate(iso: "2027-03-31")!, siteID: year.north.id))
        #expect(later.participants.counted == 0 && later.programmes.planned == 0)
        #expect(throws: ValidationError(field: "to", .endBeforeStart)) {
            try year.report(.period(from: CalendarDate(iso: "2026-05-01")!, to: CalendarDate(iso: "2026-04-30")!, siteID: nil))
        }
        let json = try #require(try JSONSerialization.jsonObject(with: year.reports.json(april, language: "fr")) as? [String: Any])
        #expect((json["scope"] as? NSDictionary) == ["kind": "period", "from": "2026-04-01", "to": "2026-04-02"] as NSDictionary)
        let aggregate = Self.rows(year.reports.aggregateCSV(april))
        #expect(aggregate.prefix(4).map { $0 } == [["Rapport", "Évaluation du 01/04/2026 au 02/04/2026"], ["Périmètre", "Tous les sites"],
                                                    ["Période", "du 01/04/2026 au 02/04/2026"], ["Données au", "31/12/2026"]])
        #expect(ReportExport.aggregate.filename(april) == "relais-evaluation-2026-04-01-2026-04-02-agrege.csv")
    }

    @Test func theAggregateFileOpensInAFrenchSpreadsheet() throws {
        let year = try EvaluationYear()
        let scope = EvaluationScope.year(2026, siteID: year.north.id)
        let report = try year.report(scope)
        let aggregate = try year.export(.aggregate, of: report, scope: scope)
        #expect(aggregate.hasPrefix("\u{FEFF}Rapport;Évaluation 2026\r\n"), "a byte order mark, then `;` between cells")
        let all = Self.rows(aggregate)
        #expect(all[1] == ["Périmètre", "Site : Centre Nord"] && all[2] == ["Période", "du 01/01/2026 au 31/12/2026"] && all[3] == ["Données au", "31/12/2026"])
        let table = Self.table(aggregate)
        #expect(table.first == ["Rubrique", "Indicateur", "Catégorie", "Valeur", "Dénominateur", "Pourcentage", "Code"])
        #expect(table.dropFirst().allSatisfy { $0.count == 7 })
        func row(_ code: String) -> [String]? { table.first { $0.last == code } }
        #expect(row("participants.counted")?[3] == "8")
        #expect(row("participants.started") == ["Participants", "ont commencé (au moins une séance)", "", "7", "8", "87,5", "participants.started"],
                "a decimal comma")
        // The end: base 6 is shown, the stops (3 people) are masked, and so is their rate.
        #expect(row("end.base")?[0] == "Fin de programme" && row("end.base")?[3] == "6")
        #expect(row("end.stopped.itt") == ["Fin de programme", "Arrêt", "Intention de traiter", "< 5", "6", "< 5", "end.stopped.itt"])
        #expect(row("end.stopped_or_reduced.itt")?[3...5] == ["5", "6", "83,3"])
        #expect(row("end.respondents")?[2...5] == ["Taux de réponse", "5", "6", "83,3"])
        #expect(row("end.unchanged.itt")?[3] == "0", "zero is shown")
        #expect(row("m3.maintained_stopped.itt")?[1...3] == ["Arrêt maintenu", "Intention de traiter", "< 5"])
        #expect(row("end.maintained_stopped.itt") == nil, "no stop is maintained at the end")
        #expect(row("m3.ex_smokers.relapsed")?[2] == "Rechute")
        #expect(row("breakdown.territory.59.participants")?[1] == "59 — Nord", "the département's name")
        #expect(row("breakdown.sex.female.end.stopped")?[2] == "Fin : arrêts / base")
        #expect(row("settings.reduced_threshold_percent")?[3] == "50")
        #expect(row("definition.rates")?[3].contains("Russell Standard") == true)
        // No count of people from 1 to 4 in any cell (activity and means aside).
        let activity = ["settings.", "programmes.", "peer_helpers.", "messages.", "phone_tasks.", "definition."]
        for cells in table.dropFirst() where !activity.contains(where: { cells[6].hasPrefix($0) }) && !cells[6].hasSuffix("mean") {
            for cell in [cells[3], cells[4]] { if let number = Int(cell) { #expect(number == 0 || number >= 5, "\(cells)") } }
        }
        Self.expectNoOneIn(aggregate, year)
        // In English: English headings and labels, a decimal point, the same codes.
        let english = Self.table(year.reports.aggregateCSV(report, language: "en"))
        #expect(english.first == ["Section", "Indicator", "Category", "Value", "Denominator", "Percent", "Code"])
        #expect(english.first { $0.last == "participants.started" }?[5] == "87.5")
        #expect(english.first { $0.last == "end.stopped.itt" }?[0...2] == ["End of programme", "Stopped", "Intention to treat"])
        #expect(english.map { $0.last ?? "" } == table.map { $0.last ?? "" }.enumerated().map { $0.offset == 0 ? "Code" : $0.element })
    }

    @Test func theParticipantFileHasTheBaselineAndEachTimePoint() throws {
        let year = try EvaluationYear()
        let scope = EvaluationScope.year(2026, siteID: year.north.id)
        let report = try year.report(scope)
        let participants = try year.export(.participants, of: report, scope: scope)
        #expect(participants.hasPrefix("\u{FEFF}Rapport;Évaluation 2026\r\n"))
        let table = Self.table(participants)
        let header = try #require(table.first)
        #expect(header == year.reports.participantCSVHeadings(report) && table.count == 9)
        #expect(table.dropFirst().allSatisfy { $0.count == header.count })
        for heading in ["Participant (pseudonyme)", "Statut à l'entrée", "Source du statut", "Consommation à l'entrée (équivalents cigarettes par jour)",
                        "Consommation connue par une classe", "Objectif", "Publics prioritaires", "Sexe", "Tranche d'âge", "Département",
                        "Fin : statut", "Fin : estimé", "Fin : contrôle CO", "3 mois : statut", "3 mois : arrêt maintenu", "3 mois : injoignable"] {
            #expect(header.contains(heading), "\(heading)")
        }
        #expect(!header.contains("Fin : arrêt maintenu"), "maintained at the follow-ups only")
        for forbidden in ["nom", "name", "mail", "téléphone", "phone", "adresse", "address", "de naissance", "birth", "code postal", "postal"] {
            #expect(!header.contains { $0.lowercased().contains(forbidden) }, "\(forbidden): \(header.filter { $0.lowercased().contains(forbidden) })")
        }
        // One row per participant, in the order enrolled; cells as labels.
        let column = { (name: String) in header.firstIndex(of: name)! }
        let rows = Array(table.dropFirst())
        func cells(_ name: String) -> [String] { rows.map { $0[column(name)] } }
        #expect(cells("Statut à l'entrée") == ["Fumeur", "Fumeur", "Fumeur", "Fumeur", "Fumeur", "Ex-fumeur", "Fumeur", "Fumeur"])
        #expect(cells("Consommation à l'entrée (équivalents cigarettes par jour)") == ["20", "20", "15", "11 à 20", "10", "", "25", "30"])
        #expect(cells("Consommation connue par une classe")[3] == "Oui" && cells("Source de la consommation")[3] == "Test d'entrée")
        #expect(cells("Fin : statut") == ["Arrêt", "Réduction", "Arrêt", "Réduction", "Inconnu", "Abstinence maintenue", "", "Arrêt"], "6 never came: not due")
        #expect(cells("Fin : estimé")[3] == "Oui" && cells("Fin : estimé")[1] == "Non")
        #expect(cells("Fin : contrôle CO") == ["Validé", "", "Non abstinent (CO au-dessus du seuil)", "", "", "Non mesuré", "", "Non mesuré"])
        #expect(cells("3 mois : statut") == ["Arrêt", "Réduction", "Inchangé", "Inconnu", "Inconnu", "Rechute", "", "Inconnu"])
        #expect(cells("3 mois : arrêt maintenu") == ["Oui", "Non", "Non", "Non", "Non", "", "", "Non"])
        #expect(cells("Sexe") == ["Femmes", "Hommes", "Femmes", "Hommes", "Femmes", "Femmes", "", "Hommes"])
        #expect(cells("Tranche d'âge")[3] == "18-24 ans" && cells("Tranche d'âge")[4] == "65 ans et plus")
        #expect(cells("Publics prioritaires")[0] == "Précarité" && cells("Publics prioritaires")[3] == "Jeunes adultes (18 à 25 ans)")
        #expect(cells("Département") == ["59 — Nord", "59 — Nord", "62 — Pas-de-Calais", "75 — Paris", "", "59 — Nord", "", "59 — Nord"])
        #expect(cells("Fin : échéance").allSatisfy { $0 == "16/04/2026" })
        Self.expectNoOneIn(participants, year)
        // A pseudonym depends on the export's key only: the same key, the same file; a fresh key, other pseudonyms.
        let key = [UInt8](repeating: 42, count: 32)
        let keyed = year.reports.participantsCSV(report, pseudonymizer: Pseudonymizer(key: key))
        #expect(keyed == year.reports.participantsCSV(report, pseudonymizer: Pseudonymizer(key: key)))
        #expect(Set(Self.table(keyed).dropFirst().map { $0[0] }).isDisjoint(with: rows.map { $0[0] }))
        // In English.
        let english = Self.table(year.reports.participantsCSV(report, language: "en"))
        #expect(english.first?.contains("End: status") == true && english[1][english[0].firstIndex(of: "End: status")!] == "Stopped")

        // Each export leaves its audit row, naming the file and the scope.
        _ = try year.export(.aggregate, of: report, scope: scope)
        let audit = try year.store.auditEntries(entity: "report").filter { $0.action == "export" }
        #expect(audit.compactMap(\.detail).sorted() == ["aggregate.csv", "participants.csv"])
        #expect(audit.allSatisfy { $0.entityId == "2026 site=\(year.north.id)" && $0.actorName == "cli:report" })
        #expect(ReportExport.aggregate.filename(report) == "relais-evaluation-2026-agrege.csv")
        #expect(ReportExport.participants.filename(try year.report(.programme(year.programmeID)))
                == "relais-evaluation-programme-\(year.programmeID)-participants.csv")
    }

    @Test func theStandaloneFileCarriesItsStylesheetAndNoLinks() throws {
        let year = try EvaluationYear()
        let report = try year.report(.year(2026, siteID: nil))
        let document = ReportDocument(structureName: "Centre d'essai", relaisVersion: "9.9.9", generatedOn: CalendarDate(iso: "2027-01-04")!)
        let html = year.reports.standalonePage(report, language: "fr", document: document)
        #expect(html.hasPrefix("<!doctype html>\n<html lang=\"fr\">"))
        #expect(html.contains("<title>Évaluation 2026 · Centre d&#39;essai</title>"))
        #expect(html.contains("<style>") && html.contains("/* Reports */") && html.contains("@media print"))
        // Two charts; no Q-MAT was taken, so no third.
        for chart in ["chart-attendance", "chart-outcomes"] { #expect(html.contains("id=\"\(chart)-title\"")) }
        #expect(!html.contains("id=\"chart-qmat-title\""))
        // Intention to treat first, the rate among respondents and the response rate beside it.
        #expect(html.contains("Arrêt en intention de traiter : 50 % (3 sur une base de 6).</strong> À côté : 60 % parmi les 5 répondants ; taux de réponse 83,3 %."))
        #expect(html.contains("Arrêt en intention de traiter : 16,7 % (1 sur une base de 6).</strong> À côté : 33,3 % parmi les 3 répondants ; taux de réponse 50 %."))
        #expect(html.contains("<h3 id=\"tp-end\">Fin de programme</h3>") && html.contains("<h3 id=\"tp-m3\">Suivi à 3 mois</h3>"))
        #expect(html.contains("Dont statuts « estimés » (entrée connue seulement par une classe de consommation, le statut déclaré retenu) : 1."))
        #expect(html.contains("<th scope=\"row\">non mesurés (arrêts déclarés, pas un échec)</th><td>1</td>"), "not measured is not a failure")
        #expect(html.contains("Arrêt maintenu (arrêt en fin de programme et à ce suivi, sans rechute déclarée) : 1 sur 6, soit 16,7 % en intention de traiter."))
        #expect(html.contains("<th scope=\"row\">Rechute</th><td>1</td><td>100 %</td>"), "the ex-smoker's relapse, apart")
        #expect(html.contains("Tentatives d&#39;arrêt de 24 h ou plus depuis la fin du programme : 1 (sur 7 participants dont le suivi est dû)."))
        #expect(html.contains("<th scope=\"row\">59 — Nord</th><td>4</td>"), "territory by name")
        #expect(html.contains("Relais 9.9.9 · rapport généré le lundi 4 janvier 2027"))
        #expect(!html.contains("href=") && !html.contains("class=\"r-controls") && !html.contains("<script"))
        Self.expectNoOneIn(html, year)
        let english = year.reports.standalonePage(report, language: "en", document: document)
        #expect(english.contains("<h1>Evaluation 2026</h1>") && english.contains("Stopped, by intention to treat: 50% (3 of a base of 6).")
                && english.contains("report generated on"))
    }

    @Test func thePageBodyPlacesTheApplicationsAddresses() throws {
        let year = try EvaluationYear()
        let report = try year.report(.year(2026, siteID: year.north.id))
        let links = ReportLinks(
            year: "/y/2026", sites: [.init(id: year.north.id, name: "Centre Nord", url: "/y/2026/nord"), .init(id: year.south.id, name: "Antenne Sud", url: "/y/2026/sud")],
            previousYear: "/y/2025", nextYear: "/y/2027", aggregateCSV: "/a.csv", participantsCSV: "/p.csv", bilan: "/b", periodForm: "/period",
            programme: { "/p/\($0)" })
        let body = year.reports.body(report, language: "fr", links: links)
        #expect(body.heading == "Évaluation 2026")
        #expect(body.html.hasPrefix("<article class=\"report\">") && !body.html.contains("<style>"))
        #expect(body.html.contains("<a href=\"/y/2026\">Tous les sites</a> · <strong aria-current=\"page\">Centre Nord</strong> · <a href=\"/y/2026/sud\">Antenne Sud</a>"))
        for href in ["/y/2025", "/y/2027", "/a.csv", "/p.csv", "/b", "/p/\(year.programmeID)"] { #expect(body.html.contains("href=\"\(href)\""), "\(href)") }
        // The period form: a GET form, the year's days and the site kept.
        #expect(body.html.contains("<form class=\"r-period\" method=\"get\" action=\"/period\">"))
        #expect(body.html.contains("name=\"from\" value=\"2026-01-01\"") && body.html.contains("name=\"to\" value=\"2026-12-31\""))
        #expect(body.html.contains("<input type=\"hidden\" name=\"site\" value=\"\(year.north.id)\">"))
        let programme = try year.report(.programme(year.programmeID))
        let page = year.reports.body(programme, language: "en", links: links)
        #expect(page.heading == "Evaluation — Souffle d'avril" && page.html.contains("<a href=\"/y/2026\">← "))
        #expect(!page.html.contains("r-period") && page.html.contains("href=\"/a.csv\"") && page.html.contains("href=\"/b\""))
    }

    @Test func theBilanDescribesTheActionFieldByField() throws {
        let year = try EvaluationYear()
        let report = try year.report(.year(2026, siteID: year.north.id))
        let bilan = year.reports.bilan(report, language: "fr", context: BilanContext(
            structureName: "Association Souffle", siteAddresses: ["Centre Nord": "2 place du Marché, Lille"]))
        #expect(bilan.heading == "Bilan de l'action — Évaluation 2026")
        #expect(bilan.fields.map(\.id) == ["title", "dates", "holder", "public", "participants", "sessions", "objectives", "results", "definitions"])
        #expect(bilan.fields.map(\.label) == ["Intitulé de l'action", "Dates de l'action (début – fin)", "Porteur de l'action", "Public visé",
                                             "Nombre de participants", "Séances réalisées", "Objectifs", "Indicateurs et résultats", "Définitions des indicateurs"])
        func text(_ id: String) -> String { bilan.fields.first { $0.id == id }?.text ?? "" }
        #expect(text("title").hasPrefix("Programme d'accompagnement au sevrage tabagique : 3 séances collectives et 2 consultations individuelles — Association Souffle — Centre Nord — 2026"))
        #expect(text("dates").hasPrefix("Du 02/04/2026 au 16/04/2026 (première et dernière séances collectives)\nPériode du bilan : du 01/01/2026 au 31/12/2026"))
        #expect(text("holder") == "Association Souffle\nLieu : Centre Nord, 2 place du Marché, Lille")
        #expect(text("public").contains("accueillis (à l'inscription ; une personne peut relever de plusieurs) : Jeunes adultes (18 à 25 ans) : 1 ; "
                                        + "Maladie chronique : 1 ; Précarité : 1 ; Isolement : 1\nSans public prioritaire : 4"))
        #expect(text("participants").hasPrefix("8 participants (inscrits, ou retirés après une présence), dont 7 ont commencé le programme"))
        #expect(text("participants").contains("Sexe : Femmes 4 ; Hommes 3 ; Non renseigné 1"))
        #expect(text("sessions").contains("1 programme réalisé sur 1 prévu (0 annulé).") && text("sessions").contains("- séance 3 : 6 présents sur 8 participants (75 %)"))
        #expect(text("objectives").contains("- Séance 1, Évaluer sa dépendance physique : Mesurer sa dépendance physique"))
        let results = text("results")
        #expect(results.contains("- Fin de programme : 50 % (3 sur une base de 6 fumeurs à l'entrée ayant commencé le programme) ; parmi les 5 répondants : 60 % ; taux de réponse 83,3 %"))
        #expect(results.contains("- Suivi à 3 mois : 16,7 % (1 sur une base de 6 fumeurs à l'entrée ayant commencé le programme) ; parmi les 3 répondants : 33,3 % ; taux de réponse 50 %"))
        #expect(results.contains("- Fin de programme : base 1 ; abstinence maintenue 1, rechute 0, inconnu 0"))
        #expect(results.contains("- Fin de programme : 3 arrêts, 2 mesurés, 1 validé, 1 non mesuré"))
        #expect(results.contains("- Suivi à 3 mois : 1 sur 6, soit 16,7 % en intention de traiter"))
        // The order the funders ask: the quits first, then ex-smokers, CO, maintained, satisfaction, orientations.
        let order = ["Arrêt du tabac", "Arrêt ou réduction", "Ex-fumeurs", "Arrêts contrôlés par le CO", "Arrêt maintenu", "Satisfaction", "Orientations"]
        let positions = order.compactMap { results.range(of: $0)?.lowerBound }
        #expect(positions.count == order.count && positions == positions.sorted())
        #expect(text("definitions").contains("Intention de traiter (chiffre de tête)"))
        Self.expectNoOneIn(bilan.plainText, year)
        #expect(bilan.plainText.hasPrefix("Bilan de l'action — Évaluation 2026\n") && bilan.plainText.contains("\nIntitulé de l'action\nProgramme"))
        let english = year.reports.bilan(report, language: "en", context: BilanContext(structureName: "Souffle"))
        #expect(english.fields.first?.label == "Title of the action" && english.fields.first { $0.id == "holder" }?.text == "Souffle\nPlace: Centre Nord")
    }

    @Test func everyStringIsInBothLanguages() throws {
        let strings = try ReportTemplates.bundled.get().strings
        #expect(Set(strings["fr"]?.keys ?? [:].keys) == Set(strings["en"]?.keys ?? [:].keys))
        #expect((strings["fr"]?.count ?? 0) > 300)
        // The same placeholders in both.
        for (key, text) in strings["fr"] ?? [:] {
            // A value may be named as a placeholder or as the count of a plural block.
            let placeholders = { (text: String) in
                Set((1...9).filter { text.contains("{\($0)}") || Plural.names(in: text).contains(String($0)) })
            }
            #expect(placeholders(text) == placeholders(strings["en"]?[key] ?? ""), "\(key)")
        }
    }
}
