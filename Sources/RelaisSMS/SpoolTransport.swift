import DurableFiles
import Foundation
import RelaisDomain

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
    private let folder: DropFolder

    /// Creates directory/{tmp,new} (mode 0700: the texts name people) when missing.
    public init(directory: String) throws(SMSDeliveryError) {
        self.directory = directory
        do { folder = try DropFolder(directory: directory) }
        catch { throw SMSDeliveryError(reason: "SMS spool: \(error)", failure: .localFailure) }
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
        let unique = "\(Int(Date().timeIntervalSince1970)).\(Self.safe(message.reference)).\(UUID().uuidString.prefix(8).lowercased()).sms"
        do { return try folder.drop(Self.rendered(message), name: unique) }
        catch { throw SMSDeliveryError(reason: error.description, failure: .localFailure) }
    }

    /// A reference as part of a file name: letters, digits, `-` and `.` only.
    static func safe(_ reference: String) -> String {
        String(reference.prefix(80).map { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") ? $0 : "_" })
    }
}
