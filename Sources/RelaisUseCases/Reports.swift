import Foundation
import RelaisDomain
import RelaisStore

extension UseCases {
    /// The evaluation of a year or a period (one site or all) or of one programme, as of today
    /// (or `asOf`). 404 for an unknown site or programme; 422 for a period that ends before it starts.
    public func evaluation(_ scope: EvaluationScope, reducedThresholdPercent: Double, asOf: CalendarDate? = nil, by caller: Caller) throws -> EvaluationReport {
        try caller.require(.readReports)
        return try evaluate(scope, reducedThresholdPercent: reducedThresholdPercent, asOf: asOf)
    }

    /// The evaluation itself, for the use cases that need it on their own behalf (an erasure
    /// keeps what it found).
    func evaluate(_ scope: EvaluationScope, reducedThresholdPercent: Double, asOf: CalendarDate? = nil) throws -> EvaluationReport {
        if let siteID = scope.siteID { _ = try sites.site(id: siteID) }
        if case .period(let from, let to, _) = scope, to < from { throw ValidationError(field: "to", .endBeforeStart) }
        let consultations = Dictionary(templates.map { ($0.id, $0.consultations.count) }, uniquingKeysWith: { first, _ in first })
        let facts = try EvaluationQueries(store: store, timeZone: settings.timeZone).facts(scope, asOf: asOf ?? today, consultationsPlanned: consultations)
        if case .programme = scope, facts.programmes.isEmpty { throw Refusal.notFound(.programmeNotFound) }
        let settings = EvaluationSettings(instruments: instruments, reducedThresholdPercent: reducedThresholdPercent,
                                          coWindowDays: self.settings.coWindowDays, entrySlackDays: self.settings.entrySlackDays)
        return Evaluator(settings: settings, instruments: instruments, treatmentKinds: protocols.treatmentKinds.kinds.map(\.code)).evaluate(facts)
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
