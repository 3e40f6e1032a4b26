import Foundation
import GRDB

/// Runs SQLite's WAL checkpoints from a background timer on a connection of its own, instead of
/// inside whichever request's commit crosses the 1,000-page threshold. In WAL mode with
/// `synchronous = NORMAL` a commit never waits on the disk; the checkpoint (copying the log into
/// the database and syncing it, a few milliseconds) is the only write that does, and under load it
/// fell inside a request several times a second, holding the write lock. A PASSIVE checkpoint
/// from another connection copies what it can without waiting for readers or the writer, and
/// without blocking them.
/// Only the daemon does this; other processes (`relais send-due`, the CLI) keep SQLite's automatic
/// checkpoints, so the log never grows unchecked when no daemon runs.
// The timer is set once in init and only cancelled after.
public final class Checkpointer: @unchecked Sendable {
    private let connection: DatabaseQueue
    private let timer: DispatchSourceTimer

    init(path: String, interval: Double) throws {
        var configuration = Configuration()
        configuration.label = "relais.checkpoint"
        connection = try DatabaseQueue(path: path, configuration: configuration)
        timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "relais.checkpoint"))
        let connection = connection
        timer.setEventHandler {
            // Nothing to report when it could not copy everything: the next tick goes on from there.
            _ = try? connection.writeWithoutTransaction { try $0.checkpoint(.passive) }
        }
        timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(100))
        timer.resume()
    }

    deinit { timer.cancel() }
}

extension Store {
    /// Turns the automatic checkpoints of this store's writer off and runs them every `interval`
    /// seconds in the background instead (see `Checkpointer`); keep the result as long as the store.
    public func checkpointInBackground(every interval: Double = 1) throws -> Checkpointer {
        let checkpointer = try Checkpointer(path: path, interval: interval)
        try pool.writeWithoutTransaction { try $0.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
        return checkpointer
    }
}
