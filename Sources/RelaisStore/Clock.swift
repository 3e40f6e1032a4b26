import Foundation

/// Where "now" comes from, so that expiry and throttling can be tested without waiting.
public struct Clock: Sendable {
    public var now: @Sendable () -> Date
    public init(now: @escaping @Sendable () -> Date) { self.now = now }
    public static let system = Clock { Date() }
}
