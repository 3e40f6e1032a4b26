import Testing
@testable import RelaisDomain

/// The published table (Heatherton et al. 1991): item → [(code, points)].
let fagerstromTable: [(String, [(String, Int)])] = [
    ("q1", [("within5", 3), ("6to30", 2), ("31to60", 1), ("after60", 0)]),
    ("q2", [("yes", 1), ("no", 0)]),
    ("q3", [("first_morning", 1), ("other", 0)]),
    ("q4", [("le10", 0), ("11to20", 1), ("21to30", 2), ("ge31", 3)]),
    ("q5", [("yes", 1), ("no", 0)]),
    ("q6", [("yes", 1), ("no", 0)]),
]

/// French practice (Tabac info service / CPAM): 0–2 none, 3–4 low, 5–6 medium, 7–10 high.
func fagerstromBand(_ total: Int) -> String {
    switch total {
    case 0...2: return "none"
    case 3...4: return "low"
    case 5...6: return "medium"
    default: return "high"
    }
}

/// HSI: 0–1 low, 2–4 medium, 5–6 high.
func hsiBand(_ total: Int) -> String {
    switch total {
    case 0...1: return "low"
    case 2...4: return "medium"
    default: return "high"
    }
}

@Suite("Fagerström and HSI against the published tables")
struct FagerstromTests {
    @Test func everyOptionOfEveryItemScoresItsPublishedPoints() throws {
        let instrument = try shipped("fagerstrom")
        // Start from the zero answer of each item and change one item at a time.
        let zero = Dictionary(uniqueKeysWithValues: fagerstromTable.map { ($0.0, JSONValue.string($0.1.first { $0.1 == 0 }!.0)) })
        for (item, options) in fagerstromTable {
            #expect(instrument.definition.item(item)?.options?.map(\.code) == options.map(\.0), "codes of \(item)")
            for (code, points) in options {
                var given = zero
                given[item] = .string(code)
                let result = try instrument.score(given)
                #expect(result.total.total == Double(points), "\(item)=\(code)")
            }
        }
    }

    @Test func all256AnswerSetsGiveTheSumAndTheFrenchBandAndHSI() throws {
        let instrument = try shipped("fagerstrom")
        let combinations = allCombinations(fagerstromTable)
        #expect(combinations.count == 256)
        var totalsSeen = Set<Int>()
        for combination in combinations {
            let expected = combination.values.map(\.1).reduce(0, +)
            let hsi = combination["q1"]!.1 + combination["q4"]!.1
            let result = try instrument.score(answers(combination))
            #expect(result.total == ScoreValue(total: Double(expected), band: fagerstromBand(expected)))
            #expect(result.derived?["hsi"] == ScoreValue(total: Double(hsi), band: hsiBand(hsi)))
            totalsSeen.insert(expected)
        }
        #expect(totalsSeen == Set(0...10), "every total, so every band edge (2/3, 4/5, 6/7), is reached")
    }

    @Test func bandEdgesOfTheFrenchScheme() {
        #expect([2, 3, 4, 5, 6, 7].map(fagerstromBand) == ["none", "low", "low", "medium", "medium", "high"])
        #expect([1, 2, 4, 5].map(hsiBand) == ["low", "medium", "medium", "high"])
    }

    @Test func theFiveBandSchemeIsAConfigurableAlternative() throws {
        let instrument = try shipped("fagerstrom", settings: ["band_scheme": "heatherton_1991"])
        let expected: [Int: String] = [0: "very_low", 2: "very_low", 3: "low", 4: "low", 5: "medium", 6: "high", 7: "high", 8: "very_high", 10: "very_high"]
        var checked = Set<Int>()
        for combination in allCombinations(fagerstromTable) {
            let total = combination.values.map(\.1).reduce(0, +)
            guard let band = expected[total], !checked.contains(total) else { continue }
            #expect(try instrument.score(answers(combination)).total.band == band, "total \(total)")
            checked.insert(total)
        }
        #expect(checked == Set(expected.keys))
        // HSI keeps its own scheme.
        #expect(instrument.schemes["hsi"]?.id == "default")
    }

    @Test func aNumberOfCigarettesIsMappedToItsBand() throws {
        let instrument = try shipped("fagerstrom")
        let base: [String: JSONValue] = ["q1": "after60", "q2": "no", "q3": "other", "q5": "no", "q6": "no"].mapValues { .string($0) }
        let mapping: [(Int, String, Double)] = [(0, "le10", 0), (10, "le10", 0), (11, "11to20", 1), (20, "11to20", 1),
                                                (21, "21to30", 2), (30, "21to30", 2), (31, "ge31", 3), (200, "ge31", 3)]
        for (count, code, points) in mapping {
            let result = try instrument.score(base.merging(["q4": .number(Double(count))]) { $1 })
            #expect(result.total.total == points, "\(count) cigarettes")
            #expect(result.answers["q4"] == .string(code))
            #expect(result.answers["q4_count"] == .number(Double(count)))
        }
        for bad in [-1.0, 201, 10.5] {
            #expect(throws: ValidationError.self) { try instrument.score(base.merging(["q4": .number(bad)]) { $1 }) }
        }
    }

    @Test func theStandaloneHSIMatchesTheDerivedOne() throws {
        let instrument = try shipped("hsi")
        let table = fagerstromTable.filter { ["q1", "q4"].contains($0.0) }
        for combination in allCombinations(table) {
            let total = combination["q1"]!.1 + combination["q4"]!.1
            #expect(try instrument.score(answers(combination)).total == ScoreValue(total: Double(total), band: hsiBand(total)))
        }
        #expect(try instrument.score(["q1": .string("within5"), "q4": .number(35)]).total == ScoreValue(total: 6, band: "high"))
    }

    @Test func theIssueExampleIsTenHighWithHSISixHigh() throws {
        let result = try shipped("fagerstrom").score(["q1": "within5", "q2": "yes", "q3": "first_morning", "q4": "ge31", "q5": "yes", "q6": "yes"].mapValues { .string($0) })
        #expect(result.total == ScoreValue(total: 10, band: "high"))
        #expect(result.derived == ["hsi": ScoreValue(total: 6, band: "high")])
    }
}
