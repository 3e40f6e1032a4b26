import Foundation

/// How the collective sessions of a programme follow one another.
public enum Cadence: Sendable, Equatable {
    /// Every `cadence_days` of the template (7 for the shipped programmes).
    case weekly
    /// Every N days.
    case everyDays(Int)
    /// One local date and time per session, e.g. when a session must skip the school holidays.
    case explicit([LocalDateTime])

    /// Parses a command-line or form value: `weekly`, `every:14`, or comma-separated local times
    /// `2026-11-04T18:00,2026-11-12T18:00,…`. Returns nil for anything else; the counts and order
    /// of explicit dates are checked by the planner, which knows the template.
    public init?(argument: String) {
        let text = argument.trimmingCharacters(in: .whitespaces)
        if text == "weekly" {
            self = .weekly
        } else if text.hasPrefix("every:") {
            let digits = text.dropFirst("every:".count)
            guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let days = Int(digits), days >= 1 else { return nil }
            self = .everyDays(days)
        } else {
            var times: [LocalDateTime] = []
            for part in text.split(separator: ",", omittingEmptySubsequences: false) {
                guard let time = LocalDateTime(iso: part.trimmingCharacters(in: .whitespaces)) else { return nil }
                times.append(time)
            }
            guard !times.isEmpty else { return nil }
            self = .explicit(times)
        }
    }
}

/// One collective session as planned: its local time (what participants are told), the UTC
/// instants that are stored, and a warning when the day is a public holiday.
public struct PlannedSession: Sendable, Equatable, Encodable {
    public var index: Int
    /// `group` for a collective session.
    public var kind: String
    public var localStart: LocalDateTime
    public var start: Date
    public var end: Date
    /// The public holiday's name if the session falls on one.
    public var holiday: String?
    /// For a session on a holiday: the next day at the same local time that is neither a holiday
    /// nor a Sunday. Only a proposal: the facilitator decides, and conflicts are checked when booking.
    public var proposedShift: LocalDateTime?
    /// The instant of `proposedShift`, which the JSON gives as `proposedShift` (API instants are UTC).
    public var proposedShiftStart: Date?

    public init(index: Int, kind: String = "group", localStart: LocalDateTime, start: Date, end: Date,
                holiday: String? = nil, proposedShift: LocalDateTime? = nil, proposedShiftStart: Date? = nil) {
        self.index = index
        self.kind = kind
        self.localStart = localStart
        self.start = start
        self.end = end
        self.holiday = holiday
        self.proposedShift = proposedShift
        self.proposedShiftStart = proposedShiftStart
    }

    enum CodingKeys: String, CodingKey {
        case index, kind, start, end, holiday, proposedShift
    }

    /// `{"index":1,"kind":"group","start":"…Z","end":"…Z","holiday":null}`: `holiday` is always
    /// present so that scripts can test it, `proposedShift` only with a holiday.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(kind, forKey: .kind)
        try container.encode(UTCText.iso(start), forKey: .start)
        try container.encode(UTCText.iso(end), forKey: .end)
        if let holiday {
            try container.encode(holiday, forKey: .holiday)
            if let proposedShiftStart { try container.encode(UTCText.iso(proposedShiftStart), forKey: .proposedShift) }
        } else {
            try container.encodeNil(forKey: .holiday)
        }
    }
}

/// The collective sessions of a programme and the date its follow-up falls due.
public struct Plan: Sendable, Equatable, Encodable {
    public var sessions: [PlannedSession]
    public var followUpDue: CalendarDate

    public init(sessions: [PlannedSession], followUpDue: CalendarDate) {
        self.sessions = sessions
        self.followUpDue = followUpDue
    }
}

/// Turns a template, a first session and a cadence into dated sessions.
public enum Planner {
    /// Plans the collective sessions of `template` from `start` (local time in `timeZone`).
    /// Each session keeps the local wall-clock time of the first, so its UTC instant moves by an
    /// hour across a DST change. Sessions on a public holiday are flagged with a proposed shift,
    /// not moved: the facilitator decides.
    public static func plan(template: ProgrammeTemplate, start: LocalDateTime, timeZone: TimeZone,
                            cadence: Cadence = .weekly) throws(ValidationError) -> Plan {
        let count = template.sessions.count
        guard DateWindow.contains(start.date) else { throw ValidationError(field: "start", DateWindow.reason) }
        let times: [LocalDateTime]
        switch cadence {
        case .weekly:
            times = spaced(from: start, days: template.cadenceDays, count: count)
        case .everyDays(let days):
            guard (1...90).contains(days) else {
                throw ValidationError(field: "cadence", .cadenceEveryRange, ["days": String(days), "min": "1", "max": "90"])
            }
            times = spaced(from: start, days: days, count: count)
        case .explicit(let list):
            guard list.count == count else {
                throw ValidationError(field: "cadence", .cadenceCount, ["template": template.id, "sessions": String(count), "given": String(list.count)])
            }
            for (earlier, later) in zip(list, list.dropFirst()) where earlier >= later {
                throw ValidationError(field: "cadence", .cadenceOrder, ["earlier": earlier.iso, "later": later.iso])
            }
            guard list.first == start else {
                throw ValidationError(field: "cadence", .cadenceFirst, ["first": list[0].iso, "start": start.iso])
            }
            times = list
        }
        if let outside = times.first(where: { !DateWindow.contains($0.date) }) {
            throw ValidationError(field: "cadence", .cadenceWindow, ["date": outside.iso].merging(DateWindow.reason.parameters) { $1 })
        }
        let sessions = zip(template.sessions, times).map { session, local in
            let instant = local.instant(in: timeZone)
            let holiday = FrenchHolidays.holiday(on: local.date)
            let shift = holiday.map { _ in proposedShift(for: local) }
            return PlannedSession(index: session.index, kind: "group", localStart: local, start: instant,
                                  end: instant.addingTimeInterval(TimeInterval(session.durationMinutes * 60)),
                                  holiday: holiday, proposedShift: shift, proposedShiftStart: shift?.instant(in: timeZone))
        }
        return Plan(sessions: sessions, followUpDue: followUpDue(lastSession: times[times.count - 1].date, months: template.primaryFollowUp.months))
    }

    /// The follow-up due date: `months` calendar months after the last session's local date,
    /// clamped to the end of a shorter month (Nov 30 + 3 months = Feb 28, Feb 29 in a leap year).
    public static func followUpDue(lastSession: CalendarDate, months: Int) -> CalendarDate {
        lastSession.addingMonths(months)
    }

    /// `count` local times `days` apart, all at the start's wall-clock time.
    private static func spaced(from start: LocalDateTime, days: Int, count: Int) -> [LocalDateTime] {
        (0..<count).map { LocalDateTime(date: start.date.addingDays($0 * days), sameTimeAs: start) }
    }

    /// The next day at the same local time that is neither a public holiday nor a Sunday.
    static func proposedShift(for local: LocalDateTime) -> LocalDateTime {
        var date = local.date.addingDays(1)
        while date.weekday == 7 || FrenchHolidays.holiday(on: date) != nil { date = date.addingDays(1) }
        return LocalDateTime(date: date, sameTimeAs: local)
    }
}
