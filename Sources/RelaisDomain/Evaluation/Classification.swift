/// What a participant said at a time point: the status they declared and the cigarettes (or
/// equivalents) a day they gave, either possibly missing.
public struct StatusAnswer: Sendable, Equatable {
    public var declared: SmokingOutcome?
    public var cigarettesPerDay: Double?
    /// They answered that they had smoked again after stopping (follow-ups ask it).
    public var relapseDeclared: Bool

    public init(declared: SmokingOutcome?, cigarettesPerDay: Double?, relapseDeclared: Bool = false) {
        self.declared = declared == .unknown ? nil : declared
        self.cigarettesPerDay = cigarettesPerDay
        self.relapseDeclared = relapseDeclared
    }

    public var isEmpty: Bool { declared == nil && cigarettesPerDay == nil }
}

/// How an ex-smoker at entry stands at a time point: they are never in the quit or reduction rates.
public enum ExSmokerOutcome: String, Sendable, Codable, CaseIterable {
    case abstinenceMaintained = "abstinence_maintained"
    case relapsed, unknown
}

/// A smoker's classified status, and whether it rests on an entry known only as a band (the
/// report says how many were estimated that way).
public struct Classification: Sendable, Equatable {
    public var outcome: SmokingOutcome
    public var estimated: Bool

    public init(_ outcome: SmokingOutcome, estimated: Bool = false) {
        self.outcome = outcome
        self.estimated = estimated
    }
}

/// What an exhaled CO reading says of a declared stop (Russell Standard, West et al. 2005).
public enum COCheck: String, Sendable, Codable, CaseIterable {
    /// The nearest reading is below the threshold.
    case validated
    /// The nearest reading is at or above it: not abstinent in the validated rate.
    case notAbstinent = "not_abstinent"
    /// No reading of the programme in the window ("non mesuré"): shown as such, not as a failure.
    case notMeasured = "not_measured"
}

/// One exhaled CO reading.
public struct COReading: Sendable, Equatable {
    public var date: CalendarDate
    public var ppm: Double

    public init(date: CalendarDate, ppm: Double) {
        self.date = date
        self.ppm = ppm
    }
}

/// The classification of statuses, pure and written out in the report's definitions.
public struct OutcomeClassifier: Sendable {
    public var reducedThresholdPercent: Double
    public var coThresholdPPM: Double
    public var coWindowDays: Int

    public init(reducedThresholdPercent: Double = 50, coThresholdPPM: Double = 10, coWindowDays: Int = 7) {
        self.reducedThresholdPercent = reducedThresholdPercent
        self.coThresholdPPM = coThresholdPPM
        self.coWindowDays = coWindowDays
    }

    /// A smoker at entry:
    /// 1. `stopped` only when declared stopped and no positive count is given;
    /// 2. no count: the declared status stands (`unknown` when nothing was answered);
    /// 3. with a count, against an exact entry count: more than at entry → `increased`; at least
    ///    the threshold fewer → `reduced` (so a count of 0 with a declared reduction is `reduced`);
    ///    else `unchanged`. A declared stop with a positive count is classified by the count;
    /// 4. against an entry known only as a band, a reduction or an increase is asserted only when
    ///    it holds for every count of the band; otherwise the declared status stands (`unchanged`
    ///    when it was a stop contradicted by the count, or nothing), and the result is estimated;
    /// 5. with no entry count to compare with, the declared status stands, except a stop
    ///    contradicted by the count, which is `unknown`.
    public func smoker(_ answer: StatusAnswer?, entry: Consumption?) -> Classification {
        guard let answer, !answer.isEmpty else { return Classification(.unknown) }
        let declared = answer.declared
        guard let count = answer.cigarettesPerDay else { return Classification(declared ?? .unknown) }
        if declared == .stopped && count == 0 { return Classification(.stopped) }
        // A stop contradicted by a positive count says nothing more than the count.
        let usable = declared == .stopped ? nil : declared
        let kept = 1 - reducedThresholdPercent / 100
        switch entry {
        case .exact(let entry)? where entry > 0:
            if count > entry { return Classification(.increased) }
            if count <= entry * kept + 1e-9 { return Classification(.reduced) }
            return Classification(.unchanged)
        case .band(let low, let high)?:
            if count <= low * kept + 1e-9 { return Classification(.reduced) }
            if let high, count > high { return Classification(.increased) }
            return Classification(usable ?? .unchanged, estimated: true)
        default:
            if declared == .stopped { return Classification(.unknown) }
            return Classification(usable ?? .unknown)
        }
    }

    /// An ex-smoker at entry: abstinent when they declare a stop (or answer "unchanged") with no
    /// positive count and no relapse since; relapsed when they give a positive count, declare a
    /// reduction or an increase, or a relapse; unknown otherwise.
    public func exSmoker(_ answer: StatusAnswer?) -> ExSmokerOutcome {
        guard let answer, !answer.isEmpty else { return .unknown }
        if answer.relapseDeclared { return .relapsed }
        if let count = answer.cigarettesPerDay, count > 0 { return .relapsed }
        switch answer.declared {
        case .reduced?, .increased?: return .relapsed
        case .stopped?: return .abstinenceMaintained
        default: return answer.cigarettesPerDay == 0 ? .abstinenceMaintained : .unknown
        }
    }

    /// "Maintained" (the funder's "l'ayant maintenu dans la durée"): stopped at the end of the
    /// programme and at the follow-up, with no relapse declared in between.
    public func maintainedStopped(end: Classification, followUp: Classification, followUpAnswer: StatusAnswer?) -> Bool {
        end.outcome == .stopped && followUp.outcome == .stopped && !(followUpAnswer?.relapseDeclared ?? false)
    }

    /// The reading of the programme nearest to the status date within ±`coWindowDays` decides:
    /// below the threshold validates, at or above does not; none is "not measured". Two readings
    /// as near: the higher one (the prudent choice).
    public func coCheck(statusDate: CalendarDate, readings: [COReading]) -> COCheck {
        let near = readings.filter { abs($0.date.dayNumber - statusDate.dayNumber) <= coWindowDays }
        guard let nearest = near.min(by: { first, second in
            let (a, b) = (abs(first.date.dayNumber - statusDate.dayNumber), abs(second.date.dayNumber - statusDate.dayNumber))
            return a != b ? a < b : first.ppm > second.ppm
        }) else { return .notMeasured }
        return nearest.ppm < coThresholdPPM ? .validated : .notAbstinent
    }
}
