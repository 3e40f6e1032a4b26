import Foundation
import Synchronization

/// Deadlines and per-address limits that libmicrohttpd does not give.
///
/// MHD's `CONNECTION_TIMEOUT` is an idle timeout: a client sending one header line every few
/// seconds keeps a connection forever, and enough of them take the server away ("slowloris").
/// Here every connection is in a phase with a start time: reading a request head (also while a
/// kept-alive connection waits for its next request), reading a body, or answering. A watchdog
/// shuts down the socket of a connection still reading past its deadline; MHD then sees the end
/// of the stream and closes it as usual. MHD's own per-IP limit counts a reverse proxy as one
/// client, so connections are counted per address here, trusted proxies exempted, and requests
/// that come through a trusted proxy are counted per forwarded client instead.
final class ConnectionTracker: Sendable {
    enum Phase: Sendable {
        case head, body, answering, closing
    }

    struct Entry: Sendable {
        var descriptor: Int32
        var address: String
        var phase: Phase
        var since: UInt64
    }

    private struct State: ~Copyable {
        var connections: [Int: Entry] = [:]
        var perAddress: [String: Int] = [:]
        var forwardedInFlight: [String: Int] = [:]
    }

    private let state = Mutex(State())
    let headTimeout: UInt64
    let bodyTimeout: UInt64
    let perAddressLimit: Int
    let trustedProxies: [IPNetwork]
    private let running = Atomic<Bool>(true)

    init(headTimeoutSeconds: Int, bodyTimeoutSeconds: Int, perAddressLimit: Int, trustedProxies: [IPNetwork]) {
        headTimeout = UInt64(max(1, headTimeoutSeconds)) * 1_000_000_000
        bodyTimeout = UInt64(max(1, bodyTimeoutSeconds)) * 1_000_000_000
        self.perAddressLimit = perAddressLimit
        self.trustedProxies = trustedProxies
    }

    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    func isTrustedProxy(_ address: String) -> Bool { trustedProxies.contains { $0.contains(address) } }

    /// The accept policy: refuse a new connection from an address already at its limit.
    func admits(_ address: String) -> Bool {
        if isTrustedProxy(address) { return true }
        return state.withLock { $0.perAddress[address, default: 0] < perAddressLimit }
    }

    func started(_ key: Int, descriptor: Int32, address: String) {
        let counted = !isTrustedProxy(address)
        state.withLock { state in
            state.connections[key] = Entry(descriptor: descriptor, address: address, phase: .head, since: Self.now())
            if counted { state.perAddress[address, default: 0] += 1 }
        }
    }

    /// Called before MHD closes the socket: the entry goes under the same lock the watchdog
    /// holds while shutting a socket down, so it never touches a descriptor reused by another.
    func closed(_ key: Int) {
        state.withLock { state in
            guard let entry = state.connections.removeValue(forKey: key) else { return }
            guard !isTrustedProxy(entry.address), let count = state.perAddress[entry.address] else { return }
            if count <= 1 { state.perAddress.removeValue(forKey: entry.address) } else { state.perAddress[entry.address] = count - 1 }
        }
    }

    func enter(_ key: Int, _ phase: Phase) {
        state.withLock { state in
            guard state.connections[key] != nil, state.connections[key]?.phase != .closing else { return }
            state.connections[key]?.phase = phase
            state.connections[key]?.since = Self.now()
        }
    }

    /// Counts a request of a client behind a trusted proxy; false when that client already has
    /// as many requests in flight as one address may have connections.
    func beginForwarded(_ client: String) -> Bool {
        state.withLock { state in
            let count = state.forwardedInFlight[client, default: 0]
            guard count < perAddressLimit else { return false }
            state.forwardedInFlight[client] = count + 1
            return true
        }
    }

    func endForwarded(_ client: String) {
        state.withLock { state in
            guard let count = state.forwardedInFlight[client] else { return }
            if count <= 1 { state.forwardedInFlight.removeValue(forKey: client) } else { state.forwardedInFlight[client] = count - 1 }
        }
    }

    /// Shuts down the sockets of connections reading a head or a body past their deadline.
    /// Returns how many it shut down.
    @discardableResult
    func expire(at now: UInt64 = ConnectionTracker.now()) -> Int {
        state.withLock { state in
            var expired = 0
            for (key, entry) in state.connections {
                let limit: UInt64
                switch entry.phase {
                case .head: limit = headTimeout
                case .body: limit = bodyTimeout
                case .answering, .closing: continue
                }
                guard now > entry.since, now - entry.since > limit else { continue }
                shutdown(entry.descriptor, Int32(SHUT_RDWR))
                state.connections[key]?.phase = .closing
                expired += 1
            }
            return expired
        }
    }

    var openConnections: Int { state.withLock { $0.connections.count } }

    /// Checks the deadlines twice a second on a thread of its own, until `stop`.
    func startWatchdog() {
        let thread = Thread { [self] in
            while running.load(ordering: .acquiring) {
                expire()
                usleep(500_000)
            }
        }
        thread.name = "relais-http-deadlines"
        thread.start()
    }

    func stop() { running.store(false, ordering: .releasing) }
}
