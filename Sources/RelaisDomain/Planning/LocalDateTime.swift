import Foundation

/// A wall-clock time in the structure's time zone, to the minute ("Thursday 18:00"), kept apart
/// from the instant it designates. Sessions are planned in local time, so that a weekly programme
/// keeps its hour across a DST change, and stored as UTC instants.
public struct LocalDateTime: Sendable, Hashable, Codable, Comparable, CustomStringConvertible {
    public let date: CalendarDate
    public let hour: Int
    public let minute: Int

    public init?(date: CalendarDate, hour: Int, minute: Int) {
        guard (0...23).contains(hour), (0...59).contains(minute) else { return nil }
        self.date = date
        self.hour = hour
        self.minute = minute
    }

    /// The same wall-clock time on another day (arithmetic that cannot fail).
    public init(date: CalendarDate, sameTimeAs time: LocalDateTime) {
        self.date = date
        self.hour = time.hour
        self.minute = time.minute
    }

    /// Midnight at the start of `date`.
    public init(startOf date: CalendarDate) {
        self.date = date
        self.hour = 0
        self.minute = 0
    }

    /// Parses exactly `YYYY-MM-DDTHH:MM`: no seconds, no offset, since an offset would make it an instant.
    public init?(iso text: String) {
        let parts = text.split(separator: "T", omittingEmptySubsequences: false)
        guard parts.count == 2, let date = CalendarDate(iso: String(parts[0])) else { return nil }
        let time = parts[1].split(separator: ":", omittingEmptySubsequences: false)
        guard time.count == 2, time.allSatisfy({ $0.count == 2 && $0.allSatisfy { $0.isASCII && $0.isNumber } }),
              let hour = Int(time[0]), let minute = Int(time[1]) else { return nil }
        self.init(date: date, hour: hour, minute: minute)
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = LocalDateTime(iso: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "expected YYYY-MM-DDTHH:MM, got '\(text)'"))
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(iso)
    }

    public var iso: String { date.iso + "T" + Self.twoDigits(hour) + ":" + Self.twoDigits(minute) }

    public var description: String { iso }

    public static func < (a: LocalDateTime, b: LocalDateTime) -> Bool {
        (a.date, a.hour, a.minute) < (b.date, b.hour, b.minute)
    }

    /// The instant this wall-clock time designates in `timeZone`.
    /// A time repeated by the autumn change (02:30 on the last Sunday of October in Paris) is its
    /// first occurrence; a time skipped by the spring change (02:30 on the last Sunday of March)
    /// is read with the offset in force before the gap, i.e. the later valid instant 03:30.
    /// Both are what RFC 5545 (3.3.5) prescribes, so a stored instant and the `DTSTART;TZID=`
    /// of the calendar feed agree. Foundation's Gregorian calendar applies these rules; the
    /// planner tests check that it still does.
    public func instant(in timeZone: TimeZone) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let components = DateComponents(year: date.year, month: date.month, day: date.day, hour: hour, minute: minute, second: 0)
        guard let instant = calendar.date(from: components) else {
            // Unreachable for a valid date; fall back to the offset in force a day before.
            let naive = Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86_400 + hour * 3_600 + minute * 60))
            return naive.addingTimeInterval(-TimeInterval(timeZone.secondsFromGMT(for: naive.addingTimeInterval(-86_400))))
        }
        return instant
    }

    /// The wall-clock time of `instant` in `timeZone`; seconds are dropped.
    public init(_ instant: Date, in timeZone: TimeZone) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: instant)
        if let year = parts.year, let month = parts.month, let day = parts.day, let hour = parts.hour, let minute = parts.minute,
           let date = CalendarDate(year: year, month: month, day: day) {
            self.date = date
            self.hour = hour
            self.minute = minute
        } else {
            // Outside years 1...9999: not a planning date; use plain offset arithmetic.
            let local = Int(instant.timeIntervalSince1970.rounded(.down)) + timeZone.secondsFromGMT(for: instant)
            let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
            let seconds = local - days * 86_400
            self.date = CalendarDate(dayNumber: days)
            self.hour = seconds / 3_600
            self.minute = seconds % 3_600 / 60
        }
    }

    static func twoDigits(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
}

/// UTC renderings of instants, done with integer arithmetic so that neither the process time
/// zone nor a formatter's locale can change them.
enum UTCText {
    /// Whole seconds since 1970 and their calendar parts.
    static func parts(_ instant: Date) -> (date: CalendarDate, hour: Int, minute: Int, second: Int) {
        let total = Int(instant.timeIntervalSince1970.rounded(.down))
        let days = total >= 0 ? total / 86_400 : (total - 86_399) / 86_400
        let seconds = total - days * 86_400
        return (CalendarDate(dayNumber: days), seconds / 3_600, seconds % 3_600 / 60, seconds % 60)
    }

    /// `2026-10-22T16:00:00Z`, the API form (no fractional seconds).
    static func iso(_ instant: Date) -> String {
        let p = parts(instant)
        return p.date.iso + "T" + LocalDateTime.twoDigits(p.hour) + ":" + LocalDateTime.twoDigits(p.minute) + ":"
            + LocalDateTime.twoDigits(p.second) + "Z"
    }
}
