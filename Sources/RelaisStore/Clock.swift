import Foundation
import RelaisDomain

/// Where "now" comes from, so that expiry and throttling can be tested without waiting.
public struct Clock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = Clock { Date() }
}

/// A clock moved by hand: `relais demo` replays the past with it, and tests use it.
public final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) { current = start }
    public var now: Date { lock.withLock { current } }
    public func set(_ date: Date) { lock.withLock { current = date } }
    public func advance(_ seconds: TimeInterval) { lock.withLock { current += seconds } }
    /// The `Clock` the stores take, reading this one.
    public var clock: Clock { Clock { [self] in self.now } }
}

/// The text GRDB stores for a date ("yyyy-MM-dd HH:mm:ss.SSS", UTC), computed with integer
/// arithmetic. Why: GRDB formats `Date` arguments with a `DateFormatter`, which costs tens of
/// microseconds on Linux, and the sender's per-message statements pass several of them.
enum StoredTime {
    static func text(_ date: Date) -> String {
        let milliseconds = Int((date.timeIntervalSince1970 * 1000).rounded())
        let (days, dayMilliseconds) = milliseconds.quotientAndRemainder(dividingBy: 86_400_000)
        let (dayNumber, rest) = dayMilliseconds < 0 ? (days - 1, dayMilliseconds + 86_400_000) : (days, dayMilliseconds)
        let day = CalendarDate(dayNumber: dayNumber)
        let seconds = rest / 1000
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let millis = rest % 1000
        return "\(day.iso) \(two(seconds / 3600)):\(two(seconds / 60 % 60)):\(two(seconds % 60)).\(millis < 10 ? "00" : millis < 100 ? "0" : "")\(millis)"
    }
}
