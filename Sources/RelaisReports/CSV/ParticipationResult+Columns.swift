import RelaisDomain

/// The columns of `participants.csv` that name the end and the primary follow-up, read from the
/// participation's time points.
extension ParticipationResult {
    var end: TimePointResult? { timePoint("end") }
    /// The 3-month follow-up, or the first one.
    var primaryFollowUp: TimePointResult? { timePoint("m3") ?? timePoints.first { $0.months > 0 } }

    var endEligible: Bool { end?.due ?? false }
    var endAnswered: Bool { end?.answered ?? false }
    var endStatus: String { Self.status(end) }
    var endCOValidated: Bool { end?.co == .validated }
    var followUpDue: CalendarDate? { primaryFollowUp?.dueOn }
    var followUpEligible: Bool { primaryFollowUp?.due ?? false }
    var followUpAnswered: Bool { primaryFollowUp?.answered ?? false }
    var followUpStatus: String { Self.status(primaryFollowUp) }
    var followUpCigarettes: Double? { primaryFollowUp?.cigarettesPerDay }
    var followUpCOValidated: Bool { primaryFollowUp?.co == .validated }
    var followUpUnreachable: Bool { primaryFollowUp?.unreachable ?? false }
    var cigarettesEntry: Double? { entryConsumption?.exact }
    var cigarettesEntryEstimated: Bool { entryConsumption.map { $0.exact == nil } ?? false }

    /// A smoker's status, or an ex-smoker's.
    static func status(_ point: TimePointResult?) -> String {
        point?.smoker?.rawValue ?? point?.exSmoker?.rawValue ?? SmokingOutcome.unknown.rawValue
    }
}
