import Foundation
import GRDB
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
import RelaisUseCases
@testable import RelaisWeb
import Testing

/// Treatments: recorded, listed, ended and corrected by a tabacologue through the API and the
/// record page (the same use cases), refused to every other role, and counted by the evaluation.
@Suite("Treatments")
struct TreatmentTests {
    static func json(_ page: PageClient.Page) throws -> [String: Any] { try SameRuleTests.json(page) }

    static func fields(_ page: PageClient.Page) throws -> [String: String] {
        ((try json(page)["error"] as? [String: Any])?["fields"] as? [String: String]) ?? [:]
    }

    static func reasonCode(_ page: PageClient.Page, _ field: String) throws -> String? {
        let reasons = (try json(page)["error"] as? [String: Any])?["reasons"] as? [String: [String: Any]]
        return reasons?[field]?["code"] as? String
    }

    @Test func theAPIRecordsListsEndsAndCorrectsWithHistoryAndRefusesEveryOtherRole() throws {
        let clinic = try Clinic()
        let client = clinic.client
        let nadia = try clinic.participant()
        let (programme, _) = try clinic.programme()
        _ = try clinic.app.enrolments.enrol(programmeID: programme.id, participantID: nadia.id, waitingList: false, by: .system)
        let path = "/api/v1/participants/\(nadia.id)/treatments"
        let patch = #"{"kind":"nicotine_patch","dose":"21 mg/24 h","start":"2026-09-10","programmeId":"\#(programme.id)","note":"Avec gommes si besoin"}"#

        // Role by role: only a tabacologue records, reads and changes.
        for role in ["coord", "peer", "admin"] {
            #expect(try client.api(.post, path, patch, as: role).status == 403, "\(role) POST")
            #expect(try client.api(.get, path, as: role).status == 403, "\(role) GET")
        }
        let created = try client.api(.post, path, patch, as: "tab")
        #expect(created.status == 201, "\(created.text)")
        let body = try Self.json(created)
        let id = try #require(body["id"] as? String)
        #expect(body["kind"] as? String == "nicotine_patch" && body["kindLabel"] as? String == "Timbre (patch) nicotinique")
        #expect(body["dose"] as? String == "21 mg/24 h" && body["start"] as? String == "2026-09-10" && body["end"] is NSNull)
        #expect(body["programmeId"] as? String == programme.id && body["note"] as? String == "Avec gommes si besoin")
        #expect(body["recordedById"] as? String == clinic.lead.id && (body["corrections"] as? [Any])?.isEmpty == true)
        for role in ["coord", "peer", "admin"] {
            #expect(try client.api(.patch, "\(path)/\(id)", #"{"end":"2026-10-01"}"#, as: role).status == 403, "\(role) PATCH")
        }

        // What is refused, each under its field.
        let invalid = try client.api(.post, path, #"{"kind":"patch","dose":" ","start":"2026-13-01"}"#, as: "tab")
        #expect(invalid.status == 422)
        #expect(try Set(Self.fields(invalid).keys) == ["kind", "dose", "start"])
        let far = clinic.app.today.addingDays(31).iso, soon = clinic.app.today.addingDays(10).iso
        let tooFar = try client.api(.post, path, #"{"kind":"varenicline","dose":"0,5 mg","start":"\#(far)"}"#, as: "tab")
        #expect(try tooFar.status == 422 && Self.reasonCode(tooFar, "start") == "treatment_start_too_far", "\(tooFar.text)")
        let planned = try client.api(.post, path, #"{"kind":"varenicline","dose":"0,5 mg","start":"\#(soon)"}"#, as: "tab")
        #expect(planned.status == 201, "a start planned 10 days ahead: \(planned.text)")
        let backwards = try client.api(.post, path, #"{"kind":"nicotine_gum","dose":"2 mg","start":"2026-09-10","end":"2026-09-09"}"#, as: "tab")
        #expect(try backwards.status == 422 && Self.reasonCode(backwards, "end") == "treatment_end_before_start")
        let elsewhere = try client.api(.post, path, #"{"kind":"nicotine_gum","dose":"2 mg","start":"2026-09-10","programmeId":"nope","consultationId":"nope"}"#,
                                       as: "tab")
        #expect(try elsewhere.status == 422 && Set(Self.fields(elsewhere).keys) == ["programmeId", "consultationId"])
        #expect(try client.api(.post, path, #"{"kind":"nicotine_gum","dose":"2 mg","start":"2026-09-10","extra":1}"#, as: "tab").status == 422)
        #expect(try client.api(.post, "/api/v1/participants/nobody/treatments", patch, as: "tab").status == 404)

        // The end alone needs no reason; the previous values are kept.
        let ended = try client.api(.patch, "\(path)/\(id)", #"{"end":"2026-10-01"}"#, as: "tab")
        #expect(ended.status == 200, "\(ended.text)")
        let afterEnd = try Self.json(ended)
        #expect(afterEnd["end"] as? String == "2026-10-01" && afterEnd["dose"] as? String == "21 mg/24 h")
        let first = try #require((afterEnd["corrections"] as? [[String: Any]])?.first)
        #expect(first["reason"] is NSNull && first["byId"] as? String == clinic.lead.id && first["by"] as? String == "Tab")
        #expect((first["previous"] as? [String: Any])?["end"] is NSNull)

        // Any other change needs a reason; nothing changed is refused; an end before the start too.
        let noReason = try client.api(.patch, "\(path)/\(id)", #"{"dose":"14 mg/24 h"}"#, as: "tab")
        #expect(try noReason.status == 422 && Self.fields(noReason).keys.contains("reason"))
        #expect(try client.api(.patch, "\(path)/\(id)", #"{"end":"2026-09-01","reason":"Erreur"}"#, as: "tab").status == 422)
        let unchanged = try client.api(.patch, "\(path)/\(id)", #"{"dose":"21 mg/24 h","reason":"Rien"}"#, as: "tab")
        #expect(try unchanged.status == 422 && Self.reasonCode(unchanged, "end") == "correction_unchanged")
        let corrected = try client.api(.patch, "\(path)/\(id)", #"{"dose":"14 mg/24 h","reason":"Dose mal reportée"}"#, as: "tab")
        #expect(corrected.status == 200, "\(corrected.text)")
        let history = try #require(try Self.json(corrected)["corrections"] as? [[String: Any]])
        #expect(history.count == 2 && history[1]["reason"] as? String == "Dose mal reportée")
        #expect((history[1]["previous"] as? [String: Any])?["dose"] as? String == "21 mg/24 h")
        // `null` takes the end back (a treatment ended by mistake goes on).
        let reopened = try Self.json(try client.api(.patch, "\(path)/\(id)", #"{"end":null,"reason":"Toujours en cours"}"#, as: "tab"))
        #expect(reopened["end"] is NSNull)
        #expect(try client.api(.patch, "\(path)/no-such", #"{"end":"2026-10-01"}"#, as: "tab").status == 404)
        let paul = try clinic.participant("Paul", "Martin", email: nil)
        #expect(try client.api(.patch, "/api/v1/participants/\(paul.id)/treatments/\(id)", #"{"end":"2026-10-01"}"#, as: "tab").status == 404,
                "a treatment is changed only under its participant")

        // Listed with their history, oldest start first; each write and read audited.
        let list = try #require(try Self.json(try client.api(.get, path, as: "tab"))["treatments"] as? [[String: Any]])
        #expect(list.map { $0["kind"] as? String } == ["nicotine_patch", "varenicline"])
        #expect((list[0]["corrections"] as? [Any])?.count == 3)
        let audit = try clinic.auditActions(nadia.id)
        #expect(audit.filter { $0 == "record_treatment" }.count == 2 && audit.contains("end_treatment") && audit.contains("read_treatments"))
        #expect(audit.filter { $0 == "correct_treatment" }.count == 2)
    }

    @Test func theEvaluationCountsParticipantsPerKindInTheProgrammeAndYearReportsAndKeepsErasedOnes() throws {
        let clinic = try Clinic()
        let client = clinic.client
        let (programme, _) = try clinic.programme()
        let nadia = try clinic.participant()
        let paul = try clinic.participant("Paul", "Martin", email: nil)
        let lea = try clinic.participant("Léa", "Durand", email: nil)
        for person in [nadia, paul, lea] {
            _ = try clinic.app.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system)
        }
        func add(_ person: ParticipantRecord, _ kind: String, programmeID: String? = nil) throws {
            let link = programmeID.map { #","programmeId":"\#($0)""# } ?? ""
            let answer = try client.api(.post, "/api/v1/participants/\(person.id)/treatments",
                                        #"{"kind":"\#(kind)","dose":"selon prescription","start":"2026-09-11"\#(link)}"#, as: "tab")
            #expect(answer.status == 201, "\(answer.text)")
        }
        try add(nadia, "nicotine_patch", programmeID: programme.id)
        try add(nadia, "nicotine_gum", programmeID: programme.id)
        try add(nadia, "nicotine_patch") // the same kind twice counts her once
        try add(paul, "varenicline") // attributed to the programme by its start
        try add(lea, "cytisine")
        // Léa withdraws before any session: she is not counted, nor is her treatment.
        let leaEnrolment = try #require(try clinic.app.store.pool.read { db in
            try EnrolmentRecord.filter(Column("participant_id") == lea.id).fetchOne(db)
        })
        _ = try clinic.app.actions.withdraw(enrolmentID: leaEnrolment.id, reason: "Déménagement", by: .commandLine("test"))

        func counts(_ report: EvaluationReport) -> [String: Int] {
            Dictionary(uniqueKeysWithValues: report.treatments.byKind.map { ($0.code, $0.count) })
        }
        let kinds = clinic.app.actions.protocols.treatmentKinds.kinds.map(\.code)
        #expect(kinds.count == 11 && kinds.first == "nicotine_patch" && kinds.last == "other")
        for scope in [EvaluationScope.programme(programme.id), .year(2026, siteID: nil)] {
            let report = try clinic.app.actions.evaluation(scope, reducedThresholdPercent: 50, by: .commandLine("report"))
            #expect(report.treatments.participantsTreated == Proportion(2, of: 2), "\(scope)")
            #expect(report.treatments.byKind.map(\.code) == kinds, "every kind, in the file's order")
            #expect(counts(report) == ["nicotine_patch": 1, "nicotine_gum": 1, "nicotine_lozenge": 0, "nicotine_inhaler": 0, "nicotine_spray": 0,
                                       "nicotine_microtab": 0, "varenicline": 1, "bupropion": 0, "cytisine": 0, "e_cigarette": 0, "other": 0], "\(scope)")
            #expect(report.participations.first { $0.participantID == nadia.id }?.treatments == ["nicotine_gum", "nicotine_patch"])
        }

        // The JSON report, the HTML page and the CSV files say it.
        let api = try Self.json(try client.api(.get, "/api/v1/reports/programmes/\(programme.id)", as: "coord"))
        let section = try #require(api["treatments"] as? [String: Any])
        #expect((section["participantsTreated"] as? [String: Any])?["count"] as? Int == 2)
        #expect((section["byKind"] as? [[String: Any]])?.first { $0["code"] as? String == "varenicline" }?["count"] as? Int == 1)
        let page = try client.get("/reports/programmes/\(programme.id)", as: "coord")
        #expect(page.status == 200 && page.text.contains("id=\"r-treatments\">Traitements</h2>"))
        #expect(page.text.contains("<th scope=\"row\">Varénicline</th><td>1</td>"), "\(page.text.range(of: "r-treatments").map { String(page.text[$0.lowerBound...].prefix(1500)) } ?? "")")
        let aggregate = try client.get("/reports/programmes/\(programme.id)/aggregate.csv", as: "coord")
        #expect(aggregate.text.contains(";Participants par traitement;Varénicline;< 5;< 5;< 5;treatments.kind.varenicline"), "counts under 5 are masked")
        #expect(aggregate.text.contains("treatments.participants_treated"))
        let participants = try client.get("/reports/programmes/\(programme.id)/participants.csv", as: "coord")
        #expect(participants.text.contains("Traitements reçus") && participants.text.contains("Gomme à mâcher nicotinique + Timbre (patch) nicotinique"))

        // Paul's erasure keeps the kinds he received, no more.
        _ = try clinic.app.actions.eraseParticipant(paul.id, confirmingName: "Martin", by: .commandLine("erase"))
        let after = try clinic.app.actions.evaluation(.programme(programme.id), reducedThresholdPercent: 50, by: .commandLine("report"))
        #expect(after.participants.erased == 1)
        #expect(after.treatments.participantsTreated == Proportion(2, of: 2))
        #expect(counts(after)["varenicline"] == 1)
        #expect(try clinic.app.store.pool.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM treatment WHERE participant_id = ?", arguments: [paul.id]) } == 0)
    }

    @Test func theRecordPageListsAddsEndsAndCorrectsInFrenchForATabacologueOnly() throws {
        let clinic = try Clinic()
        let client = clinic.client
        let nadia = try clinic.participant()
        let record = "/participants/\(nadia.id)"
        let empty = try client.get(record, as: "tab")
        #expect(empty.text.contains("<h2 id=\"s-treatments\">Traitements</h2>") && empty.text.contains("Aucun traitement noté."))
        #expect(empty.text.contains("action=\"\(record)/treatments\"") && empty.text.contains("<option value=\"nicotine_patch\">Timbre (patch) nicotinique</option>"))
        #expect(try !(try client.get(record, as: "coord")).text.contains("s-treatments"), "not on the coordinator's record")
        #expect(try client.post("\(record)/treatments", [("kind", "nicotine_patch"), ("dose", "21 mg"), ("start", "2026-09-10")], as: "coord").status == 403)
        #expect(try client.post("\(record)/treatments", [("kind", "nicotine_patch"), ("dose", "21 mg"), ("start", "2026-09-10")], as: "peer").status == 403)

        let refused = try client.post("\(record)/treatments", [("kind", "nicotine_patch"), ("dose", ""), ("start", "2026-09-10"), ("end", "2026-09-01")],
                                      as: "tab")
        #expect(refused.status == 422)
        #expect(refused.text.contains("id=\"dose-error\">") && refused.text.contains("id=\"end-error\">"))
        #expect(refused.text.contains("<option value=\"nicotine_patch\" selected>"), "the kind chosen is kept")
        let saved = try client.post("\(record)/treatments", [("kind", "nicotine_patch"), ("dose", "21 mg/24 h"), ("start", "2026-09-10")], as: "tab")
        #expect(saved.status == 303)
        let location = try #require(saved.location)
        #expect(location.hasPrefix("\(record)?done=tr_added#treatment-"))
        let id = String(try #require(location.components(separatedBy: "#treatment-").last))
        let shown = try client.get("\(record)?done=tr_added", as: "tab")
        #expect(shown.text.contains("Traitement enregistré."))
        #expect(shown.text.contains("<strong>Timbre (patch) nicotinique</strong>") && shown.text.contains("<td>21 mg/24 h</td>"))
        #expect(shown.text.contains("depuis le 10/09/2026") && shown.text.contains("en cours"))
        #expect(shown.text.contains("action=\"\(record)/treatments/\(id)/end\""))

        // Ended from its line; then corrected on its own page, the reason required.
        let ended = try client.post("\(record)/treatments/\(id)/end", [("end", "2026-10-02")], as: "tab")
        #expect(ended.status == 303 && ended.location == "\(record)?done=tr_ended#treatment-\(id)")
        let after = try client.get(record, as: "tab")
        #expect(after.text.contains("jusqu'au 02/10/2026") || after.text.contains("jusqu&#39;au 02/10/2026"))
        let form = try client.get("\(record)/treatments/\(id)", as: "tab")
        #expect(form.status == 200 && form.text.contains("<h1>Corriger un traitement</h1>") && form.text.contains("value=\"2026-10-02\""))
        #expect(try client.get("\(record)/treatments/\(id)", as: "coord").status == 403)
        let noReason = try client.post("\(record)/treatments/\(id)", [("kind", "nicotine_patch"), ("dose", "14 mg/24 h"), ("start", "2026-09-10"),
                                                                      ("end", "2026-10-02"), ("reason", "")], as: "tab")
        #expect(noReason.status == 422 && noReason.text.contains("id=\"reason-error\">"))
        let corrected = try client.post("\(record)/treatments/\(id)", [("kind", "nicotine_patch"), ("dose", "14 mg/24 h"), ("start", "2026-09-10"),
                                                                       ("end", "2026-10-02"), ("reason", "Dose mal reportée")], as: "tab")
        #expect(corrected.status == 303)
        let final = try client.get(record, as: "tab")
        #expect(final.text.contains("<td>14 mg/24 h</td>") && final.text.contains("motif : Dose mal reportée"))

        // The GDPR export gives them, with their history, to the clinician only.
        let export = try Self.json(try client.get("\(record)/export.json", as: "tab"))
        let exported = try #require(export["treatments"] as? [[String: Any]])
        #expect(exported.count == 1 && exported[0]["dose"] as? String == "14 mg/24 h" && (exported[0]["corrections"] as? [Any])?.count == 2)
        #expect(try Self.json(try client.get("\(record)/export.json", as: "coord"))["treatments"] == nil)
    }
}
