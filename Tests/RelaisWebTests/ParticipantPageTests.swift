import Foundation
import GRDB
import HTTPServer
import HTTPTypes
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// A structure with staff of every role, a site and room, and helpers to plan a programme from
/// the shipped 3g2i template and to record instruments, all through the real stores.
final class Clinic: @unchecked Sendable {
    let client: PageClient
    let app: RelaisApp
    let coordinator: User
    let lead: User
    let otherTabacologue: User
    let site: SiteRecord
    let room: RoomRecord
    static let paris = TimeZone(identifier: "Europe/Paris")!

    init() throws {
        client = try PageClient()
        app = client.app
        coordinator = try client.user("coord", role: .coordinator)
        lead = try client.user("tab", role: .tabacologue)
        otherTabacologue = try client.user("tab2", role: .tabacologue)
        try client.user("peer", role: .peerHelper)
        try client.user("admin", role: .admin)
        site = try app.sites.create(name: "Centre Test", address: "1 rue Exemple", by: .system)
        room = try app.sites.addRoom(siteID: site.id, name: "Salle A", capacity: 12, by: .system)
    }

    /// A weekly programme of the 3g2i template whose first session is at `start` (Paris time).
    func programme(start: String = "2026-09-03T18:00", capacity: Int = 12) throws -> (ProgrammeRecord, [SessionRecord]) {
        let template = try #require(app.templates.first { $0.id == "3g2i" })
        let plan = try Planner.plan(template: template, start: LocalDateTime(iso: start)!, timeZone: Self.paris)
        let draft = ProgrammeDraft(template: template, title: "Arrêter ensemble", siteID: site.id, roomID: room.id, modality: .inPerson,
                                   visioURL: nil, capacity: capacity, timeZone: Self.paris, leadID: lead.id, peerHelperID: nil,
                                   sessions: plan.sessions.map { ($0.start, $0.end, $0.holiday) }, followUpDue: plan.followUpDue)
        return try app.programmes.create(draft, by: .system)
    }

    func participant(_ first: String = "Nadia", _ last: String = "Zerbib", email: String? = "nadia.zerbib@example.org",
                     phone: String? = "06 11 22 33 44") throws -> ParticipantRecord {
        let details = ParticipantDetails(firstName: first, lastName: last, birthYear: 1979, email: email, phone: phone,
                                         preferredChannel: email == nil ? .phone : .email, consentDataProcessing: true,
                                         consentEmail: email != nil, consentFollowUp: true)
        return try app.participants.create(details, by: .system)
    }

    @discardableResult
    func record(_ instrument: String, _ answers: [String: JSONValue], on date: String, for participant: ParticipantRecord,
                source: AssessmentSource = .staff) throws -> AssessmentRecord {
        let result = try #require(app.instruments[instrument]).score(answers)
        return try app.assessments.record(participantID: participant.id, result: result, takenOn: CalendarDate(iso: date)!,
                                          partial: false, source: source, by: lead.actor)
    }

    static let fagerstrom10 = ["q1": "within5", "q2": "yes", "q3": "first_morning", "q4": "ge31", "q5": "yes", "q6": "yes"]
    static let fagerstrom4 = ["q1": "31to60", "q2": "no", "q3": "other", "q4": "11to20", "q5": "yes", "q6": "yes"]
    static let qmat = ["q1": "stopped", "q2": "a_lot", "q3": "reduced_much", "q4": "often"]

    static func codes(_ answers: [String: String]) -> [String: JSONValue] { answers.mapValues(JSONValue.string) }

    /// Audit actions about a participant, oldest first.
    func auditActions(_ participantID: String) throws -> [String] {
        try app.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT action FROM audit_log WHERE entity = 'participant' AND entity_id = ? ORDER BY id",
                                arguments: [participantID])
        }
    }

    /// How often `needle` occurs in `text`.
    static func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    /// The text of the `<svg>` element whose id prefix is `chart-<id>`.
    static func chart(_ id: String, in page: String) -> String? {
        guard let marker = page.range(of: "aria-labelledby=\"chart-\(id)-title"),
              let start = page.range(of: "<svg", options: .backwards, range: page.startIndex..<marker.lowerBound) else { return nil }
        guard let end = page.range(of: "</svg>", range: start.upperBound..<page.endIndex) else { return nil }
        return String(page[start.lowerBound..<end.upperBound])
    }
}

