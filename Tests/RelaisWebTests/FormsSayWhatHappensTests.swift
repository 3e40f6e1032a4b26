import Foundation
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// Forms that say what happens: the rhythm of a programme chosen in words, the holiday shift shown
/// in the proposal as it will be saved, the decisional balance entered for a group, a participant
/// without consent to data processing flagged, the session note's readers named, counts in the
/// right number.
@Suite("Pages: forms that say what happens")
struct FormsSayWhatHappensTests {
    typealias Fixture = ProgrammePageTests.Fixture

    func form(_ world: Fixture, start: String, title: String = "Rythme", _ extra: [(String, String)], action: String = "create") -> [(String, String)] {
        var fields = world.programmeForm(start: start, title: title, action: action)
        fields.removeAll { $0.0 == "cadence" }
        return fields + extra
    }

    func created(_ world: Fixture, _ page: PageClient.Page) throws -> [SessionRecord] {
        let location = try #require(page.location, "\(page.status) \(page.text.suffix(1500))")
        let id = String(location.dropFirst("/programmes/".count).prefix { $0 != "?" })
        return try world.client.app.programmes.programme(id: id).1
    }

    @Test func theRhythmIsASelectWithTheFieldsItNeedsAndGivesTheCadence() throws {
        let world = try Fixture()
        let page = try world.client.get("/programmes/new", as: "coord").text
        #expect(page.contains(#"<select id="rhythm" name="rhythm""#))
        #expect(page.contains(#"<option value="weekly" selected>Hebdomadaire</option><option value="every">Tous les N jours</option><option value="dates">Dates choisies</option>"#))
        #expect(page.contains(#"id="everyDays" name="everyDays""#) && page.contains(#"<input type="datetime-local" id="date2" name="date2""#))
        #expect(!page.contains(#"name="cadence""#) && !page.contains("every:14") && !page.contains(">weekly<"))

        let zone = TimeZone(identifier: "Europe/Paris")!
        func local(_ session: SessionRecord) -> String { LocalDateTime(session.startsAt, in: zone).iso }
        // Every 14 days.
        let fortnightly = try created(world, try world.client.post("/programmes/new", form(world, start: "2027-01-07T18:00", title: "Quinzaine",
                                                                                             [("rhythm", "every"), ("everyDays", "14")]), as: "coord"))
        #expect(fortnightly.map(local) == ["2027-01-07T18:00", "2027-01-21T18:00", "2027-02-04T18:00"])
        // Weekly.
        let weekly = try created(world, try world.client.post("/programmes/new", form(world, start: "2027-03-04T18:00", title: "Semaine",
                                                                                        [("rhythm", "weekly"), ("everyDays", "14")]), as: "coord"))
        #expect(weekly.map(local) == ["2027-03-04T18:00", "2027-03-11T18:00", "2027-03-18T18:00"])
        // Chosen dates: the start, then one per session.
        let chosen = try created(world, try world.client.post("/programmes/new", form(world, start: "2027-05-06T18:00", title: "Dates", [
            ("rhythm", "dates"), ("date2", "2027-05-20T18:30"), ("date3", "2027-06-03T17:00"), ("date4", ""),
        ]), as: "coord"))
        #expect(chosen.map(local) == ["2027-05-06T18:00", "2027-05-20T18:30", "2027-06-03T17:00"])
        // A wrong number of days is said in words next to the rhythm, and what was typed is kept.
        let refused = try world.client.post("/programmes/new", form(world, start: "2027-09-02T18:00", [("rhythm", "every"), ("everyDays", "deux")],
                                                                     action: "preview"), as: "coord")
        #expect(refused.status == 422)
        #expect(refused.text.contains("indiquez, pour « tous les N jours », un nombre entier de jours de 1 à 90"))
        #expect(refused.text.contains(#"<option value="every" selected>"#) && refused.text.contains(#"value="deux""#))
        #expect(refused.text.contains(##"<a href="#rhythm">Rythme : "##))
    }

    @Test func theHolidayShiftIsShownInTheProposalAsItWillBeSaved() throws {
        let world = try Fixture()
        // 4 November 2027 is a Thursday; the 11th is Armistice day, the proposed day Friday the 12th.
        var fields = form(world, start: "2027-11-04T18:00", [("rhythm", "weekly"), ("shiftHolidays", "on")], action: "preview")
        let preview = try world.client.post("/programmes/new", fields, as: "coord")
        #expect(preview.status == 200)
        #expect(preview.text.contains("<td>2</td><td>vendredi 12 novembre 2027, 18 h 00</td>"), "\(preview.text)")
        #expect(preview.text.contains("Décalée : Armistice 1918 tombait le jeudi 11 novembre 2027, 18 h 00"))
        #expect(!preview.text.contains("<td>jeudi 11 novembre 2027, 18 h 00</td>"))
        // Without the shift, the holiday and the day it would move to.
        fields.removeAll { $0.0 == "shiftHolidays" }
        let unshifted = try world.client.post("/programmes/new", fields, as: "coord")
        #expect(unshifted.text.contains("<td>2</td><td>jeudi 11 novembre 2027, 18 h 00</td>"))
        #expect(unshifted.text.contains("Jour férié : Armistice 1918</strong> — proposition : vendredi 12 novembre 2027, 18 h 00"))
        // Saved with the shift: what the proposal showed.
        let sessions = try created(world, try world.client.post("/programmes/new", form(world, start: "2027-11-04T18:00",
                                                                                          [("rhythm", "weekly"), ("shiftHolidays", "on")]), as: "coord"))
        #expect(LocalDateTime(sessions[1].startsAt, in: TimeZone(identifier: "Europe/Paris")!).iso == "2027-11-12T18:00")
    }

