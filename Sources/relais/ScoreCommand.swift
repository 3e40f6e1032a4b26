import ArgumentParser
import Foundation
import RelaisConfig
import RelaisDomain

struct Score: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Score answers to an instrument without storing anything.",
        discussion: """
            Prints {"instrument":ID,"version":V,"total":N,"band":CODE,"derived":{...}} on stdout
            ("derived" only for instruments that define derived scores, such as HSI in fagerstrom).
            Invalid answers: the errors as JSON on stderr, exit 1.
            Example: relais score fagerstrom --answers '{"q1":"within5","q2":"yes","q3":"first_morning","q4":25,"q5":"no","q6":"no"}'
            """)

    @OptionGroup var installation: InstallationOptions

    @Argument(help: "Instrument id (fagerstrom, hsi, qmat, co, ...).") var instrument: String

    @Option(help: ArgumentHelp("Answers as a JSON object, or - to read them from standard input (the default).", valueName: "json"))
    var answers: String = "-"

    @Flag(help: "Accept missing answers; scores whose items are incomplete have no total.") var partial = false

    func run() async throws {
        let configuration = try installation.load()
        let catalog = try loadInstruments(configuration)
        guard let definition = catalog[instrument] else {
            throw Refused("unknown instrument '\(instrument)' (known: \(catalog.instruments.map(\.id).joined(separator: ", ")))")
        }
        let text = answers == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : answers
        guard let parsed = try? JSONDecoder().decode([String: JSONValue].self, from: Data(text.utf8)) else {
            printErrors(message: "The answers are not a JSON object such as {\"q1\":\"within5\"}.", fields: nil)
            throw ExitCode(1)
        }
        let result: ScoreResult
        do {
            result = try definition.score(parsed, partial: partial)
        } catch {
            printErrors(message: "Some answers are invalid.", fields: error.fields.mapValues(ReasonText.english))
            throw ExitCode(1)
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(result), as: UTF8.self))
    }

    /// The API's error shape, on stderr.
    private func printErrors(message: String, fields: [String: String]?) {
        var error: [String: Any] = ["code": "validation_failed", "message": message]
        if let fields { error["fields"] = fields }
        let data = (try? JSONSerialization.data(withJSONObject: ["error": error], options: [.sortedKeys])) ?? Data()
        Console.error(String(decoding: data, as: UTF8.self))
    }
}
