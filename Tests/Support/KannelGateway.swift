import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One SMS as the fake SMS centre received it (the parts of a long one joined back).
public struct ReceivedSMS: Sendable, Equatable {
    public var from: String
    public var to: String
    /// The text: UTF-8 for a GSM-7 message, decoded from UTF-16 for a UCS-2 one.
    public var text: String
    /// The number of SMS it took.
    public var parts: Int
}

/// A real Kannel gateway on loopback, as a structure runs it: Debian's `bearerbox` and `smsbox`
/// (package `kannel`), with the fake SMS centre of `kannel-extras` (`fakesmsc`) as the operator.
/// Each runs as a child process on ports chosen at start, with its configuration and logs in a
/// temporary folder; `stop()` and `start()` take the whole gateway down and up again on the same
/// ports. What the fake centre receives is read from its output (`Got message N: <from to type
/// data>`), across restarts. The fake centre answers every message with the delivery reports
/// Kannel asks for (accepted by the centre, then delivered).
public final class KannelGateway: @unchecked Sendable {
    public static let bearerbox = "/usr/sbin/bearerbox"
    public static let smsbox = "/usr/sbin/smsbox"
    public static let fakesmsc = "/usr/lib/kannel/test/fakesmsc"

    /// Whether Debian's kannel and kannel-extras are installed (`make test` installs them).
    public static var isInstalled: Bool {
        [bearerbox, smsbox, fakesmsc].allSatisfy { FileManager.default.isExecutableFile(atPath: $0) }
    }

    public let directory = TemporaryDirectory()
    public let username = "relais"
    public let password = "kannel-test-password"
    public let adminPort: Int, smsboxPort: Int, smscPort: Int, sendsmsPort: Int
    private let lock = NSLock()
    private var processes: [Process] = []
    private var fakeOutput: [Pipe] = []
    /// The fake centre's output lines of every run, in order.
    private var lines: [String] = []
    private var partial = ""

    /// The smsbox's sendsms address, for `sms.kannel.url`.
    public var sendsmsURL: String { "http://127.0.0.1:\(sendsmsPort)/cgi-bin/sendsms" }

    public init() throws {
        let ports = try Self.freePorts(4)
        (adminPort, smsboxPort, smscPort, sendsmsPort) = (ports[0], ports[1], ports[2], ports[3])
        try configuration.write(toFile: directory.file("kannel.conf"), atomically: true, encoding: .utf8)
        try start()
    }

    deinit { stop() }

    /// The gateway's configuration: the bearerbox (core) with one fake SMSC, the smsbox with its
    /// sendsms interface on loopback and one sendsms user allowed three-part messages.
    var configuration: String {
        """
        group = core
        admin-port = \(adminPort)
        admin-password = test-admin
        admin-deny-ip = "*.*.*.*"
        admin-allow-ip = "127.0.0.1"
        smsbox-port = \(smsboxPort)
        box-deny-ip = "*.*.*.*"
        box-allow-ip = "127.0.0.1"
        log-file = "\(directory.file("bearerbox.log"))"
        log-level = 1
        dlr-storage = internal
        store-type = file
        store-location = "\(directory.file("bearerbox.store"))"

        group = smsc
        smsc = fake
        smsc-id = fake
        port = \(smscPort)
        connect-allow-ip = "127.0.0.1"

        group = smsbox
        bearerbox-host = 127.0.0.1
        bearerbox-port = \(smsboxPort)
        sendsms-port = \(sendsmsPort)
        sendsms-interface = 127.0.0.1
        log-file = "\(directory.file("smsbox.log"))"
        log-level = 1

        group = sendsms-user
        username = \(username)
        password = \(password)
        max-messages = 3
        concatenation = true

        group = sms-service
        keyword = default
        text = "No service"
        catch-all = true
        max-messages = 0

        """
    }

