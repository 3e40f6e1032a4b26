import Foundation
import Testing
@testable import RelaisDomain

@Suite("iCalendar feeds")
struct ICalendarTests {
    static let longFrench = "Séance 1 : évaluer sa dépendance physique (test de Fagerström, CO expiré) ; apporter ses questions, "
        + "son carnet de consommation et, si possible, ses traitements en cours.\nSalle « Émile Zola », 2e étage — accès PMR.\n"
        + "Animée par une tabacologue et un pair aidant ; café et eau offerts. Chemin : C:\\Relais\\plan.pdf"

    static let events = [
        CalendarEvent(uid: "session-1@relais.example", start: utc("2026-10-22T16:00"), end: utc("2026-10-22T18:00"),
                      summary: "Sevrage tabagique, séance 1", description: longFrench, location: "Centre de santé, 12 rue de la Paix, Lyon",
                      url: "https://relais.example/programmes/p1?s=1,2", sequence: 2, lastModified: utc("2026-10-01T08:30")),
        CalendarEvent(uid: "session-3@relais.example", start: utc("2026-11-05T17:00"), end: utc("2026-11-05T19:00"),
                      summary: "Sevrage tabagique, séance 3", cancelled: true, sequence: 1, lastModified: utc("2026-10-30T09:00")),
    ]

    static let feed = ICalendar.feed(name: "Programme novembre, Lyon", timeZone: paris, events: events, now: utc("2026-10-20T12:00"))

    /// Content lines after unfolding (RFC 5545 3.1).
    static var unfolded: [String] {
        var lines = feed.replacingOccurrences(of: "\r\n ", with: "").components(separatedBy: "\r\n")
        lines.removeLast()
        return lines
    }

    static func unescape(_ text: String) -> String {
        var out = "", escaping = false
        for character in text {
            if escaping {
                out.append(character == "n" || character == "N" ? "\n" : character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else {
                out.append(character)
            }
        }
        return out
    }

    @Test func linesEndWithCRLFAndHaveAtMost75Octets() {
        #expect(Self.feed.hasSuffix("END:VCALENDAR\r\n"))
        let withoutCRLF = Self.feed.replacingOccurrences(of: "\r\n", with: "")
        #expect(!withoutCRLF.contains("\n") && !withoutCRLF.contains("\r"), "no bare LF or CR")
        let physical = Self.feed.components(separatedBy: "\r\n").dropLast()
        for line in physical {
            #expect(line.utf8.count <= 75, "\(line)")
        }
        #expect(physical.contains { $0.hasPrefix(" ") }, "the long description was folded")
    }

    @Test func foldingNeverSplitsAUTF8Character() {
        for text in [String(repeating: "é", count: 100), String(repeating: "🚭", count: 60), "DESCRIPTION:" + String(repeating: "aé€🚭", count: 30)] {
            let folded = ICalendar.fold(text)
            var bytes = Array(folded.utf8)[...]
            var rebuilt = ""
            while !bytes.isEmpty {
                let end = bytes.firstRange(of: Array("\r\n ".utf8))?.lowerBound ?? bytes.endIndex
                let chunk = bytes[bytes.startIndex..<end]
                #expect(chunk.count <= 75 - (rebuilt.isEmpty ? 0 : 1))
                let piece = String(validating: chunk, as: UTF8.self)
                #expect(piece != nil, "a chunk is not valid UTF-8")
                rebuilt += piece ?? ""
                bytes = end == bytes.endIndex ? [] : bytes[(end + 3)...]
            }
            #expect(rebuilt == text)
        }
    }

    @Test func longFrenchTextUnfoldsBackToTheOriginal() throws {
        let line = try #require(Self.unfolded.first { $0.hasPrefix("DESCRIPTION:") })
        #expect(Self.unescape(String(line.dropFirst("DESCRIPTION:".count))) == Self.longFrench)
    }

    @Test func textIsEscaped() throws {
        #expect(ICalendar.escape("a,b;c\\d\ne\r\nf") == #"a\,b\;c\\d\ne\nf"#)
        #expect(Self.unfolded.contains(#"X-WR-CALNAME:Programme novembre\, Lyon"#))
        #expect(Self.unfolded.contains(#"LOCATION:Centre de santé\, 12 rue de la Paix\, Lyon"#))
        #expect(Self.unfolded.contains("URL:https://relais.example/programmes/p1?s=1,2"), "a URI is not TEXT")
        let line = try #require(Self.unfolded.first { $0.hasPrefix("DESCRIPTION:") })
        #expect(line.contains(#"(test de Fagerström\, CO expiré) \; apporter"#))
        #expect(line.contains(#"traitements en cours.\nSalle"#))
        #expect(line.contains(#"C:\\Relais\\plan.pdf"#))
    }

    @Test func headerAndEvents() {
        let lines = Self.unfolded
        #expect(Array(lines.prefix(7)) == [
            "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Relais//Relais 0.1//FR", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
            #"X-WR-CALNAME:Programme novembre\, Lyon"#, "X-WR-TIMEZONE:Europe/Paris",
        ])
        #expect(lines.filter { $0 == "BEGIN:VEVENT" }.count == 2)
        #expect(lines.filter { $0 == "DTSTAMP:20261020T120000Z" }.count == 2)
        for expected in ["UID:session-1@relais.example", "SUMMARY:Sevrage tabagique\\, séance 1", "SEQUENCE:2",
                         "LAST-MODIFIED:20261001T083000Z", "STATUS:CONFIRMED", "SEQUENCE:1", "STATUS:CANCELLED"] {
            #expect(lines.contains(expected), "\(expected)")
        }
    }