@Suite("Participant pages")
struct ParticipantPageTests {
    @Test func theListSearchesByNameShowsBirthYearAndEnrolmentsAndIsAudited() throws {
        let clinic = try Clinic()
        let nadia = try clinic.participant()
        _ = try clinic.participant("Paul", "Martin", email: nil, phone: "07 00 00 00 01")
        let (programme, _) = try clinic.programme()
        _ = try clinic.app.enrolments.enrol(programmeID: programme.id, participantID: nadia.id, waitingList: true, by: .system)

        let all = try clinic.client.get("/participants", as: "coord")
        #expect(all.status == 200)
        #expect(all.text.contains("href=\"/participants/\(nadia.id)\""))
        #expect(all.text.contains("Martin Paul"))
        #expect(all.text.contains("<td>1979</td><td>1</td>"), "birth year and one enrolment")
        #expect(all.text.contains("href=\"/participants/new\""), "the Nouveau participant button")

        let found = try clinic.client.get("/participants?q=zerb", as: "tab")
        #expect(found.status == 200)
        #expect(found.text.contains("Zerbib Nadia") && !found.text.contains("Martin Paul"))
        #expect(found.text.contains("value=\"zerb\""), "the search is kept in its field")
        let none = try clinic.client.get("/participants?q=nobody", as: "coord")
        #expect(none.text.contains("Aucun participant ne correspond"))

        #expect(try clinic.client.get("/participants", as: "peer").status == 403)
        #expect(try clinic.client.get("/participants", as: "admin").status == 403)
        #expect(try clinic.client.get("/participants", as: nil).location == "/login")
        let listed = try clinic.app.store.auditEntries(entity: "participant").filter { $0.action == "list" }
        #expect(listed.contains { $0.detail == "search=zerb" && $0.actorName == "tab" })
    }

    @Test func theCreateFormValidatesEachFieldKeepsTheValuesAndRedirectsWithANotice() throws {
        let clinic = try Clinic()
        let form = try clinic.client.get("/participants/new", as: "coord")
        #expect(form.status == 200)
        for field in ["firstName", "lastName", "birthYear", "email", "phone", "postalAddress", "noContact", "consentDataProcessing",
                      "consentEmail", "consentFollowUp", "precarity", "isolation", "difficultCarePath", "language"] {
            #expect(form.text.contains("for=\"\(field)\"") && form.text.contains("id=\"\(field)\""), "label bound to \(field)")
        }
        #expect(form.text.contains("rappels de séance et les questionnaires"), "the consent's meaning is spelled out")

        let invalid: [(String, String)] = [("firstName", ""), ("lastName", "Zerbib"), ("birthYear", "2015"), ("email", "nadia@"),
                                           ("phone", "12"), ("preferredChannel", "post"), ("smokerStatus", "smoker"),
                                           ("language", "fr")]
        let refused = try clinic.client.post("/participants/new", invalid, as: "coord")
        #expect(refused.status == 422)
        #expect(refused.text.contains("class=\"error-summary\""))
        #expect(refused.text.contains("href=\"#firstName\">Prénom : Indiquez le prénom.</a>"))
        #expect(refused.text.contains("id=\"birthYear-error\">Les participants doivent être majeurs"))
        #expect(refused.text.contains("id=\"email-error\">Cette adresse e-mail n&#39;est pas valable"))
        #expect(refused.text.contains("id=\"phone-error\""))
        #expect(refused.text.contains("id=\"preferredChannel-error\">Courrier préféré"))
        #expect(refused.text.contains("value=\"Zerbib\"") && refused.text.contains("value=\"nadia@\"") && refused.text.contains("value=\"2015\""),
                "values kept")
        #expect(refused.text.contains("aria-describedby=\"email-error\""))
        #expect(refused.text.contains("id=\"preferredChannel-post\" name=\"preferredChannel\" value=\"post\" checked"))
        #expect(try clinic.app.participants.list(search: nil, by: .system).participants.isEmpty)

        let good: [(String, String)] = [("firstName", " Nadia "), ("lastName", "Zerbib"), ("birthYear", "1979"),
                                        ("email", "Nadia.Zerbib@Example.org"), ("phone", ""), ("postalAddress", "3 rue des Lilas\n75011 Paris"),
                                        ("preferredChannel", "email"), ("consentDataProcessing", "1"), ("consentEmail", "1"),
                                        ("smokerStatus", "ex_smoker"), ("precarity", "1"), ("language", "en")]
        #expect(try clinic.client.post("/participants/new", good, as: "coord", csrf: false).status == 403, "no CSRF token")
        #expect(try clinic.app.participants.list(search: nil, by: .system).participants.isEmpty)
        #expect(try clinic.client.post("/participants/new", good, as: "peer").status == 403)

