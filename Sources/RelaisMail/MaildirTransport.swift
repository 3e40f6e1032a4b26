import Foundation
import RelaisDomain
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes each message as a file in a maildir (directory/{tmp,new,cur}), the embedded default
/// transport: a new installation keeps every message before SMTP is set up, and any mail
/// client or `cat` can read them.
public struct MaildirTransport: MailTransport {
    public let name = "maildir"
    public let directory: String

    /// Creates directory/{tmp,new,cur} (mode 0700: messages hold health data) when missing.
    public init(directory: String) throws(MailDeliveryError) {
        self.directory = directory
        for sub in ["tmp", "new", "cur"] {
            let path = (directory as NSString).appendingPathComponent(sub)
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o700])
            } catch {
                throw MailDeliveryError(reason: "cannot create maildir folder \(path): \(error.localizedDescription)", failure: .localFailure)
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue,
                  access(path, W_OK | X_OK) == 0 else {
                throw MailDeliveryError(reason: "maildir folder \(path) is not a writable directory", failure: .localFailure)
            }
        }
    }

    public func deliver(_ message: MailMessage) throws(MailDeliveryError) {
        _ = try write(message)
    }

    /// Delivers and returns the path of the file in new/.
    /// The maildir protocol: write under tmp/, fsync, then rename into new/, so a reader never
    /// sees a partial file; the rename within one file system is atomic. The new/ folder is
    /// fsynced too so the rename itself survives a crash (the outbox then marks it delivered).
    @discardableResult
    public func write(_ message: MailMessage) throws(MailDeliveryError) -> String {
        try message.validateAddresses()
        let data = message.rendered()
        let unique = Self.uniqueName()
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
        let writeErrno = errno
        if ok, fsync(fd) != 0 { ok = false }
        let syncErrno = errno
        if close(fd) != 0 && ok { ok = false }
        guard ok else {
            unlink(tmpPath)
            errno = writeErrno != 0 ? writeErrno : syncErrno
            throw Self.failure("cannot write \(tmpPath)")
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

    /// "<epoch seconds>.<random hex>.<hostname>" as the maildir specification suggests; 128 random
    /// bits make collisions between threads and processes negligible (O_EXCL catches the rest).
    static func uniqueName() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        var host = gethostname(&buffer, buffer.count - 1) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "localhost"
        // The maildir specification encodes "/" and ":" in the host part ("\057", "\072").
        host = host.replacingOccurrences(of: "/", with: "\\057").replacingOccurrences(of: ":", with: "\\072")
        return "\(Int(Date().timeIntervalSince1970)).\(MIME.randomHex(bytes: 16)).\(host.isEmpty ? "localhost" : host)"
    }

    private static func failure(_ what: String) -> MailDeliveryError {
        MailDeliveryError(reason: "\(what): \(String(cString: strerror(errno)))", failure: .localFailure)
    }
}
