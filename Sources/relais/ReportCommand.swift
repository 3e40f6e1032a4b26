import ArgumentParser
import Foundation
import RelaisConfig
import RelaisDomain
import RelaisReports
import RelaisUseCases

/// `relais report`: the yearly evaluation, made by RelaisReports as for the report page, without
/// the web application.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "The yearly evaluation: every figure the funder asks, with its definitions.",
        discussion: """
            The same figures as the pages /reports/years/YEAR, /reports/period?from=&to= and /reports/programmes/ID: programmes held and planned, participants by priority public, attendance, scores at entry, Q-MAT entry versus end, smoking status at the end of the programme and at each follow-up (intention to treat first, with its base; the rate among respondents and the response rate beside it; CO checks, quits maintained, ex-smokers apart), the breakdowns (sex, age band, priority publics, territory, modality, Mois sans tabac), satisfaction, impact, orientations, peer helpers, reminders and calls. Figures are as of today, in the structure's time zone. Every format carries the definitions of the figures and the thresholds used.

            Choose one scope: --year, --from with --to (a reporting period, both days included, by the programmes' first session), or --programme.

            Formats:
              json   the API's JSON, with the definitions (default)
              csv    the AGGREGATE file meant to leave the structure: counts
                     from 1 to 4 are shown as "< 5". With --participants: one
                     pseudonymised row per participant instead (a random key
                     for each export; no name, email, phone, postal address,
                     postal code or birth year). Both open as they are in a
                     French spreadsheet: UTF-8 with a byte order mark, ";"
                     between cells, a decimal comma (--language en: English
                     headings and labels, a decimal point)
              html   the report page as one standalone file (its stylesheet
                     inside), to print or save as PDF
              bilan  the bilan sheet as plain text, field by field, to paste
                     into the regional and Assurance Maladie forms

            The result goes to standard output, or to --out FILE (never overwritten).
            """)

    @OptionGroup var installation: InstallationOptions

    @Option(help: ArgumentHelp("The year of the programmes' first session.", valueName: "year"))
    var year: Int?

    @Option(help: ArgumentHelp("A reporting period: its first day (YYYY-MM-DD), with --to.", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("A reporting period: its last day (YYYY-MM-DD), with --from.", valueName: "date"))
    var to: String?

    @Option(help: ArgumentHelp("One programme (id) instead of a year or a period.", valueName: "id"))
    var programme: String?

    @Option(help: ArgumentHelp("Only the programmes of this site (id), for a year or a period; all sites when omitted.", valueName: "id"))
    var site: String?

    @Option(help: ArgumentHelp("json (default), csv (the aggregate file, or --participants), html or bilan.", valueName: "format"))
    var format = "json"

    @Flag(help: "With --format csv: one pseudonymised row per participant instead of the aggregate file.")
    var participants = false

    @Option(name: .customLong("reduced-threshold"),
            help: ArgumentHelp("Percent fewer cigarettes per day than at entry that count as reduced (1-100); evaluation.reduced_threshold_percent by default.",
                               valueName: "percent"))
    var reducedThreshold: Double?

    @Option(help: ArgumentHelp("Write to this file (refused if it exists) instead of standard output.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("fr or en (the configured language by default), for the headings, labels and definitions.", valueName: "language"))
    var language: String?

    /// A date of the period: YYYY-MM-DD within 2000–2100.
    static func day(_ text: String?, _ option: String) throws -> CalendarDate? {
        guard let text else { return nil }
        guard let date = CalendarDate(iso: text), DateWindow.contains(date) else {
            throw ArgumentParser.ValidationError("\(option): expected a date YYYY-MM-DD from \(DateWindow.years.lowerBound) to \(DateWindow.years.upperBound), got '\(text)'")
        }
        return date
    }

    /// The scope the options name.
    func scope() throws -> EvaluationScope {
        if let programme { return .programme(programme) }
        if let year { return .year(year, siteID: site) }
        guard let from = try Self.day(from, "--from"), let to = try Self.day(to, "--to") else {
            throw ArgumentParser.ValidationError("give --year, --from with --to, or --programme")
        }
        return .period(from: from, to: to, siteID: site)
    }

    func validate() throws {
        guard ["json", "csv", "html", "bilan"].contains(format) else {
            throw ArgumentParser.ValidationError("--format: expected json, csv, html or bilan, got '\(format)'")
        }
        let scopes = [year != nil, from != nil || to != nil, programme != nil].filter { $0 }.count
        guard scopes == 1 else { throw ArgumentParser.ValidationError("give one scope: --year, --from with --to, or --programme") }
        if let year, !DateWindow.years.contains(year) {
            throw ArgumentParser.ValidationError("--year: expected a year from \(DateWindow.years.lowerBound) to \(DateWindow.years.upperBound), got \(year)")
        }
        if from != nil || to != nil {
            guard let from = try Self.day(from, "--from"), let to = try Self.day(to, "--to") else {
                throw ArgumentParser.ValidationError("--from and --to go together")
            }
            guard from <= to else { throw ArgumentParser.ValidationError("--to: the period ends before it starts") }
        }
        if programme != nil && site != nil { throw ArgumentParser.ValidationError("--site goes with --year or --from/--to") }
        if let reducedThreshold, !(1...100).contains(reducedThreshold) { throw ArgumentParser.ValidationError("--reduced-threshold: expected 1 to 100") }
        if participants && format != "csv" { throw ArgumentParser.ValidationError("--participants goes with --format csv") }
        if let language, !["fr", "en"].contains(language) { throw ArgumentParser.ValidationError("--language: expected fr or en") }
    }

    func run() throws {
        let configuration = try installation.load()
        try ConfigurationLoader.validate(configuration)
        if let out, FileManager.default.fileExists(atPath: out) {
            throw Refused("--out: \(out) already exists; choose a new file name")
        }
        let actions = try installation.actions(configuration)
        let reports = try EvaluationReports(protocols: actions.protocols)
        let today = actions.today
        let language = self.language ?? configuration.language
        let scope = try scope()
        let operatorCaller = Caller.commandLine("report")
        let report = try actions.evaluation(scope, reducedThresholdPercent: reducedThreshold ?? Double(configuration.reducedThresholdPercent), by: operatorCaller)
        let text: String
        switch format {
        case "csv":
            let file: ReportExport = participants ? .participants : .aggregate
            try actions.recordExport(file.rawValue, scope: scope, by: operatorCaller)
            text = reports.text(of: file, report, language: language)
        case "html":
            let document = ReportDocument(structureName: configuration.structureName, relaisVersion: Relais.configuration.version, generatedOn: today)
            text = reports.standalonePage(report, language: language, document: document)
        case "bilan":
            let sites = try actions.reportSites(by: operatorCaller)
            let context = BilanContext(structureName: configuration.structureName,
                                       siteAddresses: Dictionary(sites.map { ($0.name, $0.address) }, uniquingKeysWith: { first, _ in first }))
            text = reports.bilan(report, language: language, context: context).plainText
        default:
            text = String(decoding: try reports.json(report, language: language), as: UTF8.self) + "\n"
        }
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw Refused("--out: cannot write \(out)")
            }
            Console.error("relais report: \(format)\(participants ? " (participants)" : "") for \(Self.describe(scope)) written to \(out)")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// "2026", "2026-03-01..2026-06-30", "programme ID", for the message on standard error.
    static func describe(_ scope: EvaluationScope) -> String {
        switch scope {
        case .year(let year, _): String(year)
        case .period(let from, let to, _): "\(from.iso)..\(to.iso)"
        case .programme(let id): "programme \(id)"
        }
    }
}
