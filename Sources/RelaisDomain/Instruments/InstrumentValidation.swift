/// Why an instrument file cannot be used. The loader adds the file name.
public struct InstrumentDefinitionError: Error, Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var problem: String

    public init(file: String, problem: String) {
        self.file = file
        self.problem = problem
    }

    public var description: String { "instrument file \(file): \(problem)" }
}

extension Instrument {
    static let identifierPattern = #"^[a-z0-9_]+$"#

    /// Checks what JSON decoding cannot: identifiers, references between items and scores,
    /// points on scored options, and bands covering each score's range exactly once.
    /// `parameterValues` are the values in force (defaults or configured).
    func validate(parameterValues: [String: Double], file: String) throws(InstrumentDefinitionError) {
        func fail(_ problem: String) -> InstrumentDefinitionError { InstrumentDefinitionError(file: file, problem: problem) }
        guard format == 1 else { throw fail("format \(format) is not supported (expected 1)") }
        guard Self.isIdentifier(id) else { throw fail("id '\(id)' must match [a-z0-9_]+") }
        guard !items.isEmpty else { throw fail("'items' is empty") }
        var seen = Set<String>()
        for item in items {
            guard Self.isIdentifier(item.id) else { throw fail("item id '\(item.id)' must match [a-z0-9_]+") }
            guard seen.insert(item.id).inserted else { throw fail("item id '\(item.id)' appears twice") }
            try validate(item, fail: fail)
        }
        var scoreIDs = Set<String>()
        for score in scores ?? [] {
            guard scoreIDs.insert(score.id).inserted else { throw fail("score id '\(score.id)' appears twice") }
            try validate(score, parameterValues: parameterValues, fail: fail)
        }
    }

    private func validate(_ item: Item, fail: (String) -> InstrumentDefinitionError) throws(InstrumentDefinitionError) {
        let where_ = "item '\(item.id)'"
        switch item.type {
        case .singleChoice, .multipleChoice:
            guard let options = item.options, !options.isEmpty else { throw fail("\(where_) needs 'options'") }
            var codes = Set<String>()
            for option in options {
                guard Self.isIdentifier(option.code) else { throw fail("\(where_): option code '\(option.code)' must match [a-z0-9_]+") }
                guard codes.insert(option.code).inserted else { throw fail("\(where_): option code '\(option.code)' appears twice") }
                if option.exclusive == true && item.type != .multipleChoice {
                    throw fail("\(where_): 'exclusive' is only for multiple_choice items")
                }
            }
            if let count = item.acceptsCount {
                guard item.type == .singleChoice else { throw fail("\(where_): 'accepts_count' is only for single_choice items") }
                guard count.min <= count.max, !count.map.isEmpty, count.map.last?.max == nil else {
                    throw fail("\(where_): 'accepts_count' needs min <= max and a map whose last entry has no 'max'")
                }
                for entry in count.map where item.option(entry.code) == nil {
                    throw fail("\(where_): 'accepts_count' maps to unknown option '\(entry.code)'")
                }
            }
        case .integer, .number:
            guard let min = item.min, let max = item.max, min <= max else { throw fail("\(where_) needs 'min' <= 'max'") }
            if item.options != nil { throw fail("\(where_): a \(item.type.rawValue) item has no 'options'") }
        case .text, .date:
            if item.options != nil { throw fail("\(where_): a \(item.type.rawValue) item has no 'options'") }
        }
    }

    private func validate(_ score: ScoreDefinition, parameterValues: [String: Double],
                          fail: (String) -> InstrumentDefinitionError) throws(InstrumentDefinitionError) {
        let where_ = "score '\(score.id)'"
        guard !score.items.isEmpty else { throw fail("\(where_) lists no items") }
        for itemID in score.items {
            guard let item = item(itemID) else { throw fail("\(where_) uses unknown item '\(itemID)'") }
            switch item.type {
            case .singleChoice, .multipleChoice:
                if let option = item.options?.first(where: { $0.points == nil }) {
                    throw fail("\(where_) uses item '\(itemID)' whose option '\(option.code)' has no 'points'")
                }
            case .integer, .number: break
            case .text, .date: throw fail("\(where_) cannot add up the \(item.type.rawValue) item '\(itemID)'")
            }
        }
        guard !score.bandSchemes.isEmpty else { throw fail("\(where_) needs at least one band scheme") }
        var schemeIDs = Set<String>()
        for scheme in score.bandSchemes {
            for id in [scheme.id] + (scheme.formerIDs ?? []) {
                guard Self.isIdentifier(id) else { throw fail("\(where_): scheme id '\(id)' must match [a-z0-9_]+") }
                guard schemeIDs.insert(id).inserted else { throw fail("\(where_): scheme id '\(id)' appears twice") }
            }
            for band in scheme.bands {
                for edge in [band.min, band.max, band.below].compactMap({ $0 }) {
                    if case .parameter(let name) = edge, parameterValues[name] == nil {
                        throw fail("\(where_), scheme '\(scheme.id)': band '\(band.code)' uses unknown parameter '$\(name)'")
                    }
                }
            }
            // A scheme `by_item` covers the range once for each option of its item.
            var options: [String?] = [nil]
            if let byItem = scheme.byItem {
                guard let item = item(byItem), item.type == .singleChoice, let codes = item.options?.map(\.code) else {
                    throw fail("\(where_), scheme '\(scheme.id)': 'by_item' must name a single_choice item of the file, not '\(byItem)'")
                }
                guard !score.items.contains(byItem) else {
                    throw fail("\(where_), scheme '\(scheme.id)': 'by_item' cannot be one of the items the score adds up")
                }
                for band in scheme.bands {
                    if let unknown = band.forOptions?.first(where: { !codes.contains($0) }) {
                        throw fail("\(where_), scheme '\(scheme.id)': band '\(band.code)' is 'for' '\(unknown)', not an option of '\(byItem)'")
                    }
                }
                options = codes
            } else if let band = scheme.bands.first(where: { $0.forOptions != nil }) {
                throw fail("\(where_), scheme '\(scheme.id)': band '\(band.code)' has 'for' but the scheme has no 'by_item'")
            }
            for option in options {
                let bands = scheme.bands(forOption: option)
                let when = option.map { " for '\($0)'" } ?? ""
                // Band codes are unique among the bands that apply together.
                var codes = Set<String>()
                for band in bands where !codes.insert(band.code).inserted {
                    throw fail("\(where_), scheme '\(scheme.id)': band code '\(band.code)' appears twice\(when)")
                }
                // Every whole value of the range falls in exactly one band.
                for value in score.min...score.max {
                    let matching = bands.filter { $0.contains(Double(value), parameters: parameterValues) }
                    guard matching.count == 1 else {
                        throw fail("\(where_), scheme '\(scheme.id)': the value \(value) falls in \(matching.count) bands\(when) (expected exactly 1)")
                    }
                }
            }
        }
    }

    static func isIdentifier(_ text: String) -> Bool {
        !text.isEmpty && text.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}

extension Instrument.Band {
    func contains(_ value: Double, parameters: [String: Double]) -> Bool {
        func resolve(_ edge: Instrument.Edge?) -> Double? {
            switch edge {
            case .value(let number): return number
            case .parameter(let name): return parameters[name]
            case nil: return nil
            }
        }
        if let min = resolve(min), value < min { return false }
        if let max = resolve(max), value > max { return false }
        if let below = resolve(below), value >= below { return false }
        return true
    }
}
