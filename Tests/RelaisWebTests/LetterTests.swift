import Foundation
import HTTPServer
import RelaisConfig
import RelaisDomain
import RelaisStore
import RelaisUseCases
@testable import RelaisWeb
import Testing

/// Issue 13 ("a record staff can trust"): addresses Relais can deliver to, failed deliveries staff
/// can act on, phone tasks and letters that say what to do, and the short code of letters.
@Suite("Addresses, failed deliveries, tasks, letters and their codes")
struct LetterTests {
    typealias Fixture = ProgrammePageTests.Fixture
    static let paris = TimeZone(identifier: "Europe/Paris")!

    /// An app whose configuration names the structure's postal address and phone, and the public address.
    static func configured(publicBaseURL: String? = "https://relais.example.org") -> (inout Configuration, String) -> Void {
        { configuration, directory in
            configuration.dataDir = directory
            configuration.publicBaseURL = publicBaseURL
            configuration.structureName = "CSAPA Nord"
            configuration.structureAddress = "Centre de soins\n12 rue de la Paix\n59000 Lille"
            configuration.structurePhone = "03 20 00 00 00"
        }
    }

    static func match(_ pattern: String, in text: String, group: Int = 0) -> String? {
        guard let expression = try? NSRegularExpression(pattern: pattern),
              let found = expression.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let range = Range(found.range(at: group), in: text) else { return nil }
        return String(text[range])
    }

    // MARK: Addresses

