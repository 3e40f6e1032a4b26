import Foundation
import Mustache
import RelaisDomain

/// The report's resources: its two Mustache templates (the body, and the standalone page around
/// it), its strings in each language and the stylesheet the standalone page carries inside.
struct ReportTemplates: Sendable {
    let library: MustacheLibrary
    let strings: [String: [String: String]]
    let stylesheet: String

    static let languages = ["fr", "en"]

    /// Loaded once per process. They are part of the build: `EvaluationReports.init` throws when
    /// they do not load, so that `relais serve` and `relais report` stop at start, naming the file.
    static let bundled: Result<ReportTemplates, any Error> = Result {
        guard let resources = Bundle.module.resourceURL else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSLocalizedDescriptionKey: "the resources of RelaisReports are not installed"])
        }
        return try ReportTemplates(resources: resources)
    }

    init(resources: URL) throws {
        var library = MustacheLibrary()
        for name in ["report_body", "report_standalone"] {
            try library.register(String(contentsOf: resources.appendingPathComponent("Templates/\(name).mustache"), encoding: .utf8), named: name)
        }
        self.library = library
        strings = try Dictionary(uniqueKeysWithValues: Self.languages.map { language in
            let file = resources.appendingPathComponent("Locales/reports.\(language).json")
            let table = try JSONDecoder().decode([String: String].self, from: Data(contentsOf: file))
            for (key, text) in table {
                if let problem = Plural.problem(in: text) {
                    throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "reports.\(language).json, '\(key)': \(problem)"])
                }
            }
            return (language, table)
        })
        stylesheet = try String(contentsOf: resources.appendingPathComponent("relais.css"), encoding: .utf8)
    }

    /// The strings of `language`; French for a language the report does not speak.
    func strings(_ language: String) -> [String: String] {
        strings[language] ?? strings["fr"] ?? [:]
    }

    /// `template` with `values`, the language's strings under `t` and the language under `lang`.
    func render(_ template: String, language: String, values: [String: Any]) -> String {
        var context = MustacheValues.withoutEmptyStrings(values)
        context["t"] = strings(language)
        context["lang"] = language
        return library.render(context, withTemplate: template) ?? ""
    }
}