    @Test func theDecisionalBalanceIsEnteredForTheGroup() throws {
        let world = try Fixture()
        let (id, sessions) = try world.programme()
        let bruno = try world.client.app.participants.create(try ParticipantDetails(firstName: "Bruno", lastName: "Martin", birthYear: 1970,
                                                                                  phone: "06 11 22 33 44").validated(currentYear: 2026), by: .system)
        _ = try world.client.post("/programmes/\(id)/enrolments", [("participantId", bruno.id)], as: "coord")
        let session = sessions[1]
        try world.client.moveClock(to: session.startsAt)  // the group's tests are entered from the session's start
        let page = try world.client.get("/sessions/\(session.id)/quick/decisional_balance", as: "claire")
        #expect(page.status == 200)
        #expect(page.text.contains("<th scope=\"col\">Avantages à continuer de fumer</th>"))
        let field = "p\(world.ana.id).decisional_balance.advantages_smoking"
        #expect(page.text.contains(#"<textarea id="\#(field.replacingOccurrences(of: ".", with: "-"))" name="\#(field)""#))
        #expect(page.text.components(separatedBy: "<textarea").count - 1 == 8, "four quadrants for each of the two participants")
        let saved = try world.client.post("/sessions/\(session.id)/quick/decisional_balance", [
            (field, "Le café du matin"), ("p\(world.ana.id).decisional_balance.advantages_quitting", "Respirer, économiser"),
            ("p\(bruno.id).decisional_balance.disadvantages_smoking", "La toux"),
        ], as: "claire")
        #expect(saved.location == "/sessions/\(session.id)?done=quick_saved&count=2")
        #expect(try world.client.get(try #require(saved.location), as: "claire").text.contains("2 résultats enregistrés."))
        let ana = try world.client.app.assessments.assessments(participantID: world.ana.id, by: .system)
        #expect(ana.map(\.instrumentId) == ["decisional_balance"])
        #expect(try world.client.app.assessments.assessments(participantID: bruno.id, by: .system).map(\.instrumentId) == ["decisional_balance"])

        // One result, in the singular; a refused value names its item by its wording.
        let co = try world.client.post("/sessions/\(sessions[0].id)/quick/co", [("p\(world.ana.id).co.ppm", "250")], as: "claire")
        #expect(co.status == 422)
        #expect(co.text.contains(">Taux de CO dans l&#39;air expiré</a> : nombre attendu, de 0 à 200"), "\(co.text)")
        #expect(!co.text.contains(">ppm<") && !co.text.contains("reçu"))
        let one = try world.client.post("/sessions/\(sessions[0].id)/quick/co", [("p\(world.ana.id).co.ppm", "12")], as: "claire")
        #expect(try world.client.get(try #require(one.location), as: "claire").text.contains("1 résultat enregistré."))
    }

    @Test func aParticipantWithoutConsentToDataProcessingIsFlagged() throws {
        let world = try Fixture()
        let form = try world.client.get("/participants/new", as: "coord").text
        #expect(form.contains(#"aria-describedby="consentDataProcessing-help""#))
        #expect(form.contains("Sans cette case, le dossier est enregistré mais signalé « sans consentement aux données »"))
        let saved = try world.client.post("/participants/new", [("firstName", "Bruno"), ("lastName", "Martin"), ("birthYear", "1970"),
                                                                ("phone", "06 11 22 33 44"), ("preferredChannel", "phone"), ("smokerStatus", "smoker"),
                                                                ("language", "fr")], as: "coord")
        let location = try #require(saved.location, "\(saved.text.suffix(2000))")
        let record = try world.client.get(location, as: "coord").text
        #expect(record.contains("Bruno Martin <span class=\"tag warn\">sans consentement aux données</span></h1>"))
        #expect(record.contains("Consentement au traitement des données non recueilli. Le dossier peut être tenu pour la prise en charge (RGPD art. 9.2.h"))
        let chloe = try world.client.app.participants.create(try ParticipantDetails(firstName: "Chloé", lastName: "Petit", birthYear: 1975,
                                                                                   phone: "06 12 34 56 78", consentDataProcessing: true)
            .validated(currentYear: 2026), by: .system)
        let list = try world.client.get("/participants", as: "coord").text
        #expect(list.contains("Martin Bruno</a> <span class=\"tag warn\">sans consentement aux données</span>"))
        // Chloé gave it: no flag; and the count is in the right number.
        #expect(list.contains("Petit Chloé</a></td>"))
        #expect(list.contains(">3 participants<"))
        #expect(try world.client.get("/participants?q=Petit", as: "coord").text.contains(">1 participant<"))
        #expect(!(try world.client.get("/participants/\(chloe.id)", as: "coord").text.contains("sans consentement aux données")))
    }

    @Test func theSessionNoteSaysWhoReadsIt() throws {
        let world = try Fixture()
        let (_, sessions) = try world.programme()
        let page = try world.client.get("/sessions/\(sessions[0].id)", as: "sam").text
        #expect(page.contains(#"<p class="muted" id="note-readers">Qui lit cette note : les coordinateurs, les tabacologues de la structure (dont l&#39;animateur du programme) et le pair aidant du programme."#))
        #expect(page.contains(#"aria-describedby="note-readers""#))
    }

    @Test func countsAreInTheRightNumberOnPagesAndInTheReport() throws {
        let world = try Fixture()
        _ = try world.programme()
        let report = try world.client.get("/reports/years/2027", as: "coord").text
        #expect(report.contains("1 programme prévu, dont 0 réalisé et 1 pas encore commencé ; 0 terminé."), "\(report)")
        #expect(!report.contains("1 programmes"))
        #expect(try world.client.get("/", as: "coord").text.contains("0 tâche à faire"))
    }
}
