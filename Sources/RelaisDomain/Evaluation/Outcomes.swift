/// A smoking status at the end of the programme or at 3 months.
public enum SmokingOutcome: String, Sendable, Codable, CaseIterable {
    case stopped, reduced, unchanged, increased, unknown

    /// The four statuses a respondent can have.
    public static let known: [SmokingOutcome] = [.stopped, .reduced, .unchanged, .increased]
}

/// The choices an evaluation is computed with. Every one is written in the report's definitions.
public struct EvaluationSettings: Sendable, Equatable, Codable {
    /// "Reduced" means at least this many percent fewer cigarettes per day than at entry (50 by default).
    public var reducedThresholdPercent: Double
    /// A CO reading strictly below this many ppm validates a quit (the `co` instrument's
    /// `abstinence_threshold_ppm`, 10 by default: Russell Standard).
    public var coThresholdPPM: Double
    /// A CO reading validates a quit when taken at most this many days before or after the
    /// date of the status, and not before the programme's last group session.
    public var coWindowDays: Int
    /// An assessment taken up to this many days before a programme's first session belongs to it.
    public var entrySlackDays: Int
    /// The end-of-programme status is read from the last group session to this many days after it.
    public var endWindowDays: Int
    /// Counts from 1 to `smallCount - 1` are shown as "< 5" in exports that leave the structure.
    public var smallCount: Int

    public init(reducedThresholdPercent: Double = 50, coThresholdPPM: Double = 10, coWindowDays: Int = 30, entrySlackDays: Int = 30,
                endWindowDays: Int = 60, smallCount: Int = 5) {
        self.reducedThresholdPercent = reducedThresholdPercent
        self.coThresholdPPM = coThresholdPPM
        self.coWindowDays = coWindowDays
        self.entrySlackDays = entrySlackDays
        self.endWindowDays = endWindowDays
        self.smallCount = smallCount
    }

    /// The defaults, with the CO threshold configured for the installation's `co` instrument.
    public init(instruments: InstrumentCatalog, reducedThresholdPercent: Double = 50) {
        self.init(reducedThresholdPercent: reducedThresholdPercent,
                  coThresholdPPM: instruments["co"]?.parameters["abstinence_threshold_ppm"] ?? 10)
    }

    /// Cigarettes per day assumed for a Fagerström / HSI `q4` answered with a band rather than a
    /// number: the middle of the band (1–10, 11–20, 21–30; 31–40 assumed for "31 or more").
    public static let cigaretteBandMidpoints: [String: Double] = ["le10": 5.5, "11to20": 15.5, "21to30": 25.5, "ge31": 35.5]

    /// Classifies a status against the entry, in this order:
    /// 1. 0 cigarettes per day → `stopped`;
    /// 2. nothing declared and no count → `unknown`;
    /// 3. a positive count and a positive entry count → compared: more than at entry →
    ///    `increased`; at most (100 − threshold) % of the entry → `reduced`; else `unchanged`;
    /// 4. otherwise the declared status as is (`stopped` without a count, `reduced`, `unchanged`,
    ///    `increased`), except a declared stop contradicted by a positive count → `unknown`.
    public func classify(declared: String?, cigarettesPerDay: Double?, entryCigarettesPerDay: Double?) -> SmokingOutcome {
        if let count = cigarettesPerDay, count == 0 { return .stopped }
        let status = declared.flatMap(SmokingOutcome.init(rawValue:)).flatMap { $0 == .unknown ? nil : $0 }
        if status == nil && cigarettesPerDay == nil { return .unknown }
        if let count = cigarettesPerDay, count > 0, let entry = entryCigarettesPerDay, entry > 0 {
            if count > entry { return .increased }
            if count <= entry * (1 - reducedThresholdPercent / 100) + 1e-9 { return .reduced }
            return .unchanged
        }
        guard let status else { return .unknown }
        if status == .stopped, let count = cigarettesPerDay, count > 0 { return .unknown }
        return status
    }
}
