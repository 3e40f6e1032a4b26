import Foundation

/// When participants may receive mail (or SMS): local hours and days of the week (by default
/// 09:00–19:00, not Sunday), and for SMS not on French public holidays either. Outside the
/// window the sender waits; nothing is dropped.
public struct SendingWindow: Sendable, Equatable {
    /// Minutes after local midnight: sending allowed in [opens, closes).
    public var opens: Int
    public var closes: Int
    /// ISO weekdays allowed: 1 = Monday … 7 = Sunday.
    public var days: Set<Int>
    public var timeZone: TimeZone
    /// Closed on French public holidays (`FrenchHolidays`), whatever their weekday.
    public var closedOnPublicHolidays: Bool

    public init(opens: Int = 9 * 60, closes: Int = 19 * 60, days: Set<Int> = Set(1...6), timeZone: TimeZone,
                closedOnPublicHolidays: Bool = false) {
        self.opens = opens
        self.closes = closes
        self.days = days
        self.timeZone = timeZone
        self.closedOnPublicHolidays = closedOnPublicHolidays
    }

    public func allows(_ instant: Date) -> Bool {
        let local = LocalDateTime(instant, in: timeZone)
        let minutes = local.hour * 60 + local.minute
        return isOpenDay(local.date) && minutes >= opens && minutes < closes
    }

    /// Whether sending is allowed at some hour of `date`.
    public func isOpenDay(_ date: CalendarDate) -> Bool {
        days.contains(date.isoWeekday) && opens < closes && !(closedOnPublicHolidays && FrenchHolidays.holiday(on: date) != nil)
    }

    /// The first instant at or after `instant` inside the window (`instant` itself when it is
    /// inside), or nil when the window never opens (no day allowed). Looks a year ahead at most.
    public func nextOpening(atOrAfter instant: Date) -> Date? {
        if allows(instant) { return instant }
        let local = LocalDateTime(instant, in: timeZone)
        var date = local.date
        for offset in 0...370 {
            if offset > 0 { date = date.addingDays(1) }
            guard isOpenDay(date) else { continue }
            guard let opening = LocalDateTime(date: date, hour: opens / 60, minute: opens % 60)?.instant(in: timeZone) else { continue }
            if opening >= instant { return opening }
        }
        return nil
    }

    /// Parses "HH:MM".
    public static func minutes(_ text: String) -> Int? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(parts[0]), let minute = Int(parts[1]), (0...24).contains(hour), (0...59).contains(minute),
              hour * 60 + minute <= 24 * 60 else { return nil }
        return hour * 60 + minute
    }

    /// Parses a day list such as "mon-sat" or "mon,tue,thu" into ISO weekdays.
    public static func days(_ text: String) -> Set<Int>? {
        let names = ["mon": 1, "tue": 2, "wed": 3, "thu": 4, "fri": 5, "sat": 6, "sun": 7]
        var result: Set<Int> = []
        for part in text.lowercased().split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let bounds = part.split(separator: "-").map(String.init)
            guard let first = bounds.first.flatMap({ names[$0] }) else { return nil }
            if bounds.count == 1 { result.insert(first); continue }
            guard bounds.count == 2, let last = names[bounds[1]], last >= first else { return nil }
            result.formUnion(first...last)
        }
        return result.isEmpty ? nil : result
    }
}

extension CalendarDate {
    /// ISO weekday: 1 = Monday … 7 = Sunday.
    public var isoWeekday: Int {
        // Counted from a known Monday.
        let monday = CalendarDate(year: 2001, month: 1, day: 1)!.dayNumber
        let offset = (dayNumber - monday) % 7
        return (offset + 7) % 7 + 1
    }
}
