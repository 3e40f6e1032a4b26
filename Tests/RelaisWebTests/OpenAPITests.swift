import Foundation
import HTTPServer
import Logging
import RelaisConfig
import RelaisDomain
import RelaisStore
@testable import RelaisWeb
import Testing

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// An app over a new database in a temporary folder, on `clock`; `configure` may change its
/// configuration (it is given the folder, for settings that name one).
func makeApp(clock: Clock = .system, configure: (inout Configuration, _ directory: String) -> Void = { _, _ in }) throws -> RelaisApp {
    let directory = NSTemporaryDirectory() + "relais-web-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    let store = try Store(path: directory + "/relais.sqlite")
    let protocols = try ProtocolsLoader.catalog(directory: repositoryRoot.appendingPathComponent("Protocols").path)
    var configuration = Configuration()
    configure(&configuration, directory)
    return try RelaisApp(configuration: configuration, store: store, protocols: protocols, logger: Logger(label: "test"), clock: clock)
}

@Suite("OpenAPI description")
struct OpenAPITests {
    @Test func theRoutesMatchTheDescriptionExactly() throws {
        let app = try makeApp()
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Sources/RelaisWeb/OpenAPI/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(document["openapi"] as? String == "3.1.0")
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        var described = Set<String>()
        for (path, operations) in paths {
            for (method, operation) in operations {
                described.insert("\(method.uppercased()) \(path)")
                #expect((operation as? [String: Any])?["responses"] != nil, "\(method) \(path) has responses")
            }
        }
        let routed = Set(app.router().patterns
            .filter { $0.pattern.hasPrefix("/api/") || $0.pattern == "/healthz" }
            .map { "\($0.method.rawValue) \($0.pattern)" })
        #expect(routed.subtracting(described).isEmpty, "routes missing from openapi.json: \(routed.subtracting(described).sorted())")
        #expect(described.subtracting(routed).isEmpty, "described but not routed: \(described.subtracting(routed).sorted())")
    }

    @Test func everyReasonCodeIsDescribed() throws {
        let data = try Data(contentsOf: repositoryRoot.appendingPathComponent("Sources/RelaisWeb/OpenAPI/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let reason = try #require(((document["components"] as? [String: Any])?["schemas"] as? [String: Any])?["Reason"] as? [String: Any])
        let codes = try #require(((reason["properties"] as? [String: Any])?["code"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(codes) == Set(ReasonCode.allCases.map(\.rawValue)), "\(Set(ReasonCode.allCases.map(\.rawValue)).symmetricDifference(codes).sorted())")
    }
}
