import Foundation
@testable import RelaisDomain

let protocolsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Protocols/instruments")

/// A shipped instrument file, decoded and configured as the daemon would.
func shipped(_ id: String, settings: [String: String] = [:]) throws -> ConfiguredInstrument {
    let path = protocolsFolder.appendingPathComponent("\(id).json").path
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try ConfiguredInstrument(try Instrument.decode(data, file: path), settings: settings, file: path)
}

/// Every combination of one option per item: [[item: code]].
func allCombinations(_ table: [(String, [(String, Int)])]) -> [[String: (String, Int)]] {
    table.reduce([[:]]) { partial, entry in
        partial.flatMap { combination in entry.1.map { option in combination.merging([entry.0: option]) { $1 } } }
    }
}

func answers(_ combination: [String: (String, Int)]) -> [String: JSONValue] {
    combination.mapValues { .string($0.0) }
}
