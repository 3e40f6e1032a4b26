import Foundation
import RelaisTestSupport
import Testing

/// The administration pages on a running daemon: the test email through a real SMTP server
/// (aiosmtpd), and an account created on the page that logs in through the browser flow.
@Suite("Administration on a running daemon", .serialized)
struct AdminMailTests {
    static func configuration(_ directory: TemporaryDirectory, smtpPort: Int) throws -> String {
        let file = directory.file("relais.yaml")
        try """
            structure:
              name: CSAPA Nord
            mail:
              transport: smtp
              from: relais@csapa-nord.example.org
              smtp:
                host: 127.0.0.1
                port: \(smtpPort)
                security: none
                username: relais
                password: Tr3s-S3cret-Passw0rd
                timeout_seconds: 5
              sweep_interval_seconds: 3600
            """.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    /// An administrator added through the CLI, logged in through the login form.
    static func adminSession(_ daemon: Daemon) throws -> String {
        let added = try daemon.cli(["user", "add", "root", "--role", "admin"], stdin: "root password 123\n")
        guard added.status == 0 else { throw TestHTTPError(description: "user add failed: \(added.stderr)") }
        let login = try logIn(daemon, name: "root", password: "root password 123")
        guard login.status == 303, let session = login.session else { throw TestHTTPError(description: "login failed: \(login.status)") }
        return session
    }

    @Test func theTestEmailGoesThroughTheConfiguredSMTPServerAndAFailureIsShownOnThePage() throws {
        let server = try SMTPTestServer(auth: (user: "relais", password: "Tr3s-S3cret-Passw0rd"))
        let directory = TemporaryDirectory()
        let config = try Self.configuration(directory, smtpPort: server.port)
        let daemon = try Daemon(directory: directory, arguments: ["--config", config])
        let cookie = [("Cookie", "relais_session=\(try Self.adminSession(daemon))")]

        let settings = try TestHTTP.get(port: daemon.port, "/admin/settings", headers: cookie)
        #expect(settings.status == 200)
        #expect(settings.text.contains("127.0.0.1:\(server.port)") && settings.text.contains("relais@csapa-nord.example.org"))
        #expect(!settings.text.contains("Tr3s-S3cret-Passw0rd"), "the SMTP password never shows")
        #expect(!settings.text.contains("pas configurée dans ce processus"))
        let csrf = try #require(csrfField(in: settings.text))

        let sent = try TestHTTP.postForm(port: daemon.port, "/admin/settings/test-email",
                                         [("_csrf", csrf), ("recipient", "claire.martin@example.org")], headers: cookie)
        #expect(sent.status == 303, "\(sent.text)")
        #expect(sent.header("Location") == "/admin/settings?done=a_done_test_email")
        let messages = server.waitForMessages(1)
        #expect(messages.count == 1)
        let message = try PythonEmail.parse(try #require(messages.first))
        #expect(message.defects.isEmpty, "\(message.defects)")
        #expect(message.subject?.hasPrefix("Message de test de Relais") == true)
        #expect(message.addresses("from").map(\.address) == ["relais@csapa-nord.example.org"])
        #expect(message.addresses("to").map(\.address) == ["claire.martin@example.org"])
        #expect(message.contentType == "multipart/alternative")
        #expect(message.partTypes.contains("text/plain") && message.partTypes.contains("text/html"))
        #expect(message.text?.contains("message de test de Relais") == true)
        #expect(message.html?.contains("message de test de Relais") == true)
        #expect(server.envelopes().first == SMTPEnvelope(mailFrom: "relais@csapa-nord.example.org", rcptTos: ["claire.martin@example.org"]))

        let after = try TestHTTP.get(port: daemon.port, "/admin/settings?done=a_done_test_email", headers: cookie)
        #expect(after.text.contains("E-mail de test envoyé"))
        #expect(after.text.contains("envoyé via smtp (127.0.0.1:\(server.port)) à claire.martin@example.org"))

        // The server goes down: the page shows the transport's error next to the field.
        server.stop()
        let failed = try TestHTTP.postForm(port: daemon.port, "/admin/settings/test-email",
                                           [("_csrf", csrf), ("recipient", "claire.martin@example.org")], headers: cookie)
        #expect(failed.status == 502)
        #expect(failed.text.contains("id=\"test-recipient-error\""))
        #expect(failed.text.contains("L&#39;envoi a échoué") && failed.text.contains("127.0.0.1:\(server.port) failed"))
        #expect(failed.text.contains("le serveur de messagerie est injoignable") && failed.text.contains("Détail technique"))
        #expect(failed.text.contains("value=\"claire.martin@example.org\""))
        #expect(server.messages().count == 1)

        let invalid = try TestHTTP.postForm(port: daemon.port, "/admin/settings/test-email",
                                            [("_csrf", csrf), ("recipient", "claire")], headers: cookie)
        #expect(invalid.status == 422)
        #expect(daemon.stop() == 0)
    }

    @Test func anAccountCreatedOnThePageLogsInWithItsOneTimePasswordAndMustChangeIt() throws {
        let daemon = try Daemon()
        let cookie = [("Cookie", "relais_session=\(try Self.adminSession(daemon))")]
        let users = try TestHTTP.get(port: daemon.port, "/admin/users", headers: cookie)
        #expect(users.status == 200)
        let csrf = try #require(csrfField(in: users.text))
        let created = try TestHTTP.postForm(port: daemon.port, "/admin/users",
                                            [("_csrf", csrf), ("name", "claire"), ("displayName", "Claire Martin"), ("role", "tabacologue")],
                                            headers: cookie)
        #expect(created.status == 201)
        #expect(created.header("Cache-Control") == "no-store")
        let range = try #require(created.text.range(of: #"<code class="admin-secret">[^<]+</code>"#, options: .regularExpression))
        let password = String(created.text[range].dropFirst(#"<code class="admin-secret">"#.count).dropLast("</code>".count))

        let login = try logIn(daemon, name: "claire", password: password)
        #expect(login.status == 303 && login.location == "/account/password")
        let claire = [("Cookie", "relais_session=\(login.session ?? "")")]
        #expect(try TestHTTP.get(port: daemon.port, "/", headers: claire).header("Location") == "/account/password")
        #expect(try TestHTTP.get(port: daemon.port, "/admin/users", headers: claire).header("Location") == "/account/password")
        #expect(daemon.stop() == 0)
    }
}
