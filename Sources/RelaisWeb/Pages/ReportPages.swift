import Foundation
import HTTPServer
import RelaisDomain
import RelaisReports
import RelaisStore
import RelaisUseCases

/// The evaluation: one page per year (all sites or one), per reporting period and per programme,
/// printable to PDF from the browser, each with its two CSV exports and its bilan sheet.
/// Coordinators and tabacologues (`readReports`); never peer helpers or administrators. The report
/// is computed by the `evaluation` use case and made by RelaisReports, as for `relais report` and
/// the API: these routes read the request, give the page its addresses and set the report in the
/// site's layout.
extension RelaisApp {
    /// The three kinds of report, by the address of their page.
    enum ReportKind: CaseIterable {
        case year, period, programme

        var pattern: String {
            switch self {
            case .year: "/reports/years/{year}"
            case .period: "/reports/period"
            case .programme: "/reports/programmes/{id}"
            }
        }
    }

    func registerReportPages(_ routes: inout Routes) {
        let app = self

        routes.page(.get, "/reports", .readReports) { _, _ in
            .redirect(to: "/reports/years/\(app.today.year)")
        }

        for kind in ReportKind.allCases {
            let scope: @Sendable (Request) throws -> EvaluationScope = { try app.reportScope(kind, $0) }
            routes.page(.get, kind.pattern, .readReports, reportPage(scope) { request, context, _, report in
                try app.reportPage(report, context, request: request)
            })
            routes.page(.get, kind.pattern + "/bilan", .readReports, reportPage(scope) { request, context, _, report in
                try app.bilanPage(report, context, request: request)
            })
            for file in ReportExport.allCases {
                routes.page(.get, kind.pattern + "/" + file.rawValue, .readReports, reportPage(scope) { request, context, scope, report in
                    let language = try Self.reportLanguage(request, default: context.language)
                    try app.actions.recordExport(file.rawValue, scope: scope, by: context.caller)
                    return Self.csvResponse(app.reports.text(of: file, report, language: language), filename: file.filename(report))
                })
            }
        }
    }

    /// A report route: the scope from the request, the report computed with the request's
    /// threshold, then `respond`; a refused scope or threshold gets the report's error page.
    func reportPage(_ scope: @escaping @Sendable (Request) throws -> EvaluationScope,
                    _ respond: @escaping @Sendable (Request, WebContext, EvaluationScope, EvaluationReport) throws -> Response) -> PageHandler {
        let app = self
        // Unknown years, sites and programmes, refused dates and thresholds, are answered by `PageRefusals`.
        return { request, context in
            let scope = try scope(request)
            let report = try app.actions.evaluation(scope, reducedThresholdPercent: try app.reducedThreshold(request), by: context.caller)
            return try respond(request, context, scope, report)
        }
    }

    // MARK: - Requests

    func reportScope(_ kind: ReportKind, _ request: Request) throws -> EvaluationScope {
        switch kind {
        case .year: try reportScope(request)
        case .period: try periodScope(request)
        case .programme: .programme(request.parameter("id"))
        }
    }

    /// The year (and site) of `/reports/years/{year}[?site=ID]`, or 404.
    func reportScope(_ request: Request) throws -> EvaluationScope {
        guard request.parameter("year").count <= 4, let year = Int(request.parameter("year")), DateWindow.years.contains(year) else {
            throw Refusal.notFound(.reportNotFound, ["year": String(request.parameter("year").prefix(20)), "from": String(DateWindow.years.lowerBound),
                                                     "to": String(DateWindow.years.upperBound)])
        }
        return .year(year, siteID: Self.reportSite(request))
    }

    /// `?from=YYYY-MM-DD&to=YYYY-MM-DD[&site=ID]`: a reporting period, both days included. A date
    /// that does not parse or falls outside 2000–2100 is a 422 naming its field; `to` before
    /// `from` is a 422 on `to` (the use case says so).
    func periodScope(_ request: Request) throws -> EvaluationScope {
        var problems: [String: Reason] = [:]
        func date(_ field: String) -> CalendarDate? {
            do { return try Input.calendarDate(request.queryValue(field), field: field) } catch {
                problems.merge(error.fields) { $1 }
                return nil
            }
        }
        let from = date("from"), to = date("to")
        guard let from, let to else { throw ValidationError(problems) }
        return .period(from: from, to: to, siteID: Self.reportSite(request))
    }

    static func reportSite(_ request: Request) -> String? {
        request.queryValue("site").flatMap { $0.isEmpty ? nil : $0 }
    }

    /// `?reduced=40`: the reduction threshold in percent (1–100); `evaluation.reduced_threshold_percent` by default.
    func reducedThreshold(_ request: Request) throws -> Double {
        guard let text = request.queryValue("reduced"), !text.isEmpty else { return Double(configuration.reducedThresholdPercent) }
        guard let value = Double(text.replacingOccurrences(of: ",", with: ".")), value >= 1, value <= 100 else {
            throw ValidationError(field: "reduced", .numberRange, ["min": "1", "max": "100"])
        }
        return value
    }

