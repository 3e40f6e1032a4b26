import Foundation
import RelaisTestSupport
import Testing

@Suite("relais serve, end to end", .serialized)
struct DaemonTests {
    @Test func healthzAnswersWithoutAuthentication() throws {
        let daemon = try Daemon()
        let response = try TestHTTP.get(port: daemon.port, "/healthz")
        #expect(response.status == 200)
        #expect(response.json["status"] as? String == "ok")
        #expect(response.json["database"] as? String == "ok")
        #expect(response.json["version"] as? String != nil)
        #expect(daemon.stop() == 0)
    }

    @Test func healthzReportsADatabaseFileBrokenUnderTheDaemonWithinSeconds() throws {
        let daemon = try Daemon()
        #expect(try TestHTTP.get(port: daemon.port, "/healthz").status == 200)
        let path = daemon.dataDir + "/relais.sqlite"
        let header = try DatabaseHeader.overwrite(of: path)
        func healthz(becomes status: Int) throws -> Bool {
            let deadline = Date().addingTimeInterval(5)
            repeat {
                if try TestHTTP.get(port: daemon.port, "/healthz").status == status { return true }
                usleep(100_000)
            } while Date() < deadline
            return false
        }
        #expect(try healthz(becomes: 503))
        #expect(try TestHTTP.get(port: daemon.port, "/healthz").json["database"] as? String == "unavailable")
        try DatabaseHeader.write(header, to: path)
        #expect(try healthz(becomes: 200))
        #expect(daemon.stop() == 0)
    }

    @Test func apiMeNeedsAValidUnrevokedBearerToken() throws {
        let daemon = try Daemon()
        let anonymous = try TestHTTP.get(port: daemon.port, "/api/v1/me")
        #expect(anonymous.status == 401)
        #expect((anonymous.json["error"] as? [String: Any])?["code"] as? String == "unauthorized")
        let bearer = try token(daemon, user: "claire", role: "tabacologue")
        #expect(bearer.hasPrefix("rls_") && !bearer.contains("\n"))
        let me = try TestHTTP.get(port: daemon.port, "/api/v1/me", headers: [("Authorization", "Bearer \(bearer)")])
        #expect(me.status == 200)
        #expect(me.json["name"] as? String == "claire")
        #expect(me.json["role"] as? String == "tabacologue")
        #expect(try TestHTTP.get(port: daemon.port, "/api/v1/me", headers: [("Authorization", "Bearer rls_forged")]).status == 401)

        let listed = try daemon.cli(["token", "list", "claire"])
        let id = ((listed.json as? [[String: Any]])?.first?["id"] as? String) ?? ""
        #expect(try daemon.cli(["token", "revoke", id]).status == 0)
        #expect(try TestHTTP.get(port: daemon.port, "/api/v1/me", headers: [("Authorization", "Bearer \(bearer)")]).status == 401)
        daemon.stop()
    }

