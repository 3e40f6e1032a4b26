import Foundation
import Mustache
import RelaisDomain

/// The mail templates of the structure: one Mustache file per kind and language
/// (`session_reminder.fr.mustache`), editable without rebuilding Relais. A file starts with a
/// `Subject:` line, then a blank line, then the plain-text body; the HTML part is the same text
/// set in `layout.html.mustache`, so the two parts never say different things.
public struct MailTemplates: Sendable {
    let library: MustacheLibrary
    let available: Set<String>
    public static let languages = ["fr", "en"]

    /// Loads and checks every template; a missing French template or one that does not parse
    /// stops the daemon with the file's name.
    public init(directory: String) throws(MailTemplateError) {
        var library = MustacheLibrary()
        var available: Set<String> = []
        let files: [String]
        do { files = try FileManager.default.contentsOfDirectory(atPath: directory) } catch {
            throw MailTemplateError(file: directory, reason: "cannot read the mail templates folder: \(error.localizedDescription)")
        }
        for file in files.sorted() where file.hasSuffix(".mustache") {
            let path = (directory as NSString).appendingPathComponent(file)
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw MailTemplateError(file: path, reason: "not readable as UTF-8")
            }
            let name = String(file.dropLast(".mustache".count))
            if name == "layout.html" {
                do { try library.register(text, named: name) } catch { throw MailTemplateError(file: path, reason: "\(error)") }
                available.insert(name)
                continue
            }
            let parts = name.split(separator: ".")
            guard parts.count == 2, MessageKind(rawValue: String(parts[0])) != nil, Self.languages.contains(String(parts[1])) else {
                throw MailTemplateError(file: path, reason: "expected <kind>.<fr|en>.mustache with a kind among \(Self.mailKinds.map(\.rawValue).joined(separator: ", "))")
            }
            guard text.hasPrefix("Subject:"), let blank = text.range(of: "\n\n") else {
                throw MailTemplateError(file: path, reason: "must start with a 'Subject:' line followed by a blank line")
            }
            let subject = text[text.index(text.startIndex, offsetBy: "Subject:".count)..<blank.lowerBound]
                .trimmingCharacters(in: .whitespaces)
            let body = String(text[blank.upperBound...])
            do {
                // Plain text: no HTML escaping in subjects and text bodies.
                try library.register("{{% CONTENT_TYPE: TEXT}}" + subject, named: name + ".subject")
                try library.register("{{% CONTENT_TYPE: TEXT}}" + body, named: name + ".text")
            } catch {
                throw MailTemplateError(file: path, reason: "\(error)")
            }
            available.insert(name)
        }
        for kind in Self.mailKinds where !available.contains("\(kind.rawValue).fr") {
            throw MailTemplateError(file: (directory as NSString).appendingPathComponent("\(kind.rawValue).fr.mustache"), reason: "missing")
        }
        guard available.contains("layout.html") else {
            throw MailTemplateError(file: (directory as NSString).appendingPathComponent("layout.html.mustache"), reason: "missing")
        }
        self.library = library
        self.available = available
    }

    /// Kinds that are mail (the phone-task action has no template).
    public static var mailKinds: [MessageKind] { MessageKind.allCases.filter { $0 != .followUpCall } }

    /// Subject, text and HTML of a message; English falls back to French when the structure has
    /// no English template for that kind.
    public func render(_ kind: MessageKind, language: String, context: [String: Any]) -> (subject: String, text: String, html: String) {
        let name = available.contains("\(kind.rawValue).\(language)") ? "\(kind.rawValue).\(language)" : "\(kind.rawValue).fr"
        let subject = (library.render(context, withTemplate: name + ".subject") ?? "")
            .replacingOccurrences(of: "\n", with: " ").trimmingCharacters(in: .whitespaces)
        let text = library.render(context, withTemplate: name + ".text") ?? ""
        var layout = context
        layout["subject"] = subject
        layout["body"] = Self.html(fromText: text)
        layout["lang"] = language
        let html = library.render(layout, withTemplate: "layout.html") ?? ""
        return (subject, text, html)
    }

    /// Paragraphs from blank lines, line breaks kept, links made clickable; everything escaped.
    /// (One pass over the lines with the standard library: Foundation's string searching is slow
    /// on Linux and this runs for every message.)
    static func html(fromText text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count * 2)
        var paragraphOpen = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.allSatisfy({ $0 == " " || $0 == "\r" }) {
                if paragraphOpen { out += "</p>\n" }
                paragraphOpen = false
                continue
            }
            out += paragraphOpen ? "<br>\n" : "<p>"
            paragraphOpen = true
            var firstWord = true
            for word in line.split(separator: " ", omittingEmptySubsequences: false) {
                if !firstWord { out += " " }
                firstWord = false
                let escaped = escape(word)
                if word.hasPrefix("https://") || word.hasPrefix("http://") {
                    out += "<a href=\"\(escaped)\">\(escaped)</a>"
                } else {
                    out += escaped
                }
            }
        }
        if paragraphOpen { out += "</p>" }
        if out.hasSuffix("\n") { out.removeLast() }
        return out
    }

    static func escape<S: StringProtocol>(_ text: S) -> String { HTMLText.escape(text) }
}

public struct MailTemplateError: Error, CustomStringConvertible, Equatable {
    public var file: String
    public var reason: String

    public init(file: String, reason: String) {
        self.file = file
        self.reason = reason
    }
    public var description: String { "mail template \(file): \(reason)" }
}
