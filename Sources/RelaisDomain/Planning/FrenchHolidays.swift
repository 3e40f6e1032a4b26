/// The public holidays (jours fériés) of metropolitan France, so that a session planned on one
/// is flagged before participants are told the date.
/// These are the 11 national holidays of the Code du travail (art. L3133-1). Alsace-Moselle's two
/// extra days (Vendredi saint, 26 décembre) and the overseas departments' days are not included.
public enum FrenchHolidays {
    /// Easter Sunday in the Gregorian calendar, by the anonymous Gregorian algorithm
    /// (Meeus/Jones/Butcher, as given in Meeus, "Astronomical Algorithms"): exact integer
    /// arithmetic for every Gregorian year, no table to maintain. Any positive year gives an answer
    /// (dates before 1583 get the proleptic Gregorian one); requests are kept to `DateWindow`.
    public static func easterSunday(year: Int) -> CalendarDate {
        let a = year % 19
        let b = year / 100, c = year % 100
        let d = b / 4, e = b % 4
        let f = (b + 8) / 25
        let g = (b - f + 1) / 3
        let h = (19 * a + b - d - g + 15) % 30
        let i = c / 4, k = c % 4
        let l = (32 + 2 * e + 2 * i - h - k) % 7
        let m = (a + 11 * h + 22 * l) / 451
        let month = (h + l - 7 * m + 114) / 31
        let day = (h + l - 7 * m + 114) % 31 + 1
        return CalendarDate(validYear: year, month: month, day: day)
    }

    /// The 11 holidays of `year`, in date order. Ascension can fall on May 1 or May 8 (it did in
    /// 2008): both entries are then kept, the fixed holiday first.
    public static func holidays(year: Int) -> [(date: CalendarDate, name: String)] {
        let easter = easterSunday(year: year)
        func fixed(_ month: Int, _ day: Int) -> CalendarDate { CalendarDate(validYear: year, month: month, day: day) }
        let list: [(date: CalendarDate, name: String)] = [
            (fixed(1, 1), "Jour de l'an"),
            (easter.addingDays(1), "Lundi de Pâques"),
            (fixed(5, 1), "Fête du Travail"),
            (fixed(5, 8), "Victoire 1945"),
            (easter.addingDays(39), "Ascension"),
            (easter.addingDays(50), "Lundi de Pentecôte"),
            (fixed(7, 14), "Fête nationale"),
            (fixed(8, 15), "Assomption"),
            (fixed(11, 1), "Toussaint"),
            (fixed(11, 11), "Armistice 1918"),
            (fixed(12, 25), "Noël"),
        ]
        // Stable: equal dates keep the order above.
        return list.enumerated().sorted { ($0.element.date, $0.offset) < ($1.element.date, $1.offset) }.map(\.element)
    }

    /// The holiday's name if `date` is one; two names falling on the same day are joined with " / ".
    public static func holiday(on date: CalendarDate) -> String? {
        let names = holidays(year: date.year).filter { $0.date == date }.map(\.name)
        return names.isEmpty ? nil : names.joined(separator: " / ")
    }
}
