/// An instrument with the choices of this installation applied: the band scheme of each score
/// and the values of its parameters (e.g. the CO abstinence threshold).
public struct ConfiguredInstrument: Sendable, Equatable {
    public let definition: Instrument
    /// Score id → the band scheme in force.
    public let schemes: [String: Instrument.BandScheme]
    public let parameters: [String: Double]

    /// Applies `settings` (`band_scheme`, `parameters.NAME`, as under `instruments.<id>.` in
    /// the configuration) and validates the whole definition with them.
    public init(_ definition: Instrument, settings: [String: String] = [:], file: String) throws(InstrumentDefinitionError) {
        var parameters = (definition.parameters ?? [:]).mapValues(\.default)
        var schemeID: String?
        for (key, value) in settings {
            if key == "band_scheme" {
                schemeID = value
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
        for score in definition.scores ?? [] {
            schemes[score.id] = score.bandSchemes.first { $0.id == schemeID } ?? score.bandSchemes[0]
        }
        if let schemeID, !(definition.scores ?? []).contains(where: { $0.bandSchemes.contains { $0.id == schemeID } }) {
            let known = Set((definition.scores ?? []).flatMap { $0.bandSchemes.map(\.id) }).sorted().joined(separator: ", ")
            throw InstrumentDefinitionError(file: file, problem: "configuration instruments.\(definition.id).band_scheme: no scheme '\(schemeID)' (known: \(known))")
        }
        self.definition = definition
        self.schemes = schemes
        self.parameters = parameters
    }

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
