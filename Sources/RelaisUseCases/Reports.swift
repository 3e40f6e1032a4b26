import Foundation
import RelaisDomain
import RelaisStore

extension UseCases {
    /// The evaluation of a year (one site or all) or of one programme, as of today (or `asOf`).
    /// 404 for an unknown site or programme.
    public func evaluation(_ scope: EvaluationScope, reducedThresholdPercent: Double, asOf: CalendarDate? = nil, by caller: Caller) throws -> EvaluationReport {
        try caller.require(.readReports)
        if case .year(_, let siteID?) = scope { _ = try sites.site(id: siteID) }
        let consultations = Dictionary(templates.map { ($0.id, $0.consultations.count) }, uniquingKeysWith: { first, _ in first })
        let facts = try EvaluationQueries(store: store, timeZone: settings.timeZone).facts(scope, asOf: asOf ?? today, consultationsPlanned: consultations)
        if case .programme = scope, facts.programmes.isEmpty { throw Refusal.notFound(.programmeNotFound) }
        let settings = EvaluationSettings(instruments: instruments, reducedThresholdPercent: reducedThresholdPercent)
        return Evaluator(settings: settings, instruments: instruments).evaluate(facts)
    }

    /// Records that an export left (an audit row naming the file and the scope).
    public func recordExport(_ file: String, scope: EvaluationScope, by caller: Caller) throws {
        try caller.require(.readReports)
        try EvaluationQueries(store: store, timeZone: settings.timeZone).recordExport(file, scope: scope, by: caller.actor, at: clock.now())
    }
}

extension UseCases {
    /// The sites a year's report can be narrowed to, for whoever may read reports.
    public func reportSites(by caller: Caller) throws -> [SiteRecord] {
        try caller.require(.readReports)
        return try sites.all().map(\.0)
    }
}
