import Foundation

/// Pregnancy, asked in consultation: it changes the urgency of a quit and the treatments offered.
public enum PregnancyStatus: String, Codable, Sendable, CaseIterable {
    case no, pregnant
    /// A pregnancy is planned.
    case planned
}

/// The symptoms of tobacco withdrawal asked as a checklist: the criteria of tobacco withdrawal of
/// the DSM-5 (American Psychiatric Association, 2013), also the items of the Minnesota Nicotine
/// Withdrawal Scale (Hughes & Hatsukami, 1986). The urge to smoke is asked apart, on a 0–10 scale.
public enum WithdrawalSymptom: String, Codable, Sendable, CaseIterable {
    case irritability, anxiety
    case depressedMood = "depressed_mood"
    case difficultyConcentrating = "difficulty_concentrating"
    case restlessness
    case increasedAppetite = "increased_appetite"
    case insomnia
}

/// The unit the longest quit attempt is counted in.
public enum QuitDurationUnit: String, Codable, Sendable, CaseIterable {
    case days, months

    /// The longest duration accepted: fifty years.
    public var maximum: Int { self == .days ? 18_250 : 600 }
}

/// Pack-years ("paquets-années"): packs of 20 cigarettes a day times the years smoked.
public enum PackYears {
    /// The largest value entered or computed that is taken for a consumption, not a slip.
    public static let maximum = 300.0

    /// `cigarettesPerDay` / 20 × `years`, to one decimal.
    public static func compute(cigarettesPerDay: Double, years: Double) -> Double {
        ((cigarettesPerDay / 20 * years) * 10).rounded() / 10
    }
}

/// What a record's figures come from: the value typed, or the computation from the years smoked
/// and today's cigarette-equivalents.
public enum FigureSource: String, Codable, Sendable {
    case entered, computed
}

/// The structured record of an individual consultation, beside its free note, as a form or a
/// script gives it (every field optional; what is left out was not asked). The model is the
/// national tabacology consultation dataset (CDT): products and quantities, e-cigarette, history,
/// quit attempts and date, the CO reading of the consultation, weight, pregnancy, withdrawal and
/// craving, the goal and the plan agreed. The same type is stored and given back, so that what
/// the API reads can be written again as it is.
public struct ClinicalRecordInput: Sendable, Codable, Equatable {
    /// Per product of the cigarette-equivalents table (`Protocols/tobacco_equivalents.json`), how
    /// many a day (a decimal is allowed: one waterpipe a week is 0.1 a day).
    public var products: [String: Double]?
    public var eCigarette: Bool?
    /// The nicotine strength of the e-liquid, in mg/mL; only with `eCigarette`.
    public var eCigaretteNicotineMgPerMl: Double?
    public var yearsSmoked: Int?
    /// Typed when known; otherwise computed from `yearsSmoked` and the products.
    public var packYears: Double?
    public var quitAttempts: Int?
    /// The longest quit attempt, in `longestQuitUnit`.
    public var longestQuit: Int?
    public var longestQuitUnit: String?
    /// The quit date set (`YYYY-MM-DD`), past or to come.
    public var quitDate: String?
    /// The exhaled CO read during the consultation, in ppm: stored as a `co` assessment.
    public var coPpm: Int?
    public var weightKg: Double?
    public var pregnancy: String?
    /// The urge to smoke, 0 (none) to 10 (extreme).
    public var craving: Int?
    public var withdrawalSymptoms: [String]?
    public var goal: String?
    /// The plan agreed, in the clinician's words.
    public var plan: String?

    public init(products: [String: Double]? = nil, eCigarette: Bool? = nil, eCigaretteNicotineMgPerMl: Double? = nil, yearsSmoked: Int? = nil,
                packYears: Double? = nil, quitAttempts: Int? = nil, longestQuit: Int? = nil, longestQuitUnit: String? = nil,
                quitDate: String? = nil, coPpm: Int? = nil, weightKg: Double? = nil, pregnancy: String? = nil, craving: Int? = nil,
                withdrawalSymptoms: [String]? = nil, goal: String? = nil, plan: String? = nil) {
        self.products = products
        self.eCigarette = eCigarette
        self.eCigaretteNicotineMgPerMl = eCigaretteNicotineMgPerMl
        self.yearsSmoked = yearsSmoked
        self.packYears = packYears
        self.quitAttempts = quitAttempts
        self.longestQuit = longestQuit
        self.longestQuitUnit = longestQuitUnit
        self.quitDate = quitDate
        self.coPpm = coPpm
        self.weightKg = weightKg
        self.pregnancy = pregnancy
        self.craving = craving
        self.withdrawalSymptoms = withdrawalSymptoms
        self.goal = goal
        self.plan = plan
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case products, eCigarette, eCigaretteNicotineMgPerMl, yearsSmoked, packYears, quitAttempts, longestQuit, longestQuitUnit, quitDate
        case coPpm, weightKg, pregnancy, craving, withdrawalSymptoms, goal, plan
    }

