/// Text in the two languages of Relais. French is the reference wording.
public struct LocalizedText: Codable, Sendable, Equatable {
    public var fr: String
    public var en: String

    public init(fr: String, en: String) {
        self.fr = fr
        self.en = en
    }

    public func text(_ language: String) -> String { language == "en" ? en : fr }
}

/// A clinical instrument (test or questionnaire) as defined by a file of Protocols/instruments.
/// The format is documented in Protocols/README.md.
public struct Instrument: Codable, Sendable, Equatable {
    public var format: Int
    public var id: String
    public var version: String
    public var title: LocalizedText
    public var instructions: LocalizedText?
    public var source: String
    public var sourceURL: String?
    public var parameters: [String: Parameter]?
    public var items: [Item]
    public var scores: [ScoreDefinition]?

    enum CodingKeys: String, CodingKey {
        case format, id, version, title, instructions, source, parameters, items, scores
        case sourceURL = "source_url"
    }

    public struct Parameter: Codable, Sendable, Equatable {
        public var `default`: Double
        public var description: LocalizedText
    }

    public enum ItemType: String, Codable, Sendable {
        case singleChoice = "single_choice"
        case multipleChoice = "multiple_choice"
        case integer, number, text, date
    }

    public struct Item: Codable, Sendable, Equatable {
        public var id: String
        public var type: ItemType
        public var text: LocalizedText
        public var help: LocalizedText?
        public var required: Bool?
        public var options: [Option]?
        public var min: Double?
        public var max: Double?
        public var unit: LocalizedText?
        public var maxLength: Int?
        public var acceptsCount: AcceptsCount?

        enum CodingKeys: String, CodingKey {
            case id, type, text, help, required, options, min, max, unit
            case maxLength = "max_length", acceptsCount = "accepts_count"
        }

        public var isRequired: Bool { required ?? true }
        public func option(_ code: String) -> Option? { options?.first { $0.code == code } }
    }

    public struct Option: Codable, Sendable, Equatable {
        public var code: String
        public var points: Int?
        public var label: LocalizedText
        public var exclusive: Bool?
    }

    /// A whole number accepted in place of a code (cigarettes per day for Fagerström q4),
    /// mapped to the first entry whose `max` is at least the number.
    public struct AcceptsCount: Codable, Sendable, Equatable {
        public var min: Int
        public var max: Int
        public var unit: LocalizedText?
        public var map: [CountMapping]

        public struct CountMapping: Codable, Sendable, Equatable {
            public var max: Int?
            public var code: String
        }

        public func code(for count: Int) -> String? {
            guard (min...max).contains(count) else { return nil }
            return map.first { ($0.max ?? Int.max) >= count }?.code
        }

        /// The counts a band answer stands for: from the previous band's maximum + 1 (the
        /// count's minimum for the first) to its own maximum (open for the last band).
        public func range(of code: String) -> Consumption? {
            guard let position = map.firstIndex(where: { $0.code == code }) else { return nil }
            let low = position == 0 ? min : (map[position - 1].max ?? min) + 1
            return .band(low: Double(low), high: map[position].max.map(Double.init))
        }
    }

    public struct ScoreDefinition: Codable, Sendable, Equatable {
        public var id: String
        public var label: LocalizedText
        public var items: [String]
        public var min: Int
        public var max: Int
        public var bandSchemes: [BandScheme]

        enum CodingKeys: String, CodingKey {
            case id, label, items, min, max
            case bandSchemes = "band_schemes"
        }
    }

    public struct BandScheme: Codable, Sendable, Equatable {
        public var id: String
        public var label: LocalizedText
        public var source: String
        public var bands: [Band]
        /// A `single_choice` item whose answer picks the bands that apply (AUDIT-C's cut-offs by
        /// sex): a band with `for` applies only to those option codes of it.
        public var byItem: String?
        /// The ids this scheme had before (a configuration naming one still gets this scheme).
        public var formerIDs: [String]?

        enum CodingKeys: String, CodingKey {
            case id, label, source, bands
            case byItem = "by_item", formerIDs = "former_ids"
        }

        /// The bands that apply to an answer of `byItem` (every band when the scheme has none).
        public func bands(forOption option: String?) -> [Band] {
            guard byItem != nil else { return bands }
            guard let option else { return [] }
            return bands.filter { $0.forOptions?.contains(option) ?? true }
        }

        /// The band of a score: for a scheme `by_item`, among the bands of the item's answer
        /// (none when it is not answered).
        public func band(_ value: Double, answers: [String: JSONValue] = [:], parameters: [String: Double]) -> Band? {
            var option: String?
            if let byItem, case .string(let code)? = answers[byItem] { option = code }
            return bands(forOption: option).first { $0.contains(value, parameters: parameters) }
        }

        /// Its band codes in order, each once (a code may appear once per option of `by_item`).
        public var codes: [String] {
            var seen = Set<String>()
            return bands.map(\.code).filter { seen.insert($0).inserted }
        }
    }

    /// An interpretation band: `min` and `max` inclusive, `below` exclusive; each edge a number or a `$parameter`.
    public struct Band: Codable, Sendable, Equatable {
        public var code: String
        public var label: LocalizedText
        public var min: Edge?
        public var max: Edge?
        public var below: Edge?
        /// Only in a scheme `by_item`: the option codes of that item this band applies to (all when absent).
        public var forOptions: [String]?

        enum CodingKeys: String, CodingKey {
            case code, label, min, max, below
            case forOptions = "for"
        }
    }

    public enum Edge: Codable, Sendable, Equatable {
        case value(Double)
        case parameter(String)

        public init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let number = try? container.decode(Double.self) { self = .value(number); return }
            let text = try container.decode(String.self)
            guard text.hasPrefix("$"), text.count > 1 else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "a band edge is a number or \"$parameter\", not '\(text)'")
            }
            self = .parameter(String(text.dropFirst()))
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case .value(let number): try container.encode(number)
            case .parameter(let name): try container.encode("$" + name)
            }
        }
    }

    public func item(_ id: String) -> Item? { items.first { $0.id == id } }

    /// The score named "total", if the instrument has one.
    public var total: ScoreDefinition? { scores?.first { $0.id == "total" } }

    /// Every score other than the total (e.g. HSI inside Fagerström).
    public var derived: [ScoreDefinition] { scores?.filter { $0.id != "total" } ?? [] }
}