    /// Tokens are checked from the daemon's memory; the command line, another process, changes
    /// the database under it, and the next request is refused all the same.
    @Test func aTokenRevokedOrAnAccountDisabledByTheCommandLineIsRefusedAtTheNextRequest() throws {
        let daemon = try Daemon()
        let claire = try token(daemon, user: "claire", role: "tabacologue")
        let marc = try token(daemon, user: "marc", role: "coordinator")
        func me(_ bearer: String) throws -> Int {
            try TestHTTP.get(port: daemon.port, "/api/v1/me", headers: [("Authorization", "Bearer \(bearer)")]).status
        }
        for _ in 0..<3 { #expect(try me(claire) == 200 && me(marc) == 200) }
        #expect(try daemon.cli(["user", "disable", "marc"]).status == 0)
        #expect(try me(marc) == 401, "disabled: refused at once")
        #expect(try me(claire) == 200)
        let id = ((try daemon.cli(["token", "list", "claire"]).json as? [[String: Any]])?.first?["id"] as? String) ?? ""
        #expect(try daemon.cli(["token", "revoke", id]).status == 0)
        #expect(try me(claire) == 401, "revoked: refused at once")
        daemon.stop()
    }

    @Test func malformedJSONIs400NamingTheProblemAndInvalidFieldsAre422() throws {
        let daemon = try Daemon()
        let bearer = try token(daemon, user: "coord", role: "coordinator")
        let malformed = try TestHTTP.postJSON(port: daemon.port, "/api/v1/me", "{\"language\": ", token: bearer, method: "PATCH")
        #expect(malformed.status == 400)
        let error = malformed.json["error"] as? [String: Any]
        #expect(error?["code"] as? String == "malformed_request")
        #expect((error?["message"] as? String)?.contains("not valid JSON") == true)
        let invalid = try TestHTTP.postJSON(port: daemon.port, "/api/v1/me", #"{"language":"de","colour":1}"#, token: bearer, method: "PATCH")
        #expect(invalid.status == 422)
        let fields = (invalid.json["error"] as? [String: Any])?["fields"] as? [String: String]
        #expect(fields?["colour"] == "unknown field")
        let valid = try TestHTTP.postJSON(port: daemon.port, "/api/v1/me", #"{"language":"en","displayName":"Coordination"}"#,
                                          token: bearer, method: "PATCH")
        #expect(valid.status == 200)
        #expect(valid.json["language"] as? String == "en")
        daemon.stop()
    }

    @Test func serverAnswers404405And413InTheAPIErrorShape() throws {
        let daemon = try Daemon()
        let missing = try TestHTTP.get(port: daemon.port, "/api/v1/nothing")
        #expect(missing.status == 404)
        #expect((missing.json["error"] as? [String: Any])?["code"] as? String == "not_found")
        let wrong = try TestHTTP.request(port: daemon.port, "DELETE", "/healthz")
        #expect(wrong.status == 405)
        let big = try TestHTTP.request(port: daemon.port, "PATCH", "/api/v1/me", headers: [("Content-Type", "application/json")],
                                       body: Data(repeating: 32, count: 2 * 1024 * 1024))
        #expect(big.status == 413)
        #expect((big.json["error"] as? [String: Any])?["code"] as? String == "payload_too_large")
        let page = try TestHTTP.get(port: daemon.port, "/no-such-page")
        #expect(page.status == 404 && page.text.contains("Page introuvable"))
        daemon.stop()
    }

    @Test func firstStartCreatesAnAdminWhoLogsInWithCSRFAndMustChangeThePassword() throws {
        let daemon = try Daemon()
        #expect(daemon.adminPassword.count >= 16)
        // Without the form's token the login is refused, even with the right password.
        let forged = try TestHTTP.postForm(port: daemon.port, "/login", [("name", "admin"), ("password", daemon.adminPassword)])
        #expect(forged.status == 403)
        #expect(cookie("relais_session", in: forged) == nil)

        let wrong = try logIn(daemon, name: "admin", password: "not the password")
        #expect(wrong.status == 401 && wrong.session == nil)
        let login = try logIn(daemon, name: "admin", password: daemon.adminPassword)
        #expect(login.status == 303)
        #expect(login.location == "/account/password")
        let session = try #require(login.session)
        let sessionCookie = ("Cookie", "relais_session=\(session)")

        // Every page leads to the password change until it is done.
        #expect(try TestHTTP.get(port: daemon.port, "/", headers: [sessionCookie]).header("Location") == "/account/password")
        let form = try TestHTTP.get(port: daemon.port, "/account/password", headers: [sessionCookie])
        #expect(form.status == 200)
        let csrf = try #require(csrfField(in: form.text))
        let noToken = try TestHTTP.postForm(port: daemon.port, "/account/password",
                                            [("current", daemon.adminPassword), ("new", "a brand new pw"), ("confirm", "a brand new pw")],
                                            headers: [sessionCookie])
        #expect(noToken.status == 403)
        let mismatch = try TestHTTP.postForm(port: daemon.port, "/account/password",
                                             [("_csrf", csrf), ("current", daemon.adminPassword), ("new", "a brand new pw"), ("confirm", "other")],
                                             headers: [sessionCookie])
        #expect(mismatch.status == 422 && mismatch.text.contains("ne correspondent pas"))
        let changed = try TestHTTP.postForm(port: daemon.port, "/account/password",
                                            [("_csrf", csrf), ("current", daemon.adminPassword), ("new", "a brand new pw"), ("confirm", "a brand new pw")],
                                            headers: [sessionCookie])
        #expect(changed.status == 303)
        let fresh = try #require(cookie("relais_session", in: changed))
        // The old session ended with the password change.
        #expect(try TestHTTP.get(port: daemon.port, "/", headers: [sessionCookie]).status == 303)
        let dashboard = try TestHTTP.get(port: daemon.port, "/", headers: [("Cookie", "relais_session=\(fresh)")])
        #expect(dashboard.status == 200)
        #expect(dashboard.text.contains("Tableau de bord"))
        #expect(dashboard.header("Content-Security-Policy") != nil)
        let setCookie = changed.headers("Set-Cookie").first { $0.hasPrefix("relais_session=") } ?? ""
        #expect(setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict"))
        // The one-time password no longer works.
        #expect(try logIn(daemon, name: "admin", password: daemon.adminPassword).status == 401)
        daemon.stop()
    }

    @Test func repeatedFailedLoginsAreThrottled() throws {
        let daemon = try Daemon(environment: ["RELAIS_SECURITY_LOGIN_MAX_FAILURES": "3"])
        for _ in 0..<3 { #expect(try logIn(daemon, name: "admin", password: "guess guess").status == 401) }
        let throttled = try logIn(daemon, name: "admin", password: daemon.adminPassword)
        #expect(throttled.status == 429)
        #expect(throttled.session == nil)
        daemon.stop()
    }

    @Test func twoHundredConcurrentRequestsAreAllAnswered() throws {
        let daemon = try Daemon()
        let statuses = ConcurrentResults()
        let group = DispatchGroup()
        for index in 0..<200 {
            group.enter()
            Thread.detachNewThread {
                let path = index % 2 == 0 ? "/healthz" : "/api/v1/me"
                let status = (try? TestHTTP.get(port: daemon.port, path))?.status ?? -1
                statuses.append(status)
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        let all = statuses.values
        #expect(all.count == 200)
        #expect(all.filter { $0 == 200 }.count == 100)
        #expect(all.filter { $0 == 401 }.count == 100)
        daemon.stop()
    }

    @Test func sigtermDrainsAndExitsZeroAndSigintToo() throws {
        let daemon = try Daemon()
        #expect(try TestHTTP.get(port: daemon.port, "/healthz").status == 200)
        #expect(daemon.stop(signal: SIGTERM) == 0)
        #expect(daemon.log.contains("stopped"))
        let again = try Daemon(directory: daemon.directory)
        #expect(again.adminPassword.isEmpty, "the admin is created only once")
        #expect(again.stop(signal: SIGINT) == 0)
    }

    @Test func backupWhileServingHoldsTheSameRows() throws {
        let daemon = try Daemon()
        for name in ["ana", "bruno", "chloe"] {
            #expect(try daemon.cli(["user", "add", name, "--role", "coordinator"], stdin: "password of \(name)\n").status == 0)
        }
        let destination = daemon.directory.file("snapshot.sqlite")
        let backup = try daemon.cli(["backup", destination])
        #expect(backup.status == 0)
        #expect((backup.json as? [String: Any])?["backup"] as? String == destination)
        #expect(try TestHTTP.get(port: daemon.port, "/healthz").status == 200)
        daemon.stop()
        // The copy opens as a data folder of its own and lists the same accounts.
        let restored = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: restored.file("var"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: destination, toPath: restored.file("var/relais.sqlite"))
        let listed = try RelaisBinary.run(["user", "list", "--data-dir", restored.file("var")])
        let names = (listed.json as? [[String: Any]])?.compactMap { $0["name"] as? String }
        #expect(names == ["admin", "ana", "bruno", "chloe"])
        #expect(try daemon.cli(["backup", destination]).status == 1, "an existing file is never overwritten")
    }
}
