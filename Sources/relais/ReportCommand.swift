import ArgumentParser
import Foundation

/// `relais report`: the yearly evaluation.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "report", abstract: "The yearly evaluation (not built yet).")

    func run() throws {
        throw Refusal("relais report is not built yet")
    }
}
