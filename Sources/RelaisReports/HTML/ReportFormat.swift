import Foundation
import RelaisDomain

/// Numbers, percentages and sentences of the report in the reader's language.
struct ReportFormat {
    let language: String
    let strings: [String: String]

    var french: Bool { language != "en" }
    var percentUnit: String { french ? " %" : "%" }

    func s(_ key: String) -> String { strings[key] ?? key }

    /// The string `key` with `{1}`, `{2}`… replaced.
    func fill(_ key: String, _ arguments: String...) -> String {
        var text = s(key)
        for (index, argument) in arguments.enumerated() { text = text.replacingOccurrences(of: "{\(index + 1)}", with: argument) }
        return text
    }

    /// "5,5" in French, "5.5" in English; at most two decimals; "—" for nothing.
    func number(_ value: Double?) -> String {
        guard let value else { return "—" }
        var text = SmallCounts.format(Evaluation.rounded(value, places: 2))
        if french { text = text.replacingOccurrences(of: ".", with: ",") }
        return text
    }

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

    func date(_ date: CalendarDate) -> String { DateWording.day(date, language: language) }
}
