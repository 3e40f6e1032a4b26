import Foundation
import RelaisStore
import RelaisTestSupport
import RelaisUseCases
@testable import RelaisWeb
import Testing

/// `/healthz` answers from the state a background check keeps (every second), never from the
/// database on the request, and still reports a broken database within seconds.
@Suite("Health")
struct HealthTests {
    /// Polls `/healthz` until it answers `status`, for at most `seconds`; returns whether it did.
    static func healthz(_ client: PageClient, becomes status: Int, within seconds: Double = 5) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        repeat {
            if try client.get("/healthz", as: nil).status == status { return true }
            usleep(50_000)
        } while Date() < deadline
        return false
    }

    @Test func aRequestRunsNoCheck() throws {
        let client = try PageClient()
        let before = client.app.health.checks
        let started = Date()
        for _ in 0..<500 { #expect(try client.get("/healthz", as: nil).status == 200) }
        // Only the timer runs checks: at most one a second went by.
        #expect(client.app.health.checks - before <= Int(Date().timeIntervalSince(started)) + 1)
    }

    @Test func aDatabaseFileOverwrittenUnderTheDaemonIs503WithinSecondsThen200WhenRestored() throws {
        let client = try PageClient()
        #expect(try client.get("/healthz", as: nil).status == 200)
        // The pool's open connections would go on answering from their cache: the check must not.
        let header = try DatabaseHeader.overwrite(of: client.app.store.path)
        #expect(try Self.healthz(client, becomes: 503))
        let body = try client.get("/healthz", as: nil).text
        #expect(body.contains(#""database":"unavailable""#) && body.contains(#""status":"degraded""#))

        try DatabaseHeader.write(header, to: client.app.store.path)
        #expect(try Self.healthz(client, becomes: 200))
    }

    @Test func aDeletedDatabaseFileIs503WithinSeconds() throws {
        let client = try PageClient()
        let path = client.app.store.path
        try FileManager.default.moveItem(atPath: path, toPath: path + ".moved")
        #expect(try Self.healthz(client, becomes: 503))
        try FileManager.default.moveItem(atPath: path + ".moved", toPath: path)
        #expect(try Self.healthz(client, becomes: 200))
    }

    @Test func aClosedDatabaseIs503WithinSeconds() throws {
        let client = try PageClient()
        #expect(try client.get("/healthz", as: nil).status == 200)
        try client.app.store.pool.close()
        #expect(try Self.healthz(client, becomes: 503))
    }

    @Test func aCheckThatStopsReportingMakesTheStateUnhealthy() throws {
        // A check that hangs (a dead disk) never fails: the state goes stale instead.
        let hang = DispatchSemaphore(value: 0)
        let calls = LockedCounter()
        let monitor = HealthMonitor(interval: 0.1, staleAfter: 0.5) {
            if calls.increment() == 2 { hang.wait() }  // the second check hangs until the end
            return true
        }
        #expect(monitor.isHealthy)
        usleep(1_000_000)
        #expect(!monitor.isHealthy)
        hang.signal()
    }
}

private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func increment() -> Int { lock.withLock { value += 1; return value } }
}
