import Testing
@testable import RelaisDomain

/// The classification of a status at a time point, rule by rule (the report's definitions say
/// the same in words).
@Suite("Evaluation: classifying a status against the baseline")
struct ClassificationTests {
    static let classifier = OutcomeClassifier()

    static func smoker(_ declared: SmokingOutcome?, _ count: Double?, entry: Consumption?, threshold: Double = 50) -> Classification {
        OutcomeClassifier(reducedThresholdPercent: threshold).smoker(StatusAnswer(declared: declared, cigarettesPerDay: count), entry: entry)
    }

    @Test(arguments: [
        // A stop is a declared stop with no positive count.
        (SmokingOutcome.stopped, nil as Double?, Consumption.exact(20), SmokingOutcome.stopped),
        (.stopped, 0, .exact(20), .stopped),
        (.stopped, 0, nil, .stopped),
        (.stopped, nil, nil, .stopped),
        // A declared stop with a positive count is classified by the count.
        (.stopped, 5, .exact(20), .reduced),
        (.stopped, 15, .exact(20), .unchanged),
        (.stopped, 25, .exact(20), .increased),
        // A count of 0 with a declared reduction is a reduction, not a stop (occasional smokers, other tobacco).
        (.reduced, 0, .exact(20), .reduced),
        (nil, 0, .exact(20), .reduced),
        // With an exact entry and an exact count, the count decides (50 %: at most 10 of 20).
        (.reduced, 10, .exact(20), .reduced),
        (.reduced, 11, .exact(20), .unchanged),
        (.unchanged, 20, .exact(20), .unchanged),
        (.unchanged, 21, .exact(20), .increased),
        (.increased, 8, .exact(20), .reduced),
        // Without a count, the declared status stands.
        (.reduced, nil, .exact(20), .reduced),
        (.unchanged, nil, .band(low: 11, high: 20), .unchanged),
        (.increased, nil, nil, .increased),
        // Nothing answered: unknown.
        (nil, nil, .exact(20), .unknown),
        // No entry to compare with: the declared status, but a contradicted stop is unknown.
        (.reduced, 8, nil, .reduced),
        (.stopped, 2, nil, .unknown),
        (nil, 8, nil, .unknown),
        (.unchanged, 8, .exact(0), .unchanged),
    ] as [(SmokingOutcome?, Double?, Consumption?, SmokingOutcome)])
    func smokersAtEntry(declared: SmokingOutcome?, count: Double?, entry: Consumption?, expected: SmokingOutcome) {
        let result = Self.smoker(declared, count, entry: entry)
        #expect(result.outcome == expected, "\(String(describing: declared)) \(String(describing: count)) vs \(String(describing: entry))")
        #expect(!result.estimated, "an exact entry, or no count: nothing estimated")
    }

    @Test func aBandEntryAssertsAChangeOnlyWhenItHoldsForTheWholeBand() {
        let band = Consumption.band(low: 11, high: 20)
        // At most 5.5 is half of every count from 11 to 20: a reduction for sure.
        #expect(Self.smoker(.reduced, 5, entry: band) == Classification(.reduced))
        #expect(Self.smoker(nil, 0, entry: band) == Classification(.reduced))
        // Above 20 is more than any count of the band: an increase for sure.
        #expect(Self.smoker(.unchanged, 21, entry: band) == Classification(.increased))
        // In between, the declared status stands, and the report counts it as estimated.
        #expect(Self.smoker(.reduced, 8, entry: band) == Classification(.reduced, estimated: true))
        #expect(Self.smoker(.increased, 15, entry: band) == Classification(.increased, estimated: true))
        #expect(Self.smoker(nil, 15, entry: band) == Classification(.unchanged, estimated: true))
        #expect(Self.smoker(.stopped, 8, entry: band) == Classification(.unchanged, estimated: true), "a stop contradicted by the count")
        // The case of the clinical review: "10 ou moins" (0 to 10), then 8 a day, declared unchanged.
        #expect(Self.smoker(.unchanged, 8, entry: .band(low: 0, high: 10)) == Classification(.unchanged, estimated: true))
        // An open band ("31 or more") never asserts an increase.
        #expect(Self.smoker(.unchanged, 90, entry: .band(low: 31, high: nil)) == Classification(.unchanged, estimated: true))
        #expect(Self.smoker(nil, 15, entry: .band(low: 31, high: nil)) == Classification(.reduced))
    }

