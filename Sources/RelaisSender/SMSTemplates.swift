import Foundation
import Mustache
import RelaisDomain

/// The SMS texts of the structure: one Mustache file per kind and language
/// (`Protocols/sms/session_reminder.fr.mustache`), plain text, editable without rebuilding Relais.
/// Every kind a participant may receive by SMS needs its French file; English falls back to it.
public struct SMSTemplates: Sendable {
    let library: MustacheLibrary
    let available: Set<String>

    /// The kinds that may go by SMS (`ChannelRules`): every message to a participant.
    public static var smsKinds: [MessageKind] { MessageKind.allCases.filter { ChannelRules.channels(for: $0).contains(.sms) } }

    public init(directory: String) throws(MailTemplateError) {
        var library = MustacheLibrary()
        var available: Set<String> = []
        let files: [String]
        do { files = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw MailTemplateError(file: directory, reason: "cannot read the SMS templates folder: \(error.localizedDescription)")
        }
        for file in files.sorted() where file.hasSuffix(".mustache") {
            let path = (directory as NSString).appendingPathComponent(file)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { throw MailTemplateError(file: path, reason: "not readable as UTF-8") }
            let name = String(file.dropLast(".mustache".count))
            let parts = name.split(separator: ".")
            guard parts.count == 2, let kind = MessageKind(rawValue: String(parts[0])), Self.smsKinds.contains(kind),
                  MailTemplates.languages.contains(String(parts[1])) else {
                throw MailTemplateError(file: path, reason: "expected <kind>.<fr|en>.mustache with a kind among \(Self.smsKinds.map(\.rawValue).joined(separator: ", "))")
            }
            do {
                try library.register("{{% CONTENT_TYPE: TEXT}}" + text, named: name)
            } catch {
                throw MailTemplateError(file: path, reason: "\(error)")
            }
            available.insert(name)
        }
        for kind in Self.smsKinds where !available.contains("\(kind.rawValue).fr") {
            throw MailTemplateError(file: (directory as NSString).appendingPathComponent("\(kind.rawValue).fr.mustache"), reason: "missing")
        }
        self.library = library
        self.available = available
    }

    /// The text of an SMS, normalised for the network (`SMSText.normalized`).
    public func render(_ kind: MessageKind, language: String, context: [String: Any]) -> String {
        let name = available.contains("\(kind.rawValue).\(language)") ? "\(kind.rawValue).\(language)" : "\(kind.rawValue).fr"
        return SMSText.normalized(library.render(context, withTemplate: name) ?? "")
    }
}
