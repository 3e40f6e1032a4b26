import Foundation

/// Where dates, years and numbers from a request (JSON body, form or query) enter: each is parsed
/// and range-checked here, so that no handler computes with a year 9999 or `Int.max`, and a bad
/// value is a 422 naming the field and the accepted range.
public enum Input {
    /// A report or list year; nil when absent or empty.
    public static func year(_ text: String?, field: String) throws(ValidationError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard text.count <= 4, let year = Int(text), DateWindow.years.contains(year) else {
            throw ValidationError(field: field, .yearFormat, ["from": String(DateWindow.years.lowerBound), "to": String(DateWindow.years.upperBound)])
        }
        return year
    }

    /// A wall-clock time `YYYY-MM-DDTHH:MM` (a form's `datetime-local` may add seconds: they are
    /// dropped), within `DateWindow`.
    public static func localDateTime(_ text: String?, field: String) throws(ValidationError) -> LocalDateTime {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces)
        let minutes = text.count == 19 && text.hasSuffix(":00") ? String(text.prefix(16)) : text
        guard let value = LocalDateTime(iso: minutes) else {
            throw ValidationError(field: field, .localTimeFormat)
        }
        guard DateWindow.contains(value.date) else { throw ValidationError(field: field, DateWindow.reason) }
        return value
    }

    /// A calendar date `YYYY-MM-DD` within `DateWindow`.
    public static func calendarDate(_ text: String?, field: String) throws(ValidationError) -> CalendarDate {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard let value = CalendarDate(iso: text) else { throw ValidationError(field: field, .dateFormat) }
        guard DateWindow.contains(value) else { throw ValidationError(field: field, DateWindow.reason) }
        return value
    }

    /// An instant in ISO 8601 with its offset, within `DateWindow` (in UTC).
    public static func instant(_ text: String?, field: String) throws(ValidationError) -> Date {
        guard let text, let value = Instant.parse(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError(field: field, .instantFormat)
        }
        guard DateWindow.contains(LocalDateTime(value, in: .gmt).date) else { throw ValidationError(field: field, DateWindow.reason) }
        return value
    }

    /// A whole number typed in a form, within `range`; nil when empty.
    public static func integer(_ text: String?, field: String, in range: ClosedRange<Int>) throws(ValidationError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard text.count <= 12, let value = Int(text), range.contains(value) else {
            throw ValidationError(field: field, .numberRange, ["min": String(range.lowerBound), "max": String(range.upperBound)])
        }
        return value
    }

    /// A whole number typed in a form, its range left to the use case; nil when empty.
    public static func wholeNumber(_ text: String?, field: String) throws(ValidationError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard text.count <= 12, let value = Int(text) else { throw ValidationError(field: field, .expectedWholeNumber) }
        return value
    }

    /// A whole number from a JSON body (already a number) within `range`.
    public static func check(_ value: Int?, field: String, in range: ClosedRange<Int>) throws(ValidationError) -> Int? {
        guard let value else { return nil }
        guard range.contains(value) else {
            throw ValidationError(field: field, .numberRange, ["min": String(range.lowerBound), "max": String(range.upperBound)])
        }
        return value
    }
}

/// Instants as the API writes and reads them: ISO 8601 in UTC with `Z` (an offset is accepted
/// when reading).
public enum Instant {
    /// ISO 8601 in UTC to the second, `2026-11-04T17:00:00Z`: what `date.formatted(.iso8601)`
    /// gives (fractions of a second dropped towards the past), written by hand because the
    /// format style went through a calendar and cost about as much as a whole API answer's JSON.
    public static func text(_ date: Date) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { buffer in
            let count = write(date, to: buffer.baseAddress!)
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[..<count]), as: UTF8.self)
        }
    }

    /// Writes `text(date)` at `target` (room for 32 bytes); returns the number of bytes written.
    public static func write(_ date: Date, to target: UnsafeMutablePointer<UInt8>) -> Int {
        let interval = date.timeIntervalSince1970
        // Years 1600 to 9999 only (Foundation writes earlier dates in the Julian calendar); anything
        // else is left to Foundation (never met in practice).
        guard interval.isFinite, interval >= -11_676_096_000, interval < 253_402_300_800 else {
            let text = Array(date.formatted(.iso8601).utf8.prefix(32))
            for (index, byte) in text.enumerated() { target[index] = byte }
            return text.count
        }
        let seconds = Int64(interval.rounded(.down))
        var days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = Int(seconds - days * 86_400)
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm, proleptic Gregorian).
        days += 719_468
        let era = (days >= 0 ? days : days - 146_096) / 146_097
        let dayOfEra = days - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = Int(dayOfYear - (153 * monthIndex + 2) / 5 + 1)
        let month = Int(monthIndex < 10 ? monthIndex + 3 : monthIndex - 9)
        let year = Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0))
        func put(_ value: Int, _ digits: Int, at offset: Int) {
            var value = value
            for index in stride(from: offset + digits - 1, through: offset, by: -1) {
                target[index] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            }
        }
        put(year, 4, at: 0)
        target[4] = UInt8(ascii: "-")
        put(month, 2, at: 5)
        target[7] = UInt8(ascii: "-")
        put(day, 2, at: 8)
        target[10] = UInt8(ascii: "T")
        put(secondOfDay / 3600, 2, at: 11)
        target[13] = UInt8(ascii: ":")
        put(secondOfDay / 60 % 60, 2, at: 14)
        target[16] = UInt8(ascii: ":")
        put(secondOfDay % 60, 2, at: 17)
        target[19] = UInt8(ascii: "Z")
        return 20
    }

    /// Parses an instant with its offset (`Z` or `+02:00`), with or without fractional seconds.
    /// A local time without offset is refused: it would not say which instant is meant.
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}
