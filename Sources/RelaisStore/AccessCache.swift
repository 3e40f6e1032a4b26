import Foundation
import GRDB
import Synchronization

/// The bearer tokens and browser sessions already checked, with their accounts, so that a
/// request is authenticated from memory rather than by reading three tables.
///
/// The maps hold for one generation of `auth_generation`, which triggers move on at any change
/// of an account, a token or a session (a revocation, a disabled account, a new role or
/// password, a profile, a session ended), whoever writes it: this daemon, `relais user` and
/// `relais token` in another process, or any other writer of the file. Every request reads the
/// generation first (one row) and empties the maps when it moved, so a revoked token or a
/// disabled account is refused at the next request.
public final class AccessCache: Sendable {
    struct Token {
        var user: User
        var id: String
        /// As stored, or as being written by the request that claimed the refresh.
        var lastUsedAt: Date?
    }

    struct Session {
        var user: User
        var session: WebSession
    }

    private struct State {
        var generation: Int64 = -1
        var tokens: [String: Token] = [:]
        var sessions: [String: Session] = [:]
        /// The last request of each session in this process, exact, whereas `last_seen_at` is
        /// written at most once a minute; kept across generations, so that the idle timeout
        /// counts from the real last request.
        var lastSeen: [String: Date] = [:]
    }

    private let state = Mutex(State())

    init() {}

    /// Empties the maps if `generation` is not the one they hold.
    func sync(_ generation: Int64) {
        state.withLock { state in
            guard state.generation != generation else { return }
            state.generation = generation
            state.tokens.removeAll(keepingCapacity: true)
            state.sessions.removeAll(keepingCapacity: true)
        }
    }

    func token(_ hash: String, generation: Int64) -> Token? {
        sync(generation)
        return state.withLock { $0.tokens[hash] }
    }

    /// Keeps what was read at `generation`, unless the maps moved on meanwhile.
    func keep(token: Token, hash: String, generation: Int64) {
        sync(generation)
        state.withLock { state in
            if state.generation == generation { state.tokens[hash] = token }
        }
    }

    /// True for the one request that should write the token's last use (none written for a
    /// minute): the others of that minute only read.
    func claimTokenRefresh(_ hash: String, now: Date) -> Bool {
        state.withLock { state in
            guard var token = state.tokens[hash] else { return true }
            if let last = token.lastUsedAt, now.timeIntervalSince(last) <= Accounts.refreshInterval { return false }
            token.lastUsedAt = now
            state.tokens[hash] = token
            return true
        }
    }

    func session(_ id: String, generation: Int64) -> Session? {
        sync(generation)
        return state.withLock { $0.sessions[id] }
    }

    func keep(session: Session, generation: Int64) {
        sync(generation)
        state.withLock { state in
            if state.generation == generation { state.sessions[session.session.id] = session }
        }
    }

    func lastSeen(_ id: String) -> Date? {
        state.withLock { $0.lastSeen[id] }
    }

    func seen(_ id: String, at now: Date) {
        state.withLock { state in
            // Sessions never ended by a request (a browser closed) would stay: past a few
            // thousand, those not seen for a day go.
            if state.lastSeen.count > 4096 {
                state.lastSeen = state.lastSeen.filter { now.timeIntervalSince($0.value) < 86_400 }
            }
            state.lastSeen[id] = max(state.lastSeen[id] ?? now, now)
        }
    }

    /// The session as written by the request that refreshed it.
    func refreshed(_ session: WebSession) {
        state.withLock { state in
            state.sessions[session.id]?.session = session
        }
    }

    func ended(_ id: String) {
        state.withLock { state in
            state.sessions[id] = nil
            state.lastSeen[id] = nil
        }
    }
}

extension Store {
    /// The generation of accounts, tokens and sessions (see `AccessCache`): one row, read
    /// outside a transaction on every authenticated request.
    func authGeneration() throws -> Int64 {
        try pool.unsafeRead { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM auth_generation")) ?? 0
        }
    }
}
