import Foundation

/// The health that `/healthz` reports, kept up to date by a check run in the background every
/// `interval` seconds, so that answering a health check costs the database nothing and stays
/// fast under any load. A failed check makes it unhealthy at once; so does the lack of any
/// passing check for `staleAfter` seconds (a check hung on a dead disk never reports).
// The state is guarded by the lock; the timer is set once in init.
public final class HealthMonitor: @unchecked Sendable {
    private let lock = NSLock()
    /// When the last check passed (monotonic nanoseconds), nil after a failed one.
    private var lastPassed: UInt64?
    private var checkCount = 0
    private let staleAfter: UInt64
    private let check: @Sendable () -> Bool
    private let timer: DispatchSourceTimer

    /// Runs `check` once now, so that the first answer is already known, then every `interval`.
    public init(interval: Double = 1, staleAfter: Double = 10, check: @escaping @Sendable () -> Bool) {
        self.staleAfter = UInt64(staleAfter * 1e9)
        self.check = check
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "relais.health"))
        runCheck()
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        timer.setEventHandler { [weak self] in self?.runCheck() }
        timer.resume()
    }

    deinit { timer.cancel() }

    private func runCheck() {
        let passed = check()
        let now = DispatchTime.now().uptimeNanoseconds
        lock.withLock {
            lastPassed = passed ? now : nil
            checkCount += 1
        }
    }

    /// Whether the last check passed, and recently enough.
    public var isHealthy: Bool {
        let now = DispatchTime.now().uptimeNanoseconds
        return lock.withLock { lastPassed.map { now &- $0 < staleAfter } ?? false }
    }

    /// How many checks ran (tests check that requests do not run them).
    public var checks: Int { lock.withLock { checkCount } }
}