        let created = try clinic.client.post("/participants/new", good, as: "coord")
        #expect(created.status == 303)
        let record = try #require(try clinic.app.participants.list(search: "Zerbib", by: .system).participants.first)
        #expect(created.location == "/participants/\(record.id)?done=p_created")
        #expect(record.firstName == "Nadia" && record.email == "nadia.zerbib@example.org" && record.smokerStatus == .exSmoker)
        #expect(record.precarity && !record.isolation && record.consentEmailAt != nil && record.consentFollowUpAt == nil && record.language == "en")
        let shown = try clinic.client.get(created.location!, as: "coord")
        #expect(shown.text.contains("<div class=\"notice\" role=\"status\">Participant enregistré.</div>"))
        #expect(try clinic.auditActions(record.id).contains("create"))
    }

    @Test func creatingFromAProgrammeEnrolsOrPutsOnTheWaitingList() throws {
        let clinic = try Clinic()
        let (programme, _) = try clinic.programme(capacity: 1)
        let form = try clinic.client.get("/participants/new?programme=\(programme.id)", as: "coord")
        #expect(form.status == 200 && form.text.contains("Arrêter ensemble"))
        #expect(form.text.contains("action=\"/participants/new?programme=\(programme.id)\""))
        func fields(_ first: String) -> [(String, String)] {
            [("firstName", first), ("lastName", "Durand"), ("phone", "06 12 34 56 78"), ("preferredChannel", "phone"),
             ("smokerStatus", "smoker"), ("language", "fr")]
        }
        let first = try clinic.client.post("/participants/new?programme=\(programme.id)", fields("Anne"), as: "coord")
        #expect(first.location == "/programmes/\(programme.id)?done=p_created_enrolled")
        let second = try clinic.client.post("/participants/new?programme=\(programme.id)", fields("Bruno"), as: "tab")
        #expect(second.location == "/programmes/\(programme.id)?done=p_created_waiting")
        let roster = try clinic.app.enrolments.roster(programmeID: programme.id, auditedFor: .system)
        #expect(roster.map { "\($0.1.firstName):\($0.0.status.rawValue)" } == ["Anne:enrolled", "Bruno:waiting"])
        #expect(try clinic.client.get("/participants/new?programme=nope", as: "coord").status == 404)
        #expect(try clinic.client.post("/participants/new?programme=nope", fields("Chloé"), as: "coord").status == 404)
        #expect(try clinic.app.participants.list(search: "Chloé", by: .system).participants.isEmpty)
    }

    @Test func theEditFormIsPrefilledKeepsConsentDatesAndSaves() throws {
        let clinic = try Clinic()
        let nadia = try clinic.participant()
        let stored = try clinic.app.participants.read(id: nadia.id, by: .system)
        let form = try clinic.client.get("/participants/\(nadia.id)/edit", as: "coord")
        #expect(form.status == 200)
        #expect(form.text.contains("value=\"nadia.zerbib@example.org\"") && form.text.contains("id=\"consentEmail\" name=\"consentEmail\" value=\"1\" checked"))
        #expect(form.text.contains("accordé le"))
        var fields: [(String, String)] = [("firstName", "Nadia"), ("lastName", "Zerbib-Roux"), ("birthYear", "1979"),
                                          ("email", "nadia.zerbib@example.org"), ("phone", "06 11 22 33 44"), ("preferredChannel", "email"),
                                          ("consentDataProcessing", "1"), ("consentEmail", "1"), ("consentFollowUp", "1"),
                                          ("smokerStatus", "smoker"), ("language", "fr")]
        let saved = try clinic.client.post("/participants/\(nadia.id)/edit", fields, as: "coord")
        #expect(saved.status == 303 && saved.location == "/participants/\(nadia.id)?done=p_updated")
        let after = try clinic.app.participants.read(id: nadia.id, by: .system)
        #expect(after.lastName == "Zerbib-Roux" && after.consentEmailAt == stored.consentEmailAt && after.consentEmailAt != nil)

        fields[3] = ("email", "")
        let refused = try clinic.client.post("/participants/\(nadia.id)/edit", fields, as: "coord")
        #expect(refused.status == 422)
        #expect(refused.text.contains("E-mail préféré, mais aucune adresse") && refused.text.contains("value=\"Zerbib-Roux\""))
        #expect(refused.text.contains("id=\"consentEmail-error\">Le consentement aux e-mails demande une adresse e-mail."))
        #expect(try clinic.client.get("/participants/\(nadia.id)/edit", as: "peer").status == 403)
        #expect(try clinic.client.get("/participants/unknown/edit", as: "coord").status == 404)
    }

    @Test func theRecordShowsScoresChartsAndFollowUpButTheNoteOnlyToItsTabacologue() throws {
        let clinic = try Clinic()
        let app = clinic.app
        let nadia = try clinic.participant()
        let (programme, sessions) = try clinic.programme()
        _ = try app.enrolments.enrol(programmeID: programme.id, participantID: nadia.id, waitingList: false, by: .system)
        let start = LocalDateTime(iso: "2026-09-07T10:00")!.instant(in: Clinic.paris)
        let consultation = try app.consultations.book(programmeID: programme.id, participantID: nadia.id, index: 1, facilitatorID: clinic.lead.id,
                                                      start: start, end: start + 2700, modality: .inPerson, allowedIndexes: 1...2, by: .system)
        _ = try app.consultations.update(id: consultation.id, status: .done, note: "Anxiété importante, patchs 21 mg", start: nil, end: nil,
                                         modality: nil, by: clinic.lead.actor)
        for session in sessions {
            try app.enrolments.recordAttendance(sessionID: session.id, [(nadia.id, .present)], note: nil, by: .system)
        }
        try clinic.record("fagerstrom", Clinic.codes(Clinic.fagerstrom4), on: "2026-09-17", for: nadia)
        try clinic.record("fagerstrom", Clinic.codes(Clinic.fagerstrom10), on: "2026-09-03", for: nadia)
        try clinic.record("qmat", Clinic.codes(Clinic.qmat), on: "2026-09-10", for: nadia)
        for (ppm, date) in [(25.0, "2026-09-03"), (12.0, "2026-09-10"), (4.0, "2026-09-17")] {
            try clinic.record("co", ["ppm": .number(ppm)], on: date, for: nadia, source: .paper)
        }
        _ = try app.consultations.addOrientations(participantID: nadia.id, programmeID: programme.id, consultationID: nil,
                                                  kinds: [.csapa], detail: "CSAPA Liberté", by: clinic.lead.actor)
        let before = try clinic.auditActions(nadia.id).count

        let page = try clinic.client.get("/participants/\(nadia.id)", as: "coord")
        #expect(page.status == 200)
        let text = page.text
        #expect(text.contains("Nadia Zerbib") && text.contains("nadia.zerbib@example.org") && text.contains("06 11 22 33 44"))
        #expect(text.contains("accordé le"), "consents with their dates")
        #expect(text.contains("<a href=\"/programmes/\(programme.id)\">Arrêter ensemble</a>"))
        #expect(text.contains("3 séances sur 3"))
        #expect(text.contains("Fagerström — 10 — Dépendance forte"))
        #expect(text.contains("Fagerström — 4 — Dépendance faible"))
        #expect(text.contains("HSI — 6 — Dépendance forte"), "derived HSI with its band label")
        #expect(text.contains("Q-MAT — 16 — Bonne motivation"))
        #expect(text.contains("CO expiré — 4 — Compatible avec l&#39;abstinence") && text.contains("sur papier"))
        #expect(text.contains("Réalisée") && text.contains("Tab"), "the consultation with its status and facilitator")
        #expect(!text.contains("Anxiété importante"), "a coordinator never reads the clinical note")
        #expect(!text.contains("Note clinique"))
        // Coordinators see which orientation was proposed (they ask in the follow-up calls), not its clinical detail.
        #expect(text.contains("CSAPA") && !text.contains("CSAPA Liberté"))
        #expect(text.contains("Questionnaires de fin de programme") && text.contains("Suivi à 3 mois") && text.contains("17/12/2026"))
        #expect(text.contains("/participants/\(nadia.id)/assessments/new?instrument=fagerstrom"))
        #expect(text.contains("/participants/\(nadia.id)/export.json") && text.contains("/participants/\(nadia.id)/erase"))
        #expect(!text.contains("/participants/\(nadia.id)/orientations"), "orientations are written by tabacologues")

        // The charts: one per instrument, its points in date order, described without colour.
        let fagerstrom = try #require(Clinic.chart("fagerstrom", in: text))
        #expect(Clinic.count("class=\"chart-point\"", in: fagerstrom) == 2)
        #expect(fagerstrom.contains("aria-label=\"Score de Fagerström : 2 mesures, de 10 le 03/09/2026 à 4 le 17/09/2026.\""))
        #expect(text.contains("role=\"img\"") && fagerstrom.contains("<title id=\"chart-fagerstrom-title\">Score de Fagerström</title>"))
        #expect(fagerstrom.contains("<title>03/09/2026 : 10 (Dépendance forte)</title>"))
        let co = try #require(Clinic.chart("co", in: text))
        #expect(Clinic.count("class=\"chart-point\"", in: co) == 3)
        #expect(co.contains("seuil 10 ppm") && co.contains("stroke-dasharray"), "the abstinence threshold, dashed and labelled")
        #expect(Clinic.count("class=\"chart-point\"", in: try #require(Clinic.chart("qmat", in: text))) == 1)
        #expect(!text.contains("style="), "no inline style: the CSP forbids it")

        let actions = try clinic.auditActions(nadia.id).dropFirst(before)
        #expect(Array(actions) == ["read", "read_assessments"], "the page's reads are audited")

        let lead = try clinic.client.get("/participants/\(nadia.id)", as: "tab")
        #expect(lead.text.contains("Anxiété importante, patchs 21 mg"), "the consultation's tabacologue reads the note")
        #expect(lead.text.contains("action=\"/participants/\(nadia.id)/orientations\""))
        #expect(!lead.text.contains("/participants/\(nadia.id)/erase"), "only a coordinator erases")
        let other = try clinic.client.get("/participants/\(nadia.id)", as: "tab2")
        #expect(!other.text.contains("Anxiété importante") && other.text.contains("réservée au tabacologue de la consultation"))

        #expect(try clinic.client.get("/participants/\(nadia.id)", as: "peer").status == 403)
        #expect(try clinic.client.get("/participants/\(nadia.id)", as: "admin").status == 403)
        #expect(try clinic.client.get("/participants/no-such-id", as: "coord").status == 404)
    }

    @Test func theInstrumentFormPlacesErrorsPerItemKeepsValuesAndConfirmsTheScore() throws {
        let clinic = try Clinic()
        let nadia = try clinic.participant()
        let path = "/participants/\(nadia.id)/assessments/new?instrument=fagerstrom"
        let form = try clinic.client.get(path, as: "coord")
        #expect(form.status == 200)
        #expect(form.text.contains("name=\"fagerstrom.q1\"") && form.text.contains("name=\"fagerstrom.q6\""))
        #expect(form.text.contains("id=\"date\" name=\"date\" value=\"\(clinic.app.today.iso)\""), "today by default")
        #expect(form.text.contains("id=\"source-staff\" name=\"source\" value=\"staff\" checked"))
        #expect(!form.text.contains("field-error") && !form.text.contains("has-error") && !form.text.contains("aria-invalid"))
        #expect(try clinic.client.get("/participants/\(nadia.id)/assessments/new?instrument=nope", as: "coord").status == 404)

        let partial: [(String, String)] = [("date", "2999-01-01"), ("source", "phone"), ("fagerstrom.q1", "within5"),
                                           ("fagerstrom.q3", "first_morning"), ("fagerstrom.q4", "ge31"), ("fagerstrom.q5", "yes"),
                                           ("fagerstrom.q6", "maybe")]
        let refused = try clinic.client.post(path, partial, as: "coord")
        #expect(refused.status == 422)
        #expect(refused.text.contains("id=\"date-error\">La date ne peut pas être dans le futur."))
        #expect(refused.text.contains("id=\"fagerstrom-q2-error\">réponse obligatoire</p>"))
        #expect(refused.text.contains("id=\"fagerstrom-q6-error\">choisissez une des réponses proposées</p>"))
        #expect(Clinic.count("class=\"field-error\"", in: refused.text) == 3, "errors only where they are")
        #expect(refused.text.contains("href=\"#item-fagerstrom-q2\""), "summarised at the top with a link to the item")
        #expect(refused.text.contains("value=\"within5\" checked") && refused.text.contains("value=\"ge31\" checked"), "answers kept")
        #expect(refused.text.contains("id=\"source-phone\" name=\"source\" value=\"phone\" checked"))
        #expect(try clinic.app.assessments.assessments(participantID: nadia.id, by: .system).isEmpty)

        let answers: [(String, String)] = [("date", "2026-09-03"), ("source", "phone")]
            + Clinic.fagerstrom10.sorted { $0.key < $1.key }.map { ("fagerstrom.\($0.key)", $0.value) }
        #expect(try clinic.client.post(path, answers, as: "coord", csrf: false).status == 403)
        #expect(try clinic.client.post(path, answers, as: "peer").status == 403)
        #expect(try clinic.client.post(path, answers, as: "admin").status == 403)
        #expect(try clinic.app.assessments.assessments(participantID: nadia.id, by: .system).isEmpty)

        let saved = try clinic.client.post(path, answers, as: "coord")
        #expect(saved.status == 303)
        let stored = try #require(try clinic.app.assessments.assessments(participantID: nadia.id, by: .system).first)
        #expect(saved.location == "/participants/\(nadia.id)?saved=\(stored.id)")
        #expect(stored.total == 10 && stored.band == "high" && stored.source == .phone && stored.takenOn == "2026-09-03")
        #expect(stored.recordedBy == clinic.coordinator.id)
        let record = try clinic.client.get(saved.location!, as: "coord")
        #expect(record.text.contains("<div class=\"notice\" role=\"status\">Fagerström : 10 — dépendance forte</div>"))
        #expect(record.text.contains("id=\"assessment-\(stored.id)\" class=\"p-saved\""))
        #expect(try clinic.auditActions(nadia.id).contains("record_assessment"))
    }

    @Test func orientationsAreAddedByTabacologuesWithErrorsShownOnTheRecord() throws {
        let clinic = try Clinic()
        let nadia = try clinic.participant()
        let path = "/participants/\(nadia.id)/orientations"
        let refused = try clinic.client.post(path, [("kinds", "other"), ("detail", " ")], as: "tab")
        #expect(refused.status == 422)
        #expect(refused.text.contains("id=\"detail-error\">Précisez l&#39;orientation « Autre ».") && refused.text.contains("value=\"other\" checked"))
        let none = try clinic.client.post(path, [("detail", "x")], as: "tab")
        #expect(none.status == 422 && none.text.contains("id=\"kinds-error\">Cochez au moins une orientation."))
        #expect(try clinic.client.post(path, [("kinds", "csapa")], as: "coord").status == 403)
        #expect(try clinic.client.post(path, [("kinds", "csapa")], as: "tab", csrf: false).status == 403)
        let added = try clinic.client.post(path, [("kinds", "csapa"), ("kinds", "tabac_info_service"), ("detail", "CSAPA Liberté")], as: "tab")
        #expect(added.status == 303 && added.location == "/participants/\(nadia.id)?done=p_orientation_added")
        #expect(try clinic.app.consultations.orientations(participantID: nadia.id).map(\.kind.rawValue).sorted() == ["csapa", "tabac_info_service"])
        let page = try clinic.client.get(added.location!, as: "tab")
        #expect(page.text.contains("role=\"status\">Orientation enregistrée.") && page.text.contains("Tabac info service (39 89)"))
    }

    @Test func theExportIsTheWholeRecordAsAnAuditedAttachment() throws {
        let clinic = try Clinic()
        let app = clinic.app
        let nadia = try clinic.participant()
        let (programme, sessions) = try clinic.programme()
        _ = try app.enrolments.enrol(programmeID: programme.id, participantID: nadia.id, waitingList: false, by: .system)
        let start = LocalDateTime(iso: "2026-09-07T10:00")!.instant(in: Clinic.paris)
        let consultation = try app.consultations.book(programmeID: programme.id, participantID: nadia.id, index: 1, facilitatorID: clinic.lead.id,
                                                      start: start, end: start + 2700, modality: .phone, allowedIndexes: 1...2, by: .system)
        _ = try app.consultations.update(id: consultation.id, status: .done, note: "Note très privée", start: nil, end: nil, modality: nil,
                                         by: clinic.lead.actor)
        try app.enrolments.recordAttendance(sessionID: sessions[0].id, [(nadia.id, .present)], note: nil, by: .system)
        try clinic.record("fagerstrom", Clinic.codes(Clinic.fagerstrom10), on: "2026-09-03", for: nadia)

        let response = try clinic.client.get("/participants/\(nadia.id)/export.json", as: "coord")
        #expect(response.status == 200)
        #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
        #expect(response.headers[.contentDisposition] == "attachment; filename=\"relais-participant-\(nadia.id).json\"")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(response.text.utf8)) as? [String: Any])
        let participant = try #require(json["participant"] as? [String: Any])
        #expect(participant["email"] as? String == "nadia.zerbib@example.org" && participant["phone"] as? String == "06 11 22 33 44")
        #expect((participant["consents"] as? [String: Any])?["followUp"] is String)
        let enrolments = try #require(json["enrolments"] as? [[String: Any]])
        #expect(enrolments.count == 1 && enrolments[0]["programmeTitle"] as? String == "Arrêter ensemble" && enrolments[0]["sessionsAttended"] as? Int == 1)
        #expect((json["attendance"] as? [[String: Any]])?.map { $0["status"] as? String } == ["present"])
        let consultations = try #require(json["consultations"] as? [[String: Any]])
        #expect(consultations.count == 1 && consultations[0]["note"] == nil, "no clinical note for a coordinator")
        let assessments = try #require(json["assessments"] as? [[String: Any]])
        #expect(assessments.count == 1 && assessments[0]["total"] as? Int == 10 && assessments[0]["bandLabel"] as? String == "Dépendance forte")
        #expect((assessments[0]["answers"] as? [String: Any])?["q1"] as? String == "within5")
        #expect((json["messages"] as? [[String: Any]])?.contains { $0["kind"] as? String == "enrolment_confirmation" } == true)
        let audit = try #require(json["audit"] as? [[String: Any]])
        #expect(audit.contains { $0["action"] as? String == "export" && $0["actor"] as? String == "coord" })
        #expect(audit.contains { $0["action"] as? String == "record_assessment" })
        #expect(try clinic.auditActions(nadia.id).last == "export")

        let clinician = try clinic.client.get("/participants/\(nadia.id)/export.json", as: "tab")
        let clinicianJSON = try #require(try JSONSerialization.jsonObject(with: Data(clinician.text.utf8)) as? [String: Any])
        #expect((clinicianJSON["consultations"] as? [[String: Any]])?.first?["note"] as? String == "Note très privée")
        #expect(try clinic.client.get("/participants/\(nadia.id)/export.json", as: "peer").status == 403)
        #expect(try clinic.client.get("/participants/\(nadia.id)/export.json", as: "admin").status == 403)
    }

    @Test func erasureIsForCoordinatorsAndLeavesNoNameEmailOrPhoneInTheDatabase() throws {
        let clinic = try Clinic()
        let app = clinic.app
        let nadia = try clinic.participant()
        let paul = try clinic.participant("Paul", "Martin", email: "paul.martin@example.org", phone: "07 98 76 54 32")
        let (programme, sessions) = try clinic.programme()
        for person in [nadia, paul] {
            _ = try app.enrolments.enrol(programmeID: programme.id, participantID: person.id, waitingList: false, by: .system)
        }
        let start = LocalDateTime(iso: "2026-09-07T10:00")!.instant(in: Clinic.paris)
        let consultation = try app.consultations.book(programmeID: programme.id, participantID: nadia.id, index: 1, facilitatorID: clinic.lead.id,
                                                      start: start, end: start + 2700, modality: .inPerson, allowedIndexes: 1...2, by: .system)
        _ = try app.consultations.update(id: consultation.id, status: .done, note: "Nadia Zerbib, 06 11 22 33 44", start: nil, end: nil,
                                         modality: nil, by: clinic.lead.actor)
        try app.enrolments.recordAttendance(sessionID: sessions[0].id, [(nadia.id, .present), (paul.id, .present)],
                                            note: "Bonne dynamique ; Nadia Zerbib a parlé de ses patchs.", by: .system)
        try app.enrolments.recordAttendance(sessionID: sessions[2].id, [(nadia.id, .present), (paul.id, .absent)], note: nil, by: .system)
        try clinic.record("fagerstrom", Clinic.codes(Clinic.fagerstrom10), on: "2026-09-03", for: nadia)
        try clinic.record("followup_3m", ["status": .string("reduced"), "cigarettes_per_day": .number(8), "aids_used": .array([.string("patches")]),
                                          "orientation_followed": .string("yes"), "would_recommend": .string("yes")], on: "2026-11-20", for: nadia, source: .phone)
        _ = try app.participants.list(search: "Zerbib", by: clinic.coordinator.actor) // a search: its text goes to the audit log
        _ = try app.tasks.create(participantID: nadia.id, reason: "Rappeler Nadia au 06 11 22 33 44", dueOn: nil, assignedTo: nil,
                                 by: clinic.coordinator.actor)

        // Who may erase, and the confirmation.
        #expect(try clinic.client.get("/participants/\(nadia.id)/erase", as: "tab").status == 403)
        #expect(try clinic.client.post("/participants/\(nadia.id)/erase", [("confirmName", "Zerbib")], as: "tab").status == 403)
        #expect(try clinic.client.get("/participants/\(nadia.id)/erase", as: "peer").status == 403)
        #expect(try clinic.client.get("/participants/\(nadia.id)/erase", as: "admin").status == 403)
        let confirm = try clinic.client.get("/participants/\(nadia.id)/erase", as: "coord")
        #expect(confirm.status == 200 && confirm.text.contains("for=\"confirmName\"") && confirm.text.contains("Restent seulement"))
        let wrong = try clinic.client.post("/participants/\(nadia.id)/erase", [("confirmName", "Martin")], as: "coord")
        #expect(wrong.status == 422 && wrong.text.contains("id=\"confirmName-error\">Le nom tapé ne correspond pas") && wrong.text.contains("value=\"Martin\""))
        #expect(try clinic.client.post("/participants/\(nadia.id)/erase", [("confirmName", "Zerbib")], as: "coord", csrf: false).status == 403)
        #expect(try app.participants.read(id: nadia.id, by: .system).lastName == "Zerbib", "nothing erased yet")

        let erased = try clinic.client.post("/participants/\(nadia.id)/erase", [("confirmName", " zerbib ")], as: "coord")
        #expect(erased.status == 303 && erased.location == "/participants?done=p_erased")
        let list = try clinic.client.get(erased.location!, as: "coord")
        #expect(list.text.contains("role=\"status\">Les données de la personne ont été effacées") && !list.text.contains("Zerbib"))
        #expect(list.text.contains("Martin Paul"))
        #expect(try clinic.client.get("/participants/\(nadia.id)", as: "coord").status == 404)

        // No name, email or phone left in any text column of any table…
        let needles = ["Zerbib", "zerbib", "ZERBIB", "Nadia", "nadia.zerbib@example.org", "06 11 22 33 44", "0611223344"]
        let hits = try app.store.pool.read { db -> [String] in
            var hits: [String] = []
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
            for table in tables {
                let columns = try Row.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table]).map { $0["name"] as String }
                for row in try Row.fetchAll(db, sql: "SELECT * FROM \"\(table)\"") {
                    for column in columns {
                        guard case .string(let text) = (row[column] as DatabaseValue).storage else { continue }
                        for needle in needles where text.contains(needle) { hits.append("\(table).\(column): \(text)") }
                    }
                }
            }
            return hits
        }
        #expect(hits.isEmpty, "\(hits)")
        // …nor in the bytes of the database files (free pages, WAL).
        for suffix in ["", "-wal"] {
            guard let data = FileManager.default.contents(atPath: app.store.path + suffix) else { continue }
            for needle in ["Zerbib", "nadia.zerbib@example.org", "06 11 22 33 44"] {
                #expect(data.range(of: Data(needle.utf8)) == nil, "\(needle) in relais.sqlite\(suffix)")
            }
        }

        // The other participant is untouched; anonymous counts remain; the audit keeps the erasure.
        #expect(try app.participants.read(id: paul.id, by: .system).email == "paul.martin@example.org")
        let kept = try app.participantRecords.erased()
        #expect(kept.count == 1)
        let row = try #require(kept.first)
        #expect(row.programmeId == programme.id && row.year == 2026 && row.sessionsAttended == 2 && row.consultationsDone == 1)
        #expect(row.enrolmentStatus == .enrolled && row.endAnswered == false && row.followUpAnswered == true && row.followUpOutcome == "reduced")
        #expect(row.smokerStatus == .smoker && row.erasedOn == app.today.iso)
        let audit = try app.store.auditEntries(entity: "participant", id: nadia.id)
        #expect(audit.first?.action == "erase" && audit.first?.actorName == "coord")
        #expect(audit.contains { $0.action == "read" }, "the accesses stay in the audit log, under an id that leads nowhere")
        #expect(try app.store.pool.read { try String.fetchOne($0, sql: "SELECT note FROM session WHERE id = ?", arguments: [sessions[0].id]) }
                == "Bonne dynamique ; [effacé] a parlé de ses patchs.")
    }
}

