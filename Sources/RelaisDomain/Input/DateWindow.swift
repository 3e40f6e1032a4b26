/// The years a date coming from a request may fall in: programmes, sessions, consultations,
/// assessments and report years. Wide enough for last year's programme entered to report on it
/// and for planning years ahead; narrow enough that calendar arithmetic on it (sessions weeks
/// apart, a follow-up months later, Easter) always stays in the range `CalendarDate` handles.
public enum DateWindow {
    public static let years: ClosedRange<Int> = 2000...2100

    public static func contains(_ date: CalendarDate) -> Bool { years.contains(date.year) }

    /// The reason given when a date falls outside, naming the window.
    public static var reason: Reason { Reason(.dateWindow, ["from": String(years.lowerBound), "to": String(years.upperBound)]) }
}
