import Foundation
import Testing
import RelaisDomain

@Suite("Calendar dates")
struct CalendarDateTests {
    @Test func threeMonthsAfterNovember30IsTheEndOfFebruary() {
        #expect(CalendarDate(iso: "2026-11-30")!.addingMonths(3).iso == "2027-02-28")
        #expect(CalendarDate(iso: "2027-11-30")!.addingMonths(3).iso == "2028-02-29")
        #expect(CalendarDate(iso: "2026-10-15")!.addingMonths(3).iso == "2027-01-15")
        #expect(CalendarDate(iso: "2026-03-31")!.addingMonths(-1).iso == "2026-02-28")
    }

    @Test func parsingIsStrict() {
        #expect(CalendarDate(iso: "2026-02-29") == nil)
        #expect(CalendarDate(iso: "2028-02-29") != nil)
        #expect(CalendarDate(iso: "2026-1-05") == nil)
        #expect(CalendarDate(iso: "26-01-05") == nil)
        #expect(CalendarDate(iso: "2026-13-01") == nil)
    }

    @Test func dayArithmeticAndWeekdays() {
        let date = CalendarDate(iso: "2026-11-23")!
        #expect(date.weekday == 1) // a Monday
        #expect(CalendarDate(iso: "1970-01-01")!.dayNumber == 0)
        #expect(date.addingDays(8).iso == "2026-12-01")
        #expect(CalendarDate(dayNumber: date.dayNumber) == date)
        #expect(CalendarDate(iso: "2027-03-29")!.weekday == 1)
    }
}

@Suite("Instants as the API writes them")
struct InstantTextTests {
    @Test func theHandWrittenFormatIsFoundationsISO8601() {
        // Seconds dropped towards the past, leap days, centuries, before 1970, and the Julian
        // calendar Foundation uses before 1582 (left to it).
        var samples: [Double] = [0, 0.999, -0.5, -1, -1.5, 951_782_400, 951_868_800, 4_107_542_400, -2_208_988_800.5,
                                 253_402_300_799, -11_676_096_000, -11_676_096_001, -62_135_596_800, 1_795_000_000.75]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { samples.append(Double.random(in: -13_000_000_000...5_000_000_000, using: &generator)) }
        for seconds in samples {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(Instant.text(date) == date.formatted(.iso8601), "\(seconds)")
        }
    }
}
