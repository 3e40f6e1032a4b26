import Foundation
import GRDB
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
import RelaisUseCases
@testable import RelaisWeb
import Testing

/// Corrections of assessments with their history, withdrawals that stay visible and count
/// nowhere, and the consultations' time: by the API and by the pages, through the same use cases.
@Suite("Corrections with history")
struct CorrectionTests {
    static func json(_ page: PageClient.Page) throws -> [String: Any] { try SameRuleTests.json(page) }

    static func answers(_ codes: [String: String]) -> String {
        "{" + codes.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\"\($0.value)\"" }.joined(separator: ",") + "}"
    }

    /// Nadia enrolled in the September 2026 programme, with her entry Fagerström (10) attached to it.
    static func enrolledWithAnEntryTest(_ clinic: Clinic) throws -> (ParticipantRecord, ProgrammeRecord, String) {
        let nadia = try clinic.participant()
        let (programme, _) = try clinic.programme()
        _ = try clinic.app.enrolments.enrol(programmeID: programme.id, participantID: nadia.id, waitingList: false, by: .system)
        let created = try clinic.client.api(.post, "/api/v1/participants/\(nadia.id)/assessments", """
            {"instrument":"fagerstrom","date":"2026-09-03","programmeId":"\(programme.id)","answers":\(answers(Clinic.fagerstrom10))}
            """, as: "coord")
        #expect(created.status == 201, "\(created.text)")
        return (nadia, programme, try #require(try json(created)["id"] as? String))
    }

    /// Nadia's Fagerström at entry, as the programme's evaluation finds it.
    static func entryScore(_ clinic: Clinic, _ programme: ProgrammeRecord, _ nadia: ParticipantRecord) throws -> Double? {
        let report = try clinic.app.actions.evaluation(.programme(programme.id), reducedThresholdPercent: 50, by: .commandLine("report"))
        return try #require(report.participations.first { $0.participantID == nadia.id }).fagerstromEntry
    }

    @Test func aCorrectionByTheAPIIsScoredAgainKeepsThePreviousVersionAndIsAmendedInFHIR() throws {
        let clinic = try Clinic()
        let client = clinic.client
        let (nadia, programme, id) = try Self.enrolledWithAnEntryTest(clinic)
        let path = "/api/v1/participants/\(nadia.id)/assessments/\(id)"
        #expect(try Self.entryScore(clinic, programme, nadia) == 10)

        let corrected = try client.api(.patch, path, """
            {"answers":\(Self.answers(Clinic.fagerstrom4)),"reason":"Réponses mal reportées du papier"}
            """, as: "tab")
        #expect(corrected.status == 200, "\(corrected.text)")
        let body = try Self.json(corrected)
        #expect(body["total"] as? Double == 4 && body["band"] as? String == "low" && body["bandLabel"] as? String == "Dépendance faible")
        #expect(body["date"] as? String == "2026-09-03" && body["partial"] as? Bool == false && body["withdrawn"] as? Bool == false)
        #expect(body["programmeId"] as? String == programme.id, "the correction keeps what it does not change")
        #expect(body["withdrawal"] is NSNull)
        let corrections = try #require(body["corrections"] as? [[String: Any]])
        try #require(corrections.count == 1)
        #expect(corrections[0]["reason"] as? String == "Réponses mal reportées du papier")
        #expect(corrections[0]["by"] as? String == "Tab" && corrections[0]["byId"] as? String == clinic.lead.id)
        #expect(corrections[0]["at"] is String)
        let previous = try #require(corrections[0]["previous"] as? [String: Any])
        #expect(previous["total"] as? Double == 10 && previous["band"] as? String == "high" && previous["date"] as? String == "2026-09-03")
        #expect((previous["answers"] as? [String: Any])?["q1"] as? String == "within5")
        #expect((previous["derived"] as? [String: [String: Any]])?["hsi"]?["total"] as? Double == 6)
        #expect(try Self.entryScore(clinic, programme, nadia) == 4, "the evaluation reads the corrected test")

        // The date alone: the answers recorded are scored again.
        let redated = try Self.json(try client.api(.patch, path, #"{"date":"2026-09-04","reason":"Date de la séance"}"#, as: "coord"))
        #expect(redated["date"] as? String == "2026-09-04" && redated["total"] as? Double == 4)
        #expect((redated["corrections"] as? [[String: Any]])?.map { $0["reason"] as? String } == ["Réponses mal reportées du papier", "Date de la séance"])

        // Read back, one or in the list; FHIR says "amended".
        let one = try Self.json(try client.api(.get, path, as: "coord"))
        #expect((one["corrections"] as? [Any])?.count == 2)
        let list = try #require(try Self.json(try client.api(.get, "/api/v1/participants/\(nadia.id)/assessments", as: "coord"))["assessments"]
            as? [[String: Any]])
        #expect((list.first?["corrections"] as? [Any])?.count == 2)
        #expect(try Self.json(try client.api(.get, path + "/fhir", as: "coord"))["status"] as? String == "amended")
        let audit = try clinic.auditActions(nadia.id)
        #expect(audit.filter { $0 == "correct_assessment" }.count == 2)

        // A count of cigarettes typed for q4 is kept through a correction of the date.
        let counted = try Self.json(try client.api(.post, "/api/v1/participants/\(nadia.id)/assessments",
                                                   #"{"instrument":"fagerstrom","date":"2026-09-10","answers":{"q1":"within5","q2":"yes","q3":"first_morning","q4":25,"q5":"yes","q6":"yes"}}"#,
                                                   as: "coord"))
        let countedID = try #require(counted["id"] as? String)
        let kept = try Self.json(try client.api(.patch, "/api/v1/participants/\(nadia.id)/assessments/\(countedID)",
                                                #"{"date":"2026-09-11","reason":"Date"}"#, as: "coord"))
        #expect((kept["answers"] as? [String: Any])?["q4_count"] as? Double == 25 && kept["total"] as? Double == counted["total"] as? Double)
    }

    @Test func correctionsAreRefusedWithTheirReasons() throws {
        let clinic = try Clinic()
        let client = clinic.client
        let (nadia, _, id) = try Self.enrolledWithAnEntryTest(clinic)
        let path = "/api/v1/participants/\(nadia.id)/assessments/\(id)"
        func reason(_ body: String, as user: String = "coord") throws -> (Int, [String: String]) {
            let answer = try client.api(.patch, path, body, as: user)
            let reasons = (try? Self.json(answer)["error"] as? [String: Any])?["reasons"] as? [String: [String: Any]] ?? [:]
            return (answer.status, reasons.compactMapValues { $0["code"] as? String })
        }
        let answers = Self.answers(Clinic.fagerstrom4)
        #expect(try reason(#"{"answers":\#(answers)}"#) == (422, ["reason": "required"]))
        #expect(try reason(#"{"answers":\#(answers),"reason":"   "}"#) == (422, ["reason": "required"]))
        #expect(try reason(#"{"answers":\#(answers),"reason":"deux\nlignes"}"#) == (422, ["reason": "text_one_line"]))
        #expect(try reason(#"{"answers":\#(answers),"reason":"\#(String(repeating: "x", count: 501))"}"#) == (422, ["reason": "text_too_long"]))
        let tomorrow = clinic.app.today.addingDays(1).iso
        #expect(try reason(#"{"date":"\#(tomorrow)","reason":"Date"}"#) == (422, ["date": "date_in_future"]))
        #expect(try reason(#"{"date":"2026-02-30","reason":"Date"}"#) == (422, ["date": "date_format"]))
        #expect(try reason(#"{"date":"1999-01-04","reason":"Date"}"#) == (422, ["date": "date_window"]))
        #expect(try reason(#"{"instrument":"qmat","answers":\#(Self.answers(Clinic.qmat)),"reason":"Autre test"}"#).1["instrument"]
            == "assessment_instrument_change")
        #expect(try reason(#"{"answers":{"q1":"within5"},"reason":"Incomplet"}"#) == (422, ["q2": "required", "q3": "required", "q4": "required",
                                                                                           "q5": "required", "q6": "required"]))
        #expect(try reason(#"{"answers":\#(Self.answers(Clinic.fagerstrom10)),"reason":"Rien"}"#) == (422, ["answers": "correction_unchanged"]))
        #expect(try reason(#"{"reason":"Rien"}"#) == (422, ["answers": "correction_unchanged"]))
        #expect(try client.api(.patch, path, #"{"answerz":{},"reason":"x"}"#, as: "coord").status == 422)
        #expect(try client.api(.patch, "/api/v1/participants/\(nadia.id)/assessments/no-such-id", #"{"reason":"x","date":"2026-09-04"}"#,
                               as: "coord").status == 404)
        let other = try clinic.participant("Omar", "Autre")
        #expect(try client.api(.patch, "/api/v1/participants/\(other.id)/assessments/\(id)", #"{"reason":"x","date":"2026-09-04"}"#,
                               as: "coord").status == 404, "another participant's test is not found")
        #expect(try reason(#"{"date":"2026-09-04","reason":"Date"}"#, as: "peer").0 == 403)
        #expect(try reason(#"{"date":"2026-09-04","reason":"Date"}"#, as: "admin").0 == 403)
        let stored = try clinic.app.assessments.assessments(participantID: nadia.id, by: .system)
        #expect(stored.count == 1 && stored[0].total == 10 && stored[0].takenOn == "2026-09-03", "nothing refused was written")
        #expect(try clinic.app.store.pool.read { try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM assessment_correction") } == 0)
    }

    @Test func aWithdrawnTestStaysMarkedAndTheEvaluationNoLongerCountsIt() throws {
        let clinic = try Clinic()
        let client = clinic.client
        let (nadia, programme, id) = try Self.enrolledWithAnEntryTest(clinic)
        let path = "/api/v1/participants/\(nadia.id)/assessments/\(id)"
        let before = try clinic.app.actions.evaluation(.programme(programme.id), reducedThresholdPercent: 50, by: .commandLine("report"))
        #expect(before.entryScores.fagerstrom.n == 1)

        #expect(try client.api(.delete, path, "{}", as: "coord").status == 422)
        #expect(try client.api(.delete, path, #"{"reason":"Saisi pour une autre personne"}"#, as: "peer").status == 403)
        let withdrawn = try client.api(.delete, path, #"{"reason":"Saisi pour une autre personne"}"#, as: "coord")
        #expect(withdrawn.status == 200, "\(withdrawn.text)")
        let body = try Self.json(withdrawn)
        #expect(body["withdrawn"] as? Bool == true && body["total"] as? Double == 10, "kept as it was")
        let withdrawal = try #require(body["withdrawal"] as? [String: Any])
        #expect(withdrawal["reason"] as? String == "Saisi pour une autre personne" && withdrawal["by"] as? String == "Coord")
        #expect(withdrawal["byId"] as? String == clinic.coordinator.id && withdrawal["at"] is String)

        let twice = try client.api(.delete, path, #"{"reason":"Encore"}"#, as: "coord")
        let conflict = try Self.json(twice)["error"] as? [String: Any]
        #expect(twice.status == 409 && (conflict?["reason"] as? [String: Any])?["code"] as? String == "assessment_withdrawn", "\(twice.text)")
        #expect(try client.api(.patch, path, #"{"date":"2026-09-04","reason":"Date"}"#, as: "coord").status == 409)
        #expect(try client.api(.delete, "/api/v1/participants/\(nadia.id)/assessments/no-such-id", #"{"reason":"x"}"#, as: "coord").status == 404)

        // Still in the history, marked; FHIR says it was entered in error.
        let list = try #require(try Self.json(try client.api(.get, "/api/v1/participants/\(nadia.id)/assessments", as: "tab"))["assessments"]
            as? [[String: Any]])
        #expect(list.count == 1 && list[0]["withdrawn"] as? Bool == true)
        #expect(try Self.json(try client.api(.get, path + "/fhir", as: "coord"))["status"] as? String == "entered-in-error")
        #expect(try clinic.auditActions(nadia.id).contains("withdraw_assessment"))

        // Counted nowhere: the evaluation's entry scores, the record's chart.
        #expect(try Self.entryScore(clinic, programme, nadia) == nil)
        let after = try clinic.app.actions.evaluation(.programme(programme.id), reducedThresholdPercent: 50, by: .commandLine("report"))
        #expect(after.entryScores.fagerstrom.n == 0)
        let page = try client.get("/participants/\(nadia.id)", as: "coord")
        #expect(Clinic.chart("fagerstrom", in: page.text) == nil)
        #expect(page.text.contains("id=\"assessment-\(id)\" class=\"c-withdrawn\""))
        #expect(page.text.contains("<del>Fagerström — 10 — Dépendance forte</del>"))
        #expect(page.text.contains("Retiré le") && page.text.contains("par Coord — motif : Saisi pour une autre personne"))
        #expect(!page.text.contains("/assessments/\(id)/correct"), "a withdrawn test is not corrected")
        // The GDPR export keeps it, marked.
        let export = try Self.json(try client.get("/participants/\(nadia.id)/export.json", as: "coord"))
        #expect((export["assessments"] as? [[String: Any]])?.first?["withdrawn"] as? Bool == true)
    }

    @Test func theRecordPageCorrectsAndWithdrawsWithErrorsNextToTheFields() throws {
        let clinic = try Clinic()
        let client = clinic.client
        let (nadia, _, id) = try Self.enrolledWithAnEntryTest(clinic)
        let record = try client.get("/participants/\(nadia.id)", as: "coord")
        let correctPath = "/participants/\(nadia.id)/assessments/\(id)/correct"
        let withdrawPath = "/participants/\(nadia.id)/assessments/\(id)/withdraw"
        #expect(record.text.contains("<a href=\"\(correctPath)\">Corriger</a>") && record.text.contains("<a href=\"\(withdrawPath)\">Retirer</a>"))

        // "Corriger": the form prefilled with the answers and the date, and the reason required.
        let form = try client.get(correctPath, as: "tab")
        #expect(form.status == 200)
        #expect(form.text.contains("<h1>Corriger un test : "))
        #expect(form.text.contains("action=\"\(correctPath)\""))
        #expect(form.text.contains("id=\"date\" name=\"date\" value=\"2026-09-03\""))
        #expect(form.text.contains("name=\"fagerstrom.q1\" value=\"within5\" checked") && form.text.contains("name=\"fagerstrom.q4\" value=\"ge31\" checked"))
        #expect(form.text.contains("<label for=\"reason\">Motif de la correction *</label>"))
        #expect(!form.text.contains("name=\"source\""), "a correction keeps how the answers were collected")
        #expect(try client.get(correctPath, as: "peer").status == 403)

        var fields: [(String, String)] = [("date", "2026-09-03"), ("reason", "")]
            + Clinic.fagerstrom4.sorted { $0.key < $1.key }.map { ("fagerstrom.\($0.key)", $0.value) }
        let refused = try client.post(correctPath, fields, as: "tab")
        #expect(refused.status == 422)
        #expect(refused.text.contains("id=\"reason-error\">"))
        #expect(refused.text.contains("href=\"#reason\">Motif de la correction : "))
        #expect(refused.text.contains("name=\"fagerstrom.q1\" value=\"31to60\" checked"), "the answers typed are kept")
        fields[1] = ("reason", "Réponses mal reportées")
        fields[0] = ("date", clinic.app.today.addingDays(2).iso)
        let future = try client.post(correctPath, fields, as: "tab")
        #expect(future.status == 422 && future.text.contains("id=\"date-error\">La date ne peut pas être dans le futur."))
        #expect(future.text.contains("value=\"Réponses mal reportées\""), "the reason typed is kept")

        fields[0] = ("date", "2026-09-03")
        let saved = try client.post(correctPath, fields, as: "tab")
        #expect(saved.status == 303)
        #expect(saved.location == "/participants/\(nadia.id)?saved=\(id)&done=c_corrected#assessment-\(id)")
        // A browser leaves the fragment out of the request.
        func followed(_ page: PageClient.Page) throws -> PageClient.Page {
            try client.get(String(try #require(page.location).prefix { $0 != "#" }), as: "coord")
        }
        let after = try followed(saved)
        #expect(after.text.contains("<div class=\"notice\" role=\"status\">Correction enregistrée, la version précédente est gardée dans l&#39;historique. Fagerström : 4 — dépendance faible</div>"))
        #expect(after.text.contains("<strong>Fagerström — 4 — Dépendance faible</strong>"))
        #expect(after.text.contains("par Tab — motif : Réponses mal reportées<br><span class=\"muted\">avant : 03/09/2026 — Fagerström — 10 — Dépendance forte</span>"))
        #expect(after.text.contains("Corrigé le"))

        // "Retirer": the motive asked, then confirmed.
        let confirm = try client.get(withdrawPath, as: "coord")
        #expect(confirm.status == 200 && confirm.text.contains("Fagerström — 4 — Dépendance faible") && confirm.text.contains("Motif du retrait"))
        let noMotive = try client.post(withdrawPath, [("reason", " ")], as: "coord")
        #expect(noMotive.status == 422 && noMotive.text.contains("id=\"reason-error\">"))
        #expect(try clinic.app.assessments.assessments(participantID: nadia.id, by: .system)[0].isWithdrawn == false)
        let done = try client.post(withdrawPath, [("reason", "Doublon")], as: "coord")
        #expect(done.status == 303 && done.location == "/participants/\(nadia.id)?done=c_withdrawn#assessment-\(id)")
        let struck = try followed(done)
        #expect(struck.text.contains("Test retiré : il reste dans l&#39;historique du dossier et n&#39;est plus compté."))
        #expect(struck.text.contains("<del>Fagerström — 4 — Dépendance faible</del>") && struck.text.contains("motif : Doublon"))
        #expect(struck.text.contains("avant : 03/09/2026 — Fagerström — 10 — Dépendance forte"), "its corrections stay listed")
        #expect(try client.get(correctPath, as: "coord").status == 409)
        #expect(try client.post(withdrawPath, [("reason", "Encore")], as: "coord").status == 409)
    }

    // MARK: Consultations

    /// A local time `days` from today at `hour`, as a form or the API writes it.
    static func local(_ clinic: Clinic, days: Int, hour: Int, minute: Int = 0) -> String {
        LocalDateTime(date: clinic.app.today.addingDays(days), hour: hour, minute: minute)!.iso
    }

    /// Nadia and Omar enrolled in the September 2026 programme.
    static func twoEnrolled() throws -> (Clinic, ParticipantRecord, ParticipantRecord, ProgrammeRecord) {
        let clinic = try Clinic()
        let nadia = try clinic.participant()
        let omar = try clinic.participant("Omar", "Benali", email: "omar@example.org")
        let (programme, _) = try clinic.programme()
        for person in [nadia, omar] {
            _ = try clinic.app.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system)
        }
        return (clinic, nadia, omar, programme)
    }

    static func book(_ clinic: Clinic, _ participant: ParticipantRecord, _ programme: ProgrammeRecord, at local: String, index: Int = 1,
                     facilitator: User? = nil) throws -> ConsultationRecord {
        let start = LocalDateTime(iso: local)!.instant(in: Clinic.paris)
        return try clinic.app.consultations.book(programmeID: programme.id, participantID: participant.id, index: index,
                                                 facilitatorID: (facilitator ?? clinic.lead).id, start: start, end: start + 2700,
                                                 modality: .inPerson, allowedIndexes: 1...2, by: .system)
    }

    @Test func theCoordinatorMovesAConsultationByThePageOrTheAPIAndTheParticipantIsToldOnce() throws {
        let (clinic, nadia, omar, programme) = try Self.twoEnrolled()
        let client = clinic.client
        let first = Self.local(clinic, days: 30, hour: 10)
        let consultation = try Self.book(clinic, nadia, programme, at: first)
        _ = try Self.book(clinic, omar, programme, at: Self.local(clinic, days: 32, hour: 10))
        let path = "/consultations/\(consultation.id)"

        let page = try client.get(path, as: "coord")
        #expect(page.text.contains("type=\"datetime-local\" id=\"start\" name=\"start\" value=\"\(first)\""))
        #expect(page.text.contains("id=\"durationMinutes\" name=\"durationMinutes\" value=\"45\""))

        // The status alone: no notice.
        #expect(try client.post(path, [("status", "planned"), ("start", first), ("durationMinutes", "45")], as: "coord").location
            == "\(path)?done=consultation_saved")
        #expect(try clinic.app.outbox.list(state: .pending, kind: .consultationChanged, participantID: nadia.id).isEmpty)

        // The tabacologue is busy with Omar then: said next to the time, what was typed kept.
        let busy = Self.local(clinic, days: 32, hour: 10, minute: 15)
        let refused = try client.post(path, [("status", "planned"), ("start", busy), ("durationMinutes", "45")], as: "coord")
        #expect(refused.status == 409)
        #expect(refused.text.contains("id=\"start-error\">") && refused.text.contains("value=\"\(busy)\""))
        #expect(refused.text.contains("href=\"#start\">Début : "))
        let invalid = try client.post(path, [("status", "planned"), ("start", first), ("durationMinutes", "500")], as: "coord")
        #expect(invalid.status == 422 && invalid.text.contains("id=\"durationMinutes-error\">"))

        let second = Self.local(clinic, days: 31, hour: 14)
        let moved = try client.post(path, [("status", "planned"), ("start", second), ("durationMinutes", "60")], as: "coord")
        #expect(moved.location == "\(path)?done=c_consultation_moved")
        let shown = try client.get(try #require(moved.location), as: "coord")
        #expect(shown.text.contains("Consultation déplacée : la personne en sera prévenue.") && shown.text.contains("value=\"\(second)\""))
        let stored = try clinic.app.consultations.read(id: consultation.id, by: .system)
        #expect(stored.startsAt == LocalDateTime(iso: second)!.instant(in: Clinic.paris) && stored.endsAt == stored.startsAt + 3600)

        // Moved again by the API before the notice goes: still one notice, from the first time.
        let third = Self.local(clinic, days: 33, hour: 9)
        let api = try client.api(.patch, "/api/v1/consultations/\(consultation.id)", #"{"start":"\#(third)"}"#, as: "coord")
        #expect(api.status == 200, "\(api.text)")
        let notices = try clinic.app.outbox.list(state: .pending, kind: .consultationChanged, participantID: nadia.id)
        try #require(notices.count == 1)
        #expect(notices[0].payload["previousStartsAt"] == String(Int(consultation.startsAt.timeIntervalSince1970)))
        #expect(notices[0].payload["startsAt"] == String(Int(LocalDateTime(iso: third)!.instant(in: Clinic.paris).timeIntervalSince1970)))

        // A consultation already past: its time is corrected, nobody is told.
        let past = try Self.book(clinic, omar, programme, at: Self.local(clinic, days: -3, hour: 10), index: 2)
        #expect(try client.api(.patch, "/api/v1/consultations/\(past.id)", #"{"start":"\#(Self.local(clinic, days: -3, hour: 11))"}"#,
                               as: "coord").status == 200)
        #expect(try clinic.app.outbox.list(state: nil, kind: .consultationChanged, participantID: omar.id).isEmpty)
        #expect(try client.get(path, as: "peer").status == 403)
    }

    @Test func theRecordAndATabacologuesDashboardLeadToTheConsultations() throws {
        let (clinic, nadia, omar, programme) = try Self.twoEnrolled()
        let client = clinic.client
        let coming = try Self.book(clinic, nadia, programme, at: Self.local(clinic, days: 3, hour: 10))
        let unmarked = try Self.book(clinic, nadia, programme, at: Self.local(clinic, days: -2, hour: 10), index: 2)
        let done = try Self.book(clinic, omar, programme, at: Self.local(clinic, days: -1, hour: 10))
        _ = try clinic.app.consultations.update(id: done.id, status: .done, note: nil, start: nil, end: nil, modality: nil, by: .system)
        let old = try Self.book(clinic, omar, programme, at: Self.local(clinic, days: -20, hour: 10), index: 2)
        let paul = try clinic.participant("Paul", "Martin", email: "paul@example.org")
        _ = try clinic.app.enrolments.enrol(programmeID: programme.id, participantID: paul.id, waitingList: false, by: .system)
        let cancelled = try Self.book(clinic, paul, programme, at: Self.local(clinic, days: 4, hour: 10), index: 1)
        _ = try clinic.app.consultations.update(id: cancelled.id, status: .cancelled, note: nil, start: nil, end: nil, modality: nil, by: .system)
        let theirs = try Self.book(clinic, paul, programme, at: Self.local(clinic, days: 5, hour: 10), index: 1, facilitator: clinic.otherTabacologue)

        let record = try client.get("/participants/\(nadia.id)", as: "coord")
        #expect(record.text.contains("<a href=\"/consultations/\(coming.id)\">Consultation 1</a>"))
        #expect(record.text.contains("<a href=\"/consultations/\(unmarked.id)\">Consultation 2</a>"))

        let dashboard = try client.get("/", as: "tab")
        #expect(dashboard.text.contains("<h2 id=\"consultations-title\">Mes consultations</h2>"))
        #expect(dashboard.text.contains("href=\"/consultations/\(coming.id)\"") && dashboard.text.contains("href=\"/consultations/\(unmarked.id)\""))
        #expect(dashboard.text.contains("Nadia Zerbib, Consultation 2</a> — Arrêter ensemble <span class=\"tag bad\">statut à saisir</span>"))
        #expect(!dashboard.text.contains(done.id) && !dashboard.text.contains(old.id) && !dashboard.text.contains(theirs.id)
                && !dashboard.text.contains(cancelled.id), "neither done, older, cancelled nor another's")
        #expect(try client.get("/", as: "tab2").text.contains("href=\"/consultations/\(theirs.id)\""))
        let coordinator = try client.get("/", as: "coord")
        #expect(!coordinator.text.contains("Mes consultations"))
        let peer = try client.get("/", as: "peer")
        #expect(!peer.text.contains("/consultations/") && !peer.text.contains("Mes consultations"))
        #expect(try client.get("/consultations/\(coming.id)", as: "peer").status == 403)
    }
}
