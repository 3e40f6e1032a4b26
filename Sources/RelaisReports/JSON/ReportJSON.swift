import Foundation
import RelaisDomain

extension EvaluationReports {
    /// The report as `/api/v1/reports/…` gives it: the figures (codes and counts, never a
    /// participant), the definitions in `language`, and the name of the format.
    public func jsonObject(_ report: EvaluationReport, language: String) throws -> [String: Any] {
        // The report holds no `Date`, only calendar dates: the default encoder writes it as the API does.
        var object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(report)) as? [String: Any] ?? [:]
        object["definitions"] = EvaluationDefinitions.all(report.settings, language: language).map {
            ["id": $0.id, "term": $0.term, "text": $0.text]
        }
        object["format"] = "relais-evaluation/1"
        return object
    }

    /// The same document as text, keys sorted and slashes as they are, like every JSON of the API
    /// (`relais report --format json`).
    public func json(_ report: EvaluationReport, language: String) throws -> Data {
        try JSONSerialization.data(withJSONObject: jsonObject(report, language: language), options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