    // The ranges of each field.
    public static let nicotineRange = 0.0...50.0
    public static let yearsRange = 0...90
    public static let quitAttemptsRange = 0...100
    public static let weightRange = 30.0...300.0
    public static let cravingRange = 0...10
    public static let planLength = 5000

    /// The figures a record derives, frozen with it when it is written.
    public struct Figures: Sendable, Equatable {
        /// The day's products in cigarette-equivalents, with the evaluation's table; nil when no product was given.
        public var cigaretteEquivalents: Double?
        public var packYears: Double?
        public var packYearsSource: FigureSource?

        public init(cigaretteEquivalents: Double? = nil, packYears: Double? = nil, packYearsSource: FigureSource? = nil) {
            self.cigaretteEquivalents = cigaretteEquivalents
            self.packYears = packYears
            self.packYearsSource = packYearsSource
        }
    }

    /// Checks every field (all problems at once, each under its own name, `products.<code>` for a
    /// product) and returns the record as it is kept (text trimmed, symptoms in the checklist's
    /// order, empty text as absent) with its figures. `coPpm` is left to the `co` instrument,
    /// which scores it. Pack-years typed are kept; otherwise they are computed from the years
    /// smoked and today's cigarette-equivalents when both are known and the person smokes (an
    /// ex-smoker's zero today says nothing of the years they smoked).
    public func validated(equivalents: TobaccoEquivalents) throws(ValidationError) -> (ClinicalRecordInput, Figures) {
        var problems: [String: Reason] = [:]
        var kept = self
        var figures = Figures()
        func decimal(_ value: Double?, _ field: String, _ range: ClosedRange<Double>) {
            guard let value else { return }
            if !value.isFinite || !range.contains(value) {
                problems[field] = Reason(.decimalRange, ["min": Self.number(range.lowerBound), "max": Self.number(range.upperBound)])
            }
        }
        func whole(_ value: Int?, _ field: String, _ range: ClosedRange<Int>) {
            guard let value, !range.contains(value) else { return }
            problems[field] = Reason(.numberRange, ["min": String(range.lowerBound), "max": String(range.upperBound)])
        }

        if let products {
            do throws(ValidationError) {
                figures.cigaretteEquivalents = products.isEmpty ? nil : try equivalents.cigaretteEquivalents(products)
            } catch {
                // A count of a product may be a decimal: its range says "a number", not "a whole number".
                for (field, reason) in error.fields {
                    problems[field] = reason.code == .numberRange ? Reason(.decimalRange, reason.parameters) : reason
                }
            }
            if products.isEmpty { kept.products = nil }
        }
        decimal(eCigaretteNicotineMgPerMl, "eCigaretteNicotineMgPerMl", Self.nicotineRange)
        if eCigaretteNicotineMgPerMl != nil, eCigarette != true {
            problems["eCigaretteNicotineMgPerMl"] = Reason(.eCigaretteNicotineWithoutUse)
        }
        whole(yearsSmoked, "yearsSmoked", Self.yearsRange)
        decimal(packYears, "packYears", 0...PackYears.maximum)
        whole(quitAttempts, "quitAttempts", Self.quitAttemptsRange)
        if let raw = longestQuitUnit?.nilIfEmpty {
            if let unit = QuitDurationUnit(rawValue: raw) {
                whole(longestQuit, "longestQuit", 0...unit.maximum)
            } else {
                problems["longestQuitUnit"] = Self.oneOf(QuitDurationUnit.allCases.map(\.rawValue))
            }
        } else {
            kept.longestQuitUnit = nil
            if longestQuit != nil { problems["longestQuitUnit"] = .required }
        }
        if longestQuit != nil, quitAttempts == 0 { problems["longestQuit"] = Reason(.longestQuitWithoutAttempt) }
        if let text = quitDate?.trimmingCharacters(in: .whitespaces), !text.isEmpty {
            do throws(ValidationError) {
                kept.quitDate = try Input.calendarDate(text, field: "quitDate").iso
            } catch {
                problems.merge(error.fields) { first, _ in first }
            }
        } else {
            kept.quitDate = nil
        }
        decimal(weightKg, "weightKg", Self.weightRange)
        if let raw = pregnancy?.nilIfEmpty {
            if PregnancyStatus(rawValue: raw) == nil { problems["pregnancy"] = Self.oneOf(PregnancyStatus.allCases.map(\.rawValue)) }
        } else {
            kept.pregnancy = nil
        }
        whole(craving, "craving", Self.cravingRange)
        if let symptoms = withdrawalSymptoms {
            let parsed = Set(symptoms.compactMap(WithdrawalSymptom.init(rawValue:)))
            if parsed.count != Set(symptoms).count {
                problems["withdrawalSymptoms"] = Self.oneOf(WithdrawalSymptom.allCases.map(\.rawValue))
            }
            kept.withdrawalSymptoms = WithdrawalSymptom.allCases.filter(parsed.contains).map(\.rawValue)
        }
        if let raw = goal?.nilIfEmpty {
            if SmokingGoal(rawValue: raw) == nil { problems["goal"] = Self.oneOf(SmokingGoal.allCases.map(\.rawValue)) }
        } else {
            kept.goal = nil
        }
        let plan = (plan ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        TextRules.checkMultiLine(plan, field: "plan", maxLength: Self.planLength, into: &problems)
        kept.plan = plan.nilIfEmpty

        guard problems.isEmpty else { throw ValidationError(problems) }
        if let packYears {
            figures.packYears = packYears
            figures.packYearsSource = .entered
        } else if let years = yearsSmoked, let perDay = figures.cigaretteEquivalents, perDay > 0 {
            figures.packYears = min(PackYears.compute(cigarettesPerDay: perDay, years: Double(years)), PackYears.maximum)
            figures.packYearsSource = .computed
        }
        return (kept, figures)
    }

    /// Whether the record says the person smokes nothing today: products were asked and every
    /// count is zero.
    public var smokesNothing: Bool {
        guard let products, !products.isEmpty else { return false }
        return products.values.allSatisfy { $0 == 0 }
    }

    /// Whether the record says how much is smoked today: at least one product was asked.
    public var saysConsumption: Bool { !(products ?? [:]).isEmpty }

    /// The record as a form prefills a later consultation's: what stays true from one
    /// consultation to the next (products, history, goal, plan), without what belongs to that
    /// day (the CO reading, the craving and withdrawal symptoms).
    public var carriedForward: ClinicalRecordInput {
        var next = self
        next.coPpm = nil
        next.craving = nil
        next.withdrawalSymptoms = nil
        return next
    }

    static func oneOf(_ options: [String]) -> Reason { Reason(.expectedOneOf, ["options": options.joined(separator: ", ")]) }

    static func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(value)
    }
}

