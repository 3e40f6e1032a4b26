import Foundation
import HTTPServer
import RelaisDomain
import RelaisReports
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    /// The evaluation as JSON: the same figures as the report pages (codes and counts, never a
    /// participant), with the definitions in the language of `?lang=` or else `Accept-Language`.
    /// `?site=ID` narrows a year or a period to one site, `?reduced=N` sets the reduction
    /// threshold (percent); a period is `?from=YYYY-MM-DD&to=YYYY-MM-DD`, both days included.
    func registerReportAPI(_ routes: inout Routes) {
        let app = self
        let scopes: [(String, @Sendable (Request) throws -> EvaluationScope)] = [
            ("/api/v1/reports/years/{year}", { try app.reportScope($0) }),
            ("/api/v1/reports/period", { try app.periodScope($0) }),
            ("/api/v1/reports/programmes/{id}", { .programme($0.parameter("id")) }),
        ]
        for (pattern, scope) in scopes {
            routes.api(.get, pattern, .readReports) { request, caller in
                let language = try Self.reportLanguage(request, default: request.preferredLanguage)
                let report = try app.actions.evaluation(try scope(request), reducedThresholdPercent: try app.reducedThreshold(request), by: caller)
                return try JSONBody.localized(try app.reportJSON(report, language: language), language: language)
            }
        }
    }

    /// The report's JSON document as a typed tree (the report's figures and its definitions).
    func reportJSON(_ report: EvaluationReport, language: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: reports.json(report, language: language))
    }
}
