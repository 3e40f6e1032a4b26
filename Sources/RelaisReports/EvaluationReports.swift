import Foundation
import RelaisDomain

/// What is made of an evaluation, whoever asks for it: the JSON document, the two CSV files, the
/// HTML body and the standalone page. The report itself is computed (with its permission check)
/// by the `evaluation` use case; the web pages, the API and `relais report` all give its result
/// to these producers, so that they show the same figures in the same files.
public struct EvaluationReports: Sendable {
    let instruments: InstrumentCatalog
    let templates: ReportTemplates

    /// Throws when the report's templates, strings or stylesheet are not installed.
    public init(instruments: InstrumentCatalog) throws {
        self.instruments = instruments
        templates = try ReportTemplates.bundled.get()
    }
}

extension EvaluationReport {
    /// The year the report belongs to: its scope's, or for a programme without a session yet, the
    /// year of the report's date.
    public var year: Int { scope.year ?? asOf.year }
}
