import ArgumentParser
import Foundation
import RelaisConfig
import RelaisDomain

struct PlanCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print the planner's proposal for a programme as JSON, storing nothing.",
        discussion: """
            {"sessions":[{"index":1,"kind":"group","start":UTC,"end":UTC,"holiday":null|NAME},...],"followUpDue":"YYYY-MM-DD"}
            Local hours are kept across daylight-saving changes; French public holidays are flagged with a
            proposed shift. Example: relais plan --template 3g2i --start 2026-10-22T18:00
            """)

    @OptionGroup var installation: InstallationOptions
    @Option(help: "Programme template id (Protocols/programme-ID.json).") var template: String = "3g2i"
    @Option(help: ArgumentHelp("First session, local time YYYY-MM-DDTHH:MM.", valueName: "datetime")) var start: String
    @Option(help: "IANA time zone (default: structure.time_zone).") var timezone: String?
    @Option(help: ArgumentHelp("weekly, every:N (days), or comma-separated local times.", valueName: "cadence")) var cadence: String = "weekly"

    func run() async throws {
        let configuration = try installation.load()
        let templates = try loadTemplates(configuration, instruments: try loadInstruments(configuration))
        guard let chosen = templates.first(where: { $0.id == template }) else {
            throw Refused("unknown template '\(template)' (known: \(templates.map(\.id).joined(separator: ", ")))")
        }
        guard let first = LocalDateTime(iso: start) else { throw Refused("--start: expected a local time YYYY-MM-DDTHH:MM, got '\(start)'") }
        guard let zone = timezone.map({ TimeZone(identifier: $0) }) ?? configuration.timeZone.zone else { throw Refused("--timezone: unknown time zone") }
        guard let parsed = Cadence(argument: cadence) else { throw Refused("--cadence: expected weekly, every:N or local times") }
        let plan = try Planner.plan(template: chosen, start: first, timeZone: zone, cadence: parsed)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(plan), as: UTF8.self))
    }
}
