import Foundation
import RelaisDomain

/// Where dates, years and numbers from a request (JSON body, form or query) enter: each is parsed
/// and range-checked here, so that no handler computes with a year 9999 or `Int.max`, and a bad
/// value is a 422 naming the field and the accepted range.
public enum Input {
    /// A report or list year; nil when absent or empty.
    public static func year(_ text: String?, field: String) throws(ValidationError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard text.count <= 4, let year = Int(text), DateWindow.years.contains(year) else {
            throw ValidationError(field: field, "expected a year from \(DateWindow.years.lowerBound) to \(DateWindow.years.upperBound), got '\(text.prefix(20))'")
        }
        return year
    }

    /// A wall-clock time `YYYY-MM-DDTHH:MM` (a form's `datetime-local` may add seconds: they are
    /// dropped), within `DateWindow`.
    public static func localDateTime(_ text: String?, field: String) throws(ValidationError) -> LocalDateTime {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces)
        let minutes = text.count == 19 && text.hasSuffix(":00") ? String(text.prefix(16)) : text
        guard let value = LocalDateTime(iso: minutes) else {
            throw ValidationError(field: field, "expected a local time YYYY-MM-DDTHH:MM")
        }
        guard DateWindow.contains(value.date) else { throw ValidationError(field: field, DateWindow.reason) }
        return value
    }

    /// A calendar date `YYYY-MM-DD` within `DateWindow`.
    public static func calendarDate(_ text: String?, field: String) throws(ValidationError) -> CalendarDate {
        let text = (text ?? "").trimmingCharacters(in: .whitespaces)
        guard let value = CalendarDate(iso: text) else { throw ValidationError(field: field, "expected a date YYYY-MM-DD") }
        guard DateWindow.contains(value) else { throw ValidationError(field: field, DateWindow.reason) }
        return value
    }

    /// An instant in ISO 8601 with its offset, within `DateWindow` (in UTC).
    public static func instant(_ text: String?, field: String) throws(ValidationError) -> Date {
        guard let text, let value = ISO8601.parse(text.trimmingCharacters(in: .whitespaces)) else {
            throw ValidationError(field: field, "expected an instant such as 2026-11-04T18:00:00Z")
        }
        guard DateWindow.contains(LocalDateTime(value, in: .gmt).date) else { throw ValidationError(field: field, DateWindow.reason) }
        return value
    }

    /// A whole number typed in a form, within `range`; nil when empty.
    public static func integer(_ text: String?, field: String, in range: ClosedRange<Int>) throws(ValidationError) -> Int? {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        guard text.count <= 12, let value = Int(text), range.contains(value) else {
            throw ValidationError(field: field, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }

    /// A whole number from a JSON body (already a number) within `range`.
    public static func check(_ value: Int?, field: String, in range: ClosedRange<Int>) throws(ValidationError) -> Int? {
        guard let value else { return nil }
        guard range.contains(value) else {
            throw ValidationError(field: field, "expected a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return value
    }
}
