import Foundation
import RelaisDomain
import RelaisStore

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
    /// The text of `file` for `report`, once its export is in the audit log (who took which file of
    /// which scope, when): a file that leaves Relais always leaves a trace.
    public func export(_ file: ReportExport, of report: EvaluationReport, scope: EvaluationScope, language: String,
                       by actor: Actor, at now: Date = Date()) throws -> String {
        try EvaluationQueries(store: store).recordExport(file.rawValue, scope: scope, by: actor, at: now)
        switch file {
        case .participants: return participantsCSV(report)
        case .aggregate: return aggregateCSV(report, language: language)
        }
    }
}
