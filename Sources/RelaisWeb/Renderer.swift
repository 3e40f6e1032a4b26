import Foundation
import Mustache
import RelaisReports

/// Server-rendered pages: Mustache templates (HTML-escaped by default) and the string tables
/// of each language, loaded once at start.
public struct Renderer: Sendable {
    let library: MustacheLibrary
    let strings: [String: [String: String]]
    public static let languages = ["fr", "en"]

    public init(templatesDirectory: URL? = nil, localesDirectory: URL? = nil) throws {
        let templates = templatesDirectory ?? Bundle.module.resourceURL!.appendingPathComponent("Templates")
        let locales = localesDirectory ?? Bundle.module.resourceURL!.appendingPathComponent("Locales")
        var library = MustacheLibrary()
        let files = try FileManager.default.contentsOfDirectory(atPath: templates.path).filter { $0.hasSuffix(".mustache") }
        for file in files {
            let text = try String(contentsOf: templates.appendingPathComponent(file), encoding: .utf8)
            do {
                try library.register(text, named: String(file.dropLast(".mustache".count)))
            } catch {
                throw RendererError(message: "template \(file) does not parse: \(error)")
            }
        }
        // Each area of the pages may keep its strings in its own file: `fr.json`, `admin.fr.json`…
        // A key defined twice is refused, so that one file never silently overrides another.
        var strings: [String: [String: String]] = [:]
        let localeFiles = try FileManager.default.contentsOfDirectory(atPath: locales.path).sorted()
        for language in Self.languages {
            var table: [String: String] = [:]
            for file in localeFiles where file == "\(language).json" || file.hasSuffix(".\(language).json") {
                let data = try Data(contentsOf: locales.appendingPathComponent(file))
                for (key, value) in try JSONDecoder().decode([String: String].self, from: data) {
                    guard table.updateValue(value, forKey: key) == nil else {
                        throw RendererError(message: "string '\(key)' is defined twice in the \(language) locale files (again in \(file))")
                    }
                }
            }
            strings[language] = table
        }
        self.library = library
        self.strings = strings
    }

    public func strings(_ language: String) -> [String: String] {
        strings[language] ?? strings["fr"] ?? [:]
    }

    /// Renders `template` with `context` plus the language's strings under `t`.
    public func render(_ template: String, language: String, context: [String: Any]) -> String {
        var context = MustacheValues.withoutEmptyStrings(context)
        context["t"] = strings(language)
        context["lang"] = language
        return library.render(context, withTemplate: template) ?? "template \(template) missing"
    }
}

struct RendererError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Dictionary where Key == String, Value == String {
    /// The string `key` of a locale table with its `{name}` placeholders filled; the key itself
    /// when the table lacks it (start-up checks that both languages have every key).
    func fill(_ key: String, _ arguments: [String: String] = [:]) -> String {
        var text = self[key] ?? key
        for (name, value) in arguments { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }
}
