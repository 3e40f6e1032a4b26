import Foundation
import RelaisDomain
@testable import RelaisReports
import RelaisStore
import Testing

/// RelaisReports with the evaluation use case: the JSON document, both CSV files, the page body and
/// the standalone file, from a real SQLite store and without the web application.
@Suite("Reports: the evaluation's documents from a store")
struct EvaluationReportsTests {
    static func rows(_ csv: String) -> [[String]] {
        csv.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    /// Nothing that names or reaches a participant, nor their id.
    static func expectNoOneIn(_ text: String, _ year: EvaluationYear) {
        for person in year.people {
            for value in [person.id, person.firstName, person.lastName, person.email ?? "-", person.phone ?? "-", "impasse des Tests"] {
                #expect(!text.contains(value), "\(value)")
            }
        }
    }

    @Test func theJSONDocumentHasTheFiguresAndTheirDefinitions() throws {
        let year = try EvaluationYear()
        let report = try year.report(.year(2026, siteID: nil))
        let data = try year.reports.json(report, language: "en")
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["format"] as? String == "relais-evaluation/1")
        #expect((document["participants"] as? [String: Any])?["counted"] as? Int == 5)
        let followUp = try #require(document["followUp"] as? [String: Any])
        #expect(followUp["eligible"] as? Int == 5 && followUp["respondents"] as? Int == 2 && followUp["responseRate"] as? Double == 40)
        let stopped = (followUp["lines"] as? [[String: Any]])?.first { $0["status"] as? String == "stopped" }
        #expect(stopped?["amongRespondents"] as? Double == 50 && stopped?["intentionToTreat"] as? Double == 20)
        #expect((document["definitions"] as? [[String: Any]])?.contains { ($0["text"] as? String)?.contains("non-respondents are counted as smokers") == true } == true)
        // The text is the API's: keys sorted, slashes as they are.
        let object = try year.reports.jsonObject(report, language: "en")
        #expect(data == (try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])))
        Self.expectNoOneIn(String(decoding: data, as: UTF8.self), year)
        // One site, one programme; unknown ones are not found.
        let south = try year.report(.year(2026, siteID: year.south.id))
        #expect(south.participants.counted == 0 && south.scope.siteName == "Antenne Sud")
        #expect(try year.report(.programme(year.programmeID)).followUp.respondents == 2)
        #expect(throws: Refusal.notFound(.siteNotFound)) { try year.report(.year(2026, siteID: "nowhere")) }
        #expect(throws: Refusal.notFound(.programmeNotFound)) { try year.report(.programme("nope")) }
    }

    @Test func bothCSVFilesAreExportedAndAudited() throws {
        let year = try EvaluationYear()
        let scope = EvaluationScope.year(2026, siteID: year.north.id)
        let report = try year.report(scope)

        let aggregate = try year.export(.aggregate, of: report, scope: scope)
        let lines = aggregate.components(separatedBy: "\r\n")
        #expect(lines.first == "section,indicator,category,value,denominator,percent")
        #expect(lines.contains("settings,site,,Centre Nord,,"))
        #expect(lines.contains("participants,counted,,5,,"))
        #expect(lines.contains("follow_up,respondents,response_rate,< 5,5,< 5"), "2 people: masked")
        #expect(lines.contains { $0.hasPrefix("definition,rates,") })

        let participants = try year.export(.participants, of: report, scope: scope)
        let rows = Self.rows(participants)
        #expect(rows.first == year.reports.participantCSVColumns && rows.count == 6)
        let status = try #require(rows.first?.firstIndex(of: "followup_status"))
        #expect(rows.dropFirst().map { $0[status] }.sorted() == ["reduced", "stopped", "unknown", "unknown", "unknown"])
        Self.expectNoOneIn(participants + aggregate, year)
        // A pseudonym depends on the export's key only: the same key, the same file; a fresh key, other pseudonyms.
        let key = [UInt8](repeating: 42, count: 32)
        let keyed = year.reports.participantsCSV(report, pseudonymizer: Pseudonymizer(key: key))
        #expect(keyed == year.reports.participantsCSV(report, pseudonymizer: Pseudonymizer(key: key)))
        #expect(Set(Self.rows(keyed).dropFirst().map { $0[0] }).isDisjoint(with: rows.dropFirst().map { $0[0] }))

        // Each export leaves its audit row, naming the file and the scope.
        let audit = try year.store.auditEntries(entity: "report").filter { $0.action == "export" }
        #expect(audit.compactMap(\.detail).sorted() == ["aggregate.csv", "participants.csv"])
        #expect(audit.allSatisfy { $0.entityId == "2026 site=\(year.north.id)" && $0.actorName == "cli:report" })
        #expect(ReportExport.aggregate.filename(year: 2026) == "relais-evaluation-2026-agrege.csv")
        #expect(ReportExport.participants.filename(year: 2026) == "relais-evaluation-2026-participants.csv")
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
        #expect(html.contains("Souffle d&#39;avril") && html.contains("40 %") && html.contains("Intention de traiter"))
        #expect(html.contains("Relais 9.9.9 · rapport généré le lundi 4 janvier 2027"))
        #expect(!html.contains("href=") && !html.contains("class=\"r-controls") && !html.contains("<script"))
        Self.expectNoOneIn(html, year)
        let english = year.reports.standalonePage(report, language: "en", document: document)
        #expect(english.contains("<h1>Evaluation 2026</h1>") && english.contains("40%") && english.contains("report generated on"))
    }

    @Test func thePageBodyPlacesTheApplicationsAddresses() throws {
        let year = try EvaluationYear()
        let report = try year.report(.year(2026, siteID: year.north.id))
        let links = ReportLinks(
            year: "/y/2026", sites: [.init(id: year.north.id, name: "Centre Nord", url: "/y/2026/nord"), .init(id: year.south.id, name: "Antenne Sud", url: "/y/2026/sud")],
            previousYear: "/y/2025", nextYear: "/y/2027", aggregateCSV: "/a.csv", participantsCSV: "/p.csv", programme: { "/p/\($0)" })
        let body = year.reports.body(report, language: "fr", links: links)
        #expect(body.heading == "Évaluation 2026")
        #expect(body.html.hasPrefix("<article class=\"report\">") && !body.html.contains("<style>"))
        #expect(body.html.contains("<a href=\"/y/2026\">Tous les sites</a> · <strong aria-current=\"page\">Centre Nord</strong> · <a href=\"/y/2026/sud\">Antenne Sud</a>"))
        for href in ["/y/2025", "/y/2027", "/a.csv", "/p.csv", "/p/\(year.programmeID)"] { #expect(body.html.contains("href=\"\(href)\""), "\(href)") }
        let programme = try year.report(.programme(year.programmeID))
        let page = year.reports.body(programme, language: "en", links: links)
        #expect(page.heading == "Evaluation — Souffle d'avril" && page.html.contains("<a href=\"/y/2026\">← "))
    }

    @Test func everyStringIsInBothLanguages() throws {
        let strings = try ReportTemplates.bundled.get().strings
        #expect(Set(strings["fr"]?.keys ?? [:].keys) == Set(strings["en"]?.keys ?? [:].keys))
        #expect((strings["fr"]?.count ?? 0) > 100)
    }
}
