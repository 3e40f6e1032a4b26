import DurableFiles
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
    private let folder: DropFolder

    /// Creates directory/{tmp,new,cur} (mode 0700: messages hold health data) when missing.
    public init(directory: String) throws(MailDeliveryError) {
        self.directory = directory
        do { folder = try DropFolder(directory: directory, subfolders: ["tmp", "new", "cur"]) }
        catch { throw MailDeliveryError(reason: "maildir: \(error)", failure: .localFailure) }
    }

    public func deliver(_ message: MailMessage) throws(MailDeliveryError) {
        _ = try write(message)
    }

    /// Delivers and returns the path of the file in new/ (written under tmp/, synced, renamed:
    /// a mail client never sees a partial message, and the outbox marks it delivered only once
    /// the rename is durable).
    @discardableResult
    public func write(_ message: MailMessage) throws(MailDeliveryError) -> String {
        try message.validateAddresses()
        do { return try folder.drop(message.rendered(), name: Self.uniqueName()) }
        catch { throw MailDeliveryError(reason: error.description, failure: .localFailure) }
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
}
