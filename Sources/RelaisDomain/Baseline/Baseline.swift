import Foundation

/// What a participant wants from the programme, asked at enrolment.
public enum SmokingGoal: String, Codable, Sendable, CaseIterable {
    case stop, reduce
    /// Take stock of one's smoking before deciding.
    case takeStock = "take_stock"
    /// An ex-smoker consolidating their quit.
    case consolidate
}

/// Where a baseline value comes from, shown beside it: what staff entered for the enrolment,
/// what the participant's record said when they enrolled, or the entry Fagerström test.
public enum BaselineSource: String, Codable, Sendable, CaseIterable {
    case declared, record
    case entryTest = "entry_test"
}

/// Cigarettes (or cigarette-equivalents) a day: a count, or only a band of a test's answer
/// ("11 to 20"; open-ended above for "31 or more").
public enum Consumption: Sendable, Equatable, Hashable {
    case exact(Double)
    case band(low: Double, high: Double?)

    /// The count when it is one.
    public var exact: Double? {
        if case .exact(let value) = self { return value }
        return nil
    }
}

/// The participant as they were when they enrolled, frozen on the enrolment: later edits of
/// their record do not move it. The evaluation measures every outcome against it.
public struct Baseline: Sendable, Equatable {
    public var smokingStatus: SmokerStatus
    public var smokingStatusSource: BaselineSource
    /// Cigarette-equivalents a day at entry, as entered (directly or from `products`); nil:
    /// taken from the entry Fagerström test when there is one.
    public var cigarettesPerDay: Double?
    /// Per product, what is smoked a day (the conversion table's codes), when entered that way.
    public var products: [String: Double]
    public var goal: SmokingGoal?
    /// For an ex-smoker: since when.
    public var quitDate: CalendarDate?
    /// The priority publics they belonged to at entry.
    public var publics: Set<PriorityPublic>

    public init(smokingStatus: SmokerStatus, smokingStatusSource: BaselineSource = .declared, cigarettesPerDay: Double? = nil,
                products: [String: Double] = [:], goal: SmokingGoal? = nil, quitDate: CalendarDate? = nil, publics: Set<PriorityPublic> = []) {
        self.smokingStatus = smokingStatus
        self.smokingStatusSource = smokingStatusSource
        self.cigarettesPerDay = cigarettesPerDay
        self.products = products
        self.goal = goal
        self.quitDate = quitDate
        self.publics = publics
    }

    /// The consumption the outcomes are compared with: the one entered, else the entry test's
    /// (its count, or only the band it answered), with where it came from.
    public func entryConsumption(entryTest: Consumption?) -> (Consumption, BaselineSource)? {
        if let cigarettesPerDay { return (.exact(cigarettesPerDay), .declared) }
        return entryTest.map { ($0, .entryTest) }
    }
}

/// The baseline fields as a form or a script gives them, every one optional: a missing status or
/// publics are taken from `defaults` (the participant's record at enrolment, the baseline itself
/// when it is corrected); a missing consumption will come from the entry Fagerström test.
public struct BaselineInput: Sendable, Equatable, Codable {
    public var smokingStatus: String?
    public var cigarettesPerDay: Double?
    public var products: [String: Double]?
    public var goal: String?
    public var quitDate: String?
    public var publics: [String]?

    public init(smokingStatus: String? = nil, cigarettesPerDay: Double? = nil, products: [String: Double]? = nil, goal: String? = nil,
                quitDate: String? = nil, publics: [String]? = nil) {
        self.smokingStatus = smokingStatus
        self.cigarettesPerDay = cigarettesPerDay
        self.products = products
        self.goal = goal
        self.quitDate = quitDate
        self.publics = publics
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case smokingStatus, cigarettesPerDay, products, goal, quitDate, publics
    }

    /// The most cigarette-equivalents a day a baseline may hold.
    public static let maximumPerDay = 200.0

    /// Checks every field (all problems at once, named `baseline.<field>`) and fills a missing
    /// status or publics from `defaults`. `equivalents` converts `products`; `today` bounds the
    /// quit date.
    public func validated(defaults: Baseline, equivalents: TobaccoEquivalents, today: CalendarDate) throws(ValidationError) -> Baseline {
        var problems: [String: Reason] = [:]
        var baseline = Baseline(smokingStatus: defaults.smokingStatus, smokingStatusSource: defaults.smokingStatusSource, publics: defaults.publics)
        if let codes = publics {
            let parsed = codes.compactMap(PriorityPublic.init(rawValue:)).filter { $0 != .youngAdult }
            if parsed.count == codes.count {
                baseline.publics = Set(parsed)
            } else {
                problems["baseline.publics"] = Reason(.expectedOneOf, ["options": PriorityPublic.recorded.map(\.rawValue).joined(separator: ", ")])
            }
        }
        if let raw = self.smokingStatus {
            if let status = SmokerStatus(rawValue: raw) {
                baseline.smokingStatus = status
                baseline.smokingStatusSource = .declared
            } else {
                problems["baseline.smokingStatus"] = Reason(.expectedOneOf, ["options": SmokerStatus.allCases.map(\.rawValue).joined(separator: ", ")])
            }
        }
        if let raw = goal {
            if let goal = SmokingGoal(rawValue: raw) { baseline.goal = goal } else {
                problems["baseline.goal"] = Reason(.expectedOneOf, ["options": SmokingGoal.allCases.map(\.rawValue).joined(separator: ", ")])
            }
        }
        if let products, !products.isEmpty {
            if cigarettesPerDay != nil {
                problems["baseline.products"] = Reason(.baselineCountTwice)
            } else {
                do throws(ValidationError) {
                    baseline.cigarettesPerDay = try equivalents.cigaretteEquivalents(products)
                    baseline.products = products
                } catch {
                    for (field, reason) in error.fields { problems["baseline.\(field)"] = reason }
                }
            }
        } else if let count = cigarettesPerDay {
            if !count.isFinite || count < 0 || count > Self.maximumPerDay {
                problems["baseline.cigarettesPerDay"] = Reason(.numberRange, ["min": "0", "max": String(Int(Self.maximumPerDay))])
            } else {
                baseline.cigarettesPerDay = count
            }
        }
        if let total = baseline.cigarettesPerDay, !(0...Self.maximumPerDay).contains(total), problems["baseline.products"] == nil {
            problems["baseline.products"] = Reason(.numberRange, ["min": "0", "max": String(Int(Self.maximumPerDay))])
        }
        if baseline.smokingStatus == .exSmoker, let count = baseline.cigarettesPerDay, count > 0 {
            problems["baseline.cigarettesPerDay"] = Reason(.baselineExSmokerSmokes)
        }
        if let text = quitDate?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            do throws(ValidationError) {
                let date = try Input.calendarDate(text, field: "baseline.quitDate")
                if date > today {
                    problems["baseline.quitDate"] = Reason(.dateInFuture)
                } else if baseline.smokingStatus != .exSmoker {
                    problems["baseline.quitDate"] = Reason(.baselineQuitDateSmoker)
                } else {
                    baseline.quitDate = date
                }
            } catch {
                problems.merge(error.fields) { first, _ in first }
            }
        }
        guard problems.isEmpty else { throw ValidationError(problems) }
        return baseline
    }
}
