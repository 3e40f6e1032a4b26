import Foundation
import RelaisDomain

/// The report as HTML, ready to be set in a page: `<article class="report">…</article>`.
public struct ReportBody: Sendable {
    /// The page's heading, also its title: "Évaluation 2026".
    public var heading: String
    public var html: String
}

/// What a standalone report file says of where it comes from, in its title and footer.
public struct ReportDocument: Sendable {
    public var structureName: String
    /// Relais's version, e.g. "0.1.0".
    public var relaisVersion: String
    /// The day the file is written.
    public var generatedOn: CalendarDate

    public init(structureName: String, relaisVersion: String, generatedOn: CalendarDate) {
        self.structureName = structureName
        self.relaisVersion = relaisVersion
        self.generatedOn = generatedOn
    }
}

extension EvaluationReports {
    /// The report's body for a page of an application whose addresses are `links`: every figure
    /// with its definition, the SVG charts, and the controls (site, year or period, exports, bilan).
    public func body(_ report: EvaluationReport, language: String, links: ReportLinks) -> ReportBody {
        let values = ReportValues(report, reports: self, language: language, links: links)
        return ReportBody(heading: values.heading, html: templates.render("report_body", language: language, values: values.all()))
    }

    /// The same report as one HTML file, its stylesheet inside and no links, to print or save as
    /// PDF (`relais report --format html`).
    public func standalonePage(_ report: EvaluationReport, language: String, document: ReportDocument) -> String {
        let f = format(language)
        var values = ReportValues(report, reports: self, language: language, links: nil).all()
        values["css"] = templates.stylesheet
        values["structure"] = document.structureName
        values["version"] = document.relaisVersion
        values["generatedText"] = f.fill("r_generated", f.date(document.generatedOn))
        return templates.render("report_standalone", language: language, values: values)
    }
}
