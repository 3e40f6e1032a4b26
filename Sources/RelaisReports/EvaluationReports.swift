import Foundation
import RelaisDomain

/// What is made of an evaluation, whoever asks for it: the JSON document, the two CSV files, the
/// HTML body and the standalone page, and the bilan sheet. The report itself is computed (with its
/// permission check) by the `evaluation` use case; the web pages, the API and `relais report` all
/// give its result to these producers, so that they show the same figures in the same files.
public struct EvaluationReports: Sendable {
    let instruments: InstrumentCatalog
    /// The programme templates: the bilan's objectives and the sessions each programme plans.
    let programmeTemplates: [ProgrammeTemplate]
    /// The names of the départements (the territory breakdown shows names, not codes). Given by
    /// the caller: RelaisReports reads no file but its own resources.
    let territory: Territory?
    let templates: ReportTemplates
    /// The labels of the kinds of treatment (the report counts participants per kind).
    let treatmentKinds: TreatmentKinds

    /// Throws when the report's templates, strings or stylesheet are not installed.
    public init(instruments: InstrumentCatalog, templates: [ProgrammeTemplate] = [], territory: Territory? = nil,
                treatmentKinds: TreatmentKinds = .unused) throws {
        self.instruments = instruments
        self.programmeTemplates = templates
        self.territory = territory
        self.treatmentKinds = treatmentKinds
        self.templates = try ReportTemplates.bundled.get()
    }

    /// Everything of `Protocols/` the documents name: instruments, templates, départements and
    /// kinds of treatment.
    public init(protocols: ProtocolCatalog) throws {
        try self.init(instruments: protocols.instruments, templates: protocols.templates, territory: protocols.territory,
                      treatmentKinds: protocols.treatmentKinds)
    }

    /// The reader's strings and number formats.
    func format(_ language: String) -> ReportFormat {
        ReportFormat(language: language, strings: templates.strings(language), territory: territory)
    }
}

extension EvaluationReport {
    /// The year the report belongs to: its scope's, the first day's of a period, or for a
    /// programme without a session yet, the year of the report's date.
    public var year: Int { scope.year ?? scope.from?.year ?? asOf.year }

    /// The first and last days the report covers: the year, the period, or the programme's sessions.
    public var coveredDates: (from: CalendarDate, to: CalendarDate)? {
        switch scope.kind {
        case "year":
            guard let year = scope.year, let first = CalendarDate(year: year, month: 1, day: 1),
                  let last = CalendarDate(year: year, month: 12, day: 31) else { return nil }
            return (first, last)
        case "period":
            guard let from = scope.from, let to = scope.to else { return nil }
            return (from, to)
        default:
            guard let first = programmes.lines.first?.firstDate, let last = programmes.lines.first?.lastDate ?? programmes.lines.first?.firstDate else { return nil }
            return (first, last)
        }
    }
}
