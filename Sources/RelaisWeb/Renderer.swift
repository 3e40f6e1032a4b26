import Foundation
import Mustache
import RelaisDomain
import RelaisReports

/// The page templates, by name: rendering one that is not installed cannot be written, and each is
/// checked to exist when Relais starts.
public enum PageTemplate: String, CaseIterable, Sendable {
    case account, adminIndex = "admin_index", adminPassword = "admin_password", adminSettings = "admin_settings", adminSites = "admin_sites"
    case adminUsers = "admin_users", bilan, consultation, dashboard, error, letter, login, participantAssessment = "participant_assessment"
    case participantErase = "participant_erase", participantForm = "participant_form", participantList = "participant_list"
    case participantRecord = "participant_record", password, programme, programmeNew = "programme_new", programmes, questionnaire
    case questionnaireDone = "questionnaire_done", report, session, sessionQuick = "session_quick"
    case sessionSheet = "session_sheet", task, tasks
    case enrolment, outbox, letterCode = "letter_code"
    case assessmentWithdraw = "assessment_withdraw"
    case accessibility
    case treatment
    case consultationRecord = "consultation_record"
}

/// Server-rendered pages: Mustache templates (HTML-escaped by default) and the string tables
/// of each language, checked once at start: a missing template, or a string that one language has
/// and the other lacks, stops Relais with the name of what is missing. A template is compiled the
/// first time a page needs it, then kept (`PageTemplates`).
public struct Renderer: Sendable {
    let templates: PageTemplates
    let strings: [String: [String: String]]
    public static let languages = ["fr", "en"]
    /// The entry of each string table that names its language (not a string of the pages).
    static let languageKey = "@language"

    public init(templatesDirectory: URL? = nil, localesDirectory: URL? = nil) throws {
        let directory = templatesDirectory ?? Bundle.module.resourceURL!.appendingPathComponent("Templates")
        let locales = localesDirectory ?? Bundle.module.resourceURL!.appendingPathComponent("Locales")
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".mustache") }
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
            for (key, text) in table {
                if let problem = Plural.problem(in: text) {
                    throw RendererError(message: "string '\(key)' of the \(language) locale files: \(problem)")
                }
            }
            // The table knows its language, so that `fill` chooses the plural forms of its counts.
            table[Self.languageKey] = language
            strings[language] = table
        }
        let installed = Set(files.map { String($0.dropLast(".mustache".count)) })
        if let missing = PageTemplate.allCases.first(where: { !installed.contains($0.rawValue) }) {
            throw RendererError(message: "template \(missing.rawValue).mustache is missing from \(directory.path)")
        }
        let french = Set(strings["fr"]?.keys ?? [:].keys), english = Set(strings["en"]?.keys ?? [:].keys)
        if let key = french.symmetricDifference(english).sorted().first {
            throw RendererError(message: "string '\(key)' is in the \(french.contains(key) ? "French" : "English") locale files only")
        }
        // Every refusal the use cases can give has its sentence: none reaches a page as a bare code.
        if let code = ReasonCode.allCases.first(where: { !french.contains("reason.\($0.rawValue)") }) {
            throw RendererError(message: "string 'reason.\(code.rawValue)' is missing from the locale files")
        }
        templates = PageTemplates(directory: directory)
        self.strings = strings
    }

    public func strings(_ language: String) -> [String: String] {
        strings[language] ?? strings["fr"] ?? [:]
    }

    /// Renders `template` with `context` plus the language's strings under `t`.
    public func render(_ template: PageTemplate, language: String, context: [String: Any]) -> String {
        var context = MustacheValues.withoutEmptyStrings(context)
        context["t"] = strings(language)
        context["lang"] = language
        // Every template parses (the tests compile them all) and was found at start-up; an empty
        // page would be a library failure.
        let page = (try? templates.library(for: template.rawValue))?.render(context, withTemplate: template.rawValue) ?? ""
        return Self.titledForErrors(page, prefix: strings(language)["title_error_prefix"] ?? "")
    }

    /// A page that carries an error summary (every form's, whatever its template, each with
    /// `autofocus` so that the focus lands on it without a script) says so first
    /// in its title, which a screen reader reads on arrival (RGAA 11.10): done here, once, rather
    /// than in each of the templates that show a summary.
    static func titledForErrors(_ page: String, prefix: String) -> String {
        guard !prefix.isEmpty, page.contains("class=\"error-summary\""), let title = page.range(of: "<title>") else { return page }
        return page.replacingCharacters(in: title, with: "<title>" + prefix)
    }

    /// A reason in `language`: the sentence of its code with its values, a page's own wording
    /// for that field first when it has one (`field.<form>.<field>.<code>`, or `field.<form>.*.<code>`
    /// for every field of the form). Dates and times in
    /// the values are written out in words on pages.
    ///
    /// A page never shows a code: where the API's sentence lists codes ("present, excused,
    /// absent", a template id, a state), pages say it with `page.reason.<code>` instead; the API
    /// (`forAPI`) keeps the codes, which scripts need.
    public func text(_ reason: Reason, language: String, form: String? = nil, field: String? = nil, forAPI: Bool = false) -> String {
        let table = strings(language)
        let code = reason.code.rawValue
        var text = form.flatMap { form in field.flatMap { table["field.\(form).\($0).\(code)"] } ?? table["field.\(form).*.\(code)"] }
            ?? (forAPI ? nil : table["page.reason.\(code)"]) ?? table["reason.\(code)"] ?? code
        text = Plural.resolve(text, arguments: reason.parameters, language: language)
        for (name, value) in reason.parameters {
            text = text.replacingOccurrences(of: "{\(name)}", with: Self.wording(value, language: language))
        }
        return text
    }

    /// `2026-11-04T18:00` as "mercredi 4 novembre 2026, 18 h 00", `2026-11-04` as "mercredi 4 novembre 2026".
    static func wording(_ value: String, language: String) -> String {
        if let time = LocalDateTime(iso: value) {
            return DateWording.day(time.date, language: language) + ", " + DateWording.time(time, language: language)
        }
        if let date = CalendarDate(iso: value) { return DateWording.day(date, language: language) }
        return value
    }
}

struct RendererError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

extension Dictionary where Key == String, Value == String {
    /// The string `key` of a locale table with its plural forms chosen by the counts it names
    /// (`{count, plural, one {…} other {…}}`) and its `{name}` placeholders filled; the key
    /// itself when the table lacks it (start-up checks that both languages have every key).
    func fill(_ key: String, _ arguments: [String: String] = [:]) -> String {
        Plural.fill(self[key] ?? key, arguments, language: self[Renderer.languageKey] ?? "fr")
    }

    /// `fill` with one count, named `count`: "1 participant", "2 participants".
    func count(_ key: String, _ count: Int, _ arguments: [String: String] = [:]) -> String {
        fill(key, arguments.merging(["count": String(count)]) { $1 })
    }
}