    /// Starts the bearerbox, the fake centre and the smsbox, and waits until the centre is online
    /// and the sendsms port answers.
    public func start() throws {
        let conf = directory.file("kannel.conf")
        try launch(Self.bearerbox, ["-v", "1", conf], log: "bearerbox.out")
        try waitUntil("the bearerbox's admin port") { Self.isListening(self.adminPort) && Self.isListening(self.smscPort) }
        try launch(Self.fakesmsc, ["-H", "127.0.0.1", "-r", String(smscPort), "-i", "0.1", "-m", "0", "000 000 text unused"], log: nil)
        try launch(Self.smsbox, ["-v", "1", conf], log: "smsbox.out")
        try waitUntil("the SMS centre online and the sendsms port") {
            Self.isListening(self.sendsmsPort) && ((try? self.status())?.contains("online") ?? false)
        }
    }

    /// Stops the whole gateway (SIGTERM, then SIGKILL after 5 s): sendsms is refused until `start()`.
    public func stop() {
        let running = lock.withLock { () -> [Process] in
            let list = processes
            processes = []
            return list
        }
        for process in running.reversed() where process.isRunning { kill(process.processIdentifier, SIGTERM) }
        for process in running.reversed() {
            let deadline = Date().addingTimeInterval(5)
            while process.isRunning && Date() < deadline { usleep(20_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        usleep(100_000)
    }

    /// The bearerbox's status page (its admin interface).
    public func status() throws -> String {
        let response = try TestHTTP.get(port: UInt16(adminPort), "/status.txt?password=test-admin")
        return response.text
    }

    /// Everything the fake centre received, long messages joined from their parts.
    public var received: [ReceivedSMS] {
        let lines = lock.withLock { self.lines }
        var result: [ReceivedSMS] = []
        var pending: [String: (from: String, to: String, parts: [Int: [UInt8]], total: Int)] = [:]
        for line in lines {
            guard let start = line.range(of: ": <"), line.hasSuffix(">"), line.contains("Got message") else { continue }
            let body = line[start.upperBound..<line.index(before: line.endIndex)]
            let fields = body.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false).map(String.init)
            guard fields.count == 4 else { continue }
            let (from, to, type, data) = (fields[0], fields[1], fields[2], fields[3])
            switch type {
            case "text": result.append(ReceivedSMS(from: from, to: to, text: data, parts: 1))
            case "ucs-2", "ucs2": result.append(ReceivedSMS(from: from, to: to, text: Self.utf16(Self.unescape(data)), parts: 1))
            case "udh":
                // "udh %05%00%03<ref><total><seq> data <payload>": one part of a long message.
                let pieces = data.split(separator: " ", maxSplits: 2).map(String.init)
                guard pieces.count == 3, pieces[1] == "data" else { continue }
                let header = Self.unescape(pieces[0])
                guard header.count >= 6, header[1] == 0 else { continue }
                let key = "\(from)|\(to)|\(header[3])"
                var entry = pending[key] ?? (from, to, [:], Int(header[4]))
                entry.parts[Int(header[5])] = Self.unescape(pieces[2])
                pending[key] = entry
                if entry.parts.count == entry.total {
                    let bytes = (1...entry.total).flatMap { entry.parts[$0] ?? [] }
                    // UCS-2 parts come as UTF-16 (a zero byte before each ASCII letter); GSM-7 ones as the text.
                    let ucs2 = bytes.count % 2 == 0 && bytes.enumerated().contains { $0.offset % 2 == 0 && $0.element == 0 }
                    result.append(ReceivedSMS(from: from, to: to, text: ucs2 ? Self.utf16(bytes) : String(decoding: bytes, as: UTF8.self),
                                              parts: entry.total))
                    pending[key] = nil
                }
            default: continue
            }
        }
        return result
    }

    /// Waits until at least `count` messages arrived (or `timeout` passed) and returns them all.
    public func waitForMessages(_ count: Int, timeout: TimeInterval = 15) -> [ReceivedSMS] {
        let deadline = Date().addingTimeInterval(timeout)
        var messages = received
        while messages.count < count && Date() < deadline {
            usleep(50_000)
            messages = received
        }
        return messages
    }

    /// The logs, for failure messages.
    public var logs: String {
        ["bearerbox.out", "smsbox.out", "bearerbox.log", "smsbox.log"].map { name in
            "== \(name)\n" + ((try? String(contentsOfFile: directory.file(name), encoding: .utf8)) ?? "")
        }.joined(separator: "\n") + "\n== fakesmsc\n" + lock.withLock { lines.joined(separator: "\n") }
    }

    // MARK: Processes

    private func launch(_ executable: String, _ arguments: [String], log: String?) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory.path)
        process.standardInput = FileHandle.nullDevice
        if let log {
            FileManager.default.createFile(atPath: directory.file(log), contents: nil)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: directory.file(log)))
            handle.seekToEndOfFile()
            process.standardOutput = handle
            process.standardError = handle
        } else {
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let data = handle.availableData
                guard let self else { return }
                if data.isEmpty { handle.readabilityHandler = nil; return }
                self.lock.withLock {
                    self.partial += String(decoding: data, as: UTF8.self)
                    while let newline = self.partial.firstIndex(of: "\n") {
                        self.lines.append(String(self.partial[..<newline]))
                        self.partial = String(self.partial[self.partial.index(after: newline)...])
                    }
                }
            }
            lock.withLock { fakeOutput.append(pipe) }
        }
        try process.run()
        lock.withLock { processes.append(process) }
    }

    private func waitUntil(_ what: String, timeout: TimeInterval = 20, _ condition: () -> Bool) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return }
            usleep(100_000)
        }
        throw TestHTTPError(description: "Kannel did not start (\(what)):\n\(logs)")
    }

    static func isListening(_ port: Int) -> Bool {
        guard let descriptor = try? TestHTTP.connectSocket(port: UInt16(port), timeoutSeconds: 1) else { return false }
        close(descriptor)
        return true
    }

    /// `count` distinct ports free on loopback now, chosen below the kernel's ephemeral range
    /// (`ip_local_port_range`): the gateway is stopped and started again on the same ports, and a
    /// port from that range may meanwhile become the local port of another test's outgoing
    /// connection (the bearerbox then panics: "Address already in use").
    static func freePorts(_ count: Int) throws -> [Int] {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: \.isWhitespace).compactMap { Int($0) } ?? []
        let below = max(2048, min(range.first ?? 32768, 65536) - 1)
        var ports: [Int] = []
        var tries = 0
        while ports.count < count {
            tries += 1
            guard tries < 10_000 else { throw TestHTTPError(description: "no free loopback port below \(below)") }
            let port = Int.random(in: 20_000...max(20_001, below))
            if !ports.contains(port), canBind(port) { ports.append(port) }
        }
        return ports
    }

    /// Whether a listening socket could be bound on loopback `port` now.
    static func canBind(_ port: Int) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }

    /// fakesmsc's URL-encoding: `%XX` a byte, `+` a space, anything else itself.
    static func unescape(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var iterator = Array(text.utf8).makeIterator()
        while let byte = iterator.next() {
            switch byte {
            case UInt8(ascii: "%"):
                guard let high = iterator.next(), let low = iterator.next(),
                      let value = UInt8(String(decoding: [high, low], as: UTF8.self), radix: 16) else { continue }
                bytes.append(value)
            case UInt8(ascii: "+"): bytes.append(0x20)
            default: bytes.append(byte)
            }
        }
        return bytes
    }

    /// UTF-16 big-endian bytes as a string.
    static func utf16(_ bytes: [UInt8]) -> String {
        var units: [UInt16] = []
        var index = 0
        while index + 1 < bytes.count {
            units.append(UInt16(bytes[index]) << 8 | UInt16(bytes[index + 1]))
            index += 2
        }
        return String(decoding: units, as: UTF16.self)
    }
}
