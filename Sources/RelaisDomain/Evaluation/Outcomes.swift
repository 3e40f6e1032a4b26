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
    /// The CO reading of the same programme nearest to the status date, at most this many days
    /// before or after it, decides (7 by default: exhaled CO reflects about the last day).
    public var coWindowDays: Int
    /// An assessment taken up to this many days before a programme's first session belongs to it.
    public var entrySlackDays: Int
    /// The end-of-programme status is read from the last group session to this many days after it.
    public var endWindowDays: Int
    /// Counts from 1 to `smallCount - 1` are shown as "< 5" in exports that leave the structure.
    public var smallCount: Int

    public init(reducedThresholdPercent: Double = 50, coThresholdPPM: Double = 10, coWindowDays: Int = 7, entrySlackDays: Int = 30,
                endWindowDays: Int = 60, smallCount: Int = 5) {
        self.reducedThresholdPercent = reducedThresholdPercent
        self.coThresholdPPM = coThresholdPPM
        self.coWindowDays = coWindowDays
        self.entrySlackDays = entrySlackDays
        self.endWindowDays = endWindowDays
        self.smallCount = smallCount
    }

    /// The defaults, with the CO threshold configured for the installation's `co` instrument.
    public init(instruments: InstrumentCatalog, reducedThresholdPercent: Double = 50, coWindowDays: Int = 7, entrySlackDays: Int = 30) {
        self.init(reducedThresholdPercent: reducedThresholdPercent,
                  coThresholdPPM: instruments["co"]?.parameters["abstinence_threshold_ppm"] ?? 10, coWindowDays: coWindowDays,
                  entrySlackDays: entrySlackDays)
    }
}
