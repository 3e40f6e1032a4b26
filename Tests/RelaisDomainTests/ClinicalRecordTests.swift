import Foundation
@testable import RelaisDomain
import Testing

/// The structured record of a consultation: its products counted with the evaluation's table,
/// its pack-years, its ranges, and the CO safety rule.
@Suite("Consultation record")
struct ClinicalRecordTests {
    static func table() throws -> TobaccoEquivalents { try shippedTable("tobacco_equivalents.json", TobaccoEquivalents.decode) }

    static func validated(_ input: ClinicalRecordInput) throws -> (ClinicalRecordInput, ClinicalRecordInput.Figures) {
        try input.validated(equivalents: try table())
    }

    static func problems(_ input: ClinicalRecordInput) throws -> [String: ReasonCode] {
        do {
            _ = try validated(input)
            return [:]
        } catch let error as ValidationError {
            return error.fields.mapValues(\.code)
        }
    }

    // MARK: Cigarette-equivalents: the evaluation's table, not a copy of it

    @Test func theProductsAreCountedWithTheEvaluationsTable() throws {
        let table = try Self.table()
        // 10 cigarettes + 5 roll-ups + 2 cigarillos (2 each) + 1 cigar (4) + 1 pipe (2.5) + a waterpipe about weekly (0.1 × 40) + 2 joints (1 each)
        let day: [String: Double] = ["cigarette": 10, "roll_your_own": 5, "cigarillo": 2, "cigar": 1, "pipe": 1, "waterpipe": 0.1, "joint": 2]
        let (_, figures) = try Self.validated(ClinicalRecordInput(products: day))
        #expect(figures.cigaretteEquivalents == 31.5)
        #expect(figures.cigaretteEquivalents == (try table.cigaretteEquivalents(day)), "one table for the record and the evaluation")
        // Another table (a structure's own file) counts differently: the record follows it.
        var other = table
        other.products[other.products.firstIndex { $0.code == "cigarillo" }!].equivalent = 3
        #expect(try ClinicalRecordInput(products: ["cigarillo": 2]).validated(equivalents: other).1.cigaretteEquivalents == 6)
    }

    @Test func noProductGivenIsNoCountAndAllZeroSaysTheyDoNotSmoke() throws {
        #expect(try Self.validated(ClinicalRecordInput()).1.cigaretteEquivalents == nil)
        let (kept, figures) = try Self.validated(ClinicalRecordInput(products: [:]))
        #expect(kept.products == nil && figures.cigaretteEquivalents == nil)
        let zero = ClinicalRecordInput(products: ["cigarette": 0, "joint": 0])
        #expect(try Self.validated(zero).1.cigaretteEquivalents == 0)
        #expect(zero.smokesNothing && zero.saysConsumption)
        #expect(!ClinicalRecordInput(products: ["cigarette": 0, "joint": 0.5]).smokesNothing)
        #expect(!ClinicalRecordInput().smokesNothing && !ClinicalRecordInput().saysConsumption)
    }

    @Test func anUnknownProductOrACountOutOfRangeIsNamed() throws {
        #expect(try Self.problems(ClinicalRecordInput(products: ["snuff": 1])) == ["products.snuff": .expectedOneOf])
        // A count may be a decimal: its range says "a number", not "a whole number".
        #expect(try Self.problems(ClinicalRecordInput(products: ["cigarette": 201, "pipe": -1])) == ["products.cigarette": .decimalRange, "products.pipe": .decimalRange])
    }

    // MARK: Pack-years

    @Test(arguments: [(20.0, 10, 10.0), (10, 15, 7.5), (25, 30, 37.5), (1, 2, 0.1), (7, 4, 1.4)])
    func packYearsArePacksOfTwentyADayTimesYears(perDay: Double, years: Int, expected: Double) {
        #expect(PackYears.compute(cigarettesPerDay: perDay, years: Double(years)) == expected)
    }