@Suite("SVG line chart")
struct LineChartTests {
    @Test func everyPointIsDrawnWithItsValueAndTheChartIsDescribed() {
        let dates = (1...8).map { CalendarDate(year: 2026, month: 1, day: $0 * 3)! }
        let chart = LineChart(id: "c", title: "Taux <CO>", summary: "8 mesures & un seuil", range: 0...40,
                              points: dates.enumerated().map { LineChart.Point(date: $1, value: Double($0 * 5), label: "\($0 * 5)",
                                                                               description: "point \($0)") },
                              guides: [LineChart.Guide(value: 10, label: "seuil 10"), LineChart.Guide(value: 90, label: "hors échelle")])
        let svg = chart.svg()
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\""))
        #expect(svg.contains("aria-label=\"8 mesures &amp; un seuil\"") && svg.contains("<title id=\"c-title\">Taux &lt;CO&gt;</title>"))
        #expect(svg.components(separatedBy: "class=\"chart-point\"").count - 1 == 8)
        #expect(svg.contains(">35</text>") && svg.contains("<title>point 7</title>"), "each value is written, not only coloured")
        #expect(svg.contains("seuil 10") && !svg.contains("hors échelle"), "guides outside the range are left out")
        #expect(svg.components(separatedBy: "<text x=").count - 1 == 5 + 1 + 8 + 2, "ticks, guide, values, and only the first and last dates")
        #expect(svg.contains(">03/01/26</text>") && svg.contains(">24/01/26</text>") && !svg.contains(">06/01/26</text>"))
        #expect(LineChart.ticks(0...10) == [0, 5, 10] && LineChart.ticks(0...20) == [0, 5, 10, 15, 20] && LineChart.ticks(0...40) == [0, 10, 20, 30, 40])
        #expect(LineChart.fittedUpperBound(maximum: 200, values: [25, 12, 4, 10]) == 40, "CO readings are not squashed on 0–200")
        #expect(LineChart.fittedUpperBound(maximum: 200, values: [150]) == 200 && LineChart.fittedUpperBound(maximum: 10, values: [1]) == 10)
        let single = LineChart(id: "s", title: "t", summary: "s", range: 0...10,
                               points: [LineChart.Point(date: dates[0], value: 3, label: "3", description: "d")]).svg()
        #expect(single.contains("cx=\"187.0\"") && !single.contains("polyline"), "one reading: a centred point, no line")
    }
}
