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

/// HSI, French practice ("Fagerström simplifié"), the default: 0–1 low, 2–3 moderate, 4–6 high.
func hsiBand(_ total: Int) -> String {
    switch total {
    case 0...1: return "low"
    case 2...3: return "medium"
    default: return "high"
    }
}

/// HSI, international reading (the alternative scheme): 0–1 low, 2–4 moderate, 5–6 high.
func hsiInternationalBand(_ total: Int) -> String {
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
        #expect([1, 2, 3, 4, 6].map(hsiBand) == ["low", "medium", "medium", "high", "high"])
        #expect([1, 2, 4, 5].map(hsiInternationalBand) == ["low", "medium", "medium", "high"])
    }

    @Test func theHSIReadsTheFrenchPracticeBandsByDefaultAndTheInternationalOnesWhenConfigured() throws {
        for id in ["hsi", "fagerstrom"] {
            let score = id == "hsi" ? "total" : "hsi"
            let byDefault = try shipped(id)
            #expect(byDefault.schemes[score]?.id == "french_practice", "\(id)")
            #expect(byDefault.schemes[score]?.bands.map(\.code) == ["low", "medium", "high"])
            let international = try shipped(id, settings: ["band_scheme": "international"])
            #expect(international.schemes[score]?.id == "international", "\(id)")
            // Every HSI total, so every edge of both schemes (1/2, 3/4, 4/5).
            for total in 0...6 {
                #expect(byDefault.schemes[score]?.band(Double(total), parameters: [:])?.code == hsiBand(total), "\(id) \(total)")
                #expect(international.schemes[score]?.band(Double(total), parameters: [:])?.code == hsiInternationalBand(total), "\(id) \(total)")
            }
            if id == "fagerstrom" { #expect(international.schemes["total"]?.id == "french_practice", "the total keeps its own scheme") }
        }
        // The standalone test scored: 2 + 1 = 3 is moderate in French practice, 4 is high (moderate internationally).
        let hsi = try shipped("hsi")
        #expect(try hsi.score(["q1": .string("6to30"), "q4": .string("11to20")]).total == ScoreValue(total: 3, band: "medium"))
        #expect(try hsi.score(["q1": .string("6to30"), "q4": .string("21to30")]).total == ScoreValue(total: 4, band: "high"))
        #expect(try shipped("hsi", settings: ["band_scheme": "international"]).score(["q1": .string("6to30"), "q4": .string("21to30")]).total
            == ScoreValue(total: 4, band: "medium"))
    }

    @Test func theFormerSchemeIDsOfAConfigurationStillWorkAndAreReported() throws {
        // `heatherton_1991` (the five levels' former id) and `default` (the HSI's former, international, scheme).
        let old = try shipped("fagerstrom", settings: ["band_scheme": "heatherton_1991"])
        #expect(old.schemes["total"]?.id == "five_levels")
        #expect(old.renamedSettings == ["instruments.fagerstrom.band_scheme: 'heatherton_1991' is now 'five_levels'"])
        let hsi = try shipped("hsi", settings: ["band_scheme": "default"])
        #expect(hsi.schemes["total"]?.id == "international")
        #expect(hsi.renamedSettings == ["instruments.hsi.band_scheme: 'default' is now 'international'"])
        #expect(try shipped("fagerstrom", settings: ["band_scheme": "five_levels"]).renamedSettings.isEmpty)
        // One id per score, comma-separated: five levels for the total and the international HSI.
        let both = try shipped("fagerstrom", settings: ["band_scheme": "five_levels, international"])
        #expect(both.schemes["total"]?.id == "five_levels")
        #expect(both.schemes["hsi"]?.id == "international")
        #expect(throws: InstrumentDefinitionError.self) { try shipped("fagerstrom", settings: ["band_scheme": "five_levels,nonsense"]) }
    }

    @Test func noSchemeClaimsHeatherton1991ForBandsThatPaperDoesNotGive() throws {
        let instrument = try shipped("fagerstrom")
        let ids = (instrument.definition.scores ?? []).flatMap { $0.bandSchemes.map(\.id) }
        #expect(!ids.contains("heatherton_1991"))
        let five = try #require(instrument.definition.total?.bandSchemes.first { $0.id == "five_levels" })
        #expect(!five.label.fr.contains("Heatherton") && !five.label.en.contains("Heatherton"))
    }

    @Test func theFiveBandSchemeIsAConfigurableAlternative() throws {
        let instrument = try shipped("fagerstrom", settings: ["band_scheme": "five_levels"])
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
        #expect(instrument.schemes["hsi"]?.id == "french_practice")
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
