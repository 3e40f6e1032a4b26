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
    public static func text(_ date: Date) -> String {
        date.formatted(.iso8601)
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
