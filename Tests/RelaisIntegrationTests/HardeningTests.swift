import Foundation
import RelaisTestSupport
import Testing

/// A browser session on a running daemon: its cookie, and the CSRF token of its pages.
struct BrowserSession {
    let daemon: Daemon
    let cookie: String
    var csrf: String = ""

    init(_ daemon: Daemon, name: String, password: String) throws {
        self.daemon = daemon
        let login = try logIn(daemon, name: name, password: password)
        cookie = try #require(login.session, "login of \(name): \(login.status)")
        csrf = csrfField(in: try get("/").text) ?? ""
    }

    func get(_ path: String) throws -> TestResponse {
        try TestHTTP.get(port: daemon.port, path, headers: [("Cookie", "relais_session=\(cookie)")])
    }

    func post(_ path: String, _ fields: [(String, String)]) throws -> TestResponse {
        try TestHTTP.postForm(port: daemon.port, path, fields + [("_csrf", csrf)], headers: [("Cookie", "relais_session=\(cookie)")])
    }
}

func errorFields(_ response: TestResponse) -> [String: String] {
    ((response.json["error"] as? [String: Any])?["fields"] as? [String: String]) ?? [:]
}

/// Issue 10: no request, from any role, stops the daemon or makes it unreachable to others.
@Suite("Hardening: inputs, slow clients, throttling, inert exports", .serialized)
struct HardeningTests {
    /// A daemon with a coordinator, a tabacologue and a peer helper (tokens and browser sessions).
    final class Structure: @unchecked Sendable {
        let daemon: Daemon
        let coordinator: String, clinician: String, helper: String
        let claire: String, sam: String

        init(environment: [String: String] = [:]) throws {
            daemon = try Daemon(environment: environment)
            coordinator = try token(daemon, user: "coord", role: "coordinator")
            clinician = try token(daemon, user: "claire", role: "tabacologue")
            helper = try token(daemon, user: "sam", role: "peer_helper")
            claire = try userID(daemon, "claire", token: coordinator)
            sam = try userID(daemon, "sam", token: coordinator)
        }

        func session(_ name: String) throws -> BrowserSession { try BrowserSession(daemon, name: name, password: "password for \(name)") }

