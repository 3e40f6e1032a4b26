/// One computed score: its value (nil when an item it adds up is unanswered) and band.
public struct ScoreValue: Sendable, Equatable, Encodable {
    public var total: Double?
    public var band: String?

    public init(total: Double?, band: String?) {
        self.total = total
        self.band = band
    }

    enum CodingKeys: String, CodingKey { case total, band }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(total.map { JSONValue.number($0) } ?? .null, forKey: .total)
        try container.encode(band.map { JSONValue.string($0) } ?? .null, forKey: .band)
    }
}

/// The result of scoring a set of answers, as printed by `relais score` and the API:
/// `{"instrument":ID,"version":V,"total":N,"band":CODE,"derived":{"hsi":{"total":N,"band":CODE}}}`.
public struct ScoreResult: Sendable, Equatable, Encodable {
    public var instrument: String
    public var version: String
    public var total: ScoreValue
    /// Derived scores by id; nil when the instrument defines none.
    public var derived: [String: ScoreValue]?
    /// The validated answers, with counts mapped (a number of cigarettes becomes its option code,
    /// the number itself kept under `<item>_count`).
    public var answers: [String: JSONValue]
    /// Items left unanswered (only possible when scoring a partial assessment).
    public var missing: [String]

    enum CodingKeys: String, CodingKey { case instrument, version, total, band, derived }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(instrument, forKey: .instrument)
        try container.encode(version, forKey: .version)
        try container.encode(total.total.map { JSONValue.number($0) } ?? .null, forKey: .total)
        try container.encode(total.band.map { JSONValue.string($0) } ?? .null, forKey: .band)
        try container.encodeIfPresent(derived, forKey: .derived)
    }
}

extension ConfiguredInstrument {
    /// Validates and scores answers such as `["q1": .string("within5"), "q4": .number(25)]`.
    /// Unknown items or codes, out-of-range numbers and (unless `partial`) missing required
    /// answers are all reported together, one reason per item id. A score whose items are not
    /// all answered has no total.
    public func score(_ answers: [String: JSONValue], partial: Bool = false) throws(ValidationError) -> ScoreResult {
        var problems: [String: Reason] = [:]
        var normalized: [String: JSONValue] = [:]
        var points: [String: Double] = [:]
        for key in answers.keys where definition.item(key) == nil {
            problems[key] = Reason(.answerUnknownItem, ["instrument": definition.id, "items": definition.items.map(\.id).joined(separator: ", ")])
        }
        var missing: [String] = []
        for item in definition.items {
            let value = answers[item.id] ?? .null
            if value == .null || value == .string("") || value == .array([]) {
                missing.append(item.id)
                if item.isRequired && !partial { problems[item.id] = .required }
                continue
            }
            switch check(item, value) {
            case .success(let accepted):
                normalized.merge(accepted.answers) { $1 }
                if let value = accepted.points { points[item.id] = value }
            case .failure(let reason):
                problems[item.id] = reason
            }
        }
        guard problems.isEmpty else { throw ValidationError(problems) }

        func compute(_ score: Instrument.ScoreDefinition) -> ScoreValue {
            let values = score.items.map { points[$0] }
            guard values.allSatisfy({ $0 != nil }) else { return ScoreValue(total: nil, band: nil) }
            let total = values.reduce(0) { $0 + $1! }
            let band = schemes[score.id]?.band(total, answers: normalized, parameters: parameters)?.code
            return ScoreValue(total: total, band: band)
        }
        let derivedScores = definition.derived
        return ScoreResult(
            instrument: id, version: version,
            total: definition.total.map(compute) ?? ScoreValue(total: nil, band: nil),
            derived: derivedScores.isEmpty ? nil : Dictionary(uniqueKeysWithValues: derivedScores.map { ($0.id, compute($0)) }),
            answers: normalized, missing: missing)
    }

