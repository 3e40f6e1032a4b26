import Foundation
import HTTPServer
import RelaisDomain
import RelaisStore
import RelaisUseCases
@testable import RelaisWeb
import Testing

/// Issue 13 ("a record staff can trust"): addresses Relais can deliver to, failed deliveries staff
/// can act on.
@Suite("Addresses Relais can deliver to, and failed deliveries staff can act on")
struct LetterTests {
    typealias Fixture = ProgrammePageTests.Fixture
    static let paris = TimeZone(identifier: "Europe/Paris")!

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
        #expect(try world.client.app.participants.list(search: "Martin", by: .system).isEmpty)

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

    /// A questionnaire that could not be delivered becomes a phone task: the participant's record
    /// says which message and why in French, not the transport's English.
    @Test func aFailedQuestionnairesTaskSaysWhyInFrenchOnTheRecord() throws {
        let world = try Fixture()
        let app = world.client.app
        let (_, sessions) = try world.programme()
        _ = try world.client.post("/sessions/\(sessions[2].id)/attendance", [("attendance.\(world.ana.id)", "present")], as: "claire")
        let message = try #require(try app.outbox.list(state: .pending, kind: .endQuestionnaire, participantID: world.ana.id).first)
        let libcurl = "SMTP delivery to ana@example.org via smtp.example.org:587 failed: Failed sending data to the peer (RCPT failed: 550)"
        _ = try app.outbox.markAttemptFailed(id: message.id, error: libcurl, failure: .mailboxUnknown, recipient: "ana@example.org",
                                             permanent: true, policy: ReminderPolicy(), at: Date(), timeZone: Self.paris)
        #expect(try app.tasks.list(state: .open, assignedTo: nil, participantID: world.ana.id).contains { $0.kind == .deliveryFailed })
        let said = "Message non remis (Questionnaires de fin) : le serveur du destinataire indique que cette boîte aux lettres "
            + "n&#39;existe pas : vérifiez l&#39;adresse avec la personne."
        let record = try world.client.get("/participants/\(world.ana.id)", as: "coord")
        #expect(record.status == 200 && record.text.contains(said))
        #expect(!record.text.contains("RCPT failed") && !record.text.contains("end_questionnaire"))
    }
}
