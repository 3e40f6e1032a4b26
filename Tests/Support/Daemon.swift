import Foundation

/// A temporary folder removed at deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    public let path: String

    public init() {
        path = NSTemporaryDirectory() + "relais-test-" + UUID().uuidString.prefix(8)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

public struct CommandResult: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public var json: Any? { try? JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed]) }
}

/// The built `relais` executable, run as a real process.
public enum RelaisBinary {
    public static var path: String {
        if let explicit = ProcessInfo.processInfo.environment["RELAIS_BIN"] { return explicit }
        // Tests run from the build products folder, which also holds the executable.
        let candidates = [Bundle.main.bundleURL, URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
            .flatMap { [$0.appendingPathComponent("relais"), $0.deletingLastPathComponent().appendingPathComponent("relais")] }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }?.path
            ?? packageRoot.appendingPathComponent(".build/debug/relais").path
    }

    /// The repository root (for Protocols/ and config/).
    public static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    /// Runs `relais ARGS` to completion with `stdin` as standard input.
    public static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:],
                           directory: String? = nil) throws -> CommandResult {
        try ChildProcess.run(executable: path, arguments, stdin: Data(stdin.utf8), environment: environment,
                             directory: directory ?? packageRoot.path)
    }
}

/// A command run to completion, its output collected: the one way the tests run processes.
public enum ChildProcess {
    public static func run(executable: String, _ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:],
                           directory: String? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let input = Pipe(), output = Pipe(), errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(stdin)
        try input.fileHandleForWriting.close()
        // Read both pipes before waiting, so a chatty command cannot block on a full pipe.
        let group = DispatchGroup()
        nonisolated(unsafe) var out = Data(), err = Data()
        DispatchQueue.global().async(group: group) { out = output.fileHandleForReading.readDataToEndOfFile() }
        DispatchQueue.global().async(group: group) { err = errors.fileHandleForReading.readDataToEndOfFile() }
        group.wait()
        process.waitUntilExit()
        return CommandResult(status: process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
                             stderr: String(decoding: err, as: UTF8.self))
    }
}

/// `relais serve` on an ephemeral loopback port with its own data folder.
public final class Daemon: @unchecked Sendable {
    public let process = Process()
    public let directory: TemporaryDirectory
    public private(set) var port: UInt16 = 0
    /// The first administrator's one-time password, as printed at first start.
    public private(set) var adminPassword: String = ""
    private let errorPipe = Pipe()
    private let lock = NSLock()
    private var stderrText = ""

    public var dataDir: String { directory.file("var") }

    public init(directory: TemporaryDirectory = TemporaryDirectory(), arguments: [String] = [], environment: [String: String] = [:]) throws {
        self.directory = directory
        let command = [RelaisBinary.path, "serve", "--data-dir", directory.file("var"), "--port", "0"] + arguments
        if environment["LD_PRELOAD"] == nil {
            process.executableURL = URL(fileURLWithPath: command[0])
            process.arguments = Array(command.dropFirst())
        } else {
            // Spawned directly by Foundation with libfaketime preloaded, the daemon exits 0 before
            // its first line (measured here; under strace it runs): a shell that execs it does not.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", #"exec "$0" "$@""#] + command
        }
        process.currentDirectoryURL = RelaisBinary.packageRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardError = errorPipe
        process.standardOutput = FileHandle.nullDevice
        errorPipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
            let data = handle.availableData
            guard let self, !data.isEmpty else { return }
            self.lock.lock()
            self.stderrText += String(decoding: data, as: UTF8.self)
            self.lock.unlock()
        }
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let text = log
            if let range = text.range(of: #"listening on https?://[^ ]+:(\d+)"#, options: .regularExpression) {
                port = UInt16(text[range].split(separator: ":").last!)!
                let lines = text.components(separatedBy: "\n")
                if let index = lines.firstIndex(where: { $0.contains("one-time password") }), index + 1 < lines.count {
                    adminPassword = lines[index + 1].trimmingCharacters(in: .whitespaces)
                }
                return
            }
            if !process.isRunning { break }
            usleep(20_000)
        }
        let exited = process.isRunning ? nil : process.terminationStatus
        process.terminate()
        throw TestHTTPError(description: "relais serve did not start\(exited.map { " (exit status \($0))" } ?? ""):\n\(log)")
    }

    /// The environment that starts the daemon at `instant` (`2027-03-18 19:30:00`, UTC), its
    /// clock running on from there: Debian's libfaketime, preloaded, so that the daemon lives the
    /// story's dates as a structure would, with no clock of its own to set. The monotonic clock
    /// stays real (libmicrohttpd times its connections with it).
    public static func fakeTime(_ instant: String) -> [String: String] {
        ["LD_PRELOAD": "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1", "FAKETIME": "@" + instant,
         "FAKETIME_DONT_FAKE_MONOTONIC": "1", "TZ": "UTC"]
    }

    /// Everything the daemon wrote on standard error so far.
    public var log: String {
        lock.lock()
        defer { lock.unlock() }
        return stderrText
    }

    /// Sends `signal` and waits for the exit status.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> Int32 {
        if process.isRunning { kill(process.processIdentifier, signal) }
        process.waitUntilExit()
        errorPipe.fileHandleForReading.readabilityHandler = nil
        return process.terminationStatus
    }

    /// Runs a CLI command against this daemon's data folder.
    public func cli(_ arguments: [String], stdin: String = "") throws -> CommandResult {
        try RelaisBinary.run(arguments + ["--data-dir", dataDir], stdin: stdin)
    }

    deinit { if process.isRunning { stop(signal: SIGKILL) } }
}

extension RelaisBinary {
    /// Rows of a query on a data folder's database, through the sqlite3 command line tool
    /// (a second, independent reader of the file).
    public static func sqlite(_ dataDir: String, _ query: String) throws -> [String] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [(dataDir as NSString).appendingPathComponent("relais.sqlite"), query]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
