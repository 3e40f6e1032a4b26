import Foundation
import RelaisTestSupport
import Testing
@testable import RelaisDomain

/// No input may trap: every parser and the planner answer a value or a validation error, for
/// thousands of random and boundary inputs (a trap would end the test process, failing the run).
@Suite("Fuzz: planner and parsers")
struct FuzzTests {
    @Test func parsersNeverTrapAndKeepTheirPromises() {
        var random = SeededGenerator.seeded()
        for _ in 0..<20_000 {
            let text = FuzzInput.date(&random)
            if let date = CalendarDate(iso: text) {
                #expect((1...9999).contains(date.year) && date.iso == text, "\(text)")
                _ = date.addingMonths(Int.random(in: -2400...2400, using: &random))
                _ = date.addingDays(Int.random(in: -100_000...100_000, using: &random))
                _ = FrenchHolidays.holiday(on: date)
                _ = date.weekday
            }
            let time = FuzzInput.localTime(&random)
            if let local = LocalDateTime(iso: time) {
                #expect(local.iso == time, "\(time)")
                _ = local.instant(in: paris)
                _ = LocalDateTime(local.instant(in: paris), in: paris)
            }
            _ = Cadence(argument: Bool.random(using: &random) ? "every:" + FuzzInput.number(&random) : FuzzInput.noise(&random))
            _ = TextRules.oneLineProblem(FuzzInput.noise(&random), maxLength: 10)
            _ = TextRules.httpsLinkProblem(["https://", "javascript:", "http://"].randomElement(using: &random)! + FuzzInput.noise(&random))
            _ = CSV.neutralised(FuzzInput.number(&random) + FuzzInput.noise(&random))
            // Where request values enter: a value inside its window, or a validation error.
            if let year = try? Input.year(FuzzInput.number(&random), field: "year") { #expect(DateWindow.years.contains(year)) }
            if let day = try? Input.calendarDate(text, field: "date") { #expect(DateWindow.contains(day)) }
            if let local = try? Input.localDateTime(time, field: "start") { #expect(DateWindow.contains(local.date)) }
            _ = try? Input.instant(time + ["Z", "+02:00", "-23:59", ""].randomElement(using: &random)!, field: "at")
            if let count = try? Input.integer(FuzzInput.number(&random), field: "n", in: 0...100) { #expect((0...100).contains(count)) }
            _ = try? Input.wholeNumber(FuzzInput.number(&random), field: "n")
            // A mobile number is stored only in E.164.
            let typed = Bool.random(using: &random) ? ["+33", "06", "0033", "+590"].randomElement(using: &random)! + FuzzInput.number(&random) : FuzzInput.noise(&random)
            if case .success(let mobile) = MobileNumber.normalized(typed) {
                #expect(MobileNumber.isE164(mobile), "\(typed) → \(mobile)")
                _ = MobileNumber.display(mobile)
            }
        }
        // Easter and the holidays of every year a CalendarDate can hold, and beyond.
        for year in 1...10_500 { _ = FrenchHolidays.holidays(year: year) }
    }

    @Test func thePlannerAnswersAPlanOrAValidationErrorForAnyStartAndCadence() throws {
        var random = SeededGenerator.seeded()
        let templates = try ["3g2i", "4g1i"].map { try shippedTemplate($0) }
        var planned = 0, refused = 0
        for _ in 0..<5_000 {
            let start: LocalDateTime
            if Bool.random(using: &random), let parsed = LocalDateTime(iso: FuzzInput.localTime(&random)) {
                start = parsed
            } else {
                let year = [1, 1999, 2000, 2100, 2101, 9998, 9999].randomElement(using: &random)!
                let date = CalendarDate(year: year, month: Int.random(in: 1...12, using: &random), day: Int.random(in: 1...28, using: &random))!
                start = LocalDateTime(date: date, hour: Int.random(in: 0...23, using: &random), minute: 59)!
            }
            let cadence: Cadence
            switch Int.random(in: 0..<3, using: &random) {
            case 0: cadence = .weekly
            case 1: cadence = .everyDays(Int.random(in: -5...400, using: &random))
            default:
                let count = Int.random(in: 0...5, using: &random)
                cadence = .explicit((0..<count).compactMap { index in
                    LocalDateTime(date: start.date.addingDays(index * Int.random(in: -3...4000, using: &random)), sameTimeAs: start)
                })
            }
            do {
                let plan = try Planner.plan(template: templates.randomElement(using: &random)!, start: start, timeZone: paris, cadence: cadence)
                #expect(plan.sessions.allSatisfy { DateWindow.contains($0.localStart.date) }, "a plan stays in the date window")
                planned += 1
            } catch {
                #expect(!error.fields.isEmpty)
                refused += 1
            }
        }
        #expect(planned > 0 && refused > 0, "both outcomes were exercised (\(planned) planned, \(refused) refused)")
    }
}
