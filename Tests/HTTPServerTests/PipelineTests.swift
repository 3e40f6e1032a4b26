import Foundation
import HTTPServer
import HTTPTypes
import Logging
import RelaisTestSupport
import Synchronization
import Testing

/// Log lines kept in memory, to read what the access log wrote.
final class CapturedLog: Sendable {
    let lines = Mutex<[(message: String, metadata: [String: String])]>([])

    var logger: Logger {
        Logger(label: "test") { _ in Handler(log: self) }
    }

    struct Handler: LogHandler {
        let log: CapturedLog
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
            let all = self.metadata.merging(metadata ?? [:]) { $1 }.mapValues { "\($0)" }
            log.lines.withLock { $0.append((message.description, all)) }
        }
    }
}

/// Appends its name to a header, to see the order middleware ran in.
struct Stamp: Middleware {
    let name: String
    func respond(to request: Request, next: Responder) throws -> Response {
        var request = request
        request.context[Trail.self] = (request.context[Trail.self] ?? Trail(names: [])).adding(name)
        return try next(request)
    }
}

struct Trail: Sendable {
    var names: [String]
    func adding(_ name: String) -> Trail { Trail(names: names + [name]) }
}

@Suite("Routing, middleware, request ids and the access log")
struct PipelineTests {
    @Test func aLiteralSegmentBeatsAParameterWhateverTheOrder() throws {
        for literalFirst in [true, false] {
            var router = Router()
            let literal: Responder = { _ in .text("new") }
            let parameter: Responder = { request in .text("id=\(request.parameter("id"))") }
            if literalFirst {
                router.get("/programmes/new", literal)
                router.get("/programmes/{id}", parameter)
            } else {
                router.get("/programmes/{id}", parameter)
                router.get("/programmes/new", literal)
            }
            router.get("/programmes/{id}/sessions/{n}") { request in .text("s\(request.parameter("n"))") }
            router.get("/programmes/{id}/sessions/last") { _ in .text("last") }
            let pipeline = try Pipeline(router: router, logger: Logger(label: "test"))
            func body(_ path: String) -> String { String(decoding: pipeline.respond(to: Request(method: .get, path: path)).body, as: UTF8.self) }
            #expect(body("/programmes/new") == "new")
            #expect(body("/programmes/p1") == "id=p1")
            #expect(body("/programmes/p1/sessions/last") == "last")
            #expect(body("/programmes/p1/sessions/2") == "s2")
        }
    }

    @Test func pathsAreCutOnSlashesOnlyAndEmptySegmentsMatchNothing() throws {
        var router = Router()
        router.get("/sites") { _ in .text("list") }
        router.get("/sites/{id}") { request in .text("site \(request.parameter("id").unicodeScalars.map { String($0.value, radix: 16) })") }
        let pipeline = try Pipeline(router: router, logger: Logger(label: "test"))
        func answer(_ path: String) -> (Int, String) {
            let response = pipeline.respond(to: Request(method: .get, path: path))
            return (response.status.code, String(decoding: response.body, as: UTF8.self))
        }
        // A combining mark or a skin-tone modifier after "/" is an id of its own, not part of the slash.
        #expect(answer("/sites/\u{301}") == (200, "site [\"301\"]"))
        #expect(answer("/sites/\u{1F3FB}x") == (200, "site [\"1f3fb\", \"78\"]"))
        // A decoded "%2F", a doubled or a trailing slash: not the list of sites.
        for path in ["/sites//", "/sites/", "//sites"] { #expect(answer(path).0 == 404, "\(path)") }
        #expect(answer("/sites") == (200, "list"))
    }

    @Test func theSameMethodAndPathShapeTwiceIsRefusedAtStart() throws {
        var router = Router()
        router.get("/items/{id}") { _ in .text("a") }
        router.get("/items/{key}") { _ in .text("b") }
        router.post("/items/{id}") { _ in .text("c") }
        let error = try #require(throws: RouteTableError.self) { try router.validate() }
        #expect(error.duplicates == ["GET /items/{}"] || error.description.contains("GET /items/{id}"))
        #expect(throws: ServerStartError.self) { try Server(configuration: ServerConfiguration(), router: router, logger: Logger(label: "test")) }
    }

    @Test func globalMiddlewareRunsBeforeTheRoutesOwnInOrder() throws {
        var router = Router()
        router.add(.get, "/trail", middleware: [Stamp(name: "route-1"), Stamp(name: "route-2")]) { request in
            .text((request.context[Trail.self]?.names ?? []).joined(separator: ","))
        }
        let server = try startServer(middleware: [Stamp(name: "global-1"), Stamp(name: "global-2")]) { $0 = router }
        defer { server.stop() }
        #expect(try TestHTTP.get(port: server.port, "/trail").text == "global-1,global-2,route-1,route-2")
    }

    @Test func everyAnswerCarriesARequestIdAndTheAccessLogNamesTheRouteNotThePath() throws {
        let log = CapturedLog()
        let server = try startServer(logger: log.logger) { router in
            router.get("/questionnaires/{token}") { _ in .text("ok") }
        }
        defer { server.stop() }
        // A short token the client sent is kept; anything else is replaced.
        let sent = try TestHTTP.get(port: server.port, "/questionnaires/SECRET-TOKEN", headers: [("X-Request-Id", "abc-123")])
        #expect(sent.status == 200 && sent.header("X-Request-Id") == "abc-123")
        let replaced = try TestHTTP.get(port: server.port, "/questionnaires/x", headers: [("X-Request-Id", "bad id with spaces")])
        let generated = try #require(replaced.header("X-Request-Id"))
        #expect(generated != "bad id with spaces" && !generated.isEmpty)
        let missing = try TestHTTP.get(port: server.port, "/nowhere")
        #expect(missing.status == 404 && missing.header("X-Request-Id")?.isEmpty == false)

        let lines = log.lines.withLock { $0 }
        let access = lines.filter { $0.message.hasPrefix("GET ") }
        #expect(access.map(\.message) == ["GET /questionnaires/{token} 200", "GET /questionnaires/{token} 200", "GET - 404"])
        #expect(access.map { $0.metadata["request_id"] } == ["abc-123", generated, missing.header("X-Request-Id")])
        #expect(access.allSatisfy { $0.metadata["client"] == "127.0.0.1" && Double($0.metadata["duration_ms"] ?? "") != nil })
        #expect(!lines.contains { $0.message.contains("SECRET") || $0.metadata.values.contains { $0.contains("SECRET") } })
    }

    @Test func aFailingHandlerIsLoggedWithItsRequestIdAndAnsweredWithAReference() throws {
        let log = CapturedLog()
        let server = try startServer(logger: log.logger) { router in router.get("/fail") { _ in throw Boom() } }
        defer { server.stop() }
        let response = try TestHTTP.get(port: server.port, "/fail", headers: [("X-Request-Id", "req-9")])
        #expect(response.status == 500 && response.header("X-Request-Id") == "req-9")
        let failure = try #require(log.lines.withLock { $0 }.first { $0.message == "handler failed" })
        #expect(failure.metadata["request_id"] == "req-9" && failure.metadata["route"] == "/fail")
        #expect(response.text.contains(failure.metadata["error_id"] ?? "?"))
    }
}
