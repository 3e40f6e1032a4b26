import Foundation
import HTTPServer
import RelaisDomain
import RelaisReports
import RelaisStore
import RelaisUseCases

/// The yearly evaluation: one page per year (all sites or one) and per programme, printable to PDF
/// from the browser, and the two CSV exports. Coordinators and tabacologues (`readReports`); never
/// peer helpers or administrators. The report is computed by the `evaluation` use case and made by
/// RelaisReports, as for `relais report` and the API: these routes read the request, give the page
/// its addresses and set the report in the site's layout.
extension RelaisApp {
    func registerReportPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/reports", .readReports) { _, _ in
            .redirect(to: "/reports/years/\(app.today.year)")
        }

        routes.page(.get, "/reports/years/{year}", .readReports, reportPage({ try app.reportScope($0) }) { request, context, _, report in
            try app.reportPage(report, context, query: Self.reportQuery(request))
        })

        routes.page(.get, "/reports/programmes/{id}", .readReports, reportPage({ .programme($0.parameter("id")) }) { request, context, _, report in
            try app.reportPage(report, context, query: Self.reportQuery(request))
        })

        for file in ReportExport.allCases {
            routes.page(.get, "/reports/years/{year}/\(file.rawValue)", .readReports, reportPage({ try app.reportScope($0) }) { _, context, scope, report in
                try app.actions.recordExport(file.rawValue, scope: scope, by: context.caller)
                return Self.csvResponse(app.reports.text(of: file, report, language: context.language), filename: file.filename(year: report.year))
            })
        }
    }

    /// A report route: the scope from the request, the report computed with the request's
    /// threshold, then `respond`; a refused scope or threshold gets the report's error page.
    func reportPage(_ scope: @escaping @Sendable (Request) throws -> EvaluationScope,
                    _ respond: @escaping @Sendable (Request, WebContext, EvaluationScope, EvaluationReport) throws -> Response) -> PageHandler {
        let app = self
        // Unknown years, sites and programmes, and a refused threshold, are answered by `PageRefusals`.
        return { request, context in
            let scope = try scope(request)
            let report = try app.actions.evaluation(scope, reducedThresholdPercent: try app.reducedThreshold(request), by: context.caller)
            return try respond(request, context, scope, report)
        }
    }

    // MARK: - Requests

    /// The year (and site) of `/reports/years/{year}[?site=ID]`, or 404.
    func reportScope(_ request: Request) throws -> EvaluationScope {
        guard request.parameter("year").count <= 4, let year = Int(request.parameter("year")), DateWindow.years.contains(year) else {
            throw Refusal.notFound(.reportNotFound, ["year": String(request.parameter("year").prefix(20)), "from": String(DateWindow.years.lowerBound),
                                                     "to": String(DateWindow.years.upperBound)])
        }
        let site = request.queryValue("site").flatMap { $0.isEmpty ? nil : $0 }
        return .year(year, siteID: site)
    }

    /// `?reduced=40`: the reduction threshold in percent (1–100); `evaluation.reduced_threshold_percent` by default.
    func reducedThreshold(_ request: Request) throws -> Double {
        guard let text = request.queryValue("reduced"), !text.isEmpty else { return Double(configuration.reducedThresholdPercent) }
        guard let value = Double(text.replacingOccurrences(of: ",", with: ".")), value >= 1, value <= 100 else {
            throw ValidationError(field: "reduced", .numberRange, ["min": "1", "max": "100"])
        }
        return value
    }

    /// The query kept on the page's links (site, threshold).
    static func reportQuery(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        if let site = request.queryValue("site"), !site.isEmpty { query["site"] = site }
        if let reduced = request.queryValue("reduced"), !reduced.isEmpty { query["reduced"] = reduced }
        return query
    }

    static func csvResponse(_ text: String, filename: String) -> Response {
        var response = Response.text(text, contentType: "text/csv; charset=utf-8")
        response.headerFields[.contentDisposition] = "attachment; filename=\"\(filename)\""
        return response
    }

    // MARK: - The page

    /// The report's body, with this site's addresses, in the layout of every page.
    func reportPage(_ report: EvaluationReport, _ context: WebContext, query: [String: String]) throws -> Response {
        let sites = report.scope.kind == "year" ? try actions.reportSites(by: context.caller) : []
        let body = reports.body(report, language: context.language, links: reportLinks(report, sites: sites, query: query))
        return render(.report, context, ["heading": body.heading, "body": body.html])
    }

    /// The addresses of the report's controls and programmes; each keeps the site and threshold of `query`.
    func reportLinks(_ report: EvaluationReport, sites: [SiteRecord], query: [String: String]) -> ReportLinks {
        let year = report.year
        func link(_ path: String, _ extra: [String: String?] = [:]) -> String {
            var items = query
            for (key, value) in extra { items[key] = value }
            let text = items.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
                .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "")" }.joined(separator: "&")
            return text.isEmpty ? path : path + "?" + text
        }
        return ReportLinks(
            year: link("/reports/years/\(year)", ["site": nil]),
            sites: sites.map { site in ReportLinks.Site(id: site.id, name: site.name, url: link("/reports/years/\(year)", ["site": site.id])) },
            previousYear: link("/reports/years/\(year - 1)"), nextYear: link("/reports/years/\(year + 1)"),
            aggregateCSV: link("/reports/years/\(year)/\(ReportExport.aggregate.rawValue)"),
            participantsCSV: link("/reports/years/\(year)/\(ReportExport.participants.rawValue)"),
            programme: { link("/reports/programmes/\($0)", ["site": nil]) })
    }

    // MARK: - The documents

    /// The page as one file, as `relais report --format html` writes it.
    public func reportStandaloneHTML(_ report: EvaluationReport, language: String) -> String {
        reports.standalonePage(report, language: language,
                               document: ReportDocument(structureName: configuration.structureName, relaisVersion: RelaisVersion.current, generatedOn: today))
    }
}
