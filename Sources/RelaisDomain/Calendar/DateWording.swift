import Foundation

/// Dates and times as people read them, in French or English: "jeudi 4 mars 2027", "18 h 00".
/// Written out rather than through DateFormatter, whose French output depends on the ICU data
/// installed, and used alike by mail and pages.
public enum DateWording {
    public static func day(_ date: CalendarDate, language: String) -> String {
        let weekdays = language == "en"
            ? ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            : ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        return "\(weekdays[date.isoWeekday - 1]) \(date.day) \(monthNames(language)[date.month - 1]) \(date.year)"
    }

    /// "jeudi 4 mars", "Thursday 4 March": the day without its year (in an SMS, for a date a few days away).
    public static func dayWithoutYear(_ date: CalendarDate, language: String) -> String {
        let weekdays = language == "en"
            ? ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            : ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        let day = language != "en" && date.day == 1 ? "1er" : String(date.day)
        return "\(weekdays[date.isoWeekday - 1]) \(day) \(monthNames(language)[date.month - 1])"
    }

    /// The date of a letter: "3 décembre 2026", "1er décembre 2026" (French writes the first of
    /// the month as an ordinal); "3 December 2026".
    public static func date(_ date: CalendarDate, language: String) -> String {
        let day = language != "en" && date.day == 1 ? "1er" : String(date.day)
        return "\(day) \(monthNames(language)[date.month - 1]) \(date.year)"
    }

    private static func monthNames(_ language: String) -> [String] {
        language == "en"
            ? ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
            : ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
    }

    /// "18 h 00" in French typography, "18:00" in English.
    public static func time(_ local: LocalDateTime, language: String) -> String {
        let minutes = local.minute < 10 ? "0\(local.minute)" : "\(local.minute)"
        return language == "en" ? "\(local.hour < 10 ? "0" : "")\(local.hour):\(minutes)" : "\(local.hour) h \(minutes)"
    }

    /// A follow-up's delay in words: "trois mois", "un an"; "three months", "a year".
    public static func months(_ count: Int, language: String) -> String {
        let fr = [1: "un mois", 2: "deux mois", 3: "trois mois", 6: "six mois", 9: "neuf mois", 12: "un an", 18: "dix-huit mois", 24: "deux ans"]
        let en = [1: "a month", 2: "two months", 3: "three months", 6: "six months", 9: "nine months", 12: "a year", 18: "eighteen months",
                  24: "two years"]
        return language == "en" ? en[count] ?? "\(count) months" : fr[count] ?? "\(count) mois"
    }

    public static func day(_ instant: Date, in zone: TimeZone, language: String) -> String {
        day(LocalDateTime(instant, in: zone).date, language: language)
    }

    public static func time(_ instant: Date, in zone: TimeZone, language: String) -> String {
        time(LocalDateTime(instant, in: zone), language: language)
    }
}
