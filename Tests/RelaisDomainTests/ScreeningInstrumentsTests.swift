import Foundation
import Testing
@testable import RelaisDomain

/// AUDIT-C (Bush et al. 1998; French cut-offs by sex: HAS 2014): item → [(code, points)].
let auditCTable: [(String, [(String, Int)])] = [
    ("q1", [("never", 0), ("monthly_or_less", 1), ("2to4_month", 2), ("2to3_week", 3), ("4plus_week", 4)]),
    ("q2", [("1to2", 0), ("3to4", 1), ("5to6", 2), ("7to9", 3), ("10plus", 4)]),
    ("q3", [("never", 0), ("less_than_monthly", 1), ("monthly", 2), ("weekly", 3), ("daily", 4)]),
]

/// AUDIT-C bands: misuse from 3 for women and 4 for men, dependence from 10.
func auditCBand(_ total: Int, sex: String) -> String {
    if total >= 10 { return "dependence" }
    return total >= (sex == "female" ? 3 : 4) ? "misuse" : "no_misuse"
}

/// CAST (OFDT; Legleye et al. 2007): six items, each 0 « jamais » to 4 « très souvent ».
let castOptions: [(String, Int)] = [("never", 0), ("rarely", 1), ("from_time_to_time", 2), ("fairly_often", 3), ("very_often", 4)]
let castTable: [(String, [(String, Int)])] = (1...6).map { ("q\($0)", castOptions) }

/// CAST: < 3 no risk, 3–6 low risk, ≥ 7 high risk.
func castBand(_ total: Int) -> String { total < 3 ? "no_risk" : total < 7 ? "low_risk" : "high_risk" }

/// PHQ-4 (Kroenke et al. 2009): four items, each 0 « jamais » to 3 « presque tous les jours ».
let phqOptions: [(String, Int)] = [("not_at_all", 0), ("several_days", 1), ("more_than_half", 2), ("nearly_every_day", 3)]
let phq4Table: [(String, [(String, Int)])] = (1...4).map { ("q\($0)", phqOptions) }

/// PHQ-4 total: 0–2 normal, 3–5 mild, 6–8 moderate, 9–12 severe; subscales: ≥ 3 positive.
func phq4Band(_ total: Int) -> String {
    switch total {
    case 0...2: return "normal"
    case 3...5: return "mild"
    case 6...8: return "moderate"
    default: return "severe"
    }
}
func subscaleBand(_ total: Int) -> String { total >= 3 ? "positive" : "negative" }

@Suite("Screening instruments (AUDIT-C, CAST, PHQ-4) against their published tables")
struct ScreeningInstrumentsTests {
    /// Each option of each item alone (the other items at 0) scores its published points.
    func checkEveryOption(_ id: String, _ table: [(String, [(String, Int)])], extra: [String: JSONValue] = [:]) throws {
        let instrument = try shipped(id)
        let zero = Dictionary(uniqueKeysWithValues: table.map { ($0.0, JSONValue.string($0.1.first { $0.1 == 0 }!.0)) })
        for (item, options) in table {
            #expect(instrument.definition.item(item)?.options?.map(\.code) == options.map(\.0), "\(id): codes of \(item)")
            #expect(instrument.definition.item(item)?.options?.map(\.points) == options.map(\.1), "\(id): points of \(item)")
            for (code, points) in options {
                var given = zero.merging(extra) { $1 }
                given[item] = .string(code)
                #expect(try instrument.score(given).total.total == Double(points), "\(id) \(item)=\(code)")
            }
        }
    }

    @Test func auditCScoresEveryOptionAndEveryAnswerSetWithTheBandOfEachSex() throws {
        try checkEveryOption("audit_c", auditCTable, extra: ["sex": .string("female")])
        let instrument = try shipped("audit_c")
        #expect(instrument.definition.item("sex")?.options?.map(\.code) == ["female", "male"])
        #expect(instrument.definition.item("sex")?.options?.allSatisfy { $0.points == nil } == true, "sex is not scored")
        let combinations = allCombinations(auditCTable)
        #expect(combinations.count == 125)
        var seen = Set<Int>()
        for combination in combinations {
            let total = combination.values.map(\.1).reduce(0, +)
            for sex in ["female", "male"] {
                let result = try instrument.score(answers(combination).merging(["sex": .string(sex)]) { $1 })
                #expect(result.total == ScoreValue(total: Double(total), band: auditCBand(total, sex: sex)), "\(sex) \(total)")
            }
            seen.insert(total)
        }
        #expect(seen == Set(0...12))
    }

