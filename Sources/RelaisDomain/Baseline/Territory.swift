import Foundation

/// Where participants live, by French département, for the yearly evaluation's breakdown by
/// territory. The names come from `Protocols/departements.json` (INSEE's Code officiel
/// géographique); the code holds only the rule from a postal code to a département.
public struct Territory: Sendable, Decodable, Equatable {
    public var version: String
    public var cogYear: Int
    public var source: String
    public var sourceURL: String?
    public var note: String?
    /// INSEE code → name: the 101 départements.
    public var departements: [String: String]
    /// INSEE code → name: the overseas collectivities a postal code can lead to (975, 977, …).
    public var collectivities: [String: String]

    enum CodingKeys: String, CodingKey {
        case version, source, note, departements, collectivities
        case cogYear = "cog_year", sourceURL = "source_url"
    }

    public init(version: String, cogYear: Int, source: String, sourceURL: String? = nil, note: String? = nil,
                departements: [String: String], collectivities: [String: String] = [:]) {
        self.version = version
        self.cogYear = cogYear
        self.source = source
        self.sourceURL = sourceURL
        self.note = note
        self.departements = departements
        self.collectivities = collectivities
    }

    public func name(of code: String) -> String? {
        departements[code] ?? collectivities[code]
    }
}

extension Territory {
    /// The 101 département codes: 01–95 without 20, Corsica's 2A and 2B, and the five overseas.
    public static let departementCodes: [String] =
        (1...95).filter { $0 != 20 }.map(twoDigits) + ["2A", "2B", "971", "972", "973", "974", "976"]

    /// The overseas collectivities the rule below can answer.
    public static let collectivityCodes: Set<String> = ["975", "977", "978", "986", "987", "988"]

    /// The INSEE code of the département, or of the overseas collectivity, of a French postal
    /// code; nil for anything else (Monaco's 98000 included). White space anywhere is ignored,
    /// so " 59 000 " is 59000. The rule is La Poste's: the first two digits, except
    /// - Corsica: 200xx–201xx are Corse-du-Sud (2A), 202xx and 206xx Haute-Corse (2B); no
    ///   other 20xxx code exists;
    /// - overseas, the first three digits: 971–976, except 97133 Saint-Barthélemy (977) and
    ///   97150 Saint-Martin (978), collectivities since 2007; 986–988 Wallis-et-Futuna,
    ///   French Polynesia, New Caledonia.
    /// A few codes serve a commune across a département border: it is counted where its
    /// postal code says (see Protocols/README.md).
    public static func departement(postalCode: String) -> String? {
        let digits = postalCode.filter { !$0.isWhitespace }
        guard digits.count == 5, digits.allSatisfy({ $0.isASCII && $0.isWholeNumber }), let number = Int(digits) else { return nil }
        switch number / 1000 {
        case 1...19, 21...95: return twoDigits(number / 1000)
        case 20:
            switch number / 100 {
            case 200, 201: return "2A"
            case 202, 206: return "2B"
            default: return nil
            }
        case 97:
            if number == 97133 { return "977" }
            if number == 97150 { return "978" }
            return (971...976).contains(number / 100) ? String(number / 100) : nil
        case 98:
            return (986...988).contains(number / 100) ? String(number / 100) : nil
        default:
            return nil
        }
    }

    private static func twoDigits(_ number: Int) -> String { number < 10 ? "0\(number)" : String(number) }
}

extension Territory: CheckedTable {
    /// Decodes and checks the file; unknown keys are refused as in every file of Protocols/.
    public static func decode(_ data: Data, file: String) throws(ReferenceTableError) -> Territory {
        try ReferenceTableError.decode(Territory.self, data, file: file, allowed: allowedKeys)
    }

    static let allowedKeys: StrictJSON.Spec = .object([
        "version": .leaf, "cog_year": .leaf, "source": .leaf, "source_url": .leaf, "note": .leaf,
        "departements": .map(.leaf), "collectivities": .map(.leaf),
    ])

    /// The first rule the table breaks, or nil. Every département must be named, so that no
    /// participant of the breakdown falls under a code without a name.
    func problem() -> String? {
        guard ProgrammeTemplate.isVersion(version) else { return "version '\(version)' must be MAJOR.MINOR.PATCH, e.g. 1.0.0" }
        guard (2000...2100).contains(cogYear) else { return "cog_year \(cogYear) is not a year of the Code officiel géographique" }
        if source.isBlank { return "'source' is empty" }
        let expected = Set(Self.departementCodes)
        if let code = departements.keys.sorted().first(where: { !expected.contains($0) }) {
            return "departements.\(code): not a département code (01–95 without 20, 2A, 2B, 971–974, 976)"
        }
        if let code = collectivities.keys.sorted().first(where: { !Self.collectivityCodes.contains($0) }) {
            return "collectivities.\(code): not an overseas collectivity code (975, 977, 978, 986, 987, 988)"
        }
        let missing = expected.subtracting(departements.keys).sorted()
        if !missing.isEmpty { return "departements: \(missing.count) of the 101 missing (\(missing.joined(separator: ", ")))" }
        for (key, names) in [("departements", departements), ("collectivities", collectivities)] {
            if let code = names.keys.sorted().first(where: { names[$0]!.isBlank }) { return "\(key).\(code): the name is empty" }
        }
        return nil
    }
}
