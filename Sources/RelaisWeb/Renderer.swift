import Foundation
import Mustache

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
        var strings: [String: [String: String]] = [:]
        for language in Self.languages {
            let data = try Data(contentsOf: locales.appendingPathComponent("\(language).json"))
            strings[language] = try JSONDecoder().decode([String: String].self, from: data)
        }
        self.library = library
        self.strings = strings
    }

    public func strings(_ language: String) -> [String: String] {
        strings[language] ?? strings["fr"] ?? [:]
    }

    /// Renders `template` with `context` plus the language's strings under `t`.
    public func render(_ template: String, language: String, context: [String: Any]) -> String {
        var context = context
        context["t"] = strings(language)
        context["lang"] = language
        return library.render(context, withTemplate: template) ?? "template \(template) missing"
    }
}

struct RendererError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
