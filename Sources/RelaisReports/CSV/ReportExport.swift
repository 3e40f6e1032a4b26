import Foundation
import RelaisDomain

/// The two CSV files of an evaluation, as the report page offers them and `relais report --format
/// csv` writes them. The raw value names the file in the audit log and in the page's address.
public enum ReportExport: String, Sendable, CaseIterable {
    /// One pseudonymised row per participation.
    case participants = "participants.csv"
    /// The file meant to leave the structure: counts, small ones masked.
    case aggregate = "aggregate.csv"

    /// The name a download is saved under, e.g. "relais-evaluation-2026-agrege.csv".
    public func filename(year: Int) -> String {
        switch self {
        case .participants: "relais-evaluation-\(year)-participants.csv"
        case .aggregate: "relais-evaluation-\(year)-agrege.csv"
        }
    }
}

extension EvaluationReports {
    /// The text of `file` for `report`. Its export is recorded by the caller through the
    /// `recordExport` use case first: a file that leaves Relais always leaves a trace.
    public func text(of file: ReportExport, _ report: EvaluationReport, language: String) -> String {
        switch file {
        case .participants: participantsCSV(report)
        case .aggregate: aggregateCSV(report, language: language)
        }
    }
}
