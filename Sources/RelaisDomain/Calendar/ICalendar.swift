import Foundation

/// One entry of a staff calendar feed: a collective session, a consultation.
public struct CalendarEvent: Sendable, Equatable {
    /// Stable across updates (e.g. `session-<id>@<host>`): calendar clients match on it.
    public var uid: String
    public var start: Date
    public var end: Date
    public var summary: String
    public var description: String?
    public var location: String?
    public var url: String?
    /// A cancelled event stays in the feed with STATUS:CANCELLED, so that subscribed calendars remove it.
    public var cancelled: Bool
    /// Incremented on every change of time or place (RFC 5545 3.8.7.4).
    public var sequence: Int
    public var lastModified: Date

    public init(uid: String, start: Date, end: Date, summary: String, description: String? = nil, location: String? = nil,
                url: String? = nil, cancelled: Bool = false, sequence: Int = 0, lastModified: Date) {
        self.uid = uid
        self.start = start
        self.end = end
        self.summary = summary
        self.description = description
        self.location = location
        self.url = url
        self.cancelled = cancelled
        self.sequence = sequence
        self.lastModified = lastModified
    }
}

/// iCalendar (RFC 5545) feeds for the staff: each programme and each facilitator can subscribe
/// to one from their usual calendar.
public enum ICalendar {
    /// The whole feed, lines ending in CRLF. Times are given in `timeZone` with a VTIMEZONE built
    /// from the system time zone data, so that clients show 18:00 as 18:00 on both sides of a DST
    /// change even when their own rules are outdated. Events are written in the order given.
    public static func feed(name: String, timeZone: TimeZone, events: [CalendarEvent], now: Date) -> String {
        var lines = [
            "BEGIN:VCALENDAR",
            "VERSION:2.0",
            "PRODID:-//Relais//Relais 0.1//FR",
            "CALSCALE:GREGORIAN",
            "METHOD:PUBLISH",
            "X-WR-CALNAME:" + escape(name),
            "X-WR-TIMEZONE:" + timeZone.identifier,
        ]
        let instants = events.flatMap { [$0.start, $0.end] }
        lines += timeZoneLines(timeZone, from: instants.min() ?? now, to: instants.max() ?? now)
        for event in events {
            lines.append("BEGIN:VEVENT")
            lines.append("UID:" + escape(event.uid))
            lines.append("DTSTAMP:" + utcBasic(now))
            lines.append("DTSTART" + localProperty(event.start, timeZone))
            lines.append("DTEND" + localProperty(event.end, timeZone))
            lines.append("SUMMARY:" + escape(event.summary))
            if let description = event.description { lines.append("DESCRIPTION:" + escape(description)) }
            if let location = event.location { lines.append("LOCATION:" + escape(location)) }
            // A URI value is not TEXT: no backslash escaping, but a line break must not get through.
            if let url = event.url { lines.append("URL:" + url.filter { $0 != "\r" && $0 != "\n" && $0 != "\r\n" }) }
            lines.append("SEQUENCE:\(event.sequence)")
            lines.append("LAST-MODIFIED:" + utcBasic(event.lastModified))
            lines.append("STATUS:" + (event.cancelled ? "CANCELLED" : "CONFIRMED"))
            lines.append("END:VEVENT")
        }
        lines.append("END:VCALENDAR")
        return lines.map { fold($0) + "\r\n" }.joined()
    }

