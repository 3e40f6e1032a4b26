import Foundation
import RelaisDomain

/// Reads the data files of Protocols/ at start. A file that cannot be used stops the daemon
/// with a message naming the file and the problem; nothing is skipped silently.
public enum ProtocolsLoader {
    /// Every `*.json` of `<directory>/instruments`, with the installation's settings
    /// (`instruments.<id>.band_scheme`, `instruments.<id>.parameters.<name>`) applied.
    public static func instruments(directory: String, settings: [String: String] = [:]) throws(InstrumentDefinitionError) -> InstrumentCatalog {
        let folder = (directory as NSString).appendingPathComponent("instruments")
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
            throw InstrumentDefinitionError(file: folder, problem: "folder not found: set protocols_dir to the Protocols folder")
        }
        let files = names.filter { $0.hasSuffix(".json") }.sorted()
        var bySettingsID: [String: [String: String]] = [:]
        for (key, value) in settings {
            let parts = key.split(separator: ".", maxSplits: 1)
            guard parts.count == 2 else {
                throw InstrumentDefinitionError(file: "configuration", problem: "instruments.\(key): expected instruments.<id>.<setting>")
            }
            bySettingsID[String(parts[0]), default: [:]][String(parts[1])] = value
        }
        var instruments: [ConfiguredInstrument] = []
        for name in files {
            let path = (folder as NSString).appendingPathComponent(name)
            let instrument = try load(file: path, settings: [:], settingsByID: bySettingsID)
            instruments.append(instrument)
        }
        let known = Set(instruments.map(\.id))
        if let unknown = bySettingsID.keys.sorted().first(where: { !known.contains($0) }) {
            throw InstrumentDefinitionError(file: "configuration", problem: "instruments.\(unknown): no instrument '\(unknown)' in \(folder)")
        }
        return InstrumentCatalog(instruments)
    }

    /// One instrument file (the id must match the file name).
    public static func instrument(file path: String, settings: [String: String] = [:]) throws(InstrumentDefinitionError) -> ConfiguredInstrument {
        try load(file: path, settings: settings, settingsByID: [:])
    }

    private static func load(file path: String, settings: [String: String],
                             settingsByID: [String: [String: String]]) throws(InstrumentDefinitionError) -> ConfiguredInstrument {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InstrumentDefinitionError(file: path, problem: "cannot be read")
        }
        let definition = try Instrument.decode(data, file: path)
        let expected = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
        guard definition.id == expected else {
            throw InstrumentDefinitionError(file: path, problem: "id '\(definition.id)' must equal the file name '\(expected)'")
        }
        return try ConfiguredInstrument(definition, settings: settingsByID[definition.id] ?? settings, file: path)
    }
}

extension ProtocolsLoader {
    /// Every `programme-*.json` of `directory`, checked against the instrument catalog and the
    /// session guides they name.
    public static func templates(directory: String, instruments: InstrumentCatalog) throws(ProgrammeTemplateError) -> [ProgrammeTemplate] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else {
            throw ProgrammeTemplateError(file: directory, problem: "folder not found: set protocols_dir to the Protocols folder")
        }
        var templates: [ProgrammeTemplate] = []
        for name in names.filter({ $0.hasPrefix("programme-") && $0.hasSuffix(".json") }).sorted() {
            let path = (directory as NSString).appendingPathComponent(name)
            guard let data = FileManager.default.contents(atPath: path) else { throw ProgrammeTemplateError(file: path, problem: "cannot be read") }
            let template = try ProgrammeTemplate.decode(data, file: path)
            let expected = String(((name as NSString).deletingPathExtension).dropFirst("programme-".count))
            guard template.id == expected else {
                throw ProgrammeTemplateError(file: path, problem: "id '\(template.id)' must match the file name 'programme-\(expected).json'")
            }
            if let unknown = template.instrumentIDs.sorted().first(where: { instruments[$0] == nil }) {
                throw ProgrammeTemplateError(file: path, problem: "names the instrument '\(unknown)', which is not in Protocols/instruments")
            }
            for session in template.sessions where !FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent(session.guide)) {
                throw ProgrammeTemplateError(file: path, problem: "session \(session.index): guide '\(session.guide)' not found")
            }
            templates.append(template)
        }
        guard !templates.isEmpty else { throw ProgrammeTemplateError(file: directory, problem: "no programme-*.json template") }
        return templates
    }

    /// Everything of the folder the application runs on: instruments (with the installation's
    /// settings), templates, tobacco equivalents, départements and kinds of treatment. The first file that cannot
    /// be used is thrown, named.
    public static func catalog(directory: String, settings: [String: String] = [:]) throws -> ProtocolCatalog {
        let instruments = try instruments(directory: directory, settings: settings)
        return ProtocolCatalog(instruments: instruments, templates: try templates(directory: directory, instruments: instruments),
                               tobaccoEquivalents: try ReferenceTables.tobaccoEquivalents(directory: directory),
                               territory: try ReferenceTables.territory(directory: directory),
                               treatmentKinds: try ReferenceTables.treatmentKinds(directory: directory))
    }
}