/// Exhaled CO is raised by smoking, but also by carbon monoxide in the home (a faulty boiler,
/// water heater, stove or fireplace, an engine in a closed space) and by smoking cannabis. A high
/// reading in someone who says they do not smoke calls for thinking of domestic CO poisoning,
/// which can kill, before doubting their word.
public enum CarbonMonoxideCheck {
    /// Whether the person says they do not smoke, the most specific word first: the consultation
    /// record of the reading (its products all zero, or some smoked), else their latest declared
    /// status up to the reading (`stopped` at the end of a programme or at a follow-up, or
    /// another), else whether they are an ex-smoker (their record).
    public static func saysNotSmoking(record: ClinicalRecordInput?, latestDeclaredStatus: SmokingOutcome?, exSmoker: Bool) -> Bool {
        if let record, record.saysConsumption { return record.smokesNothing }
        if let latestDeclaredStatus, latestDeclaredStatus != .unknown { return latestDeclaredStatus == .stopped }
        return exSmoker
    }

    /// Whether a reading calls for the prompt: at or above the `co` instrument's abstinence
    /// threshold (10 ppm by default) in someone who says they do not smoke.
    public static func callsForPoisoningPrompt(ppm: Double, thresholdPPM: Double, saysNotSmoking: Bool) -> Bool {
        saysNotSmoking && ppm >= thresholdPPM
    }
}
