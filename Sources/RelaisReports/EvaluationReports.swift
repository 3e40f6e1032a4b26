import Foundation
import RelaisDomain
import RelaisStore

/// The yearly evaluation, whoever asks for it: the report of a year (all sites or one) or of one
/// programme, and what is made of it (the JSON document, the two CSV files, the HTML body and the
/// standalone page). The web pages, the API and `relais report` all go through here, so that they
/// give the same figures, files and audit rows.
public struct EvaluationReports: Sendable {
    let store: Store
    let instruments: InstrumentCatalog
    /// Individual consultations planned by each programme template, by template id: what a
    /// participant who had "all consultations" had.
    let consultationsPlanned: [String: Int]

    public init(store: Store, instruments: InstrumentCatalog, templates: [ProgrammeTemplate]) {
        self.store = store
        self.instruments = instruments
        consultationsPlanned = Dictionary(templates.map { ($0.id, $0.consultations.count) }, uniquingKeysWith: { first, _ in first })
    }

    /// The evaluation of `scope` as of `asOf` (today where the structure is), counting as reduced
    /// at least `reducedThresholdPercent` fewer cigarettes a day. `StoreError.notFound` for an
    /// unknown site or programme.
    public func report(_ scope: EvaluationScope, reducedThresholdPercent: Double = 50, asOf: CalendarDate) throws -> EvaluationReport {
        if case .year(_, let siteID?) = scope { _ = try Sites(store: store).site(id: siteID) }
        let facts = try EvaluationQueries(store: store).facts(scope, asOf: asOf, consultationsPlanned: consultationsPlanned)
        if case .programme(let id) = scope, facts.programmes.isEmpty { throw StoreError.notFound("programme '\(id)'") }
        let settings = EvaluationSettings(instruments: instruments, reducedThresholdPercent: reducedThresholdPercent)
        return Evaluator(settings: settings, instruments: instruments).evaluate(facts)
    }
}

extension EvaluationReport {
    /// The year the report belongs to: its scope's, or for a programme without a session yet, the
    /// year of the report's date.
    public var year: Int { scope.year ?? asOf.year }
}
