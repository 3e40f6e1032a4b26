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