    @Test func anAccentedAddressIsRefusedAtEntryByTheAPIAndThePagesSayingWhatIsWrong() throws {
        let world = try Fixture()
        let api = try world.client.api(.post, "/api/v1/participants",
                                       #"{"firstName":"Éric","lastName":"Martin","birthYear":1980,"email":"éric@exemple.fr","consentEmail":true}"#,
                                       as: "coord")
        #expect(api.status == 422)
        #expect(try SameRuleTests.fieldCodes(api)["email"] == "email_non_ascii_local")
        let page = try world.client.post("/participants/new", [("firstName", "Éric"), ("lastName", "Martin"), ("birthYear", "1980"),
                                                              ("email", "éric@exemple.fr"), ("consentEmail", "on"), ("smokerStatus", "smoker"),
                                                              ("language", "fr")], as: "coord")
        #expect(page.status == 422)
        #expect(page.text.contains("les lettres accentuées (é, è, ç…)") && page.text.contains("ne sont pas acceptés avant le @"))
        #expect(page.text.contains(#"value="éric@exemple.fr""#), "what was typed is kept")
        #expect(try world.client.app.participants.list(search: "Martin", by: .system).participants.isEmpty)

        // Staff addresses follow the same rule: one's profile (API and page) and a new account.
        let profile = try world.client.api(.patch, "/api/v1/me", #"{"email":"éric@exemple.fr"}"#, as: "claire")
        let profileCodes = try SameRuleTests.fieldCodes(profile)
        #expect(profile.status == 422 && profileCodes["email"] == "email_non_ascii_local")
        let account = try world.client.post("/account", [("displayName", "Claire"), ("language", "fr"), ("email", "claire@exemplé.fr")], as: "claire")
        #expect(account.status == 422 && account.text.contains("le nom de domaine après le @ ne peut pas contenir de lettres accentuées"))
        let created = try world.client.post("/admin/users", [("name", "eric"), ("role", "coordinator"), ("email", "éric@exemple.fr")], as: "root")
        #expect(created.status == 422 && created.text.contains("avant le @"))
        #expect(try world.client.app.accounts.users().allSatisfy { $0.email == nil || EmailAddress.isDeliverable($0.email!) })
    }

    // MARK: Failed deliveries

    @Test func aPermanentRefusalShowsWhoAndWhyInFrenchAndOffersToCorrectTheAddressRatherThanRetry() throws {
        let world = try Fixture()
        _ = try world.programme()
        let outbox = world.client.app.outbox
        let confirmation = try #require(try outbox.list(state: .pending, kind: .enrolmentConfirmation, participantID: world.ana.id).first)
        let reminder = try #require(try outbox.list(state: .pending, kind: .sessionReminder, participantID: world.ana.id).first)
        let libcurl = "SMTP delivery to ana@example.org via smtp.example.org:587 failed: Failed sending data to the peer (RCPT failed: 550)"
        _ = try outbox.markAttemptFailed(id: confirmation.id, error: libcurl, failure: .mailboxUnknown, recipient: "ana@example.org",
                                         permanent: true, policy: ReminderPolicy(), at: Date(), timeZone: Self.paris)
        // A server that stayed unreachable until the last attempt: retrying may help.
        var once = ReminderPolicy()
        once.maxAttempts = 1
        _ = try outbox.markAttemptFailed(id: reminder.id, error: "Couldn't connect to server", failure: .serverUnreachable, recipient: "ana@example.org",
                                         permanent: false, policy: once, at: Date(), timeZone: Self.paris)

        for path in ["/", "/outbox"] {
            let page = try world.client.get(path, as: "coord")
            #expect(page.status == 200, "\(path)")
            let item = try #require(Self.match(#"<li id="failed-\#(confirmation.id)">[\s\S]*?</li>"#, in: page.text), "\(path)")
            #expect(item.contains("Ana Dupont") && item.contains("Confirmation d&#39;inscription"), "\(path)")
            #expect(item.contains("le serveur du destinataire indique que cette boîte aux lettres n&#39;existe pas"), "\(path)")
            #expect(!page.text.contains("RCPT failed") && !page.text.contains("Couldn&#39;t connect"), "no libcurl English on \(path)")
            #expect(!item.contains("/retry") && item.contains(#"href="/participants/\#(world.ana.id)/edit#email""#), "\(path)")
            let other = try #require(Self.match(#"<li id="failed-\#(reminder.id)">[\s\S]*?</li>"#, in: page.text), "\(path)")
            #expect(other.contains("le serveur d&#39;envoi est injoignable") && other.contains(#"action="/outbox/\#(reminder.id)/retry""#))
        }
        #expect(try world.client.get("/outbox", as: "sam").status == 403)
        #expect(try world.client.get("/outbox", as: "root").status == 403)

        // Once the address is corrected, sending again makes sense: the retry comes back.
        var details = try world.client.app.participants.read(id: world.ana.id, by: .system).details
        details.email = "ana.dupont@example.org"
        _ = try world.client.app.participants.update(id: world.ana.id, details, by: .system)
        let corrected = try world.client.get("/outbox", as: "coord")
        #expect(corrected.text.contains(#"action="/outbox/\#(confirmation.id)/retry""#))
        let retried = try world.client.post("/outbox/\(confirmation.id)/retry", [("back", "outbox")], as: "coord")
        #expect(retried.location == "/outbox?done=message_requeued")

        // The API gives the code beside the detail.
        let listed = try world.client.api(.get, "/api/v1/outbox", as: "coord")
        let messages = try #require(try SameRuleTests.json(listed)["messages"] as? [[String: Any]])
        let failed = try #require(messages.first { $0["id"] as? String == reminder.id })
        #expect(failed["failure"] as? String == "server_unreachable" && failed["recipient"] as? String == "ana@example.org")
        #expect(failed["lastError"] as? String == "Couldn't connect to server")
    }

    /// A questionnaire that could not be delivered becomes a phone task: the task and the
    /// participant's record say which message and why in French, not the transport's English.
    @Test func aFailedQuestionnairesTaskSaysWhyInFrenchOnTheTaskAndTheRecord() throws {
        let world = try Fixture()
        let app = world.client.app
        let (_, sessions) = try world.programme()
        try world.client.moveClock(to: sessions[2].endsAt)
        _ = try world.client.post("/sessions/\(sessions[2].id)/attendance", [("attendance.\(world.ana.id)", "present")], as: "claire")
        let message = try #require(try app.outbox.list(state: .pending, kind: .endQuestionnaire, participantID: world.ana.id).first)
        let libcurl = "SMTP delivery to ana@example.org via smtp.example.org:587 failed: Failed sending data to the peer (RCPT failed: 550)"
        _ = try app.outbox.markAttemptFailed(id: message.id, error: libcurl, failure: .mailboxUnknown, recipient: "ana@example.org",
                                             permanent: true, policy: ReminderPolicy(), at: Date(), timeZone: Self.paris)
        let task = try #require(try app.tasks.list(state: .open, assignedTo: nil, participantID: world.ana.id).first { $0.kind == .deliveryFailed })
        let said = "Message non remis (Questionnaires de fin) : le serveur du destinataire indique que cette boîte aux lettres "
            + "n&#39;existe pas : vérifiez l&#39;adresse avec la personne."
        let page = try world.client.get("/tasks/\(task.id)", as: "coord")
        #expect(page.status == 200 && page.text.contains(said), "\(page.text)")
        let record = try world.client.get("/participants/\(world.ana.id)", as: "coord")
        #expect(record.status == 200 && record.text.contains(said))
        for text in [page.text, record.text] { #expect(!text.contains("RCPT failed") && !text.contains("end_questionnaire")) }
    }

    // MARK: Phone tasks

    @Test func aSessionChangeTaskSaysWhichSessionWhenAndEveryWayToReachThePerson() throws {
        let world = try Fixture()
        let app = world.client.app
        let bruno = try app.participants.create(try ParticipantDetails(
            firstName: "Bruno", lastName: "Lefèvre", birthYear: 1970, phone: "06 11 22 33 44",
            postalAddress: "Résidence Les Tilleuls, bât. B\n12 rue des Lilas\n59000 Lille", consentFollowUp: true).validated(currentYear: 2026), by: .system)
        // An email but no consent to mail, and no phone: the email is how to reach her.
        let chloe = try app.participants.create(try ParticipantDetails(
            firstName: "Chloé", lastName: "Petit", birthYear: 1975, email: "chloe@example.org").validated(currentYear: 2026), by: .system)
        let (id, sessions) = try world.programme()
        for participant in [bruno, chloe] { _ = try world.client.post("/programmes/\(id)/enrolments", [("participantId", participant.id)], as: "coord") }
        let before = sessions[1]
        // The same day, an hour and a half later.
        let day = LocalDateTime(before.startsAt, in: Self.paris).date
        let later = try #require(LocalDateTime(iso: "\(day.iso)T19:30"))
        let moved = try world.client.post("/sessions/\(before.id)/reschedule", [("start", "\(day.iso)T19:30"), ("reason", "Salle indisponible")],
                                          as: "coord")
        #expect(moved.status == 303)
        for participant in [bruno, chloe] {
            let notice = try #require(try app.outbox.list(state: .pending, kind: .sessionChanged, participantID: participant.id).first)
            _ = try app.outbox.prepare(id: notice.id, at: Date(), tokenDays: 60, timeZone: Self.paris)
        }
        let task = try #require(try app.tasks.list(state: .open, assignedTo: nil, participantID: bruno.id).first)
        #expect(task.kind == .sessionChangeCall)

        let page = try world.client.get("/tasks/\(task.id)", as: "coord")
        #expect(page.status == 200)
        let old = DateWording.day(before.startsAt, in: Self.paris, language: "fr") + " à " + DateWording.time(before.startsAt, in: Self.paris, language: "fr")
        let new = DateWording.day(day, language: "fr") + " à 19 h 30"
        #expect(page.text.contains("la séance 2 « \(before.title) » du programme « Printemps sans tabac » est déplacée au \(new) (au lieu du \(old))"))
        #expect(page.text.contains("<strong>\(new)</strong>") && page.text.contains(old))
        #expect(page.text.contains(#"<a href="tel:0611223344">06 11 22 33 44</a>"#))
        #expect(page.text.contains("Résidence Les Tilleuls, bât. B<br>12 rue des Lilas<br>59000 Lille<br>"))

        let chloeTask = try #require(try app.tasks.list(state: .open, assignedTo: nil, participantID: chloe.id).first)
        let chloePage = try world.client.get("/tasks/\(chloeTask.id)", as: "coord")
        #expect(chloePage.text.contains(#"<a href="mailto:chloe@example.org">chloe@example.org</a> <span class="muted">(pas de téléphone : écrivez-lui)</span>"#))
        let list = try world.client.get("/tasks", as: "coord")
        #expect(list.text.contains(#"href="tel:0611223344""#) && list.text.contains(#"href="mailto:chloe@example.org""#))

        // The API says which session and both times.
        let body = try SameRuleTests.json(try world.client.api(.get, "/api/v1/tasks/\(task.id)", as: "coord"))
        let session = try #require(body["session"] as? [String: Any])
        #expect(session["index"] as? Int == 2 && session["cancelled"] as? Bool == false && session["title"] as? String == before.title)
        #expect(session["startsAt"] as? String == ISO8601DateFormatter().string(from: later.instant(in: Self.paris)))
        #expect(session["previousStartsAt"] as? String == ISO8601DateFormatter().string(from: before.startsAt))
    }

    @Test func aCancelledSessionsTaskSaysWhichSessionAndTheDateThatNoLongerHolds() throws {
        let world = try Fixture()
        let app = world.client.app
        let bruno = try app.participants.create(try ParticipantDetails(
            firstName: "Bruno", lastName: "Lefèvre", birthYear: 1970, phone: "06 11 22 33 44").validated(currentYear: 2026), by: .system)
        let (id, sessions) = try world.programme()
        _ = try world.client.post("/programmes/\(id)/enrolments", [("participantId", bruno.id)], as: "coord")
        let cancelled = try world.client.post("/sessions/\(sessions[1].id)/cancel", [("reason", "Intervenante absente")], as: "coord")
        #expect(cancelled.status == 303)
        let notice = try #require(try app.outbox.list(state: .pending, kind: .sessionCancelled, participantID: bruno.id).first)
        _ = try app.outbox.prepare(id: notice.id, at: Date(), tokenDays: 60, timeZone: Self.paris)
        let task = try #require(try app.tasks.list(state: .open, assignedTo: nil, participantID: bruno.id).first)
        let page = try world.client.get("/tasks/\(task.id)", as: "coord")
        let when = DateWording.day(sessions[1].startsAt, in: Self.paris, language: "fr") + " à "
            + DateWording.time(sessions[1].startsAt, in: Self.paris, language: "fr")
        #expect(page.text.contains("la séance 2 « \(sessions[1].title) » du programme « Printemps sans tabac », prévue le \(when), est annulée"))
        #expect(page.text.contains("<s>\(when)</s> — annulée"))
        let body = try SameRuleTests.json(try world.client.api(.get, "/api/v1/tasks/\(task.id)", as: "coord"))
        #expect((body["session"] as? [String: Any])?["cancelled"] as? Bool == true)
    }

    // MARK: Letters and their codes

    static func code(_ letter: String) -> String? { match(#"id="letter-code">([2-9A-Z]{3}-[2-9A-Z]{3}-[2-9A-Z]{3})<"#, in: letter, group: 1) }
    static func link(_ letter: String) -> String? { match(#"https://relais\.example\.org/q/[A-Za-z0-9_-]{43}"#, in: letter) }

    @Test func theLetterIsALetterWithTheStructureTheAddressTheDateInWordsAndAShortCode() throws {
        let world = try Fixture(configure: Self.configured())
        let (task, _) = try world.questionnaireTask()
        let letter = try world.client.get("/tasks/\(task.id)/letter", as: "coord")
        #expect(letter.status == 200)
        let text = letter.text
        #expect(text.contains("<h1>Votre avis sur le programme « Printemps sans tabac »</h1>"))
        #expect(text.contains(#"<p class="letter-date">Le \#(DateWording.date(world.client.app.today, language: "fr"))</p>"#))
        #expect(text.contains("<strong>CSAPA Nord</strong>") && text.contains("<br>Centre de soins<br>12 rue de la Paix<br>59000 Lille"))
        #expect(text.contains("Tél. 03 20 00 00 00"))
        #expect(text.contains("Chloé Petit<br>Résidence Les Tilleuls<br>12 rue des Lilas<br>59000 Lille</address>"))
        #expect(text.contains(#"<strong class="letter-url">https://relais.example.org/c</strong>"#))
        let code = try #require(Self.code(text))
        let link = try #require(Self.link(text))
        #expect(text.contains("☐"))
        // Printed again: the same code and link (the letter already posted stays valid).
        let again = try world.client.get("/tasks/\(task.id)/letter", as: "coord").text
        #expect(Self.code(again) == code && Self.link(again) == link)
        // Stored as digests only: neither the code nor the link is in the database.
        let rows = try world.client.app.store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT token_hash || ' ' || code_hash FROM questionnaire_token WHERE letter_nonce IS NOT NULL")
        }
        #expect(rows.count == 1 && !rows[0].contains(code.replacingOccurrences(of: "-", with: "")) && !rows[0].contains(link.suffix(43)))
    }

    @Test func theCodeOpensTheSameSingleUseQuestionnaireAsTheLinkAndEitherUsesItUp() throws {
        let world = try Fixture(configure: Self.configured())
        let (task, _) = try world.questionnaireTask()
        let letter = try world.client.get("/tasks/\(task.id)/letter", as: "coord").text
        let code = try #require(Self.code(letter))
        let path = String(try #require(Self.link(letter)).dropFirst("https://relais.example.org".count))

        let form = try world.client.get("/c", as: nil)
        #expect(form.status == 200 && form.text.contains("<h1>Saisissez le code de votre courrier</h1>") && form.text.contains(#"name="code""#))
        // Typed in small letters with spaces: the questionnaire of the letter's link.
        let typed = code.lowercased().replacingOccurrences(of: "-", with: " ")
        let opened = try world.client.post("/c", [("code", typed)], as: nil)
        #expect(opened.status == 303 && opened.location == path)
        let questionnaire = try world.client.get(path, as: nil)
        #expect(questionnaire.status == 200 && questionnaire.text.contains("Bonjour Chloé"))
        #expect(try world.client.post(path, world.endAnswers(), as: nil).text.contains("Merci"))
        // Used up through the code: the code and the link both say so, politely, without data.
        let codeAgain = try world.client.post("/c", [("code", code)], as: nil)
        #expect(codeAgain.status == 410 && codeAgain.text.contains("Questionnaire déjà rempli") && !codeAgain.text.contains("Chloé"))
        let linkAgain = try world.client.get(path, as: nil)
        #expect(linkAgain.status == 410 && !linkAgain.text.contains("Chloé"))
        #expect(try world.client.app.tasks.task(id: task.id).state == .done)
        // The letter printed now carries no code any more.
        #expect(Self.code(try world.client.get("/tasks/\(task.id)/letter", as: "coord").text) == nil)
    }

    @Test func wrongCodesAreThrottledPerAddressAndInAllAndAnUnknownCodeGetsAPolitePage() throws {
        let world = try Fixture(configure: Self.configured())
        let (task, _) = try world.questionnaireTask()
        let code = try #require(Self.code(try world.client.get("/tasks/\(task.id)/letter", as: "coord").text))
        let wrong = code.first == "K" ? "M7M-4QX-9TR" : "K7M-4QX-9TR"

        let unknown = try world.client.post("/c", [("code", wrong)], as: nil)
        #expect(unknown.status == 404 && unknown.text.contains("Ce code ne correspond à aucun questionnaire") && !unknown.text.contains("Chloé"))
        let malformed = try world.client.post("/c", [("code", "K7M-4QX")], as: nil)
        #expect(malformed.status == 422 && malformed.text.contains("Un code a 9 caractères"), "not counted: it cannot be a code")

        // From one address: 5 wrong codes, then each further attempt waits, the right one too.
        for _ in 1...5 { #expect(try world.client.post("/c", [("code", wrong)], as: nil, clientAddress: "10.0.0.1").status == 404) }
        let throttled = try world.client.post("/c", [("code", code)], as: nil, clientAddress: "10.0.0.1")
        #expect(throttled.status == 429 && throttled.headers[.retryAfter].flatMap(Int.init).map { (1...60).contains($0) } == true)
        #expect(throttled.text.contains("Trop de codes erronés ont été saisis") && throttled.text.contains("attendez une minute avant de réessayer"))
        // Another address is not slowed by it.
        #expect(try world.client.post("/c", [("code", code)], as: nil, clientAddress: "10.0.0.2").status == 303)

        // In all: past 50 wrong codes within 15 minutes, from however many addresses, everyone waits.
        for index in 1...44 { #expect(try world.client.post("/c", [("code", wrong)], as: nil, clientAddress: "10.1.0.\(index)").status == 404) }
        #expect(try world.client.post("/c", [("code", code)], as: nil, clientAddress: "10.2.0.1").status == 429)
    }

    // MARK: The address links name

    @Test func administratorsAreWarnedWhenLinksNameAnAddressParticipantsCannotOpen() throws {
        let world = try Fixture(configure: Self.configured(publicBaseURL: nil))
        let app = world.client.app
        app.actions.settings.serveLinks(at: "http://127.0.0.1:41234")
        for path in ["/", "/admin/settings"] {
            let page = try world.client.get(path, as: "root")
            let warning = try #require(Self.match(#"<div class="warning" role="alert" id="link-warning">[\s\S]*?</div>"#, in: page.text), "\(path)")
            #expect(warning.contains("http://127.0.0.1:41234") && warning.contains("les participants ne pourront pas l&#39;ouvrir de chez eux")
                    && warning.contains("http.public_base_url"), "\(path)")
        }
        // The settings page shows the address served, and the structure's letterhead.
        let settings = try world.client.get("/admin/settings", as: "root").text
        #expect(settings.contains("<td data-label=\"Valeur en vigueur\">http://127.0.0.1:41234"))
        #expect(settings.contains("Centre de soins, 12 rue de la Paix, 59000 Lille") && settings.contains("03 20 00 00 00"))
        #expect(!(try world.client.get("/", as: "coord").text.contains("link-warning")), "for administrators")

        let public_ = try Fixture(configure: Self.configured(publicBaseURL: "https://relais.example.org"))
        for path in ["/", "/admin/settings"] { #expect(!(try public_.client.get(path, as: "root").text.contains("link-warning")), "\(path)") }
    }
}
