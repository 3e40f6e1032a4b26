import Foundation
import HTTPServer
import RelaisDomain
import RelaisReports
import RelaisStore

extension RelaisApp {
    /// The yearly evaluation as JSON: the same figures as the report pages (codes and counts,
    /// never a participant), with the definitions in the language of `Accept-Language`.
    /// `?site=ID` narrows a year to one site, `?reduced=N` sets the reduction threshold (percent).
    func registerReportAPI(_ router: inout Router) {
        let app = self

        router.get("/api/v1/reports/years/{year}", api(.readReports) { request, _ in
            let report = try app.evaluationReport(try app.reportScope(request), reducedThresholdPercent: try app.reducedThreshold(request))
            return JSON.localized(try app.reports.jsonObject(report, language: request.preferredLanguage), language: request.preferredLanguage)
        })

        router.get("/api/v1/reports/programmes/{id}", api(.readReports) { request, _ in
            let report = try app.evaluationReport(.programme(request.parameter("id")), reducedThresholdPercent: try app.reducedThreshold(request))
            return JSON.localized(try app.reports.jsonObject(report, language: request.preferredLanguage), language: request.preferredLanguage)
        })
    }
}
