import Testing
@testable import RelaisDomain

/// Q-MAT (Aubin et al. 2004), with its published codes and points (Protocols/instruments/qmat.json).
let qmatTable: [(String, [(String, Int)])] = [
    ("q1", [("same", 0), ("reduced_little", 2), ("reduced_much", 4), ("stopped", 8)]),
    ("q2", [("not_at_all", 0), ("a_little", 1), ("a_lot", 2), ("enormously", 3)]),
    ("q3", [("same", 0), ("reduced_little", 2), ("reduced_much", 4), ("stopped", 6)]),
    ("q4", [("never", 0), ("sometimes", 1), ("often", 2), ("very_often", 3)]),
]

@Suite("Q-MAT, CO, questionnaires and validation")
struct QMATAndOtherInstrumentsTests {
    @Test func everyQMATAnswerSetGivesTheSumAndDefaultBand() throws {
        let instrument = try shipped("qmat")
        var totals = Set<Int>()
        for (item, options) in qmatTable {
            #expect(instrument.definition.item(item)?.options?.map(\.code) == options.map(\.0))
            #expect(instrument.definition.item(item)?.options?.map(\.points) == options.map(\.1))
        }
        for combination in allCombinations(qmatTable) {
            let total = combination.values.map(\.1).reduce(0, +)
            let band = total <= 6 ? "low" : total <= 12 ? "medium" : "high"
            #expect(try instrument.score(answers(combination)).total == ScoreValue(total: Double(total), band: band))
            totals.insert(total)
        }
        #expect(totals.isSuperset(of: [6, 7, 12, 13]), "the band edges 6/7 and 12/13 are reached")
        #expect(totals.max() == 20 && totals.min() == 0)
    }

    @Test func theQMATThresholdAt14IsConfigurable() throws {
        let instrument = try shipped("qmat", settings: ["band_scheme": "high_from_14"])
        let thirteen = answers(["q1": ("stopped", 8), "q2": ("enormously", 3), "q3": ("reduced_little", 2), "q4": ("never", 0)])
        let fourteen = answers(["q1": ("stopped", 8), "q2": ("enormously", 3), "q3": ("reduced_little", 2), "q4": ("sometimes", 1)])
        #expect(try instrument.score(thirteen).total == ScoreValue(total: 13, band: "medium"))
        #expect(try instrument.score(fourteen).total == ScoreValue(total: 14, band: "high"))
        #expect(try shipped("qmat").score(thirteen).total.band == "high")
    }

    @Test func coIsComparedWithTheConfiguredThreshold() throws {
        let defaults = try shipped("co")
        #expect(try defaults.score(["ppm": .number(9)]).total == ScoreValue(total: 9, band: "below_threshold"))
        #expect(try defaults.score(["ppm": .number(10)]).total == ScoreValue(total: 10, band: "above_threshold"))
        let strict = try shipped("co", settings: ["parameters.abstinence_threshold_ppm": "6"])
        #expect(try strict.score(["ppm": .number(5)]).total.band == "below_threshold")
        #expect(try strict.score(["ppm": .number(6)]).total.band == "above_threshold")
        #expect(throws: ValidationError(field: "ppm", .answerOutOfRange, ["min": "0", "max": "200", "got": "201"])) { try defaults.score(["ppm": .number(201)]) }
        #expect(throws: ValidationError(field: "ppm", .answerExpectedWhole, ["got": "5.5"])) { try defaults.score(["ppm": .number(5.5)]) }
    }

    @Test func errorsListEveryFaultyItemWithAReason() throws {
        let instrument = try shipped("fagerstrom")
        do {
            _ = try instrument.score(["q1": .string("within5"), "q2": .string("maybe"), "q3": .number(1), "q4": .number(500),
                                      "q5": .string("yes"), "q7": .string("yes")])
            Issue.record("invalid answers must be refused")
        } catch {
            #expect(error.fields["q2"] == Reason(.answerUnknownOption, ["code": "maybe", "options": "yes, no"]))
            #expect(error.fields["q3"]?.code == .answerExpectedOption && error.fields["q3"]?.parameters["options"] == "first_morning, other")
            #expect(error.fields["q4"]?.code == .answerExpectedOptionOrCount && error.fields["q4"]?.parameters["max"] == "200" && error.fields["q4"]?.parameters["got"] == "500")
            #expect(error.fields["q6"] == .required)
            #expect(error.fields["q7"]?.code == .answerUnknownItem)
            #expect(error.fields.count == 5)
        }
    }

    @Test func aPartialTestHasNoTotalButDerivedScoresOfAnsweredItems() throws {
        let instrument = try shipped("fagerstrom")
        let given: [String: JSONValue] = ["q1": .string("6to30"), "q4": .number(15)]
        #expect(throws: ValidationError.self) { try instrument.score(given) }
        let result = try instrument.score(given, partial: true)
        #expect(result.total == ScoreValue(total: nil, band: nil))
        #expect(result.derived?["hsi"] == ScoreValue(total: 3, band: "medium"))
        #expect(Set(result.missing) == ["q2", "q3", "q5", "q6"])
        let onlyQ2 = try instrument.score(["q2": .string("yes")], partial: true)
        #expect(onlyQ2.derived?["hsi"] == ScoreValue(total: nil, band: nil))
    }

    @Test func questionnairesValidateTheirItemTypes() throws {
        let followUp = try shipped("followup_3m")
        let valid: [String: JSONValue] = ["status": .string("reduced"), "cigarettes_per_day": .number(8), "quit_date": .null,
                                          "aids_used": .array([.string("patches"), .string("vaping")]),
                                          "orientation_followed": .string("yes"), "would_recommend": .string("yes")]
        let result = try followUp.score(valid)
        #expect(result.total == ScoreValue(total: nil, band: nil) && result.derived == nil)
        var bad = valid
        bad["aids_used"] = .array([.string("none"), .string("patches")])
        bad["quit_date"] = .string("2026-02-30")
        bad["status"] = .string("maybe")
        do {
            _ = try followUp.score(bad)
            Issue.record("must be refused")
        } catch {
            #expect(error.fields["aids_used"] == Reason(.answerOptionExclusive, ["code": "none"]))
            #expect(error.fields["quit_date"] == Reason(.answerDateFormat, ["got": "'2026-02-30'"]))
            #expect(error.fields["status"]?.code == .answerUnknownOption && error.fields["status"]?.parameters["code"] == "maybe")
        }
        let impact = try shipped("impact_end")
        #expect(throws: ValidationError.self) {
            try impact.score(["knowledge_dependence": .number(11), "self_efficacy_reduce": .number(5), "self_efficacy_stop": .number(5),
                              "motivation_change": .number(5)])
        }
        let balance = try shipped("decisional_balance")
        #expect(try balance.score(["advantages_smoking": .string("la pause")]).total.total == nil)
        #expect(throws: ValidationError.self) { try balance.score(["advantages_smoking": .string(String(repeating: "x", count: 2001))]) }
    }

    @Test func everyShippedInstrumentLoadsWithBothLanguages() throws {
        for id in ["fagerstrom", "hsi", "qmat", "co", "decisional_balance", "satisfaction_end", "impact_end", "followup_3m"] {
            let instrument = try shipped(id)
            #expect(!instrument.definition.source.isEmpty)
            for item in instrument.definition.items {
                #expect(!item.text.fr.isEmpty && !item.text.en.isEmpty, "\(id).\(item.id)")
            }
        }
    }
}
