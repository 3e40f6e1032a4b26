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
            The same figures as the page /reports/years/YEAR: programmes held and planned, participants by priority flag, attendance, scores at entry, Q-MAT entry versus end, status at the end and at 3 months (response rate, rate among respondents and by intention to treat, CO-validated quits), satisfaction, impact, orientations, peer helpers, reminders and calls. Figures are as of today, in the structure's time zone. The JSON, the HTML page and the aggregate CSV carry the definitions of every figure and the thresholds used.

            Formats:
              json  the API's JSON, with the definitions (default)
              csv   the AGGREGATE file meant to leave the structure: counts
                    from 1 to 4 are shown as "< 5". With --participants: one
                    pseudonymised row per participant instead (a random key
                    for each export; no name, email, phone, postal address
                    or birth date)
              html  the report page as one standalone file (its stylesheet
                    inside), to print or save as PDF

            The result goes to standard output, or to --out FILE (never overwritten).
            """)

    @OptionGroup var installation: InstallationOptions

    @Option(help: ArgumentHelp("The year of the programmes' first session.", valueName: "year"))
    var year: Int

    @Option(help: ArgumentHelp("Only the programmes of this site (id); all sites when omitted.", valueName: "id"))
    var site: String?

    @Option(help: ArgumentHelp("json (default), csv (the aggregate file, or --participants) or html.", valueName: "format"))
    var format = "json"

    @Flag(help: "With --format csv: one pseudonymised row per participant instead of the aggregate file.")
    var participants = false

    @Option(name: .customLong("reduced-threshold"),
            help: ArgumentHelp("Percent fewer cigarettes per day than at entry that count as reduced (1-100); evaluation.reduced_threshold_percent by default.",
                               valueName: "percent"))
    var reducedThreshold: Double?

    @Option(help: ArgumentHelp("Write to this file (refused if it exists) instead of standard output.", valueName: "file"))
    var out: String?

    @Option(help: ArgumentHelp("fr (default) or en, for the definitions and the page.", valueName: "language"))
    var language: String?

    func validate() throws {
        guard ["json", "csv", "html"].contains(format) else {
            throw ArgumentParser.ValidationError("--format: expected json, csv or html, got '\(format)'")
        }
        guard (1900...9999).contains(year) else { throw ArgumentParser.ValidationError("--year: expected a year such as 2026, got \(year)") }
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
        let reports = try EvaluationReports(instruments: actions.instruments)
        let today = actions.today
        let language = self.language ?? configuration.language
        let scope = EvaluationScope.year(year, siteID: site)
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
        default:
            text = String(decoding: try reports.json(report, language: language), as: UTF8.self) + "\n"
        }
        if let out {
            guard FileManager.default.createFile(atPath: out, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw Refused("--out: cannot write \(out)")
            }
            Console.error("relais report: \(format)\(participants ? " (participants)" : "") for \(year) written to \(out)")
        } else {
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }
}
