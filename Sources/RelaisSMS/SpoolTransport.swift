import Foundation
import RelaisDomain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The embedded default: each SMS is a file under `directory/new` (`<data_dir>/sms/new`), written
/// the way a maildir is (under `tmp/`, synced, then renamed into `new/`, so a reader never sees
/// half a file), so that a new installation loses nothing before a gateway is set up, and anyone
/// can read what would have gone. A file is a few header lines, a blank line, then the text:
///
///     To: +33612345678
///     From: CSAPA Nord
///     Reference: 0d6f…-3fa9c2
///     Kind: session_reminder
///     Encoding: GSM-7
///     Segments: 1
///
///     Bonjour Ana, rappel : séance jeudi 4 mars à 18 h 00…
public struct SpoolTransport: SMSTransport {
    public let name = "spool"
    public let directory: String

    /// Creates directory/{tmp,new} (mode 0700: the texts name people) when missing.
    public init(directory: String) throws(SMSDeliveryError) {
        self.directory = directory
        for sub in ["tmp", "new"] {
            let path = (directory as NSString).appendingPathComponent(sub)
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw SMSDeliveryError(reason: "cannot create the SMS spool folder \(path): \(error.localizedDescription)", failure: .localFailure)
            }
            guard access(path, W_OK | X_OK) == 0 else {
                throw SMSDeliveryError(reason: "SMS spool folder \(path) is not a writable directory", failure: .localFailure)
            }
        }
    }

    public func send(_ message: SMSMessage) throws(SMSDeliveryError) {
        _ = try write(message)
    }

    /// The file's bytes.
    public static func rendered(_ message: SMSMessage) -> Data {
        let length = message.length
        func line(_ text: String) -> String { text.filter { $0 != "\n" && $0 != "\r" } }
        let head = """
            To: \(line(message.to))
            From: \(line(message.from))
            Reference: \(line(message.reference))
            Kind: \(line(message.kind))
            Encoding: \(length.encoding.rawValue)
            Segments: \(length.segments)

            """
        return Data((head + "\n" + message.text + "\n").utf8)
    }

    /// Writes the SMS and returns the path of its file in new/.
    @discardableResult
    public func write(_ message: SMSMessage) throws(SMSDeliveryError) -> String {
        try message.validate()
        let data = Self.rendered(message)
        let unique = "\(Int(Date().timeIntervalSince1970)).\(Self.safe(message.reference)).\(UUID().uuidString.prefix(8).lowercased()).sms"
        let tmpPath = (directory as NSString).appendingPathComponent("tmp/" + unique)
        let newDirectory = (directory as NSString).appendingPathComponent("new")
        let newPath = (newDirectory as NSString).appendingPathComponent(unique)
        let fd = open(tmpPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw Self.failure("cannot create \(tmpPath)") }
        var ok = data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            var offset = 0
            while offset < bytes.count {
                let n = Glibc.write(fd, bytes.baseAddress! + offset, bytes.count - offset)
                if n < 0 { if errno == EINTR { continue }; return false }
                offset += n
            }
            return true
        }
        if ok, fsync(fd) != 0 { ok = false }
        if close(fd) != 0 { ok = false }
        guard ok else {
            let error = Self.failure("cannot write \(tmpPath)")
            unlink(tmpPath)
            throw error
        }
        guard rename(tmpPath, newPath) == 0 else {
            let error = Self.failure("cannot move \(tmpPath) into new/")
            unlink(tmpPath)
            throw error
        }
        let directoryFD = open(newDirectory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            fsync(directoryFD)
            close(directoryFD)
        }
        return newPath
    }

    /// A reference as part of a file name: letters, digits, `-` and `.` only.
    static func safe(_ reference: String) -> String {
        String(reference.prefix(80).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "_" })
    }

    private static func failure(_ what: String) -> SMSDeliveryError {
        SMSDeliveryError(reason: "\(what): \(String(cString: strerror(errno)))", failure: .localFailure)
    }
}
