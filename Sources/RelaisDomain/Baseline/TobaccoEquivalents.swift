import Foundation

/// How many manufactured cigarettes one unit of each smoked product counts for
/// (`Protocols/tobacco_equivalents.json`), so that the yearly evaluation can add cigars, pipes
/// and waterpipe sessions to cigarettes. A counting convention, not a nicotine dose.
public struct TobaccoEquivalents: Sendable, Decodable, Equatable {
    public struct Source: Sendable, Decodable, Equatable {
        public var title: String
        public var url: String?

        public init(title: String, url: String? = nil) {
            self.title = title
            self.url = url
        }
    }

    public struct Product: Sendable, Decodable, Equatable {
        /// Stable code stored with answers and reports (`cigarette`, `cigar`, …).
        public var code: String
        public var label: LocalizedText
        /// Cigarette-equivalents for one unit of the product.
        public var equivalent: Double
        public var sources: [Source]
        /// Why this value, where the references disagree.
        public var note: String?

        public init(code: String, label: LocalizedText, equivalent: Double, sources: [Source], note: String? = nil) {
            self.code = code
            self.label = label
            self.equivalent = equivalent
            self.sources = sources
            self.note = note
        }
    }

    public var version: String
    public var source: String
    public var note: String
    public var products: [Product]

    public init(version: String, source: String, note: String, products: [Product]) {
        self.version = version
        self.source = source
        self.note = note
        self.products = products
    }

    /// The largest count per product and day accepted, as for Fagerström's cigarettes per day:
    /// beyond it the figure is a typing error, not a consumption.
    public static let maximumCount: Double = 200

    public func equivalent(of code: String) -> Double? {
        products.first { $0.code == code }?.equivalent
    }

    /// The day's consumption in cigarette-equivalents, to one decimal: the sum of count ×
    /// equivalent. Every bad entry is reported, each under `products.<code>`.
    public func cigaretteEquivalents(_ perDay: [String: Double]) throws(ValidationError) -> Double {
        var problems: [String: Reason] = [:]
        var total = 0.0
        for (code, count) in perDay.sorted(by: { $0.key < $1.key }) {
            guard let equivalent = equivalent(of: code) else {
                problems["products.\(code)"] = Reason(.expectedOneOf, ["options": products.map(\.code).joined(separator: ", ")])
                continue
            }
            guard count.isFinite, (0...Self.maximumCount).contains(count) else {
                problems["products.\(code)"] = Reason(.numberRange, ["min": "0", "max": String(Int(Self.maximumCount))])
                continue
            }
            total += count * equivalent
        }
        guard problems.isEmpty else { throw ValidationError(problems) }
        return (total * 10).rounded() / 10
    }
}

extension TobaccoEquivalents: CheckedTable {
    /// Decodes and checks the file; unknown keys are refused as in every file of Protocols/.
    public static func decode(_ data: Data, file: String) throws(ReferenceTableError) -> TobaccoEquivalents {
        try ReferenceTableError.decode(TobaccoEquivalents.self, data, file: file, allowed: allowedKeys)
    }

    static let allowedKeys: StrictJSON.Spec = .object([
        "version": .leaf, "source": .leaf, "note": .leaf,
        "products": .list(.object([
            "code": .leaf, "label": StrictJSON.localized, "equivalent": .leaf, "note": .leaf,
            "sources": .list(.object(["title": .leaf, "url": .leaf])),
        ])),
    ])

    /// The first rule the table breaks, or nil. The cigarette is the unit, so it must count 1;
    /// an equivalent above 100 is taken for a slip (a session of waterpipe counts 40).
    func problem() -> String? {
        guard ProgrammeTemplate.isVersion(version) else { return "version '\(version)' must be MAJOR.MINOR.PATCH, e.g. 1.0.0" }
        if source.isBlank { return "'source' is empty" }
        if note.isBlank { return "'note' is empty" }
        var seen = Set<String>()
        for (position, product) in products.enumerated() {
            let at = "products[\(position)]"
            guard ProgrammeTemplate.isIdentifier(product.code) else { return "\(at).code '\(product.code)' must match [a-z0-9_]+" }
            guard seen.insert(product.code).inserted else { return "\(at).code '\(product.code)' appears twice" }
            if product.label.fr.isBlank || product.label.en.isBlank { return "\(at).label: both 'fr' and 'en' are required" }
            guard product.equivalent > 0, product.equivalent <= 100 else {
                return "\(at).equivalent \(product.equivalent) must be above 0 and at most 100"
            }
            if product.sources.isEmpty || product.sources.contains(where: { $0.title.isBlank }) {
                return "\(at).sources: at least one source, each with a title"
            }
        }
        guard let unit = equivalent(of: "cigarette") else { return "no product 'cigarette' (the unit of the table)" }
        guard unit == 1 else { return "product 'cigarette' is the unit: its equivalent must be 1, not \(unit)" }
        return nil
    }
}

/// A reference table of Protocols/ that cannot be used: the daemon stops naming the file and
/// the problem rather than report with a wrong or partial table.
public struct ReferenceTableError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "reference table \(file): \(problem)" }

    /// The table of the file, decoded strictly then checked.
    static func decode<T: CheckedTable>(_ type: T.Type, _ data: Data, file: String, allowed: StrictJSON.Spec) throws(ReferenceTableError) -> T {
        switch StrictJSON.decode(type, from: data, allowed: allowed) {
        case .success(let table):
            if let problem = table.problem() { throw ReferenceTableError(file: file, problem: problem) }
            return table
        case .failure(let problem): throw ReferenceTableError(file: file, problem: problem.text)
        }
    }
}

/// A reference table that checks, after decoding, what JSON cannot say.
protocol CheckedTable: Decodable {
    /// The first rule the table breaks, or nil.
    func problem() -> String?
}

extension String {
    var isBlank: Bool { trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }
}