    /// Stored answers as `score` takes them again (to score a correction, or to fill a form): a
    /// count kept under `<item>_count` takes the place of the option code it was mapped to.
    public func inputAnswers(_ stored: [String: JSONValue]) -> [String: JSONValue] {
        var answers = stored
        for item in definition.items where item.acceptsCount != nil {
            if let count = answers.removeValue(forKey: "\(item.id)_count") { answers[item.id] = count }
        }
        return answers
    }

    private struct Accepted {
        var answers: [String: JSONValue]
        var points: Double?
    }

    private func check(_ item: Instrument.Item, _ value: JSONValue) -> Result<Accepted, Reason> {
        let codes = (item.options ?? []).map(\.code).joined(separator: ", ")
        let got = value.shortDescription
        switch (item.type, value) {
        case (.singleChoice, .string(let code)):
            guard let option = item.option(code) else { return .failure(Reason(.answerUnknownOption, ["code": code, "options": codes])) }
            return .success(Accepted(answers: [item.id: value], points: option.points.map(Double.init)))
        case (.singleChoice, .number(let number)):
            guard let count = item.acceptsCount else { return .failure(Reason(.answerExpectedOption, ["options": codes, "got": got])) }
            guard let whole = Int(exactly: number), let code = count.code(for: whole), let option = item.option(code) else {
                return .failure(Reason(.answerExpectedOptionOrCount, ["options": codes, "min": String(count.min), "max": String(count.max), "got": got]))
            }
            return .success(Accepted(answers: [item.id: .string(code), "\(item.id)_count": .number(number)],
                                     points: option.points.map(Double.init)))
        case (.multipleChoice, .array(let values)):
            var chosen: [String] = []
            for element in values {
                guard case .string(let code) = element, item.option(code) != nil else {
                    return .failure(Reason(.answerUnknownOptions, ["got": element.shortDescription, "options": codes]))
                }
                guard !chosen.contains(code) else { return .failure(Reason(.answerOptionTwice, ["code": code])) }
                chosen.append(code)
            }
            if chosen.count > 1, let exclusive = chosen.first(where: { item.option($0)?.exclusive == true }) {
                return .failure(Reason(.answerOptionExclusive, ["code": exclusive]))
            }
            let total = chosen.compactMap { item.option($0)?.points }.reduce(0, +)
            return .success(Accepted(answers: [item.id: .array(chosen.map(JSONValue.string))], points: Double(total)))
        case (.integer, .number(let number)), (.number, .number(let number)):
            if item.type == .integer && Int(exactly: number) == nil {
                return .failure(Reason(.answerExpectedWhole, ["got": got]))
            }
            let min = item.min ?? -.infinity, max = item.max ?? .infinity
            guard number >= min && number <= max else {
                return .failure(Reason(.answerOutOfRange, ["min": JSONValue.number(min).shortDescription, "max": JSONValue.number(max).shortDescription,
                                                            "got": got]))
            }
            return .success(Accepted(answers: [item.id: value], points: number))
        case (.text, .string(let text)):
            if let problem = TextRules.multiLineProblem(text, maxLength: item.maxLength ?? 2000) { return .failure(problem) }
            return .success(Accepted(answers: [item.id: value], points: nil))
        case (.date, .string(let text)):
            guard CalendarDate(iso: text) != nil else { return .failure(Reason(.answerDateFormat, ["got": got])) }
            return .success(Accepted(answers: [item.id: value], points: nil))
        case (.singleChoice, _):
            return .failure(Reason(.answerExpectedOption, ["options": codes, "got": got]))
        case (.multipleChoice, _):
            return .failure(Reason(.answerExpectedList, ["options": codes, "got": got]))
        case (.integer, _), (.number, _):
            return .failure(Reason(.answerExpectedNumber, ["got": got]))
        case (.text, _):
            return .failure(Reason(.answerExpectedText, ["got": got]))
        case (.date, _):
            return .failure(Reason(.answerDateFormat, ["got": got]))
        }
    }
}

extension Reason: Error {}
