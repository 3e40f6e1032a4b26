import Foundation
import RelaisConfig
import RelaisDomain
import Testing

@Suite("Kinds of treatment (Protocols/treatment_kinds.json)")
struct TreatmentKindsTests {
    static let issueKinds = ["nicotine_patch", "nicotine_gum", "nicotine_lozenge", "nicotine_inhaler", "nicotine_spray", "nicotine_microtab",
                             "varenicline", "bupropion", "cytisine", "e_cigarette", "other"]

    @Test func theShippedFileLoadsWithEveryKindInBothLanguages() throws {
        let catalog = try ProtocolsLoader.catalog(directory: repository.appendingPathComponent("Protocols").path)
        let kinds = catalog.treatmentKinds
        #expect(kinds.kinds.map(\.code) == Self.issueKinds)
        #expect(kinds.label("nicotine_patch", language: "fr") == "Timbre (patch) nicotinique")
        #expect(kinds.label("varenicline", language: "en") == "Varenicline")
        #expect(kinds.kinds.allSatisfy { !$0.label.fr.isEmpty && !$0.label.en.isEmpty })
        #expect(!kinds.source.isEmpty)
    }

    @Test func theAPIDescriptionAcceptsTheShippedKinds() throws {
        let data = try Data(contentsOf: repository.appendingPathComponent("Sources/RelaisWeb/OpenAPI/openapi.json"))
        let document = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let schemas = try #require((document["components"] as? [String: Any])?["schemas"] as? [String: Any])
        let request = try #require(schemas["TreatmentRequest"] as? [String: Any])
        let kind = try #require((request["properties"] as? [String: Any])?["kind"] as? [String: Any])
        #expect(kind["enum"] as? [String] == Self.issueKinds)
    }

    @Test func aBrokenFileIsRefusedWithItsNameAndTheProblem() throws {
        func problem(_ text: String) -> String? {
            do {
                _ = try TreatmentKinds.decode(Data(text.utf8), file: "treatment_kinds.json")
                return nil
            } catch {
                return error.problem
            }
        }
        let label = #"{"fr":"Autre","en":"Other"}"#
        #expect(problem(#"{"version":"1.0.0","source":"s","kinds":[{"code":"other","label":\#(label)}]}"#) == nil)
        #expect(problem(#"{"version":"1.0.0","source":"s","kinds":[{"code":"other","label":\#(label)},{"code":"other","label":\#(label)}]}"#)?
            .contains("appears twice") == true)
        #expect(problem(#"{"version":"1.0.0","source":"s","kinds":[{"code":"Patch","label":\#(label)},{"code":"other","label":\#(label)}]}"#)?
            .contains("[a-z0-9_]+") == true)
        #expect(problem(#"{"version":"1.0.0","source":"s","kinds":[{"code":"patch","label":\#(label)}]}"#)?.contains("'other'") == true)
        #expect(problem(#"{"version":"1.0.0","source":"s","kinds":[{"code":"other","label":{"fr":"Autre","en":""}}]}"#)?.contains("both") == true)
        #expect(problem(#"{"version":"1.0.0","source":"s","kinds":[{"code":"other","label":\#(label),"dose":"x"}]}"#) != nil, "unknown keys refused")
    }
}
