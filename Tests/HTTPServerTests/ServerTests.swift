import Foundation
import HTTPServer
import HTTPTypes
import Logging
import RelaisTestSupport
import Testing

struct Boom: Error {}

/// A real libmicrohttpd daemon on an ephemeral loopback port, with a router built for the test.
func startServer(maxBody: Int = 64 * 1024, middleware: [any Middleware] = [], logger: Logger = Logger(label: "test"),
                 _ build: (inout Router) -> Void) throws -> Server {
    var router = Router()
    build(&router)
    var configuration = ServerConfiguration()
    configuration.port = 0
    configuration.threads = 4
    configuration.maxBodyBytes = maxBody
    configuration.drainSeconds = 5
    return try Server(configuration: configuration, router: router, middleware: middleware, logger: logger)
}

@Suite("libmicrohttpd wrapper")
struct ServerTests {
    @Test func routesPathParametersQueryHeadersAndCookies() throws {
        let server = try startServer { router in
            router.get("/items/{id}/notes/{note}") { request in
                .text("\(request.parameter("id"))|\(request.parameter("note"))|\(request.queryValue("q") ?? "-")|\(request.headerFields[HTTPField.Name("X-Test")!] ?? "-")|\(request.cookies["c"] ?? "-")")
            }
        }
        defer { server.stop() }
        let response = try TestHTTP.get(port: server.port, "/items/42/notes/n7?q=caf%C3%A9%20cr%C3%A8me",
                                        headers: [("X-Test", "yes"), ("Cookie", "a=1; c=choco")])
        #expect(response.status == 200)
        #expect(response.text == "42|n7|café crème|yes|choco")
    }

    @Test func unknownPathIs404AndWrongMethodIs405WithAllow() throws {
        let server = try startServer { router in
            router.get("/thing") { _ in .text("ok") }
            router.post("/thing") { _ in .text("posted") }
        }
        defer { server.stop() }
        #expect(try TestHTTP.get(port: server.port, "/nothing").status == 404)
        let wrong = try TestHTTP.request(port: server.port, "DELETE", "/thing")
        #expect(wrong.status == 405)
        #expect(wrong.header("Allow") == "GET, POST")
        let head = try TestHTTP.request(port: server.port, "HEAD", "/thing")
        #expect(head.status == 200)
        #expect(head.body.isEmpty)
    }

    @Test func urlencodedFormGoesThroughThePostProcessorWithRepeatedKeys() throws {
        let server = try startServer { router in
            router.post("/form") { request in
                .text("\(request.formValue("name") ?? "")|\(request.formValues("aid").joined(separator: ","))|\(request.formValue("empty") ?? "nil")")
            }
        }
        defer { server.stop() }
        let long = String(repeating: "é", count: 8_000) // larger than the processor's buffer: delivered in pieces
        let response = try TestHTTP.postForm(port: server.port, "/form",
                                             [("name", "Zoé & Léa"), ("aid", "patches"), ("aid", "spray"), ("long", long), ("empty", "")])
        #expect(response.status == 200)
        #expect(response.text == "Zoé & Léa|patches,spray|")
        let echo = try startServer { router in router.post("/long") { .text($0.formValue("long") ?? "missing") } }
        defer { echo.stop() }
        #expect(try TestHTTP.postForm(port: echo.port, "/long", [("long", long)]).text == long)
    }

    @Test func multipartFormWithAFile() throws {
        let server = try startServer { router in
            router.post("/upload") { request in
                let file = request.form.first { $0.filename != nil }
                return .text("\(request.formValue("note") ?? "")|\(file?.filename ?? "")|\(file?.contentType ?? "")|\(file?.data.count ?? 0)")
            }
        }
        defer { server.stop() }
        let boundary = "XyZ123"
        var body = Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nséance 1\r\n".utf8)
        body += Data("--\(boundary)\r\nContent-Disposition: form-data; name=\"sheet\"; filename=\"feuille.csv\"\r\nContent-Type: text/csv\r\n\r\n".utf8)
        body += Data(repeating: 65, count: 5000) + Data("\r\n--\(boundary)--\r\n".utf8)
        let response = try TestHTTP.request(port: server.port, "POST", "/upload",
                                            headers: [("Content-Type", "multipart/form-data; boundary=\(boundary)")], body: body)
        #expect(response.text == "séance 1|feuille.csv|text/csv|5000")
    }

