import Foundation
import RelaisDomain

/// The two CSV files of an evaluation, as the report page offers them and `relais report --format
/// csv` writes them. The raw value names the file in the audit log and in the page's address.
public enum ReportExport: String, Sendable, CaseIterable {
    /// One pseudonymised row per participation.
    case participants = "participants.csv"
    /// The file meant to leave the structure: counts, small ones masked.
    case aggregate = "aggregate.csv"

    /// The name a download is saved under: "relais-evaluation-2026-agrege.csv",
    /// "relais-evaluation-2026-03-01-2026-06-30-participants.csv", "relais-evaluation-programme-ID-agrege.csv".
    public func filename(_ report: EvaluationReport) -> String {
        let scope: String
        switch report.scope.kind {
        case "period": scope = "\(report.scope.from?.iso ?? "")-\(report.scope.to?.iso ?? "")"
        case "programme": scope = "programme-" + String((report.scope.programmeId ?? "").filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }.prefix(40))
        default: scope = String(report.year)
        }
        switch self {
        case .participants: return "relais-evaluation-\(scope)-participants.csv"
        case .aggregate: return "relais-evaluation-\(scope)-agrege.csv"
        }
    }
}

extension EvaluationReports {
    /// The text of `file` for `report` in `language`. Its export is recorded by the caller through
    /// the `recordExport` use case first: a file that leaves Relais always leaves a trace.
    public func text(of file: ReportExport, _ report: EvaluationReport, language: String) -> String {
        switch file {
        case .participants: participantsCSV(report, language: language)
        case .aggregate: aggregateCSV(report, language: language)
        }
    }
}