    @Test func packYearsAreComputedFromTheYearsAndTodaysEquivalentsWhenNotTyped() throws {
        // 10 cigarettes and 5 cigarillos (2 each) = 20 a day, for 15 years: 15 pack-years.
        let (_, computed) = try Self.validated(ClinicalRecordInput(products: ["cigarette": 10, "cigarillo": 5], yearsSmoked: 15))
        #expect(computed.cigaretteEquivalents == 20 && computed.packYears == 15 && computed.packYearsSource == .computed)
        // Typed, they are kept as typed.
        let (_, entered) = try Self.validated(ClinicalRecordInput(products: ["cigarette": 10], yearsSmoked: 15, packYears: 22.5))
        #expect(entered.packYears == 22.5 && entered.packYearsSource == .entered)
        // Without the years, or for someone who smokes nothing today, there is nothing to compute.
        #expect(try Self.validated(ClinicalRecordInput(products: ["cigarette": 10])).1.packYears == nil)
        let exSmoker = try Self.validated(ClinicalRecordInput(products: ["cigarette": 0], yearsSmoked: 20)).1
        #expect(exSmoker.packYears == nil && exSmoker.packYearsSource == nil)
        // Capped at the largest plausible value.
        #expect(try Self.validated(ClinicalRecordInput(products: ["waterpipe": 5], yearsSmoked: 50)).1.packYears == PackYears.maximum)
        #expect(try Self.problems(ClinicalRecordInput(packYears: 301)) == ["packYears": .decimalRange])
    }

    // MARK: Ranges and rules, each problem under its field