    @Test func auditCBandEdgesDependOnSex() throws {
        let instrument = try shipped("audit_c")
        let scheme = try #require(instrument.schemes["total"])
        #expect(scheme.byItem == "sex")
        let women: [Int: String] = [0: "no_misuse", 2: "no_misuse", 3: "misuse", 9: "misuse", 10: "dependence", 12: "dependence"]
        let men: [Int: String] = [0: "no_misuse", 3: "no_misuse", 4: "misuse", 9: "misuse", 10: "dependence", 12: "dependence"]
        for (total, band) in women { #expect(scheme.band(Double(total), answers: ["sex": .string("female")], parameters: [:])?.code == band, "woman \(total)") }
        for (total, band) in men { #expect(scheme.band(Double(total), answers: ["sex": .string("male")], parameters: [:])?.code == band, "man \(total)") }
        // 3 points: misuse for a woman, not for a man.
        let three: [String: JSONValue] = ["q1": .string("2to3_week"), "q2": .string("1to2"), "q3": .string("never")]
        #expect(try instrument.score(three.merging(["sex": .string("female")]) { $1 }).total == ScoreValue(total: 3, band: "misuse"))
        #expect(try instrument.score(three.merging(["sex": .string("male")]) { $1 }).total == ScoreValue(total: 3, band: "no_misuse"))
        // Without the sex (a partial test), the total stands without a band; sex is required otherwise.
        #expect(try instrument.score(three, partial: true).total == ScoreValue(total: 3, band: nil))
        #expect(throws: ValidationError.self) { try instrument.score(three) }
    }

    @Test func castScoresEveryOptionAndEveryBandEdge() throws {
        try checkEveryOption("cast", castTable)
        let instrument = try shipped("cast")
        #expect(instrument.definition.total.map { ($0.min, $0.max) }! == (0, 24))
        // Every total 0–24 reached by raising the items one point at a time.
        for total in 0...24 {
            var given: [String: JSONValue] = [:]
            var left = total
            for index in 1...6 {
                let points = min(left, 4)
                left -= points
                given["q\(index)"] = .string(castOptions[points].0)
            }
            #expect(try instrument.score(given).total == ScoreValue(total: Double(total), band: castBand(total)), "total \(total)")
        }
        #expect([2, 3, 6, 7].map(castBand) == ["no_risk", "low_risk", "low_risk", "high_risk"])
    }

    @Test func phq4ScoresEveryOptionTheTotalAndBothSubscales() throws {
        try checkEveryOption("phq4", phq4Table)
        let instrument = try shipped("phq4")
        #expect(Set(instrument.definition.derived.map(\.id)) == ["anxiety", "depression"])
        #expect(instrument.definition.scores?.first { $0.id == "anxiety" }?.items == ["q1", "q2"])
        #expect(instrument.definition.scores?.first { $0.id == "depression" }?.items == ["q3", "q4"])
        let combinations = allCombinations(phq4Table)
        #expect(combinations.count == 256)
        var seen = Set<Int>()
        for combination in combinations {
            let total = combination.values.map(\.1).reduce(0, +)
            let anxiety = combination["q1"]!.1 + combination["q2"]!.1
            let depression = combination["q3"]!.1 + combination["q4"]!.1
            let result = try instrument.score(answers(combination))
            #expect(result.total == ScoreValue(total: Double(total), band: phq4Band(total)))
            #expect(result.derived?["anxiety"] == ScoreValue(total: Double(anxiety), band: subscaleBand(anxiety)))
            #expect(result.derived?["depression"] == ScoreValue(total: Double(depression), band: subscaleBand(depression)))
            seen.insert(total)
        }
        #expect(seen == Set(0...12))
        #expect([2, 3, 5, 6, 8, 9].map(phq4Band) == ["normal", "mild", "mild", "moderate", "moderate", "severe"])
        #expect([2, 3].map(subscaleBand) == ["negative", "positive"])
    }

    @Test func eachFileNamesItsSourcesAndLicenceAndNoHADSIsShipped() throws {
        for (id, words) in [("audit_c", ["Bush", "Haute Autorité de santé", "Licence"]), ("cast", ["Legleye", "OFDT", "Licence"]),
                            ("phq4", ["Kroenke", "Psychosomatics 2009", "phqscreeners", "Licence"])] {
            let instrument = try shipped(id)
            for word in words { #expect(instrument.definition.source.contains(word), "\(id) names \(word)") }
            for item in instrument.definition.items { #expect(!item.text.fr.isEmpty && !item.text.en.isEmpty, "\(id).\(item.id)") }
        }
        #expect(throws: (any Error).self) { try shipped("had") }
    }
}

@Suite("The instrument format: band schemes by item")
struct BandsByItemTests {
    func instrument(_ bands: String, byItem: String = #""by_item": "sex","#) throws -> ConfiguredInstrument {
        let text = """
        {"format":1,"id":"t","version":"1.0.0","title":{"fr":"T","en":"T"},"source":"test",
         "items":[{"id":"sex","type":"single_choice","text":{"fr":"S","en":"S"},"options":[
            {"code":"female","label":{"fr":"F","en":"F"}},{"code":"male","label":{"fr":"H","en":"M"}}]},
          {"id":"q1","type":"integer","text":{"fr":"Q","en":"Q"},"min":0,"max":4}],
         "scores":[{"id":"total","label":{"fr":"T","en":"T"},"items":["q1"],"min":0,"max":4,
           "band_schemes":[{"id":"s","label":{"fr":"S","en":"S"},"source":"test",\(byItem) "bands":[\(bands)]}]}]}
        """
        return try ConfiguredInstrument(try Instrument.decode(Data(text.utf8), file: "t.json"), file: "t.json")
    }

    @Test func eachOptionMustBeCoveredExactlyOnce() throws {
        let good = #"{"code":"low","label":{"fr":"B","en":"L"},"max":1,"for":["female"]},{"code":"low","label":{"fr":"B","en":"L"},"max":2,"for":["male"]},"#
            + #"{"code":"high","label":{"fr":"H","en":"H"},"min":2,"for":["female"]},{"code":"high","label":{"fr":"H","en":"H"},"min":3,"for":["male"]}"#
        let loaded = try instrument(good)
        #expect(try loaded.score(["sex": .string("female"), "q1": .number(2)]).total.band == "high")
        #expect(try loaded.score(["sex": .string("male"), "q1": .number(2)]).total.band == "low")
        #expect(loaded.schemes["total"]?.codes == ["low", "high"])
        // Male left without a band at 3–4.
        let gap = #"{"code":"low","label":{"fr":"B","en":"L"},"max":1,"for":["female"]},{"code":"low","label":{"fr":"B","en":"L"},"max":2,"for":["male"]},"#
            + #"{"code":"high","label":{"fr":"H","en":"H"},"min":2,"for":["female"]}"#
        #expect(throws: InstrumentDefinitionError.self) { try instrument(gap) }
        // `for` naming an option the item does not have, and `for` without `by_item`.
        #expect(throws: InstrumentDefinitionError.self) { try instrument(#"{"code":"all","label":{"fr":"A","en":"A"},"for":["other"]}"#) }
        #expect(throws: InstrumentDefinitionError.self) { try instrument(#"{"code":"all","label":{"fr":"A","en":"A"},"for":["female"]}"#, byItem: "") }
        #expect(throws: InstrumentDefinitionError.self) { try instrument(#"{"code":"all","label":{"fr":"A","en":"A"}}"#, byItem: #""by_item": "q1","#) }
    }
}
