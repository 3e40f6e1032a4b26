import Foundation

/// The rules that keep the record in time order: nothing is recorded as done before it
/// happened, sessions keep their order, consultations fall within their programme and
/// assessments near the participant's programmes. Each answers the reason to refuse, or nil.
/// Dates in the reasons are local ISO values, which pages write out in words.
public enum TimeGuards {
    /// Attendance is recorded from the session's start, never before (recording it early
    /// would send the end-of-programme questionnaires before the programme ends).
    public static func attendance(sessionNumber: Int, startsAt: Date, zone: TimeZone, now: Date) -> Reason? {
        guard now < startsAt else { return nil }
        return Reason(.sessionNotStarted, ["number": String(sessionNumber), "start": LocalDateTime(startsAt, in: zone).iso])
    }

    /// A consultation is marked done from its start, never before.
    public static func consultationDone(startsAt: Date, zone: TimeZone, now: Date) -> Reason? {
        guard now < startsAt else { return nil }
        return Reason(.consultationNotStarted, ["start": LocalDateTime(startsAt, in: zone).iso])
    }

    /// A consultation's clinical record is written from its start, never before: the same rule
    /// as marking it done, with its own sentence.
    public static func consultationRecord(startsAt: Date, zone: TimeZone, now: Date) -> Reason? {
        guard consultationDone(startsAt: startsAt, zone: zone, now: now) != nil else { return nil }
        return Reason(.consultationRecordNotStarted, ["start": LocalDateTime(startsAt, in: zone).iso])
    }

    /// A session moved to `start` stays after the previous session and before the next one
    /// (cancelled sessions keep no place in the order).
    public static func sessionOrder(start: Date, previous: Date?, next: Date?, zone: TimeZone) -> Reason? {
        if let previous, start <= previous { return Reason(.sessionBeforePrevious, ["previous": LocalDateTime(previous, in: zone).iso]) }
        if let next, start >= next { return Reason(.sessionAfterNext, ["next": LocalDateTime(next, in: zone).iso]) }
        return nil
    }

    /// A consultation of a programme takes place on or after the day of its first session
    /// (the same day is allowed: an interview just before the first group session).
    public static func consultation(start: Date, firstSession: Date?, zone: TimeZone) -> Reason? {
        guard let firstSession else { return nil }
        let first = LocalDateTime(firstSession, in: zone).date
        guard LocalDateTime(start, in: zone).date < first else { return nil }
        return Reason(.consultationBeforeProgramme, ["first": first.iso])
    }

    /// An assessment is dated today at the latest, and at most `slackDays` before the
    /// participant's first programme (`firstEntry`: the earlier of its first session and the
    /// enrolment request; nil when the participant has none yet, which leaves only the first rule).
    public static func assessmentDate(_ date: CalendarDate, today: CalendarDate, firstEntry: CalendarDate?, slackDays: Int) -> Reason? {
        if date > today { return Reason(.dateInFuture) }
        if let firstEntry, date < firstEntry.addingDays(-slackDays) {
            return Reason(.assessmentBeforeEnrolment, ["days": String(slackDays), "first": firstEntry.iso])
        }
        return nil
    }
}