    @Test func theThresholdIsTheSettings() {
        #expect(Self.smoker(.reduced, 14, entry: .exact(20), threshold: 30).outcome == .reduced)
        #expect(Self.smoker(.reduced, 14, entry: .exact(20), threshold: 50).outcome == .unchanged)
        #expect(Self.smoker(.reduced, 7, entry: .band(low: 11, high: 20), threshold: 30) == Classification(.reduced), "7 ≤ 11 × 70 %")
    }

    @Test(arguments: [
        (SmokingOutcome.stopped, nil as Double?, false, ExSmokerOutcome.abstinenceMaintained),
        (.stopped, 0, false, .abstinenceMaintained),
        (nil, 0, false, .abstinenceMaintained),
        (.unchanged, 0, false, .abstinenceMaintained),
        (.unchanged, nil, false, .unknown),
        (nil, nil, false, .unknown),
        (.reduced, nil, false, .relapsed),
        (.increased, nil, false, .relapsed),
        (.stopped, 2, false, .relapsed),
        (nil, 1, false, .relapsed),
        (.stopped, 0, true, .relapsed),
    ] as [(SmokingOutcome?, Double?, Bool, ExSmokerOutcome)])
    func exSmokersAtEntry(declared: SmokingOutcome?, count: Double?, relapse: Bool, expected: ExSmokerOutcome) {
        #expect(Self.classifier.exSmoker(StatusAnswer(declared: declared, cigarettesPerDay: count, relapseDeclared: relapse)) == expected)
    }

