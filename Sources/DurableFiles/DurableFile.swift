import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Files written so that neither a reader nor a crash ever sees half of one: the bytes go to a
/// temporary file, are synced, and the file is renamed over its target (atomic within one file
/// system); the target's folder is synced too, so the rename itself survives a power cut. The
/// maildir, the SMS spool and the served-address file are written this way.
/// Foundation's `Data.write(options: .atomic)` renames but syncs neither the file nor its folder.
public enum DurableFile {
    /// Writes `data` to `target` through `temporary` (same folder). `exclusive` refuses an
    /// existing temporary file (O_EXCL: two writers never share one); otherwise it is truncated.
    public static func write(_ data: Data, to target: String, through temporary: String, mode: mode_t = 0o600,
                             exclusive: Bool = true) throws(DurableFileError) {
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_CLOEXEC | (exclusive ? O_EXCL : O_TRUNC), mode)
        guard descriptor >= 0 else { throw DurableFileError(action: "cannot create", path: temporary, code: errno) }
        var failure: Int32 = 0
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            guard let base = bytes.baseAddress else { return }
            var offset = 0
            while offset < bytes.count {
                let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    failure = errno
                    return
                }
                offset += written
            }
        }
        if failure == 0, fsync(descriptor) != 0 { failure = errno }
        if close(descriptor) != 0, failure == 0 { failure = errno }
        guard failure == 0 else {
            unlink(temporary)
            throw DurableFileError(action: "cannot write", path: temporary, code: failure)
        }
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw DurableFileError(action: "cannot move into place", path: target, code: code)
        }
        let folder = open((target as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folder >= 0 {
            fsync(folder)
            close(folder)
        }
    }
}

/// A folder written the maildir way (`tmp/` then `new/`): the embedded default transports of mail
/// and SMS, which anyone can read and a gateway or mail client can pick up.
public struct DropFolder: Sendable {
    public let directory: String

    /// Creates `directory/<subfolder>` for each of `subfolders` (which must hold `tmp` and `new`),
    /// mode 0700 since the files name people, and checks each is a writable folder.
    public init(directory: String, subfolders: [String] = ["tmp", "new"]) throws(DurableFileError) {
        self.directory = directory
        for sub in subfolders {
            let path = (directory as NSString).appendingPathComponent(sub)
            do {
                try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            } catch {
                throw DurableFileError(action: "cannot create the folder", path: path, reason: error.localizedDescription)
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue, access(path, W_OK | X_OK) == 0 else {
                throw DurableFileError(action: "is not a writable folder:", path: path, code: EACCES)
            }
        }
    }

    /// Writes `data` as `new/<name>` through `tmp/<name>` and returns its path.
    @discardableResult
    public func drop(_ data: Data, name: String) throws(DurableFileError) -> String {
        let target = (directory as NSString).appendingPathComponent("new/" + name)
        try DurableFile.write(data, to: target, through: (directory as NSString).appendingPathComponent("tmp/" + name))
        return target
    }
}

/// What could not be written, where, and the system's reason.
public struct DurableFileError: Error, CustomStringConvertible {
    public var action: String
    public var path: String
    public var reason: String

    public var description: String { "\(action) \(path): \(reason)" }
}

extension DurableFileError {
    init(action: String, path: String, code: Int32) {
        self.init(action: action, path: path, reason: String(cString: strerror(code)))
    }
}
