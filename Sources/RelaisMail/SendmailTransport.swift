import Foundation
import RelaisDomain
#if canImport(Glibc)
import Glibc
#endif

/// Hands each message to a sendmail-compatible command such as msmtp:
/// `command… -- recipient`, the message on standard input.
public struct SendmailTransport: MailTransport {
    public let name = "sendmail"
    /// Split on whitespace and run directly (no shell), so nothing in it is ever interpreted.
    public let command: String
    public let timeoutSeconds: Int

    public init(command: String, timeoutSeconds: Int) {
        self.command = command
        self.timeoutSeconds = max(1, timeoutSeconds)
    }

    public func deliver(_ message: MailMessage) throws(MailDeliveryError) {
        try message.validateAddresses()
        let words = command.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let executable = words.first else {
            throw MailDeliveryError(reason: "the sendmail command is empty", failure: .localFailure)
        }
        guard let path = Self.resolve(executable) else {
            throw MailDeliveryError(reason: "sendmail command '\(executable)' not found or not executable", failure: .localFailure)
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        // "--" ends the options: a recipient can never be read as one (it is validated too).
        process.arguments = Array(words.dropFirst()) + ["--", message.to.renderedAddress]

        // Standard input is a socket pair rather than a pipe: writing to a command that exited
        // early must give EPIPE, not a SIGPIPE that kills the daemon, and only send() has
        // MSG_NOSIGNAL. CLOEXEC keeps our end out of the child (it would never see EOF).
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw MailDeliveryError(reason: "cannot create a socket pair for '\(executable)': \(String(cString: strerror(errno)))", failure: .localFailure)
        }
        let ourEnd = ends[0]
        let childInput = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        var sendTimeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(ourEnd, SOL_SOCKET, SO_SNDTIMEO, &sendTimeout, socklen_t(MemoryLayout<timeval>.size))

        let output = Pipe(), errors = Pipe()
        process.standardInput = childInput
        process.standardOutput = output
        process.standardError = errors
        let finished = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in finished.signal() }
        do {
            try process.run()
        } catch {
            close(ourEnd)
            throw MailDeliveryError(reason: "cannot run sendmail command '\(executable)': \(error.localizedDescription)", failure: .localFailure)
        }
        try? childInput.close()

        let captured = CapturedOutput()
        let readers = DispatchGroup()
        for (pipe, isError) in [(output, false), (errors, true)] {
            DispatchQueue.global().async(group: readers) {
                let data = pipe.fileHandleForReading.readDataToEndOfFile()
                captured.set(data, isError: isError)
            }
        }
        let payload = message.rendered()
        DispatchQueue.global().async {
            Self.send(payload, to: ourEnd)
            close(ourEnd)
        }

        var timedOut = false
        if finished.wait(timeout: .now() + .seconds(timeoutSeconds)) == .timedOut {
            timedOut = true
            kill(process.processIdentifier, SIGKILL)
            finished.wait()
        }
        // A background child of the command may keep the pipes open: do not wait forever.
        _ = readers.wait(timeout: .now() + .seconds(2))

        let detail = captured.detail
        if timedOut {
            throw MailDeliveryError(reason: "sendmail command '\(executable)' did not finish within \(timeoutSeconds) s and was killed"
                                    + (detail.isEmpty ? "" : ": \(detail)"), failure: .timeout)
        }
        let status = process.terminationStatus
        if process.terminationReason == .uncaughtSignal {
            throw MailDeliveryError(reason: "sendmail command '\(executable)' was killed by signal \(status)"
                                    + (detail.isEmpty ? "" : ": \(detail)"), failure: .localFailure)
        }
        guard status == 0 else {
            // sysexits.h: EX_DATAERR (65) and EX_NOUSER (67) say this message or recipient is
            // refused for good; other statuses (EX_TEMPFAIL, EX_UNAVAILABLE…) may pass later.
            throw MailDeliveryError(reason: "sendmail command '\(executable)' exited with status \(status)"
                                    + (detail.isEmpty ? "" : ": \(detail)"),
                                    isPermanent: status == 65 || status == 67,
                                    failure: status == 67 ? .mailboxUnknown : status == 65 ? .messageRefused : .transportFailed)
        }
    }

    /// The executable for `name`: a path as given, or the first match on PATH.
    static func resolve(_ name: String) -> String? {
        let manager = FileManager.default
        if name.contains("/") {
            var isDirectory: ObjCBool = false
            return manager.fileExists(atPath: name, isDirectory: &isDirectory) && !isDirectory.boolValue
                && manager.isExecutableFile(atPath: name) ? name : nil
        }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"
        for folder in path.split(separator: ":") {
            let candidate = (String(folder) as NSString).appendingPathComponent(name)
            if manager.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func send(_ data: Data, to fd: Int32) {
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.send(fd, bytes.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
                if n < 0 {
                    if errno == EINTR { continue }
                    return  // EPIPE (the command stopped reading) or the send timeout: its exit status tells.
                }
                offset += n
            }
            shutdown(fd, Int32(SHUT_WR))
        }
    }
}

/// Standard output and error of the command, filled from two reader threads.
private final class CapturedOutput: @unchecked Sendable {
    private let lock = NSLock()
    private var output = Data()
    private var errors = Data()

    func set(_ data: Data, isError: Bool) {
        lock.lock()
        if isError { errors = data } else { output = data }
        lock.unlock()
    }

    /// Standard error (or standard output when it is empty), trimmed and capped for the digest.
    var detail: String {
        lock.lock()
        defer { lock.unlock() }
        let chosen = errors.isEmpty ? output : errors
        let text = MIME.sanitizeHeaderText(String(decoding: chosen.prefix(4096), as: UTF8.self))
            .trimmingCharacters(in: .whitespaces)
        return text.count > 500 ? String(text.prefix(500)) + "…" : text
    }
}
