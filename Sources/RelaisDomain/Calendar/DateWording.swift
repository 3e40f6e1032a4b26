import Foundation

/// Dates and times as people read them, in French or English: "jeudi 4 mars 2027", "18 h 00".
/// Written out rather than through DateFormatter, whose French output depends on the ICU data
/// installed, and used alike by mail and pages.
public enum DateWording {
    public static func day(_ date: CalendarDate, language: String) -> String {
        let weekdays = language == "en"
            ? ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
            : ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"]
        let months = language == "en"
            ? ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
            : ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]
        return "\(weekdays[date.isoWeekday - 1]) \(date.day) \(months[date.month - 1]) \(date.year)"
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