    /// `?lang=fr|en`: the language of the report's text, headings and labels (the page's
    /// language by default); anything else is a 422 on `lang`.
    static func reportLanguage(_ request: Request, default language: String) throws -> String {
        guard let text = request.queryValue("lang"), !text.isEmpty else { return language }
        guard Renderer.languages.contains(text) else { throw ValidationError(field: "lang", .languageInvalid) }
        return text
    }

    /// The query kept on the page's links (site, threshold, language).
    static func reportQuery(_ request: Request) -> [String: String] {
        var query: [String: String] = [:]
        for key in ["site", "reduced", "lang"] {
            if let value = request.queryValue(key), !value.isEmpty { query[key] = value }
        }
        return query
    }

    /// A CSV download: its bytes as made (with their byte order mark), saved under `filename`.
    static func csvResponse(_ text: String, filename: String) -> Response {
        var response = Response.text(text, contentType: "text/csv; charset=utf-8")
        response.headerFields[.contentDisposition] = "attachment; filename=\"\(filename)\""
        return response
    }

    // MARK: - The pages

    /// The report's body, with this site's addresses, in the layout of every page.
    func reportPage(_ report: EvaluationReport, _ context: WebContext, request: Request) throws -> Response {
        let language = try Self.reportLanguage(request, default: context.language)
        let sites = report.scope.kind == "programme" ? [] : try actions.reportSites(by: context.caller)
        let body = reports.body(report, language: language, links: reportLinks(report, sites: sites, query: Self.reportQuery(request)))
        return render(.report, context, ["heading": body.heading, "body": body.html])
    }

    /// The bilan sheet: each field as plain text, to copy into the funders' forms, and printable.
    func bilanPage(_ report: EvaluationReport, _ context: WebContext, request: Request) throws -> Response {
        let language = try Self.reportLanguage(request, default: context.language)
        let sites = try actions.reportSites(by: context.caller)
        let bilan = reports.bilan(report, language: language, context: BilanContext(
            structureName: configuration.structureName,
            siteAddresses: Dictionary(sites.map { ($0.name, $0.address) }, uniquingKeysWith: { first, _ in first })))
        let strings = renderer.strings(context.language)
        return render(.bilan, context, [
            "heading": bilan.heading, "subtitle": bilan.subtitle, "reportURL": reportPath(report, query: Self.reportQuery(request)),
            "fields": bilan.fields.map { field -> [String: Any] in
                ["id": "b-\(field.id)", "label": field.label, "text": field.text, "copy": strings.fill("bilan_copy_field", ["field": field.label])]
            },
        ])
    }

    /// The address of `report`'s page, with `query`.
    func reportPath(_ report: EvaluationReport, query: [String: String], suffix: String = "") -> String {
        var query = query
        let path: String
        switch report.scope.kind {
        case "period":
            path = "/reports/period"
            query["from"] = report.scope.from?.iso
            query["to"] = report.scope.to?.iso
        case "programme":
            path = "/reports/programmes/\(report.scope.programmeId ?? "")"
            query["site"] = nil
        default:
            path = "/reports/years/\(report.year)"
        }
        return Self.link(path + suffix, query)
    }

    /// `path` with `query`, its keys sorted and values percent-encoded (all but ASCII letters, digits and `-._~`).
    static func link(_ path: String, _ query: [String: String]) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        let text = query.filter { !$0.value.isEmpty }.sorted { $0.key < $1.key }
            .map { "\($0.key)=\($0.value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? "")" }.joined(separator: "&")
        return text.isEmpty ? path : path + "?" + text
    }

    /// The addresses of the report's controls and programmes; each keeps the site, threshold and language of `query`.
    func reportLinks(_ report: EvaluationReport, sites: [SiteRecord], query: [String: String]) -> ReportLinks {
        let year = report.year
        func with(_ extra: [String: String?]) -> [String: String] {
            var items = query
            for (key, value) in extra { items[key] = value }
            return items
        }
        let siteLink: (SiteRecord) -> String = { site in
            report.scope.kind == "period"
                ? self.reportPath(report, query: with(["site": site.id]))
                : Self.link("/reports/years/\(year)", with(["site": site.id]))
        }
        return ReportLinks(
            year: Self.link("/reports/years/\(year)", with(["site": nil])),
            allSites: report.scope.kind == "period" ? reportPath(report, query: with(["site": nil])) : nil,
            sites: sites.map { site in ReportLinks.Site(id: site.id, name: site.name, url: siteLink(site)) },
            previousYear: Self.link("/reports/years/\(year - 1)", query), nextYear: Self.link("/reports/years/\(year + 1)", query),
            aggregateCSV: reportPath(report, query: query, suffix: "/" + ReportExport.aggregate.rawValue),
            participantsCSV: reportPath(report, query: query, suffix: "/" + ReportExport.participants.rawValue),
            bilan: reportPath(report, query: query, suffix: "/bilan"),
            periodForm: "/reports/period",
            programme: { Self.link("/reports/programmes/\($0)", with(["site": nil])) })
    }

    // MARK: - The documents

    /// The page as one file, as `relais report --format html` writes it.
    public func reportStandaloneHTML(_ report: EvaluationReport, language: String) -> String {
        reports.standalonePage(report, language: language,
                               document: ReportDocument(structureName: configuration.structureName, relaisVersion: RelaisVersion.current, generatedOn: today))
    }
}
