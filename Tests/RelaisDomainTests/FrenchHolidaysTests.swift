import Testing
import RelaisDomain

@Suite("French public holidays")
struct FrenchHolidaysTests {
    @Test func easterSundayForKnownYears() {
        let known = ["2024-03-31", "2025-04-20", "2026-04-05", "2027-03-28", "2038-04-25", "2000-04-23", "1818-03-22", "2285-03-22", "1943-04-25"]
        for iso in known {
            let date = CalendarDate(iso: iso)!
            #expect(FrenchHolidays.easterSunday(year: date.year) == date, "\(iso)")
            #expect(date.weekday == 7, "\(iso) is a Sunday")
        }
    }

    @Test func theElevenHolidaysOf2026() {
        let holidays = FrenchHolidays.holidays(year: 2026)
        #expect(holidays.map(\.date.iso) == [
            "2026-01-01", "2026-04-06", "2026-05-01", "2026-05-08", "2026-05-14", "2026-05-25",
            "2026-07-14", "2026-08-15", "2026-11-01", "2026-11-11", "2026-12-25",
        ])
        #expect(holidays.map(\.name) == [
            "Jour de l'an", "Lundi de Pâques", "Fête du Travail", "Victoire 1945", "Ascension", "Lundi de Pentecôte",
            "Fête nationale", "Assomption", "Toussaint", "Armistice 1918", "Noël",
        ])
    }

    @Test func theEasterBasedHolidaysOf2027() {
        #expect(FrenchHolidays.easterSunday(year: 2027).iso == "2027-03-28")
        let byName = Dictionary(uniqueKeysWithValues: FrenchHolidays.holidays(year: 2027).map { ($0.name, $0.date.iso) })
        #expect(byName["Lundi de Pâques"] == "2027-03-29")
        #expect(byName["Ascension"] == "2027-05-06")
        #expect(byName["Lundi de Pentecôte"] == "2027-05-17")
        #expect(FrenchHolidays.holidays(year: 2027).count == 11)
    }

    @Test func holidayOnADate() {
        #expect(FrenchHolidays.holiday(on: CalendarDate(iso: "2026-11-11")!) == "Armistice 1918")
        #expect(FrenchHolidays.holiday(on: CalendarDate(iso: "2027-05-06")!) == "Ascension")
        #expect(FrenchHolidays.holiday(on: CalendarDate(iso: "2026-11-12")!) == nil)
        #expect(FrenchHolidays.holiday(on: CalendarDate(iso: "2026-04-05")!) == nil, "Easter Sunday is not itself in the list")
        #expect(FrenchHolidays.holiday(on: CalendarDate(iso: "2026-12-26")!) == nil, "26 December only in Alsace-Moselle")
    }

    @Test func ascensionOnMayDayKeepsBothNames() {
        // Easter 2008 was 23 March, so Ascension fell on 1 May.
        #expect(FrenchHolidays.holiday(on: CalendarDate(iso: "2008-05-01")!) == "Fête du Travail / Ascension")
        let holidays = FrenchHolidays.holidays(year: 2008)
        #expect(holidays.count == 11)
        #expect(holidays.map(\.date) == holidays.map(\.date).sorted())
    }

    @Test func holidaysAreSortedEvenWhenAscensionComesBeforeMay() {
        // Easter 2285 is 22 March, the earliest possible: Ascension is 30 April.
        let holidays = FrenchHolidays.holidays(year: 2285)
        #expect(holidays.map(\.date) == holidays.map(\.date).sorted())
        #expect(holidays[2].name == "Ascension" && holidays[2].date.iso == "2285-04-30")
    }
}
