import Foundation
import RelaisDomain

/// Numbers, percentages, dates, sentences and the labels of codes in the reader's language, for
/// the page, the CSV files and the bilan alike.
struct ReportFormat {
    let language: String
    let strings: [String: String]
    /// The départements' names, when the caller gave them.
    var territory: Territory? = nil

    var french: Bool { language != "en" }
    var percentUnit: String { french ? " %" : "%" }

    func s(_ key: String) -> String { strings[key] ?? key }

    /// The string `key` with `{1}`, `{2}`… replaced, and the plural forms of its counts chosen
    /// (`{1, plural, one {# programme} other {# programmes}}`, see `Plural`).
    func fill(_ key: String, _ arguments: String...) -> String { fill(key, arguments) }

    func fill(_ key: String, _ arguments: [String]) -> String {
        let named = Dictionary(uniqueKeysWithValues: arguments.enumerated().map { (String($0.offset + 1), $0.element) })
        return Plural.fill(s(key), named, language: language)
    }

    /// "5,5" in French, "5.5" in English; at most two decimals; "—" for nothing.
    func number(_ value: Double?) -> String {
        guard let value else { return "—" }
        return decimal(SmallCounts.format(Evaluation.rounded(value, places: 2)))
    }

    /// A number written by `SmallCounts` ("85.7", "< 5") with the language's decimal mark.
    func decimal(_ text: String) -> String { french ? text.replacingOccurrences(of: ".", with: ",") : text }

    func signed(_ value: Double?) -> String {
        guard let value else { return "—" }
        return (value > 0 ? "+" : "") + number(value)
    }

    func percent(_ value: Double?) -> String {
        guard let value else { return "—" }
        return number(value) + percentUnit
    }

    /// "5 / 9 (55,6 %)"; "—" out of nothing.
    func ratio(_ proportion: Proportion) -> String {
        guard proportion.denominator > 0 else { return "—" }
        return "\(proportion.count) / \(proportion.denominator)" + (proportion.percent.map { " (\(percent($0)))" } ?? "")
    }

    /// "1 / 7 (14,3 %)" for a count out of a base.
    func ratio(_ count: Int, of base: Int) -> String { ratio(Proportion(count, of: base)) }

    /// "jeudi 5 mars 2026".
    func date(_ date: CalendarDate) -> String { DateWording.day(date, language: language) }

    /// "05/03/2026" in French (as a French spreadsheet reads a date), "2026-03-05" in English.
    func shortDate(_ date: CalendarDate) -> String {
        guard french else { return date.iso }
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(date.day))/\(two(date.month))/\(date.year)"
    }

    /// "du 01/01/2026 au 31/12/2026".
    func period(_ from: CalendarDate, _ to: CalendarDate) -> String { fill("r_period", shortDate(from), shortDate(to)) }

    // MARK: - Labels of codes

    /// "Fin de programme", "Suivi à 3 mois".
    func timePoint(_ id: String) -> String {
        id == "end" ? s("r_tp_end") : fill("r_tp_follow_up_n", String(id.dropFirst()))
    }

    /// "Fin", "3 mois": column headings and chart groups.
    func timePointShort(_ id: String) -> String {
        id == "end" ? s("r_tp_short_end") : fill("r_tp_short_n", String(id.dropFirst()))
    }

    /// A smoker's status; "reduced" says the threshold it was counted with when given.
    func status(_ code: String, threshold: Double? = nil) -> String {
        if code == "reduced", let threshold { return fill("r_status_reduced", number(threshold)) }
        return s("r_status_short_\(code)")
    }

    func exSmoker(_ code: String) -> String { s("r_ex_\(code)") }
    func coCheck(_ code: String) -> String { s("r_cocheck_\(code)") }
    func yesNo(_ value: Bool) -> String { s(value ? "r_yes" : "r_no") }

    /// A breakdown's dimension: "Sexe", "Tranche d'âge"…
    func dimension(_ dimension: String) -> String { s("r_dim_\(dimension)") }

    /// A group of a breakdown: "Femmes", "25-34 ans", "59 — Nord", "Visio", "Non renseigné".
    func group(_ dimension: String, _ code: String) -> String {
        if code == "unknown" { return s("r_group_unknown") }
        switch dimension {
        case "sex": return s("r_sex_\(code)")
        case "ageBand": return code == "65+" ? s("r_age_65_plus") : fill("r_age_band", code)
        case "publics": return s("r_public_\(code)")
        case "territory": return departement(code)
        case "modality": return s("r_modality_\(code)")
        case "moisSansTabac": return s("r_mst_\(code)")
        default: return code
        }
    }

    /// "59 — Nord"; the code alone when no name was given.
    func departement(_ code: String) -> String {
        territory?.name(of: code).map { "\(code) — \($0)" } ?? code
    }

    func source(_ source: BaselineSource?) -> String { source.map { s("r_source_\($0.rawValue)") } ?? "" }
    func goal(_ goal: SmokingGoal?) -> String { goal.map { s("r_goal_\($0.rawValue)") } ?? "" }
    func smokerStatus(_ smoker: Bool) -> String { s(smoker ? "r_smoker" : "r_ex_smoker") }
    func enrolment(_ status: String) -> String { s("r_enrolment_\(status)") }
}