    /// TEXT escaping (RFC 5545 3.3.11): backslash, semicolon, comma, and any line break as `\n`.
    static func escape(_ text: String) -> String {
        var out = ""
        var previousWasCR = false
        for scalar in text.unicodeScalars {
            defer { previousWasCR = scalar == "\r" }
            switch scalar {
            case "\\": out += "\\\\"
            case ";": out += "\\;"
            case ",": out += "\\,"
            case "\r": out += "\\n"
            case "\n": if !previousWasCR { out += "\\n" }
            default:
                // Other control characters are not allowed in TEXT (3.3.11); a tab is.
                if (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F { continue }
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// Splits a content line into lines of at most 75 octets (3.1), continuation lines starting
    /// with a space, never inside a UTF-8 sequence.
    static func fold(_ line: String) -> String {
        guard line.utf8.count > 75 else { return line }
        var result = ""
        var octets = 0
        var limit = 75
        for scalar in line.unicodeScalars {
            let size = String(scalar).utf8.count
            if octets + size > limit {
                result += "\r\n "
                octets = 1
                limit = 75
            }
            result.unicodeScalars.append(scalar)
            octets += size
        }
        return result
    }

    /// `;TZID=Europe/Paris:20261022T180000`, or `:20261025T003000Z` for the rare instant whose
    /// local time cannot name it alone (the second 02:30 of the autumn change, a time with seconds).
    private static func localProperty(_ instant: Date, _ timeZone: TimeZone) -> String {
        let local = LocalDateTime(instant, in: timeZone)
        guard local.instant(in: timeZone) == instant else { return ":" + utcBasic(instant) }
        return ";TZID=\(timeZone.identifier):" + basic(local.date) + "T" + LocalDateTime.twoDigits(local.hour)
            + LocalDateTime.twoDigits(local.minute) + "00"
    }

    /// `20261022T160000Z`.
    static func utcBasic(_ instant: Date) -> String {
        let p = UTCText.parts(instant)
        return basic(p.date) + "T" + LocalDateTime.twoDigits(p.hour) + LocalDateTime.twoDigits(p.minute)
            + LocalDateTime.twoDigits(p.second) + "Z"
    }

    private static func basic(_ date: CalendarDate) -> String { date.iso.replacingOccurrences(of: "-", with: "") }

    /// A VTIMEZONE covering `from...to`: the observance in force at `from` (the last transition
    /// before it, found by walking forward from a year earlier, since Foundation only looks ahead)
    /// and every transition up to `to`. Each transition is its own STANDARD or DAYLIGHT component
    /// without RRULE, which RFC 5545 allows and which cannot disagree with the zone data.
    private static func timeZoneLines(_ timeZone: TimeZone, from: Date, to: Date) -> [String] {
        var transitions: [Date] = []
        var cursor = from.addingTimeInterval(-366 * 86_400)
        var previous: Date?
        while let next = timeZone.nextDaylightSavingTimeTransition(after: cursor), next <= to {
            if next <= from { previous = next } else { transitions.append(next) }
            cursor = next
        }
        var lines = ["BEGIN:VTIMEZONE", "TZID:" + timeZone.identifier]
        if let previous {
            transitions.insert(previous, at: 0)
        }
        if transitions.isEmpty {
            // No change near the events (UTC, Asia/Tokyo, or a zone without DST): one fixed observance.
            let offset = offsetText(timeZone.secondsFromGMT(for: from))
            lines += ["BEGIN:STANDARD", "DTSTART:19700101T000000", "TZOFFSETFROM:" + offset, "TZOFFSETTO:" + offset,
                      "TZNAME:" + (timeZone.abbreviation(for: from) ?? offset), "END:STANDARD"]
        } else {
            if previous == nil {
                // The events start more than a year after the last change (or the zone changed
                // once): state the offset in force before the first transition listed.
                let first = transitions[0].addingTimeInterval(-1)
                let offset = offsetText(timeZone.secondsFromGMT(for: first))
                let kind = timeZone.isDaylightSavingTime(for: first) ? "DAYLIGHT" : "STANDARD"
                lines += ["BEGIN:\(kind)", "DTSTART:19700101T000000", "TZOFFSETFROM:" + offset, "TZOFFSETTO:" + offset,
                          "TZNAME:" + (timeZone.abbreviation(for: first) ?? offset), "END:\(kind)"]
            }
            for transition in transitions {
                let before = timeZone.secondsFromGMT(for: transition.addingTimeInterval(-1))
                let after = timeZone.secondsFromGMT(for: transition)
                let kind = timeZone.isDaylightSavingTime(for: transition) ? "DAYLIGHT" : "STANDARD"
                // DTSTART is the local time of the change in the offset that was in force until then.
                let onset = UTCText.parts(transition.addingTimeInterval(TimeInterval(before)))
                lines += ["BEGIN:\(kind)",
                          "DTSTART:" + basic(onset.date) + "T" + LocalDateTime.twoDigits(onset.hour)
                              + LocalDateTime.twoDigits(onset.minute) + LocalDateTime.twoDigits(onset.second),
                          "TZOFFSETFROM:" + offsetText(before), "TZOFFSETTO:" + offsetText(after),
                          "TZNAME:" + (timeZone.abbreviation(for: transition) ?? offsetText(after)), "END:\(kind)"]
            }
        }
        lines.append("END:VTIMEZONE")
        return lines
    }

    /// `+0200`, `-0330`, `+053328` (3.3.14: seconds only when not zero).
    private static func offsetText(_ seconds: Int) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let value = abs(seconds)
        let hours = value / 3_600, minutes = value % 3_600 / 60, rest = value % 60
        return sign + LocalDateTime.twoDigits(hours) + LocalDateTime.twoDigits(minutes) + (rest == 0 ? "" : LocalDateTime.twoDigits(rest))
    }
}
