import Foundation
import RelaisConfig
import RelaisDomain
import Testing

let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// A Protocols folder holding the given instrument files.
func protocolsFolder(_ files: [String: String]) throws -> String {
    let root = NSTemporaryDirectory() + "relais-protocols-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: root + "/instruments", withIntermediateDirectories: true)
    for (name, text) in files { try text.write(toFile: "\(root)/instruments/\(name)", atomically: true, encoding: .utf8) }
    return root
}

let minimal = """
{"format":1,"id":"mini","version":"1.0.0","title":{"fr":"Mini","en":"Mini"},"source":"test",
 "items":[{"id":"q1","type":"single_choice","text":{"fr":"Q","en":"Q"},
   "options":[{"code":"no","points":0,"label":{"fr":"Non","en":"No"}},{"code":"yes","points":1,"label":{"fr":"Oui","en":"Yes"}}]}],
 "scores":[{"id":"total","label":{"fr":"T","en":"T"},"items":["q1"],"min":0,"max":1,
   "band_schemes":[{"id":"s","label":{"fr":"S","en":"S"},"source":"test",
     "bands":[{"code":"low","label":{"fr":"B","en":"L"},"min":0,"max":0},{"code":"high","label":{"fr":"H","en":"H"},"min":1,"max":1}]}]}]}
"""

@Suite("Instrument files")
struct ProtocolsLoaderTests {
    @Test func theShippedFolderLoadsEveryInstrument() throws {
        let catalog = try ProtocolsLoader.instruments(directory: repository.appendingPathComponent("Protocols").path)
        #expect(catalog.instruments.map(\.id) == ["audit_c", "cast", "co", "decisional_balance", "end_status", "fagerstrom", "followup_3m", "hsi", "impact_end",
                                                 "phq4", "qmat", "satisfaction_end"])
    }

    @Test func aNewInstrumentSuchAsHADNeedsOnlyAFile() throws {
        let had = try ProtocolsLoader.instrument(file: repository.appendingPathComponent("Tests/Fixtures/instruments/had.json").path)
        #expect(had.definition.items.count == 14)
        #expect(had.definition.total == nil)
        #expect(had.definition.derived.map(\.id) == ["anxiety", "depression"])
        // Answer the first option ("a") everywhere; item points differ (some items are reverse-scored).
        var answers: [String: JSONValue] = [:]
        var expected: [String: Double] = ["anxiety": 0, "depression": 0]
        for item in had.definition.items {
            answers[item.id] = .string("a")
            expected[item.id.hasPrefix("a") ? "anxiety" : "depression"]! += Double(item.option("a")!.points!)
        }
        let result = try had.score(answers)
        #expect(result.total.total == nil)
        for (score, total) in expected {
            let band = total <= 7 ? "normal" : total <= 10 ? "doubtful" : "certain"
            #expect(result.derived?[score] == ScoreValue(total: total, band: band))
        }
    }

    @Test func aMalformedFileIsRefusedNamingTheFileAndTheProblem() throws {
        let cases: [(String, String, String)] = [
            ("mini.json", "{ not json", "not valid JSON"),
            ("mini.json", minimal.replacingOccurrences(of: "\"source\":\"test\",\n", with: "\"source\":\"test\",\"requried\":true,\n"), "requried"),
            ("mini.json", minimal.replacingOccurrences(of: "\"version\":\"1.0.0\",", with: ""), "missing key 'version'"),
            ("other.json", minimal, "must equal the file name"),
            ("mini.json", minimal.replacingOccurrences(of: "\"min\":1,\"max\":1}", with: "\"min\":2,\"max\":2}"), "the value 1 falls in 0 bands"),
            ("mini.json", minimal.replacingOccurrences(of: "\"items\":[\"q1\"]", with: "\"items\":[\"q9\"]"), "unknown item 'q9'"),
            ("mini.json", minimal.replacingOccurrences(of: "{\"code\":\"no\",\"points\":0,", with: "{\"code\":\"no\","), "option 'no' has no 'points'"),
            ("mini.json", minimal.replacingOccurrences(of: "\"type\":\"single_choice\"", with: "\"type\":\"slider\""), "items[0].type"),
        ]
        for (name, text, problem) in cases {
            let folder = try protocolsFolder([name: text])
            do {
                _ = try ProtocolsLoader.instruments(directory: folder)
                Issue.record("\(problem): should be refused")
            } catch {
                #expect(error.file.hasSuffix(name), "\(error)")
                #expect(error.problem.contains(problem), "expected '\(problem)' in '\(error.problem)'")
            }
        }
    }

    @Test func configurationSettingsAreChecked() throws {
        let folder = try protocolsFolder(["mini.json": minimal])
        #expect(throws: InstrumentDefinitionError.self) { try ProtocolsLoader.instruments(directory: folder, settings: ["mini.band_scheme": "nope"]) }
        #expect(throws: InstrumentDefinitionError.self) { try ProtocolsLoader.instruments(directory: folder, settings: ["mini.colour": "red"]) }
        #expect(throws: InstrumentDefinitionError.self) { try ProtocolsLoader.instruments(directory: folder, settings: ["maxi.band_scheme": "s"]) }
        #expect(try ProtocolsLoader.instruments(directory: folder, settings: ["mini.band_scheme": "s"])["mini"] != nil)
        #expect(throws: InstrumentDefinitionError.self) { try ProtocolsLoader.instruments(directory: folder + "/missing") }
    }
}
