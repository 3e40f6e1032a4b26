import Foundation

/// An instrument with the choices of this installation applied: the band scheme of each score
/// and the values of its parameters (e.g. the CO abstinence threshold).
public struct ConfiguredInstrument: Sendable, Equatable {
    public let definition: Instrument
    /// Score id → the band scheme in force.
    public let schemes: [String: Instrument.BandScheme]
    public let parameters: [String: Double]

    /// Applies `settings` (`band_scheme`, `parameters.NAME`, as under `instruments.<id>.` in
    /// the configuration) and validates the whole definition with them. `band_scheme` names one
    /// scheme id, or several separated by commas: each score takes the first one it has (so that
    /// the Fagerström's total and its derived HSI can each leave their default).
    public init(_ definition: Instrument, settings: [String: String] = [:], file: String) throws(InstrumentDefinitionError) {
        var parameters = (definition.parameters ?? [:]).mapValues(\.default)
        var schemeIDs: [String] = []
        for (key, value) in settings {
            if key == "band_scheme" {
                schemeIDs = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            } else if key.hasPrefix("parameters."), let name = Optional(String(key.dropFirst("parameters.".count))),
                      parameters[name] != nil {
                guard let number = Double(value) else {
                    throw InstrumentDefinitionError(file: file, problem: "configuration instruments.\(definition.id).\(key): '\(value)' is not a number")
                }
                parameters[name] = number
            } else {
                throw InstrumentDefinitionError(file: file, problem: "configuration instruments.\(definition.id).\(key): unknown setting (known: band_scheme, \((definition.parameters ?? [:]).keys.sorted().map { "parameters.\($0)" }.joined(separator: ", ")))")
            }
        }
        try definition.validate(parameterValues: parameters, file: file)
        var schemes: [String: Instrument.BandScheme] = [:]
        var renamed: [String] = []
        for score in definition.scores ?? [] {
            // The first named scheme this score has, by its id or by an id it had before.
            var chosen: Instrument.BandScheme?
            for schemeID in schemeIDs {
                if let scheme = score.bandSchemes.first(where: { $0.id == schemeID }) {
                    chosen = scheme
                } else if let scheme = score.bandSchemes.first(where: { $0.formerIDs?.contains(schemeID) ?? false }) {
                    chosen = scheme
                    renamed.append("instruments.\(definition.id).band_scheme: '\(schemeID)' is now '\(scheme.id)'")
                }
                if chosen != nil { break }
            }
            schemes[score.id] = chosen ?? score.bandSchemes[0]
        }
        for schemeID in schemeIDs where !(definition.scores ?? []).contains(where: { $0.bandSchemes.contains { $0.id == schemeID || ($0.formerIDs?.contains(schemeID) ?? false) } }) {
            let known = Set((definition.scores ?? []).flatMap { $0.bandSchemes.map(\.id) }).sorted().joined(separator: ", ")
            throw InstrumentDefinitionError(file: file, problem: "configuration instruments.\(definition.id).band_scheme: no scheme '\(schemeID)' (known: \(known))")
        }
        self.definition = definition
        self.schemes = schemes
        self.parameters = parameters
        var seen = Set<String>()
        self.renamedSettings = renamed.filter { seen.insert($0).inserted }
    }

    /// Configured scheme ids that name a scheme by an id it had before (`former_ids`): still
    /// honoured, and said at start so that the configuration can be updated.
    public let renamedSettings: [String]

    public var id: String { definition.id }
    public var version: String { definition.version }

    /// The band of `code` for a score, with its label.
    public func band(score: String, code: String) -> Instrument.Band? {
        schemes[score]?.bands.first { $0.code == code }
    }
}

/// Every instrument of the installation, by id.
public struct InstrumentCatalog: Sendable {
    public let instruments: [ConfiguredInstrument]

    public init(_ instruments: [ConfiguredInstrument]) {
        self.instruments = instruments.sorted { $0.id < $1.id }
    }

    public subscript(_ id: String) -> ConfiguredInstrument? { instruments.first { $0.id == id } }
}

extension InstrumentCatalog {
    /// The cigarettes a day an entry test (Fagerström or HSI) gives: its `q4` count when one was
    /// typed, else only the band it answered (from the item's count map).
    public func entryConsumption(instrument: String, answers: [String: JSONValue]) -> Consumption? {
        guard instrument == "fagerstrom" || instrument == "hsi" else { return nil }
        if case .number(let count)? = answers["q4_count"] { return .exact(count) }
        guard case .string(let code)? = answers["q4"] else { return nil }
        return self[instrument]?.definition.items.first { $0.id == "q4" }?.acceptsCount?.range(of: code)
    }
}