    @Test func aCancelledEventIsMarkedCancelled() throws {
        let lines = Self.unfolded
        let begin = try #require(lines.firstIndex(of: "UID:session-3@relais.example"))
        let end = try #require(lines[begin...].firstIndex(of: "END:VEVENT"))
        #expect(lines[begin..<end].contains("STATUS:CANCELLED"))
        #expect(!lines[begin..<end].contains("STATUS:CONFIRMED"))
    }

    @Test func startsAndEndsCarryTheTimeZoneAndLocalTime() {
        let lines = Self.unfolded
        #expect(lines.contains("DTSTART;TZID=Europe/Paris:20261022T180000"))
        #expect(lines.contains("DTEND;TZID=Europe/Paris:20261022T200000"))
        #expect(lines.contains("DTSTART;TZID=Europe/Paris:20261105T180000"), "same local hour after the DST change")
        #expect(lines.contains("DTEND;TZID=Europe/Paris:20261105T200000"))
    }

    @Test func theTimeZoneHasADaylightAndAStandardPartForOctoberToNovember() throws {
        let lines = Self.unfolded
        let begin = try #require(lines.firstIndex(of: "BEGIN:VTIMEZONE"))
        let end = try #require(lines.firstIndex(of: "END:VTIMEZONE"))
        let zone = Array(lines[begin...end])
        #expect(zone.contains("TZID:Europe/Paris"))
        #expect(zone.contains("BEGIN:DAYLIGHT") && zone.contains("BEGIN:STANDARD"))
        let daylight = try #require(zone.firstIndex(of: "BEGIN:DAYLIGHT"))
        #expect(Array(zone[(daylight + 1)...(daylight + 3)]) == ["DTSTART:20260329T020000", "TZOFFSETFROM:+0100", "TZOFFSETTO:+0200"])
        let standard = try #require(zone.firstIndex(of: "BEGIN:STANDARD"))
        #expect(Array(zone[(standard + 1)...(standard + 3)]) == ["DTSTART:20261025T030000", "TZOFFSETFROM:+0200", "TZOFFSETTO:+0100"])
        #expect(zone.filter { $0.hasPrefix("TZNAME:") }.count == 2)
        #expect(begin < lines.firstIndex(of: "BEGIN:VEVENT")!)
    }

    @Test func aZoneWithoutChangesHasOneStandardPart() {
        let tokyo = TimeZone(identifier: "Asia/Tokyo")!
        let feed = ICalendar.feed(name: "Tokyo", timeZone: tokyo, events: Array(Self.events.prefix(1)), now: utc("2026-10-20T12:00"))
        let lines = feed.components(separatedBy: "\r\n")
        #expect(lines.filter { $0 == "BEGIN:STANDARD" }.count == 1 && !lines.contains("BEGIN:DAYLIGHT"))
        #expect(lines.contains("TZID:Asia/Tokyo") && lines.contains("TZOFFSETFROM:+0900") && lines.contains("TZOFFSETTO:+0900"))
        #expect(lines.contains("DTSTART;TZID=Asia/Tokyo:20261023T010000"))
    }

    @Test func theSecondOccurrenceOfARepeatedTimeIsGivenInUTC() {
        // 25 October 2026: 02:30 CET (01:30Z) cannot be named by a local time, which means 02:30 CEST.
        let event = CalendarEvent(uid: "night@relais.example", start: utc("2026-10-25T01:30"), end: utc("2026-10-25T02:30"),
                                  summary: "Test", lastModified: utc("2026-10-01T00:00"))
        let lines = ICalendar.feed(name: "n", timeZone: paris, events: [event], now: utc("2026-10-01T00:00")).components(separatedBy: "\r\n")
        #expect(lines.contains("DTSTART:20261025T013000Z"))
        #expect(lines.contains("DTEND;TZID=Europe/Paris:20261025T033000"))
    }
}
