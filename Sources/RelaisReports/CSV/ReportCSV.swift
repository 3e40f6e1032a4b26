import Foundation
import RelaisDomain

/// The conventions of both CSV files, so that they open as they are in a French spreadsheet and
/// paste into the regional form: a UTF-8 byte order mark (Excel then reads the accents), `;`
/// between cells, the decimal comma in French, headings and labels in the reader's language, and
/// the cells kept inert (`CSV`: a cell that could be a formula gets an apostrophe). A few rows
/// come first and say what the figures are: the report, its scope, the period and the day the
/// figures were taken; an empty row, then the table.
extension EvaluationReports {
    static let csvSeparator: Character = ";"

    func csvText(_ rows: [[String]]) -> String {
        "\u{FEFF}" + CSV.text(rows, separator: Self.csvSeparator)
    }

    func csvPreamble(_ report: EvaluationReport, _ f: ReportFormat) -> [[String]] {
        var rows: [[String]] = [
            [f.s("r_csv_report"), ReportValues.heading(report, f)],
            [f.s("r_csv_scope"), ReportValues.subtitle(report, f)],
        ]
        if let dates = report.coveredDates {
            rows.append([f.s(report.scope.kind == "programme" ? "r_csv_sessions" : "r_csv_period"), f.period(dates.from, dates.to)])
        }
        rows.append([f.s("r_csv_as_of"), f.shortDate(report.asOf)])
        rows.append([])
        return rows
    }

    /// A band's label in the instrument file; HSI bands are the `hsi` instrument's when Fagerström lacks them.
    func bandLabel(_ instrument: String, _ score: String, _ code: String, language: String) -> String {
        instruments[instrument]?.band(score: score, code: code)?.label.text(language)
            ?? (score == "hsi" ? instruments["hsi"]?.band(score: "total", code: code)?.label.text(language) : nil) ?? code
    }
}
