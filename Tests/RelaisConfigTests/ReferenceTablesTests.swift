import Foundation
import RelaisConfig
import RelaisDomain
import Testing

private let shippedProtocols = repository.appendingPathComponent("Protocols").path

private func shippedText(_ name: String) throws -> String {
    try String(contentsOfFile: (shippedProtocols as NSString).appendingPathComponent(name), encoding: .utf8)
}

/// A temporary Protocols folder holding the given files.
private func folder(_ files: [String: String]) throws -> String {
    let root = NSTemporaryDirectory() + "relais-tables-" + UUID().uuidString.prefix(8)
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    for (name, text) in files { try text.write(toFile: "\(root)/\(name)", atomically: true, encoding: .utf8) }
    return root
}

/// Loads each broken copy (text, expected problem) of `name` and checks that the error names
/// the file and the problem.
private func expectRefused<T>(_ name: String, _ cases: [(String, String)], _ load: (String) throws(ReferenceTableError) -> T) throws {
    for (text, problem) in cases {
        let directory = try folder([name: text])
        do {
            _ = try load(directory)
            Issue.record("\(problem): should be refused")
        } catch {
            #expect(error.file == "\(directory)/\(name)")
            #expect(error.problem.contains(problem), "expected '\(problem)' in '\(error.problem)'")
        }
    }
}

@Suite("Reference tables of Protocols/")
struct ReferenceTablesTests {
    @Test func theShippedEquivalentsAreTheDocumentedOnes() throws {
        let table = try ReferenceTables.tobaccoEquivalents(directory: shippedProtocols)
        let expected: [(String, Double)] = [
            ("cigarette", 1), ("roll_your_own", 1), ("cigarillo", 2), ("cigar", 4), ("pipe", 2.5), ("waterpipe", 40), ("joint", 1),
        ]
        #expect(table.products.map(\.code) == expected.map(\.0))
        for (code, value) in expected { #expect(table.equivalent(of: code) == value, "\(code)") }
        #expect(table.products.first { $0.code == "waterpipe" }?.label.fr == "Chicha / narguilé (une séance)")
    }

    @Test func theShippedTerritoryNamesEveryDepartement() throws {
        let territory = try ReferenceTables.territory(directory: shippedProtocols)
        #expect(territory.departements.count == 101)
        #expect(territory.cogYear == 2024)
        #expect(territory.name(of: "59") == "Nord")
        #expect(territory.name(of: Territory.departement(postalCode: "20167") ?? "") == "Corse-du-Sud")
    }

    @Test func aMissingFileIsNamed() throws {
        let empty = try folder([:])
        #expect(throws: ReferenceTableError(file: "\(empty)/tobacco_equivalents.json", problem: "file not found: set protocols_dir to the Protocols folder")) {
            try ReferenceTables.tobaccoEquivalents(directory: empty)
        }
        #expect(throws: ReferenceTableError(file: "\(empty)/departements.json", problem: "file not found: set protocols_dir to the Protocols folder")) {
            try ReferenceTables.territory(directory: empty)
        }
    }

    @Test func aBrokenEquivalentsFileIsRefused() throws {
        let name = ReferenceTables.tobaccoEquivalentsFile
        let text = try shippedText(name)
        let cases: [(String, String)] = [
            ("{ \"version\": ", "not valid JSON"),
            (text.replacingOccurrences(of: "\"version\": \"1.0.0\",", with: "\"version\": \"1.0.0\", \"verison\": 1,"), "unknown key 'verison'"),
            (text.replacingOccurrences(of: "\"equivalent\": 40,", with: ""), "missing key 'equivalent'"),
            (text.replacingOccurrences(of: "\"equivalent\": 40,", with: "\"equivalent\": \"40\","), "products[5].equivalent"),
            (text.replacingOccurrences(of: "\"code\": \"joint\"", with: "\"code\": \"cigar\""), "'cigar' appears twice"),
            (text.replacingOccurrences(of: "\"code\": \"cigarette\"", with: "\"code\": \"manufactured\""), "no product 'cigarette'"),
            (text.replacingOccurrences(of: "\"equivalent\": 1,\n      \"sources\": [\n        {\"title\": \"Unit", with: "\"equivalent\": 2,\n      \"sources\": [\n        {\"title\": \"Unit"), "must be 1, not 2"),
            (text.replacingOccurrences(of: "\"equivalent\": 40,", with: "\"equivalent\": 0,"), "must be above 0 and at most 100"),
            (text.replacingOccurrences(of: "\"equivalent\": 40,", with: "\"equivalent\": 150,"), "must be above 0 and at most 100"),
            (text.replacingOccurrences(of: "\"code\": \"pipe\"", with: "\"code\": \"Pipe\""), "must match [a-z0-9_]+"),
            (text.replacingOccurrences(of: "\"en\": \"Cigar\"", with: "\"en\": \" \""), "products[3].label"),
        ]
        try expectRefused(name, cases, ReferenceTables.tobaccoEquivalents)
    }

    @Test func aBrokenDepartementsFileIsRefused() throws {
        let name = ReferenceTables.territoryFile
        let text = try shippedText(name)
        let cases: [(String, String)] = [
            ("[]", "expected"),
            (text.replacingOccurrences(of: "\"cog_year\": 2024,", with: "\"cog_year\": 2024, \"year\": 2024,"), "unknown key 'year'"),
            (text.replacingOccurrences(of: "    \"2A\": \"Corse-du-Sud\",\n", with: ""), "1 of the 101 missing (2A)"),
            (text.replacingOccurrences(of: "\"2A\": \"Corse-du-Sud\"", with: "\"20\": \"Corse\""), "departements.20: not a département code"),
            (text.replacingOccurrences(of: "\"975\": \"Saint-Pierre-et-Miquelon\"", with: "\"984\": \"TAAF\""), "collectivities.984"),
            (text.replacingOccurrences(of: "\"59\": \"Nord\"", with: "\"59\": \"\""), "departements.59: the name is empty"),
            (text.replacingOccurrences(of: "\"59\": \"Nord\"", with: "\"59\": 59"), "departements[59]: expected String"),
            (text.replacingOccurrences(of: "\"cog_year\": 2024", with: "\"cog_year\": 24"), "cog_year 24"),
        ]
        try expectRefused(name, cases, ReferenceTables.territory)
    }
}
