import Foundation
import HTTPServer
import HTTPTypes
import Logging
import RelaisConfig
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

/// An app like `makeApp()`, with a configuration of the test's choosing.
private func adminApp(_ configuration: Configuration = Configuration()) throws -> RelaisApp {
    let directory = NSTemporaryDirectory() + "relais-admin-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    var configuration = configuration
    configuration.dataDir = directory
    let store = try Store(path: directory + "/relais.sqlite")
    let protocols = repositoryRoot.appendingPathComponent("Protocols").path
    return try RelaisApp(configuration: configuration, store: store, protocols: try ProtocolsLoader.catalog(directory: protocols), logger: Logger(label: "test"))
}

/// The text of the element with that id (up to its first closing tag), or nil when absent.
private func element(_ id: String, in html: String) -> String? {
    guard let start = html.range(of: "id=\"\(id)\"") else { return nil }
    guard let close = html.range(of: "</", range: start.upperBound..<html.endIndex) else { return nil }
    guard let open = html.range(of: ">", range: start.upperBound..<close.lowerBound) else { return nil }
    return String(html[open.upperBound..<close.lowerBound])
}

/// The one-time password of the page that shows it.
private func oneTimePassword(in html: String) -> String? {
    guard let range = html.range(of: #"<code class="admin-secret">[^<]+</code>"#, options: .regularExpression) else { return nil }
    return String(html[range].dropFirst(#"<code class="admin-secret">"#.count).dropLast("</code>".count))
}

private func audit(_ app: RelaisApp, _ entity: String, _ id: String? = nil) throws -> [AuditEntry] {
    try app.store.auditEntries(entity: entity, id: id)
}

@Suite("Administration pages")
struct AdminPageTests {
    static let paths = ["/admin", "/admin/users", "/admin/sites", "/admin/settings"]

    @Test func theIndexLinksTheThreeSectionsInFrench() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        let page = try client.get("/admin", as: "root")
        #expect(page.status == 200)
        #expect(page.text.contains("<h1>Administration</h1>"))
        for link in ["/admin/users", "/admin/sites", "/admin/settings"] {
            #expect(page.text.contains("href=\"\(link)\""), "links \(link)")
        }
        #expect(page.text.contains("<html lang=\"fr\">"))
        #expect(try client.get("/admin/users", as: "root").status == 200)
        #expect(try client.get("/admin/sites", as: "root").status == 200)
        #expect(try client.get("/admin/settings", as: "root").status == 200)
    }

    @Test(arguments: [Role.coordinator, .tabacologue, .peerHelper])
    func everyOtherRoleIsRefused(_ role: Role) throws {
        let client = try PageClient()
        let admin = try client.user("root", role: .admin)
        try client.user("someone", role: role)
        for path in Self.paths {
            #expect(try client.get(path, as: "someone").status == 403, "GET \(path) as \(role)")
        }
        let posts: [(String, [(String, String)])] = [
            ("/admin/users", [("name", "intrus"), ("role", "admin")]),
            ("/admin/users/\(admin.id)/role", [("role", "peer_helper")]),
            ("/admin/users/\(admin.id)/disable", []),
            ("/admin/users/\(admin.id)/reset-password", []),
            ("/admin/sites", [("name", "Site pirate")]),
            ("/admin/settings/test-email", [("recipient", "x@example.org")]),
        ]
        for (path, fields) in posts {
            let page = try client.post(path, fields, as: "someone")
            #expect(page.status == 403, "POST \(path) as \(role)")
        }
        #expect(try client.app.accounts.user(named: "intrus") == nil)
        #expect(try client.app.accounts.user(id: admin.id)?.role == .admin)
        #expect(try client.app.sites.all().isEmpty)
    }

    @Test func withoutASessionThePagesLeadToTheLogin() throws {
        let client = try PageClient()
        for path in Self.paths {
            let page = try client.get(path, as: nil)
            #expect(page.status == 303 && page.location == "/login", "\(path)")
        }
    }

    @Test func aPostWithoutTheCSRFTokenIsRefused() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        let page = try client.post("/admin/users", [("name", "claire"), ("role", "tabacologue")], as: "root", csrf: false)
        #expect(page.status == 403)
        #expect(try client.app.accounts.user(named: "claire") == nil)
        #expect(try client.post("/admin/sites", [("name", "CSAPA Nord")], as: "root", csrf: false).status == 403)
        #expect(try client.app.sites.all().isEmpty)
    }

    @Test func creatingAnAccountShowsItsOneTimePasswordOnceAndItMustBeChanged() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        let list = try client.get("/admin/users", as: "root")
        #expect(list.text.contains("Root") && list.text.contains("Administrateur") && list.text.contains("(vous)"))
        #expect(list.text.contains("<label for=\"user-new-name\">"))

        let created = try client.post("/admin/users", [("name", "claire.m"), ("displayName", "Claire Martin"),
                                                       ("role", "tabacologue"), ("email", "Claire@Example.org ")], as: "root")
        #expect(created.status == 201)
        #expect(created.headers[.cacheControl] == "no-store")
        #expect(created.text.contains("Mot de passe à usage unique"))
        #expect(created.text.contains("n'est affiché qu'une seule fois") || created.text.contains("n&#39;est affiché qu&#39;une seule fois"))
        let password = try #require(oneTimePassword(in: created.text))
        #expect(password.count >= PasswordRule.minimumLength)

        let user = try #require(try client.app.accounts.user(named: "claire.m"))
        #expect(user.role == .tabacologue && user.displayName == "Claire Martin" && user.email == "claire@example.org")
        #expect(user.mustChangePassword)
        guard case .success(let loggedIn) = try client.app.accounts.login(name: "claire.m", password: password, clientAddress: "10.0.0.9") else {
            Issue.record("the one-time password does not log in")
            return
        }
        #expect(loggedIn.mustChangePassword)
        #expect(try audit(client.app, "user", user.id).contains { $0.action == "create" && $0.actorName == "root" })

        // Shown once: the list never shows it again.
        let after = try client.get("/admin/users", as: "root")
        #expect(!after.text.contains(password))
        #expect(after.text.contains("claire.m") && after.text.contains("Tabacologue") && after.text.contains("claire@example.org"))
        #expect(after.text.contains("Mot de passe provisoire"))
    }

    @Test func creationErrorsAreShownNextToTheirFieldsWithTheValuesKept() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        let page = try client.post("/admin/users", [("name", "é"), ("displayName", "Élodie <b>"), ("role", "boss"), ("email", "pas-une-adresse")],
                                   as: "root")
        #expect(page.status == 422)
        #expect(page.text.contains("class=\"error-summary\""))
        for field in ["user-new-name", "user-new-role", "user-new-email"] {
            #expect(page.text.contains("<a href=\"#\(field)\">"), "summary links \(field)")
            #expect(page.text.contains("aria-describedby=\"\(field)-error\""), "\(field) described by its error")
            #expect(element("\(field)-error", in: page.text)?.isEmpty == false, "\(field) has its message")
        }
        #expect(element("user-new-email-error", in: page.text)?.contains("adresse e-mail valide") == true)
        #expect(page.text.contains("value=\"pas-une-adresse\""))
        #expect(page.text.contains("value=\"Élodie &lt;b&gt;\""), "kept and escaped")
        #expect(try client.app.accounts.users().count == 1)
    }

    @Test func aNameAlreadyTakenIsAConflictShownNextToTheName() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        try client.user("claire", role: .tabacologue)
        let page = try client.post("/admin/users", [("name", "claire"), ("displayName", "Autre Claire"), ("role", "coordinator")], as: "root")
        #expect(page.status == 409)
        #expect(element("user-new-name-error", in: page.text)?.contains("déjà utilisé") == true)
        #expect(page.text.contains("value=\"Autre Claire\""))
        #expect(page.text.contains("<option value=\"coordinator\" selected>"))
    }

    @Test func roleChangeDisableAndEnableWriteAuditRows() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        let claire = try client.user("claire", role: .tabacologue)

        let changed = try client.post("/admin/users/\(claire.id)/role", [("role", "coordinator")], as: "root")
        #expect(changed.status == 303)
        #expect(changed.location == "/admin/users?done=a_done_role_changed")
        #expect(try client.get(changed.location ?? "", as: "root").text.contains("Rôle modifié."))
        #expect(try client.app.accounts.user(id: claire.id)?.role == .coordinator)

        let disabled = try client.post("/admin/users/\(claire.id)/disable", [], as: "root")
        #expect(disabled.status == 303 && disabled.location == "/admin/users?done=a_done_user_disabled")
        #expect(try client.app.accounts.user(id: claire.id)?.isDisabled == true)
        #expect(try client.get("/", as: "claire").status == 303, "her session ended")
        #expect(try client.app.accounts.login(name: "claire", password: "a long password", clientAddress: "10.0.0.2") == .invalid)
        #expect(try client.get("/admin/users", as: "root").text.contains("Désactivé le"))

        let enabled = try client.post("/admin/users/\(claire.id)/enable", [], as: "root")
        #expect(enabled.status == 303 && enabled.location == "/admin/users?done=a_done_user_enabled")
        #expect(try client.app.accounts.user(id: claire.id)?.isDisabled == false)
        if case .success = try client.app.accounts.login(name: "claire", password: "a long password", clientAddress: "10.0.0.2") {} else {
            Issue.record("an enabled account logs in again")
        }

        let rows = try audit(client.app, "user", claire.id)
        #expect(rows.contains { $0.action == "change_role" && $0.detail == "role=tabacologue->coordinator" && $0.actorName == "root" })
        #expect(rows.contains { $0.action == "disable" && $0.actorName == "root" })
        #expect(rows.contains { $0.action == "enable" && $0.actorName == "root" })
        #expect(rows.allSatisfy { $0.actorName != "root" || $0.clientAddress == "127.0.0.1" })

        let bad = try client.post("/admin/users/\(claire.id)/role", [("role", "boss")], as: "root")
        #expect(bad.status == 422)
        #expect(element("user-\(claire.id)-role-error", in: bad.text)?.contains("Choisissez un rôle") == true)
        #expect(try client.post("/admin/users/nobody/disable", [], as: "root").status == 404)
    }

    @Test func anAdministratorCannotDisableDemoteOrResetThemself() throws {
        let client = try PageClient()
        let root = try client.user("root", role: .admin)
        try client.user("other", role: .admin)

        let demote = try client.post("/admin/users/\(root.id)/role", [("role", "coordinator")], as: "root")
        #expect(demote.status == 409)
        #expect(element("user-\(root.id)-role-error", in: demote.text)?.contains("propre rôle d&#39;administrateur") == true
                || element("user-\(root.id)-role-error", in: demote.text)?.contains("propre rôle d'administrateur") == true)
        #expect(demote.text.contains("<a href=\"#user-\(root.id)-role\">"))

        let disable = try client.post("/admin/users/\(root.id)/disable", [], as: "root")
        #expect(disable.status == 409)
        #expect(element("user-\(root.id)-actions-error", in: disable.text)?.contains("désactiver votre propre compte") == true)

        let reset = try client.post("/admin/users/\(root.id)/reset-password", [], as: "root")
        #expect(reset.status == 409)
        #expect(oneTimePassword(in: reset.text) == nil)

        let stored = try #require(try client.app.accounts.user(id: root.id))
        #expect(stored.role == .admin && !stored.isDisabled && !stored.mustChangePassword)
        #expect(try client.get("/admin", as: "root").status == 200, "still logged in")
        #expect(try audit(client.app, "user", root.id).allSatisfy { !["change_role", "disable", "reset_password"].contains($0.action) })
    }

    @Test func aResetGivesANewOneTimePasswordAndEndsTheSessions() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        let claire = try client.user("claire", role: .tabacologue)
        let page = try client.post("/admin/users/\(claire.id)/reset-password", [], as: "root")
        #expect(page.status == 200)
        #expect(page.headers[.cacheControl] == "no-store")
        let password = try #require(oneTimePassword(in: page.text))
        #expect(try client.get("/", as: "claire").status == 303, "her session ended")
        #expect(try client.app.accounts.login(name: "claire", password: "a long password", clientAddress: "10.0.0.3") == .invalid)
        client.clock.advance(60)  // the test policy's short delay after a failure, as she would type again
        guard case .success(let user) = try client.app.accounts.login(name: "claire", password: password, clientAddress: "10.0.0.3") else {
            Issue.record("the new one-time password does not log in")
            return
        }
        #expect(user.mustChangePassword)
        #expect(try audit(client.app, "user", claire.id).contains { $0.action == "reset_password" && $0.actorName == "root" })
    }

    @Test func sitesAndRoomsAreCreatedAndEditedWithErrorsPerField() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        #expect(try client.get("/admin/sites", as: "root").text.contains("Aucun site pour le moment."))

        let created = try client.post("/admin/sites", [("name", " CSAPA Nord "), ("address", "1 rue de la Paix, Lille")], as: "root")
        #expect(created.status == 303 && created.location == "/admin/sites?done=a_done_site_created")
        let site = try #require(try client.app.sites.all().first?.0)
        #expect(site.name == "CSAPA Nord" && site.address == "1 rue de la Paix, Lille")
        let list = try client.get(created.location ?? "", as: "root")
        #expect(list.text.contains("Site ajouté.") && list.text.contains("CSAPA Nord") && list.text.contains("1 rue de la Paix, Lille"))

        let empty = try client.post("/admin/sites", [("name", "  "), ("address", "quelque part")], as: "root")
        #expect(empty.status == 422)
        #expect(element("site-new-name-error", in: empty.text)?.contains("nom du site") == true)
        #expect(empty.text.contains("value=\"quelque part\""))
        let duplicate = try client.post("/admin/sites", [("name", "csapa nord")], as: "root")
        #expect(duplicate.status == 409)
        #expect(element("site-new-name-error", in: duplicate.text)?.contains("porte déjà ce nom") == true)

        let edited = try client.post("/admin/sites/\(site.id)", [("name", "CSAPA Lille Nord"), ("address", "2 rue Nationale, Lille")], as: "root")
        #expect(edited.status == 303 && edited.location == "/admin/sites?done=a_done_site_updated")
        #expect(try client.app.sites.site(id: site.id).0.name == "CSAPA Lille Nord")
        _ = try client.post("/admin/sites", [("name", "Maison de santé Sud")], as: "root")
        let clash = try client.post("/admin/sites/\(site.id)", [("name", "Maison de santé Sud"), ("address", "")], as: "root")
        #expect(clash.status == 409)
        #expect(element("site-\(site.id)-name-error", in: clash.text)?.contains("porte déjà ce nom") == true)
        #expect(clash.text.contains("<details open>"), "the failed form is open")

        let room = try client.post("/admin/sites/\(site.id)/rooms", [("name", "Salle 2"), ("capacity", "20")], as: "root")
        #expect(room.status == 303 && room.location == "/admin/sites?done=a_done_room_added")
        let stored = try #require(try client.app.sites.site(id: site.id).1.first)
        #expect(stored.name == "Salle 2" && stored.capacity == 20)
        let badCapacity = try client.post("/admin/sites/\(site.id)/rooms", [("name", "Salle 3"), ("capacity", "beaucoup")], as: "root")
        #expect(badCapacity.status == 422)
        #expect(element("room-new-\(site.id)-capacity-error", in: badCapacity.text)?.contains("de 1 à 500") == true)
        #expect(badCapacity.text.contains("value=\"beaucoup\"") && badCapacity.text.contains("value=\"Salle 3\""))
        let sameRoom = try client.post("/admin/sites/\(site.id)/rooms", [("name", "Salle 2")], as: "root")
        #expect(sameRoom.status == 409)
        #expect(element("room-new-\(site.id)-name-error", in: sameRoom.text)?.contains("déjà une salle de ce nom") == true)

        let renamed = try client.post("/admin/rooms/\(stored.id)", [("name", "Salle Simone Veil"), ("capacity", "")], as: "root")
        #expect(renamed.status == 303 && renamed.location == "/admin/sites?done=a_done_room_updated")
        let after = try #require(try client.app.sites.room(id: stored.id))
        #expect(after.name == "Salle Simone Veil" && after.capacity == nil)
        let badRename = try client.post("/admin/rooms/\(stored.id)", [("name", ""), ("capacity", "0")], as: "root")
        #expect(badRename.status == 422)
        #expect(element("room-\(stored.id)-name-error", in: badRename.text) != nil)
        #expect(element("room-\(stored.id)-capacity-error", in: badRename.text) != nil)
        #expect(try client.post("/admin/rooms/nothing", [("name", "X")], as: "root").status == 404)
        #expect(try client.post("/admin/sites/nothing/rooms", [("name", "X")], as: "root").status == 404)

        let removed = try client.post("/admin/rooms/\(stored.id)/remove", [], as: "root")
        #expect(removed.status == 303 && removed.location == "/admin/sites?done=a_done_room_removed")
        #expect(try client.app.sites.room(id: stored.id) == nil)

        let siteRows = try audit(client.app, "site", site.id)
        #expect(siteRows.contains { $0.action == "create" } && siteRows.contains { $0.action == "update" && $0.detail == "name,address" })
        let roomRows = try audit(client.app, "room", stored.id)
        #expect(Set(roomRows.map(\.action)) == ["create", "update", "delete"])
    }

    @Test func aRoomUsedByAProgrammeCannotBeRemoved() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        let lead = try client.user("claire", role: .tabacologue)
        let site = try client.app.sites.create(name: "CSAPA Nord", address: "", by: .system)
        let room = try client.app.sites.addRoom(siteID: site.id, name: "Salle 2", capacity: 12, by: .system)
        let template = try #require(client.app.templates.first)
        let start = Date(timeIntervalSince1970: 1_900_000_000)
        let sessions = template.sessions.indices.map { index in
            (start: start.addingTimeInterval(Double(index) * 7 * 86400), end: start.addingTimeInterval(Double(index) * 7 * 86400 + 7200),
             holiday: String?.none)
        }
        _ = try client.app.programmes.create(ProgrammeDraft(
            template: template, title: "Printemps sans tabac", siteID: site.id, roomID: room.id, modality: .inPerson, visioURL: nil,
            capacity: 12, timeZone: TimeZone(identifier: "Europe/Paris")!, leadID: lead.id, peerHelperID: nil, sessions: sessions,
            followUpDue: CalendarDate(year: 2030, month: 6, day: 1)!), by: .system)

        let list = try client.get("/admin/sites", as: "root")
        #expect(list.text.contains("utilisée par des programmes ou des séances"))
        #expect(!list.text.contains("action=\"/admin/rooms/\(room.id)/remove\""), "no remove button for a used room")
        let refused = try client.post("/admin/rooms/\(room.id)/remove", [], as: "root")
        #expect(refused.status == 409)
        #expect(element("room-\(room.id)-remove", in: refused.text)?.contains("ne peut pas être supprimée") == true)
        #expect(try client.app.sites.room(id: room.id) != nil)
    }

    @Test func theSettingsPageShowsTheEffectiveSettingsButNeverTheSMTPPassword() throws {
        var configuration = Configuration()
        configuration.mailTransport = "smtp"
        configuration.smtpHost = "smtp.example.org"
        configuration.smtpPort = 465
        configuration.smtpSecurity = "tls"
        configuration.smtpUsername = "relais-mailer"
        configuration.smtpPassword = "Tr3s-S3cret-Passw0rd"
        configuration.mailFrom = "relais@csapa-nord.example.org"
        configuration.mailSendFrom = "08:30"
        configuration.mailSendUntil = "18:00"
        configuration.mailSendDays = "mon-fri"
        configuration.publicBaseURL = "https://relais.csapa-nord.example.org"
        configuration.structureName = "CSAPA Nord"
        configuration.sessionIdleMinutes = 20
        let client = try PageClient(app: try adminApp(configuration))
        try client.user("root", role: .admin)
        let page = try client.get("/admin/settings", as: "root")
        #expect(page.status == 200)
        #expect(!page.text.contains("Tr3s-S3cret-Passw0rd"))
        #expect(page.text.contains("Mot de passe SMTP") && page.text.contains(">défini<"))
        for expected in ["SMTP (serveur de messagerie)", "smtp.example.org:465", "TLS dès la connexion", "relais-mailer",
                         "relais@csapa-nord.example.org", "08:30 – 18:00", "du lundi au vendredi", "https://relais.csapa-nord.example.org",
                         "CSAPA Nord", "Europe/Paris", ">20<", "config/relais.yaml",
                         "<code>mail.smtp.password</code>", "<code>RELAIS_MAIL_SMTP_PASSWORD</code>",
                         "<code>mail.send_days</code>", "<code>RELAIS_HTTP_PUBLIC_BASE_URL</code>",
                         "<code>security.session_idle_minutes</code>", "File d&#39;envoi", "Envoyer un e-mail de test"] {
            #expect(page.text.contains(expected) || page.text.contains(expected.replacingOccurrences(of: "&#39;", with: "'")), "shows \(expected)")
        }
        #expect(page.text.contains("<label for=\"test-recipient\">"))
        // No way to change a setting from the page: its only forms are the test email and SMS (and logout).
        let actions = page.text.components(separatedBy: "<form method=\"post\" action=\"").dropFirst().map { $0.prefix { $0 != "\"" } }
        #expect(Set(actions) == ["/logout", "/admin/settings/test-email", "/admin/settings/test-sms"])

        var unset = configuration
        unset.smtpPassword = nil
        let other = try PageClient(app: try adminApp(unset))
        try other.user("root", role: .admin)
        #expect(try other.get("/admin/settings", as: "root").text.contains(">non défini<"))
    }

    @Test func theSettingsPageCountsTheOutboxByState() throws {
        let client = try PageClient()
        try client.user("root", role: .admin)
        let page = try client.get("/admin/settings", as: "root")
        for state in OutboxState.allCases {
            #expect(page.text.contains("id=\"outbox-\(state.rawValue)\""), "row for \(state)")
        }
        #expect(page.text.contains("<tr id=\"outbox-pending\"><th scope=\"row\">En attente</th><td>0</td></tr>"))
        #expect(page.text.contains("Maildir"))
    }

    @Test func theTestEmailButtonReportsSuccessInvalidAddressesAndTransportErrors() throws {
        let client0 = try PageClient()
        try client0.user("root", role: .admin)
        #expect(try client0.get("/admin/settings", as: "root").text.contains("pas configurée dans ce processus"))
        let unconfigured = try client0.post("/admin/settings/test-email", [("recipient", "moi@example.org")], as: "root")
        #expect(unconfigured.status == 503)
        #expect(element("test-recipient-error", in: unconfigured.text)?.contains("pas configurée") == true)

        final class Calls: @unchecked Sendable {
            let lock = NSLock()
            var recipients: [String] = []
            var failWith: String?
        }
        struct FakeFailure: Error, CustomStringConvertible { var description: String }
        let calls = Calls()
        var app = try adminApp()
        app.mailTester = { recipient in
            try calls.lock.withLock {
                calls.recipients.append(recipient)
                if let reason = calls.failWith { throw FakeFailure(description: reason) }
            }
            return "envoyé via smtp (127.0.0.1:2525) à \(recipient)"
        }
        let client = try PageClient(app: app)
        try client.user("root", role: .admin)

        let invalid = try client.post("/admin/settings/test-email", [("recipient", "pas une adresse")], as: "root")
        #expect(invalid.status == 422)
        #expect(element("test-recipient-error", in: invalid.text)?.contains("adresse e-mail valide") == true)
        #expect(invalid.text.contains("value=\"pas une adresse\"") && invalid.text.contains("<a href=\"#test-recipient\">"))
        let accented = try client.post("/admin/settings/test-email", [("recipient", "élodie@example.org")], as: "root")
        #expect(accented.status == 422)
        #expect(element("test-recipient-error", in: accented.text)?.contains("Ce qui ne va pas : les lettres accentuées (é, è, ç…)") == true)
        #expect(calls.lock.withLock { calls.recipients.isEmpty })

        let sent = try client.post("/admin/settings/test-email", [("recipient", " moi@example.org ")], as: "root")
        #expect(sent.status == 303 && sent.location == "/admin/settings?done=a_done_test_email")
        #expect(calls.lock.withLock { calls.recipients } == ["moi@example.org"])
        let shown = try client.get(sent.location ?? "", as: "root")
        #expect(shown.text.contains("E-mail de test envoyé"))
        #expect(shown.text.contains("Dernier e-mail de test") && shown.text.contains("envoyé via smtp (127.0.0.1:2525) à moi@example.org"))
        #expect(try audit(client.app, "mail").contains { $0.action == "test_email" && $0.actorName == "root" })

        calls.lock.withLock { calls.failWith = "SMTP delivery to moi@example.org via 127.0.0.1:2525 failed: Couldn't connect to server" }
        let failed = try client.post("/admin/settings/test-email", [("recipient", "moi@example.org")], as: "root")
        #expect(failed.status == 502)
        let message = try #require(element("test-recipient-error", in: failed.text))
        #expect(message.contains("échoué") && message.contains("Couldn&#39;t connect to server"))
        #expect(failed.text.contains("value=\"moi@example.org\""))
        #expect(try audit(client.app, "mail").first?.action == "test_email_failed")
    }
}
