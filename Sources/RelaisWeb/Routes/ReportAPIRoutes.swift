import Foundation
import HTTPServer
import RelaisDomain
import RelaisReports
import RelaisStore
import RelaisUseCases

extension RelaisApp {
    /// The yearly evaluation as JSON: the same figures as the report pages (codes and counts,
    /// never a participant), with the definitions in the language of `Accept-Language`.
    /// `?site=ID` narrows a year to one site, `?reduced=N` sets the reduction threshold (percent).
    func registerReportAPI(_ routes: inout Routes) {
        let app = self

        routes.api(.get, "/api/v1/reports/years/{year}", .readReports) { request, caller in
            let report = try app.actions.evaluation(try app.reportScope(request), reducedThresholdPercent: try app.reducedThreshold(request), by: caller)
            return try JSONBody.localized(try app.reportJSON(report, language: request.preferredLanguage), language: request.preferredLanguage)
        }

        routes.api(.get, "/api/v1/reports/programmes/{id}", .readReports) { request, caller in
            let report = try app.actions.evaluation(.programme(request.parameter("id")), reducedThresholdPercent: try app.reducedThreshold(request), by: caller)
            return try JSONBody.localized(try app.reportJSON(report, language: request.preferredLanguage), language: request.preferredLanguage)
        }
    }

    /// The report's JSON document as a typed tree (the report's figures and its definitions).
    func reportJSON(_ report: EvaluationReport, language: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: reports.json(report, language: language))
    }
}