    @Test func jsonBodyIsCollectedWhole() throws {
        let server = try startServer { router in
            router.post("/json") { request in .text("\(request.body.count)|\(request.contentType)") }
        }
        defer { server.stop() }
        let json = "{\"text\":\"" + String(repeating: "x", count: 40_000) + "\"}"
        let response = try TestHTTP.postJSON(port: server.port, "/json", json)
        #expect(response.text == "\(json.utf8.count)|application/json")
    }

    @Test func oversizedBodiesGet413WithOrWithoutContentLength() throws {
        let server = try startServer(maxBody: 1000) { router in router.post("/json") { _ in .text("accepted") } }
        defer { server.stop() }
        let big = Data(repeating: 120, count: 50_000)
        let declared = try TestHTTP.request(port: server.port, "POST", "/json", headers: [("Content-Type", "application/json"), ("X-Request-Id", "big-1")],
                                            body: big)
        #expect(declared.status == 413 && declared.header("X-Request-Id") == "big-1", "refused before the body, yet with its request id")
        let chunked = try TestHTTP.request(port: server.port, "POST", "/json", headers: [("Content-Type", "application/json")],
                                           body: big, chunked: true)
        #expect(chunked.status == 413)
        let form = try TestHTTP.request(port: server.port, "POST", "/json",
                                        headers: [("Content-Type", "application/x-www-form-urlencoded")], body: big, chunked: true)
        #expect(form.status == 413)
        // At the cap it is accepted.
        let fits = try TestHTTP.request(port: server.port, "POST", "/json", body: Data(repeating: 120, count: 1000))
        #expect(fits.status == 200)
    }

    @Test func handlerErrorsBecome500WithAReferenceAndNoDetails() throws {
        let server = try startServer { router in
            router.get("/fail") { _ in throw Boom() }
        }
        defer { server.stop() }
        let response = try TestHTTP.get(port: server.port, "/fail")
        #expect(response.status == 500)
        #expect(response.text.contains("reference"))
        #expect(!response.text.contains("Boom"))
    }

    @Test func everyResponseCarriesTheSecurityHeaders() throws {
        let server = try startServer { router in router.get("/ok") { _ in .text("ok") } }
        defer { server.stop() }
        for path in ["/ok", "/missing"] {
            let response = try TestHTTP.get(port: server.port, path)
            #expect(response.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            #expect(response.header("X-Content-Type-Options") == "nosniff")
            #expect(response.header("Referrer-Policy") == "no-referrer")
        }
    }

    @Test func twoHundredConcurrentRequestsAreAllAnswered() throws {
        let server = try startServer { router in
            router.get("/slowish") { _ in usleep(2_000); return .text("ok") }
        }
        defer { server.stop() }
        let results = ConcurrentResults()
        let group = DispatchGroup()
        for _ in 0..<200 {
            group.enter()
            Thread.detachNewThread {
                let status = (try? TestHTTP.get(port: server.port, "/slowish"))?.status ?? -1
                results.append(status)
                group.leave()
            }
        }
        #expect(group.wait(timeout: .now() + 60) == .success)
        #expect(results.values.count == 200)
        #expect(results.values.allSatisfy { $0 == 200 })
    }

    @Test func stopLetsARequestInFlightFinish() throws {
        let server = try startServer { router in
            router.get("/slow") { _ in usleep(500_000); return .text("finished") }
        }
        let results = ConcurrentResults()
        let done = DispatchSemaphore(value: 0)
        let port = server.port
        Thread.detachNewThread {
            let response = try? TestHTTP.get(port: port, "/slow")
            results.append(response?.text == "finished" ? 1 : 0)
            done.signal()
        }
        while server.requestsInFlight == 0 { usleep(5_000) }
        server.stop()
        done.wait()
        #expect(results.values == [1])
        #expect(throws: (any Error).self) { try TestHTTP.get(port: port, "/slow") }
    }
}