        func programme(title: String = "Programme", start: String = "2026-11-04T18:00", extra: String = "") throws -> TestResponse {
            let site = try post(daemon, "/api/v1/sites", #"{"name":"Site \#(UUID().uuidString.prefix(6))","address":"1 rue X"}"#, token: coordinator)
            let siteID = site.json["id"] as? String ?? ""
            return try post(daemon, "/api/v1/programmes", #"""
                {"title":\#(Self.json(title)),"siteId":"\#(siteID)","start":"\#(start)","leadId":"\#(claire)","peerHelperId":"\#(sam)"\#(extra)}
                """#, token: coordinator)
        }

        static func json(_ text: String) -> String {
            String(decoding: try! JSONSerialization.data(withJSONObject: [text], options: [.withoutEscapingSlashes]), as: UTF8.self)
                .dropFirst().dropLast().description
        }

        func healthy(from source: String? = nil) -> Bool {
            (try? TestHTTP.get(port: daemon.port, "/healthz", from: source).status) == 200 && daemon.process.isRunning
        }
    }

    @Test func theInputsThatCrashedTheDaemonAreRefusedAndItKeepsAnswering() throws {
        let structure = try Structure()
        for name in ["coord", "claire", "sam"] {
            let session = try structure.session(name)
            for year in ["9223372036854775807", "-9223372036854775808", "99999", "-1"] {
                let page = try session.get("/programmes?year=\(year)")
                #expect(page.status == 422, "\(name) /programmes?year=\(year): \(page.status)")
                #expect(page.text.contains("Année") && page.text.contains("2000") && page.text.contains("2100"))
            }
        }
        for start in ["9999-12-31T23:59", "9999-10-01T10:00", "0001-01-01T10:00"] {
            let preview = try post(structure.daemon, "/api/v1/programmes/preview",
                                   #"{"title":"X","start":"\#(start)","leadId":"\#(structure.claire)"}"#, token: structure.coordinator)
            #expect(preview.status == 422, "\(start): \(preview.text)")
            #expect(errorFields(preview)["start"]?.contains("2000 to 2100") == true)
            let weekly = try post(structure.daemon, "/api/v1/programmes/preview",
                                  #"{"title":"X","start":"2100-12-20T10:00","cadence":"every:90","leadId":"\#(structure.claire)"}"#,
                                  token: structure.coordinator)
            #expect(weekly.status == 422 && errorFields(weekly)["cadence"] != nil, "sessions past the window: \(weekly.text)")
        }
        let coord = try structure.session("coord")
        let form = try coord.post("/programmes/new", [("template", "3g2i"), ("title", "X"), ("modality", "visio"),
                                                      ("visioUrl", "https://visio.example.org/x"), ("start", "9999-12-31T23:59"),
                                                      ("leadId", structure.claire), ("action", "preview")])
        #expect(form.status == 422)
        #expect(form.text.contains("2000") && form.text.contains("2100"))

        let created = try structure.programme()
        #expect(created.status == 201, "\(created.text)")
        let session = try #require((created.json["sessions"] as? [[String: Any]])?.first?["id"] as? String)
        let moved = try TestHTTP.postJSON(port: structure.daemon.port, "/api/v1/sessions/\(session)", #"{"start":"9999-12-31T23:59"}"#,
                                          token: structure.coordinator, method: "PATCH")
        #expect(moved.status == 422 && errorFields(moved)["start"] != nil, "\(moved.text)")
        let movedPage = try coord.post("/sessions/\(session)/reschedule", [("start", "9999-12-31T23:59"), ("reason", "test")])
        #expect(movedPage.status == 422)
        #expect(structure.healthy())
        structure.daemon.stop()
    }

    @Test func slowClientsAreCutOffAtTheHeadDeadlineWhileOthersAreAnswered() throws {
        let structure = try Structure(environment: ["RELAIS_HTTP_REQUEST_HEAD_TIMEOUT_SECONDS": "5"])
        let port = structure.daemon.port
        // 256 connections from 127.0.0.1, each trickling one header line every 4 seconds.
        var sockets: [Int32] = []
        for _ in 0..<256 {
            let fd = try TestHTTP.connectSocket(port: port, from: "127.0.0.1", timeoutSeconds: 1)
            _ = "GET /healthz HTTP/1.1\r\nHost: x\r\n".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
            sockets.append(fd)
        }
        let slow = sockets
        defer { slow.forEach { close($0) } }
        let started = Date()
        let trickle = Thread {
            for round in 0..<4 {
                Thread.sleep(forTimeInterval: 4)
                for fd in slow { _ = "X-Slow-\(round): x\r\n".withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) } }
            }
        }
        trickle.start()
        // Meanwhile another client is answered at once.
        for _ in 0..<5 {
            let before = Date()
            #expect(structure.healthy(from: "127.0.0.2"))
            #expect(Date().timeIntervalSince(before) < 2)
            Thread.sleep(forTimeInterval: 0.5)
        }
        // Every slow connection is closed by the server soon after its 5 s deadline.
        var open = Set(sockets)
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !open.isEmpty && Date().timeIntervalSince(started) < 20 {
            for fd in open {
                var poller = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&poller, 1, 0) > 0 else { continue }
                let n = recv(fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { open.remove(fd) }
            }
            usleep(100_000)
        }
        let elapsed = Date().timeIntervalSince(started)
        #expect(open.count == 0, "slow connections still open after \(Int(elapsed)) s")
        #expect(elapsed < 12, "closed \(elapsed) s after the start, for a 5 s deadline")
        // The address of the slow clients is answered again too.
        #expect(structure.healthy(from: "127.0.0.1"))
        structure.daemon.stop()
    }

    @Test func aBodyTrickledPastItsDeadlineIsCutOff() throws {
        let structure = try Structure(environment: ["RELAIS_HTTP_REQUEST_BODY_TIMEOUT_SECONDS": "3"])
        let fd = try TestHTTP.connectSocket(port: structure.daemon.port, timeoutSeconds: 1)
        defer { close(fd) }
        let head = "POST /api/v1/participants HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(structure.coordinator)\r\n"
            + "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
        _ = head.withCString { send(fd, $0, strlen($0), Int32(MSG_NOSIGNAL)) }
        let started = Date()
        var closed = false
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date().timeIntervalSince(started) < 12 && !closed {
            _ = " ".withCString { send(fd, $0, 1, Int32(MSG_NOSIGNAL)) }
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) { closed = true }
        }
        #expect(closed && Date().timeIntervalSince(started) < 8, "a body trickled byte by byte is cut off after its 3 s deadline")
        #expect(structure.healthy())
        structure.daemon.stop()
    }

    @Test func behindATrustedProxyTheForwardedAddressIsTheClient() throws {
        let structure = try Structure(environment: ["RELAIS_HTTP_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8",
                                                    "RELAIS_SECURITY_LOGIN_MAX_FAILURES": "3"])
        let daemon = structure.daemon
        func attempt(_ password: String, forwardedFor: String?, from source: String = "127.0.0.1") throws -> Int {
            let form = try TestHTTP.get(port: daemon.port, "/login", from: source)
            var headers = [("Cookie", "relais_login_csrf=\(cookie("relais_login_csrf", in: form) ?? "")")]
            if let forwardedFor { headers.append(("X-Forwarded-For", forwardedFor)) }
            return try TestHTTP.request(port: daemon.port, "POST", "/login", headers: headers + [("Content-Type", "application/x-www-form-urlencoded")],
                                        body: Data("_csrf=\(csrfField(in: form.text) ?? "")&name=coord&password=\(TestHTTP.escape(password))".utf8),
                                        from: source).status
        }
        // Three failures from one client behind the proxy, then that client waits...
        for _ in 0..<3 { #expect(try attempt("wrong password", forwardedFor: "198.51.100.1, 203.0.113.5") == 401) }
        #expect(try attempt("password for coord", forwardedFor: "203.0.113.5") == 429)
        // ...while another client behind the same proxy logs in at once.
        #expect(try attempt("password for coord", forwardedFor: "203.0.113.77") == 303)
        // A header sent by an untrusted peer is not believed.
        #expect(try attempt("wrong password", forwardedFor: "192.0.2.99", from: "127.0.0.2") == 401)
        let rows = try RelaisBinary.sqlite(daemon.dataDir, "SELECT action || ' ' || client_address FROM audit_log WHERE action LIKE 'login%' ORDER BY id")
        #expect(rows.filter { $0 == "login_failed 203.0.113.5" }.count == 3, "\(rows)")
        #expect(rows.contains("login 203.0.113.77"))
        #expect(rows.contains("login_failed 127.0.0.2") && !rows.contains { $0.hasSuffix("192.0.2.99") })
        daemon.stop()
    }

    @Test func aParallelBurstOfWrongPasswordsIsJudgedAtMostFiveTimes() throws {
        let structure = try Structure()
        let daemon = structure.daemon
        let form = try TestHTTP.get(port: daemon.port, "/login")
        let loginCookie = cookie("relais_login_csrf", in: form) ?? "", token = csrfField(in: form.text) ?? ""
        let statuses = ConcurrentResults()
        let group = DispatchGroup()
        for index in 0..<40 {
            group.enter()
            Thread.detachNewThread {
                let status = (try? TestHTTP.postForm(port: daemon.port, "/login", [("_csrf", token), ("name", "coord"), ("password", "guess \(index)")],
                                                     headers: [("Cookie", "relais_login_csrf=\(loginCookie)")]))?.status ?? -1
                statuses.append(status)
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 120) == .success)
        let all = statuses.values
        #expect(all.filter { $0 == 401 }.count == 5, "judged: \(all.filter { $0 == 401 }.count)")
        #expect(all.filter { $0 == 429 }.count == 35)

        // The current password on the password page counts the same way, for a signed-in user.
        let claire = try structure.session("claire")
        for _ in 0..<5 {
            let wrong = try claire.post("/account/password", [("current", "not my password"), ("new", "a brand new password"), ("confirm", "a brand new password")])
            #expect(wrong.status == 422)
        }
        let throttled = try claire.post("/account/password", [("current", "password for claire"), ("new", "a brand new password"),
                                                              ("confirm", "a brand new password")])
        #expect(throttled.status == 429 && throttled.header("Retry-After") != nil)
        daemon.stop()
    }

    @Test func linksNamesAndExportsStayInert() throws {
        let structure = try Structure()
        let daemon = structure.daemon
        // A javascript: link is refused whatever the modality, by the API and by the form.
        let scripted = try structure.programme(extra: #","modality":"in_person","visioUrl":"javascript:alert(document.cookie)""#)
        #expect(scripted.status == 422 && errorFields(scripted)["visioUrl"] == "must be an https:// link", "\(scripted.text)")
        let plain = try structure.programme(extra: #","modality":"visio","visioUrl":"http://visio.example.org/x""#)
        #expect(plain.status == 422 && errorFields(plain)["visioUrl"] != nil)
        let coord = try structure.session("coord")
        let page = try coord.post("/programmes/new", [("template", "3g2i"), ("title", "X"), ("modality", "in_person"),
                                                      ("visioUrl", "javascript:alert(1)"), ("start", "2026-11-04T18:00"),
                                                      ("leadId", structure.claire), ("action", "preview")])
        #expect(page.status == 422 && !page.text.contains("href=\"javascript:"))

        // Control characters in names and one-line fields: 422 naming the field.
        for (field, value) in [("firstName", "Nadia\\u0000"), ("lastName", "Zer\\r\\nbib"), ("firstName", "\\u001b[31mRouge")] {
            let other = field == "firstName" ? #""lastName":"Test""# : #""firstName":"Test""#
            let refused = try post(daemon, "/api/v1/participants", #"{"\#(field)":"\#(value)",\#(other),"noContact":true}"#, token: structure.coordinator)
            #expect(refused.status == 422 && errorFields(refused)[field] != nil, "\(field)=\(value): \(refused.text)")
        }
        let titled = try structure.programme(title: "Ligne 1\nLigne 2")
        #expect(titled.status == 422 && errorFields(titled)["title"] != nil)
        let site = try post(daemon, "/api/v1/sites", #"{"name":"Bad\u0007Bell","address":""}"#, token: structure.coordinator)
        #expect(site.status == 422 && errorFields(site)["name"] != nil)
        let formNUL = try coord.post("/participants/new", [("firstName", "Na\u{0}dia"), ("lastName", "Test"), ("noContact", "on")])
        #expect(formNUL.status == 422 && formNUL.text.contains("« Prénom »"))
        let formLines = try coord.post("/participants/new", [("firstName", "Na\r\ndia"), ("lastName", "Test"), ("noContact", "on")])
        #expect(formLines.status == 422)

        // A site name that a spreadsheet would run, in the pseudonymised CSV: neutralised.
        let formula = "=HYPERLINK(\"http://evil.example\",\"x\")"
        let evilSite = try post(daemon, "/api/v1/sites", #"{"name":\#(Structure.json(formula)),"address":"-2+3"}"#, token: structure.coordinator)
        let evilSiteID = try #require(evilSite.json["id"] as? String, "\(evilSite.text)")
        let created = try post(daemon, "/api/v1/programmes", #"""
            {"title":"@SUM(1+1)","siteId":"\#(evilSiteID)","start":"2026-03-04T18:00","leadId":"\#(structure.claire)"}
            """#, token: structure.coordinator)
        let programmeID = try #require(created.json["id"] as? String, "\(created.text)")
        let participant = try #require(try post(daemon, "/api/v1/participants", #"{"firstName":"Ana","lastName":"Test","noContact":true}"#,
                                                token: structure.coordinator).json["id"] as? String)
        #expect(try post(daemon, "/api/v1/programmes/\(programmeID)/enrolments", #"{"participantId":"\#(participant)"}"#,
                         token: structure.coordinator).status == 201)
        let claire = try structure.session("claire")
        let csv = try claire.get("/reports/years/2026/participants.csv")
        #expect(csv.status == 200)
        let cells = try Self.csvCells(csv.body)
        #expect(cells.contains("'" + formula), "the site name is neutralised")
        let dangerous = cells.filter { cell in
            guard let first = cell.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return false }
            return Double(cell) == nil
        }
        #expect(dangerous.isEmpty, "cells a spreadsheet would evaluate: \(dangerous)")
        let aggregate = try claire.get("/reports/years/2026/aggregate.csv")
        #expect(aggregate.status == 200)
        #expect(try Self.csvCells(aggregate.body).allSatisfy { cell in
            guard let first = cell.unicodeScalars.first, ["=", "+", "@", "\t", "\r"].contains(first) else { return true }
            return false
        })
        daemon.stop()
    }

    /// Every cell of a CSV file as Python's `csv` module reads it (an independent reader).
    static func csvCells(_ data: Data) throws -> [String] {
        let script = "import csv, io, json, sys\nrows = list(csv.reader(io.StringIO(sys.stdin.buffer.read().decode('utf-8-sig'), newline=''), delimiter=';'))\n"
            + "print(json.dumps([cell for row in rows for cell in row]))"
        let result = try ChildProcess.run(executable: "/usr/bin/env", ["python3", "-c", script], stdin: data)
        guard result.status == 0, let cells = result.json as? [String] else { throw TestHTTPError(description: "python csv: \(result.stderr)") }
        return cells
    }

    @Test func resettingAClinicalAccountEndsItsSessionsAndIsAudited() throws {
        let structure = try Structure()
        let daemon = structure.daemon
        _ = try daemon.cli(["user", "add", "boss", "--role", "admin"], stdin: "password for boss\n")
        let claire = try structure.session("claire")
        #expect(try claire.get("/").status == 200)
        let boss = try structure.session("boss")
        let reset = try boss.post("/admin/users/\(structure.claire)/reset-password", [])
        #expect(reset.status == 200)
        #expect(try claire.get("/").status == 303, "the holder's session ended")
        let audit = try RelaisBinary.sqlite(daemon.dataDir, "SELECT actor_name || ' ' || action FROM audit_log WHERE entity_id = '\(structure.claire)'")
        #expect(audit.contains("boss reset_password"))
        daemon.stop()
    }

    @Test func coordinatorsSeeWhichOrientationNotItsClinicalDetail() throws {
        let structure = try Structure()
        let daemon = structure.daemon
        let participant = try #require(try post(daemon, "/api/v1/participants", #"{"firstName":"Ana","lastName":"Test","noContact":true}"#,
                                                token: structure.coordinator).json["id"] as? String)
        let added = try post(daemon, "/api/v1/participants/\(participant)/orientations",
                             #"{"kinds":["csapa"],"detail":"CSAPA Liberté, pour la consommation d'alcool"}"#, token: structure.clinician)
        #expect(added.status == 201, "\(added.text)")
        func orientations(_ token: String) throws -> [[String: Any]]? {
            try TestHTTP.get(port: daemon.port, "/api/v1/participants/\(participant)", headers: [("Authorization", "Bearer \(token)")])
                .json["orientations"] as? [[String: Any]]
        }
        let byCoordinator = try #require(try orientations(structure.coordinator))
        #expect(byCoordinator.first?["kind"] as? String == "csapa" && byCoordinator.first?["detail"] is NSNull)
        #expect(try orientations(structure.clinician)?.first?["detail"] as? String == "CSAPA Liberté, pour la consommation d'alcool")
        daemon.stop()
    }
}