    @Test func everyFieldIsCheckedAndEveryProblemNamedAtOnce() throws {
        let input = ClinicalRecordInput(eCigarette: false, eCigaretteNicotineMgPerMl: 12, yearsSmoked: 91, quitAttempts: 101, longestQuit: 3,
                                        quitDate: "2027-02-30", weightKg: 12, pregnancy: "maybe", craving: 11,
                                        withdrawalSymptoms: ["anxiety", "hiccups"], goal: "quit", plan: "a\u{0}b")
        #expect(try Self.problems(input) == [
            "eCigaretteNicotineMgPerMl": .eCigaretteNicotineWithoutUse, "yearsSmoked": .numberRange, "quitAttempts": .numberRange,
            "longestQuitUnit": .required, "quitDate": .dateFormat, "weightKg": .decimalRange, "pregnancy": .expectedOneOf, "craving": .numberRange,
            "withdrawalSymptoms": .expectedOneOf, "goal": .expectedOneOf, "plan": .textControlCharacters,
        ])
        #expect(try Self.problems(ClinicalRecordInput(eCigarette: true, eCigaretteNicotineMgPerMl: 51)) == ["eCigaretteNicotineMgPerMl": .decimalRange])
        #expect(try Self.problems(ClinicalRecordInput(quitAttempts: 0, longestQuit: 10, longestQuitUnit: "days"))
                == ["longestQuit": .longestQuitWithoutAttempt])
        #expect(try Self.problems(ClinicalRecordInput(longestQuit: 601, longestQuitUnit: "months")) == ["longestQuit": .numberRange])
        #expect(try Self.problems(ClinicalRecordInput(longestQuit: 601, longestQuitUnit: "days")).isEmpty)
        #expect(try Self.problems(ClinicalRecordInput(longestQuit: 2, longestQuitUnit: "weeks")) == ["longestQuitUnit": .expectedOneOf])
        #expect(try Self.problems(ClinicalRecordInput(quitDate: "1999-12-31")) == ["quitDate": .dateWindow])
        #expect(try Self.problems(ClinicalRecordInput(weightKg: .nan)) == ["weightKg": .decimalRange])
        #expect(try Self.problems(ClinicalRecordInput(plan: String(repeating: "a", count: 5001))) == ["plan": .textTooLong])
    }

    @Test func theRecordIsKeptTidy() throws {
        let (kept, _) = try Self.validated(ClinicalRecordInput(
            eCigarette: true, eCigaretteNicotineMgPerMl: 6, longestQuit: 3, longestQuitUnit: "months", quitDate: " 2027-12-01 ", pregnancy: "",
            withdrawalSymptoms: ["insomnia", "anxiety", "anxiety"], goal: "", plan: "  Patch 21 mg/24 h\nrevoir dans 15 jours \n"))
        #expect(kept.quitDate == "2027-12-01" && kept.pregnancy == nil && kept.goal == nil)
        #expect(kept.withdrawalSymptoms == ["anxiety", "insomnia"], "in the checklist's order, once")
        #expect(kept.plan == "Patch 21 mg/24 h\nrevoir dans 15 jours")
        #expect(try Self.validated(ClinicalRecordInput(plan: "  \n ")).0.plan == nil)
    }

    @Test func theNextConsultationIsPrefilledWithWhatStaysTrue() {
        let record = ClinicalRecordInput(products: ["cigarette": 12], eCigarette: true, yearsSmoked: 20, quitAttempts: 2, coPpm: 18, weightKg: 70,
                                         craving: 8, withdrawalSymptoms: ["anxiety"], goal: "stop", plan: "Arrêt le 1er décembre")
        let next = record.carriedForward
        #expect(next.coPpm == nil && next.craving == nil && next.withdrawalSymptoms == nil)
        #expect(next.products == ["cigarette": 12] && next.yearsSmoked == 20 && next.goal == "stop" && next.plan == "Arrêt le 1er décembre")
    }

    // MARK: A high CO in someone who says they do not smoke

    @Test func whoSaysTheyDoNotSmokeTheMostSpecificWordFirst() {
        let nothing = ClinicalRecordInput(products: ["cigarette": 0])
        let smokes = ClinicalRecordInput(products: ["cigarette": 10])
        // The record of the reading decides when it says what is smoked.
        #expect(CarbonMonoxideCheck.saysNotSmoking(record: nothing, latestDeclaredStatus: .unchanged, exSmoker: false))
        #expect(!CarbonMonoxideCheck.saysNotSmoking(record: smokes, latestDeclaredStatus: .stopped, exSmoker: true))
        // Else the last declared status, else the record's ex-smoker.
        #expect(CarbonMonoxideCheck.saysNotSmoking(record: ClinicalRecordInput(), latestDeclaredStatus: .stopped, exSmoker: false))
        #expect(!CarbonMonoxideCheck.saysNotSmoking(record: nil, latestDeclaredStatus: .reduced, exSmoker: true))
        #expect(CarbonMonoxideCheck.saysNotSmoking(record: nil, latestDeclaredStatus: nil, exSmoker: true))
        #expect(CarbonMonoxideCheck.saysNotSmoking(record: nil, latestDeclaredStatus: .unknown, exSmoker: true))
        #expect(!CarbonMonoxideCheck.saysNotSmoking(record: nil, latestDeclaredStatus: nil, exSmoker: false))
    }

    @Test(arguments: [(9.0, 10.0, false), (10, 10, true), (25, 10, true), (5, 5, true), (4, 5, false)])
    func thePromptIsFromTheInstrumentsThreshold(ppm: Double, threshold: Double, prompts: Bool) {
        #expect(CarbonMonoxideCheck.callsForPoisoningPrompt(ppm: ppm, thresholdPPM: threshold, saysNotSmoking: true) == prompts)
        #expect(!CarbonMonoxideCheck.callsForPoisoningPrompt(ppm: ppm, thresholdPPM: threshold, saysNotSmoking: false))
    }

    @Test func aRecordIsWrittenFromTheConsultationsStartLikeDone() {
        let zone = TimeZone(identifier: "Europe/Paris")!
        let start = LocalDateTime(iso: "2027-11-20T10:00")!.instant(in: zone)
        let early = TimeGuards.consultationRecord(startsAt: start, zone: zone, now: start.addingTimeInterval(-60))
        #expect(early == Reason(.consultationRecordNotStarted, ["start": "2027-11-20T10:00"]))
        #expect(TimeGuards.consultationDone(startsAt: start, zone: zone, now: start.addingTimeInterval(-60)) != nil, "the same rule as done")
        #expect(TimeGuards.consultationRecord(startsAt: start, zone: zone, now: start) == nil)
    }
}