    @Test func stoppedAndMaintainedNeedsBothTimePointsAndNoRelapse() {
        let stopped = Classification(.stopped)
        let answer = StatusAnswer(declared: .stopped, cigarettesPerDay: 0)
        #expect(Self.classifier.maintainedStopped(end: stopped, followUp: stopped, followUpAnswer: answer))
        #expect(!Self.classifier.maintainedStopped(end: stopped, followUp: stopped,
                                                   followUpAnswer: StatusAnswer(declared: .stopped, cigarettesPerDay: 0, relapseDeclared: true)))
        #expect(!Self.classifier.maintainedStopped(end: Classification(.reduced), followUp: stopped, followUpAnswer: answer))
        #expect(!Self.classifier.maintainedStopped(end: Classification(.unknown), followUp: stopped, followUpAnswer: answer))
        #expect(!Self.classifier.maintainedStopped(end: stopped, followUp: Classification(.reduced), followUpAnswer: nil))
    }

    @Test func theNearestCOReadingInTheWindowDecides() {
        func day(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }
        let status = day("2026-06-19")
        func check(_ readings: [(String, Double)], window: Int = 7, threshold: Double = 10) -> COCheck {
            OutcomeClassifier(coThresholdPPM: threshold, coWindowDays: window).coCheck(statusDate: status, readings: readings.map { COReading(date: day($0.0), ppm: $0.1) })
        }
        #expect(check([]) == .notMeasured)
        #expect(check([("2026-06-20", 5)]) == .validated)
        #expect(check([("2026-06-20", 10)]) == .notAbstinent, "at the threshold: not abstinent")
        #expect(check([("2026-06-20", 9)]) == .validated)
        // Not any reading under the threshold in the window: the nearest one.
        #expect(check([("2026-06-13", 3), ("2026-06-18", 14)]) == .notAbstinent)
        #expect(check([("2026-06-12", 3), ("2026-06-21", 14), ("2026-06-19", 4)]) == .validated)
        // Outside ±7 days: not measured.
        #expect(check([("2026-06-11", 3), ("2026-06-27", 3)]) == .notMeasured)
        #expect(check([("2026-06-12", 3)]) == .validated, "7 days is inside")
        #expect(check([("2026-06-11", 3)], window: 8) == .validated, "the window is a setting")
        // Two readings as near: the higher one.
        #expect(check([("2026-06-18", 4), ("2026-06-20", 12)]) == .notAbstinent)
        #expect(check([("2026-06-20", 12)], threshold: 15) == .validated)
    }

    @Test func anEntryTestGivesItsCountOrItsBand() throws {
        let catalog = InstrumentCatalog([try shipped("fagerstrom"), try shipped("hsi")])
        #expect(catalog.entryConsumption(instrument: "fagerstrom", answers: ["q4": .string("21to30"), "q4_count": .number(24)]) == .exact(24))
        #expect(catalog.entryConsumption(instrument: "fagerstrom", answers: ["q4": .string("le10")]) == .band(low: 0, high: 10))
        #expect(catalog.entryConsumption(instrument: "fagerstrom", answers: ["q4": .string("11to20")]) == .band(low: 11, high: 20))
        #expect(catalog.entryConsumption(instrument: "hsi", answers: ["q4": .string("ge31")]) == .band(low: 31, high: nil))
        #expect(catalog.entryConsumption(instrument: "qmat", answers: ["q4": .string("le10")]) == nil)
        #expect(catalog.entryConsumption(instrument: "fagerstrom", answers: ["q1": .string("within5")]) == nil)
    }

    @Test func aBaselineTakesWhatIsGivenAndTheRecordForTheRest() throws {
        let equivalents = TobaccoEquivalents(version: "1.0.0", source: "test", note: "test", products: [
            .init(code: "cigarette", label: LocalizedText(fr: "c", en: "c"), equivalent: 1, sources: []),
            .init(code: "cigarillo", label: LocalizedText(fr: "c", en: "c"), equivalent: 2, sources: []),
        ])
        let today = CalendarDate(iso: "2026-11-01")!
        let record = Baseline(smokingStatus: .smoker, smokingStatusSource: .record, publics: [.precarity])
        let nothing = try BaselineInput().validated(defaults: record, equivalents: equivalents, today: today)
        #expect(nothing == record)
        #expect(nothing.entryConsumption(entryTest: .band(low: 11, high: 20))! == (.band(low: 11, high: 20), .entryTest))
        let products = try BaselineInput(products: ["cigarette": 10, "cigarillo": 3], goal: "reduce").validated(defaults: record, equivalents: equivalents, today: today)
        #expect(products.cigarettesPerDay == 16 && products.goal == .reduce && products.smokingStatusSource == .record)
        #expect(products.entryConsumption(entryTest: .exact(30))! == (.exact(16), .declared), "what was entered beats the test")
        let ex = try BaselineInput(smokingStatus: "ex_smoker", goal: "consolidate", quitDate: "2026-05-01", publics: ["pregnant"])
            .validated(defaults: record, equivalents: equivalents, today: today)
        #expect(ex.smokingStatus == .exSmoker && ex.smokingStatusSource == .declared && ex.quitDate == CalendarDate(iso: "2026-05-01"))
        #expect(ex.publics == [.pregnant])
        // Every problem at once, each named.
        let refused = try #require(throws: ValidationError.self) {
            try BaselineInput(smokingStatus: "sometimes", cigarettesPerDay: 300, goal: "quit", quitDate: "2027-01-01", publics: ["young_adult"])
                .validated(defaults: record, equivalents: equivalents, today: today)
        }
        #expect(Set(refused.fields.keys) == ["baseline.smokingStatus", "baseline.cigarettesPerDay", "baseline.goal", "baseline.quitDate", "baseline.publics"])
        #expect(refused.fields["baseline.quitDate"] == Reason(.dateInFuture))
        #expect(throws: ValidationError(field: "baseline.products", .baselineCountTwice)) {
            try BaselineInput(cigarettesPerDay: 10, products: ["cigarette": 10]).validated(defaults: record, equivalents: equivalents, today: today)
        }
        #expect(throws: ValidationError(field: "baseline.products.pipe", .expectedOneOf, ["options": "cigarette, cigarillo"])) {
            try BaselineInput(products: ["pipe": 1]).validated(defaults: record, equivalents: equivalents, today: today)
        }
        #expect(throws: ValidationError(field: "baseline.cigarettesPerDay", .baselineExSmokerSmokes)) {
            try BaselineInput(smokingStatus: "ex_smoker", cigarettesPerDay: 5).validated(defaults: record, equivalents: equivalents, today: today)
        }
        #expect(throws: ValidationError(field: "baseline.quitDate", .baselineQuitDateSmoker)) {
            try BaselineInput(quitDate: "2026-05-01").validated(defaults: record, equivalents: equivalents, today: today)
        }
    }
}
