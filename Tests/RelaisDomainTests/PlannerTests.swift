import Foundation
import Testing
@testable import RelaisDomain

/// Protocols/, the parent of the instruments folder.
let protocolsRoot = protocolsFolder.deletingLastPathComponent()

/// A shipped programme template, decoded as the daemon would.
func shippedTemplate(_ id: String) throws -> ProgrammeTemplate {
    let path = protocolsRoot.appendingPathComponent("programme-\(id).json").path
    return try ProgrammeTemplate.decode(try Data(contentsOf: URL(fileURLWithPath: path)), file: path)
}

let paris = TimeZone(identifier: "Europe/Paris")!

func local(_ text: String) -> LocalDateTime { LocalDateTime(iso: text)! }

func utc(_ text: String) -> Date {
    let date = CalendarDate(iso: String(text.prefix(10)))!
    let time = text.dropFirst(11).prefix(5).split(separator: ":").map { Int($0)! }
    return Date(timeIntervalSince1970: TimeInterval(date.dayNumber * 86_400 + time[0] * 3_600 + time[1] * 60))
}

@Suite("Planner")
struct PlannerTests {
    @Test func aWeeklySessionKeepsItsLocalHourAcrossTheOctoberChange() throws {
        let start = local("2026-10-22T18:00")
        #expect(start.date.weekday == 4) // a Thursday
        let plan = try Planner.plan(template: try shippedTemplate("3g2i"), start: start, timeZone: paris)
        #expect(plan.sessions.map(\.start) == [utc("2026-10-22T16:00"), utc("2026-10-29T17:00"), utc("2026-11-05T17:00")])
        #expect(plan.sessions.map(\.end) == [utc("2026-10-22T18:00"), utc("2026-10-29T19:00"), utc("2026-11-05T19:00")])
        #expect(plan.sessions.map(\.localStart.iso) == ["2026-10-22T18:00", "2026-10-29T18:00", "2026-11-05T18:00"])
        #expect(plan.sessions.map(\.index) == [1, 2, 3])
        #expect(plan.sessions.allSatisfy { $0.kind == "group" && $0.holiday == nil && $0.proposedShift == nil })
        #expect(plan.followUpDue.iso == "2027-02-05")
    }

    @Test func aSessionOnArmisticeDayIsFlaggedWithAShiftToThursday() throws {
        let plan = try Planner.plan(template: try shippedTemplate("3g2i"), start: local("2026-11-04T18:00"), timeZone: paris)
        #expect(plan.sessions.map(\.localStart.iso) == ["2026-11-04T18:00", "2026-11-11T18:00", "2026-11-18T18:00"])
        #expect(plan.sessions.map(\.holiday) == [nil, "Armistice 1918", nil])
        #expect(plan.sessions[1].proposedShift == local("2026-11-12T18:00"))
        #expect(plan.sessions[1].proposedShiftStart == utc("2026-11-12T17:00"))
        #expect(plan.sessions[1].start == utc("2026-11-11T17:00"), "the session itself is not moved")
        #expect(plan.sessions[0].proposedShift == nil && plan.sessions[2].proposedShift == nil)
    }

    @Test func theProposedShiftSkipsSundaysAndHolidays() throws {
        // Saturday 15 August 2026 → Monday 17; Saturday 8 May 2027 → Monday 10;
        // Wednesday 5 May 2027 is not a holiday, Thursday 6 (Ascension) → Friday 7.
        let plan = try Planner.plan(template: try shippedTemplate("3g2i"), start: local("2026-08-15T10:00"), timeZone: paris,
                                    cadence: .explicit([local("2026-08-15T10:00"), local("2027-05-06T14:30"), local("2027-05-08T09:00")]))
        #expect(plan.sessions.map(\.holiday) == ["Assomption", "Ascension", "Victoire 1945"])
        #expect(plan.sessions.map(\.proposedShift) == [local("2026-08-17T10:00"), local("2027-05-07T14:30"), local("2027-05-10T09:00")])
    }

    @Test func followUpIsThreeCalendarMonthsAfterTheLastSessionClampedToTheMonthEnd() {
        #expect(Planner.followUpDue(lastSession: CalendarDate(iso: "2026-11-30")!, months: 3).iso == "2027-02-28")
        #expect(Planner.followUpDue(lastSession: CalendarDate(iso: "2027-11-30")!, months: 3).iso == "2028-02-29")
        #expect(Planner.followUpDue(lastSession: CalendarDate(iso: "2026-11-18")!, months: 3).iso == "2027-02-18")
    }

    @Test func followUpUsesTheLastSessionsLocalDate() throws {
        // 00:30 in Paris on 1 December is still 30 November in UTC.
        let plan = try Planner.plan(template: try shippedTemplate("3g2i"), start: local("2026-11-17T00:30"), timeZone: paris)
        #expect(plan.sessions.last?.start == utc("2026-11-30T23:30"))
        #expect(plan.followUpDue.iso == "2027-03-01")
    }

    @Test func explicitDatesMustMatchTheSessionCountAndIncrease() throws {
        let template = try shippedTemplate("3g2i")
        let start = local("2026-11-04T18:00")
        let cases: [[LocalDateTime]] = [
            [start, local("2026-11-12T18:00")],
            [start, local("2026-11-12T18:00"), local("2026-11-18T18:00"), local("2026-11-25T18:00")],
            [start, local("2026-11-12T18:00"), local("2026-11-10T18:00")],
            [start, local("2026-11-12T18:00"), local("2026-11-12T18:00")],
            [local("2026-11-05T18:00"), local("2026-11-12T18:00"), local("2026-11-19T18:00")],
        ]
        for dates in cases {
            #expect(throws: ValidationError.self) { try Planner.plan(template: template, start: start, timeZone: paris, cadence: .explicit(dates)) }
            do {
                _ = try Planner.plan(template: template, start: start, timeZone: paris, cadence: .explicit(dates))
            } catch {
                #expect(error.fields.keys.sorted() == ["cadence"], "\(dates)")
            }
        }
        let plan = try Planner.plan(template: template, start: start, timeZone: paris,
                                    cadence: .explicit([start, local("2026-11-12T18:00"), local("2026-11-20T09:15")]))
        #expect(plan.sessions.map(\.localStart.iso) == ["2026-11-04T18:00", "2026-11-12T18:00", "2026-11-20T09:15"])
        #expect(plan.sessions.map(\.holiday) == [nil, nil, nil])
        #expect(plan.followUpDue.iso == "2027-02-20")
    }

    @Test func cadenceArguments() {
        #expect(Cadence(argument: "weekly") == .weekly)
        #expect(Cadence(argument: "every:14") == .everyDays(14))
        #expect(Cadence(argument: "2026-11-04T18:00,2026-11-12T18:00") == .explicit([local("2026-11-04T18:00"), local("2026-11-12T18:00")]))
        for bad in ["", "daily", "every:", "every:0", "every:-3", "every:x", "2026-11-04 18:00", "2026-11-04T18:00,", "2026-11-04T18:00:00"] {
            #expect(Cadence(argument: bad) == nil, "\(bad)")
        }
    }

    @Test func everyNDaysSpacesSessionsByNDays() throws {
        let plan = try Planner.plan(template: try shippedTemplate("3g2i"), start: local("2026-09-01T09:30"), timeZone: paris, cadence: .everyDays(14))
        #expect(plan.sessions.map(\.localStart.iso) == ["2026-09-01T09:30", "2026-09-15T09:30", "2026-09-29T09:30"])
        #expect(throws: ValidationError.self) {
            try Planner.plan(template: try shippedTemplate("3g2i"), start: local("2026-09-01T09:30"), timeZone: paris, cadence: .everyDays(0))
        }
    }

    @Test func thePlanEncodesToTheDocumentedJSON() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let autumn = try Planner.plan(template: try shippedTemplate("3g2i"), start: local("2026-10-22T18:00"), timeZone: paris)
        #expect(String(decoding: try encoder.encode(autumn), as: UTF8.self) == #"{"followUpDue":"2027-02-05","sessions":["#
            + #"{"end":"2026-10-22T18:00:00Z","holiday":null,"index":1,"kind":"group","start":"2026-10-22T16:00:00Z"},"#
            + #"{"end":"2026-10-29T19:00:00Z","holiday":null,"index":2,"kind":"group","start":"2026-10-29T17:00:00Z"},"#
            + #"{"end":"2026-11-05T19:00:00Z","holiday":null,"index":3,"kind":"group","start":"2026-11-05T17:00:00Z"}]}"#)
        let armistice = try Planner.plan(template: try shippedTemplate("3g2i"), start: local("2026-11-04T18:00"), timeZone: paris)
        let json = String(decoding: try encoder.encode(armistice), as: UTF8.self)
        #expect(json.contains(#"{"end":"2026-11-11T19:00:00Z","holiday":"Armistice 1918","index":2,"kind":"group","proposedShift":"2026-11-12T17:00:00Z","start":"2026-11-11T17:00:00Z"}"#), "\(json)")
        #expect(json.components(separatedBy: "proposedShift").count == 2, "only the session on a holiday has a proposedShift")
    }

    @Test func theFourSessionTemplatePlansFourSessions() throws {
        let template = try shippedTemplate("4g1i")
        let plan = try Planner.plan(template: template, start: local("2026-11-02T14:00"), timeZone: paris)
        #expect(plan.sessions.count == 4)
        #expect(plan.sessions.map(\.localStart.iso) == ["2026-11-02T14:00", "2026-11-09T14:00", "2026-11-16T14:00", "2026-11-23T14:00"])
        #expect(plan.sessions[3].end.timeIntervalSince(plan.sessions[3].start) == 90 * 60)
        #expect(plan.followUpDue.iso == "2027-02-23")
    }
}

@Suite("Local date and time")
struct LocalDateTimeTests {
    @Test func parsingIsStrict() {
        #expect(LocalDateTime(iso: "2026-10-22T18:00")?.iso == "2026-10-22T18:00")
        #expect(LocalDateTime(iso: "2026-10-22T00:05")?.minute == 5)
        for bad in ["2026-10-22 18:00", "2026-10-22T18:00:00", "2026-10-22T24:00", "2026-10-22T18:60", "2026-10-22T8:00",
                    "2026-02-29T10:00", "2026-10-22T18:00Z", "2026-10-22"] {
            #expect(LocalDateTime(iso: bad) == nil, "\(bad)")
        }
        #expect(local("2026-10-22T18:00") < local("2026-10-22T18:01"))
        #expect(local("2026-10-22T23:59") < local("2026-10-23T00:00"))
    }

    @Test func skippedAndRepeatedTimesFollowRFC5545() {
        // 29 March 2026, 02:00 → 03:00: 02:30 does not exist and is read as 03:30 CEST.
        #expect(local("2026-03-29T02:30").instant(in: paris) == utc("2026-03-29T01:30"))
        // 25 October 2026, 03:00 → 02:00: 02:30 happens twice; the first one is meant.
        #expect(local("2026-10-25T02:30").instant(in: paris) == utc("2026-10-25T00:30"))
        #expect(local("2026-10-25T03:30").instant(in: paris) == utc("2026-10-25T02:30"))
    }

    @Test func anInstantGivesItsWallClockTime() {
        #expect(LocalDateTime(utc("2026-10-29T17:00"), in: paris) == local("2026-10-29T18:00"))
        #expect(LocalDateTime(utc("2026-06-30T22:15"), in: paris) == local("2026-07-01T00:15"))
        #expect(LocalDateTime(utc("2026-06-30T22:15"), in: TimeZone(identifier: "America/New_York")!) == local("2026-06-30T18:15"))
        #expect(LocalDateTime(utc("2026-06-30T22:15").addingTimeInterval(59), in: paris) == local("2026-07-01T00:15"))
    }

    @Test func codableAsTheISOString() throws {
        let data = try JSONEncoder().encode([local("2026-10-22T18:00")])
        #expect(String(decoding: data, as: UTF8.self) == #"["2026-10-22T18:00"]"#)
        #expect(try JSONDecoder().decode([LocalDateTime].self, from: data) == [local("2026-10-22T18:00")])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([LocalDateTime].self, from: Data(#"["2026-10-22"]"#.utf8)) }
    }
}

@Suite("Programme templates")
struct ProgrammeTemplateTests {
    /// The 3g2i file as JSON objects, to break one thing at a time.
    func shippedObject() throws -> [String: Any] {
        let data = try Data(contentsOf: protocolsRoot.appendingPathComponent("programme-3g2i.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func decode(_ object: [String: Any]) throws(ProgrammeTemplateError) -> ProgrammeTemplate {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try ProgrammeTemplate.decode(data, file: "programme-broken.json")
    }

    func problem(_ change: (inout [String: Any]) -> Void) throws -> ProgrammeTemplateError? {
        var object = try shippedObject()
        change(&object)
        do {
            _ = try decode(object)
            return nil
        } catch {
            return error
        }
    }

    @Test func theShippedTemplatesDecode() throws {
        let three = try shippedTemplate("3g2i")
        #expect(three.id == "3g2i" && three.cadenceDays == 7)
        #expect(three.sessions.map(\.index) == [1, 2, 3])
        #expect(three.sessions.map(\.instruments) == [["fagerstrom", "co"], ["qmat", "decisional_balance"], ["end_status"]])
        #expect(three.sessions.map(\.durationMinutes) == [120, 120, 120])
        #expect(three.sessions[0].title.fr == "Évaluer sa dépendance physique")
        #expect(three.consultations == [
            ConsultationTemplate(index: 1, durationMinutes: 45, afterSession: 1, beforeSession: 3),
            ConsultationTemplate(index: 2, durationMinutes: 45, afterSession: 2, withinDaysAfterLastSession: 28),
        ])
        #expect(three.endQuestionnaires == ["end_status", "satisfaction_end", "impact_end"])
        #expect(three.followUps == [FollowUpTemplate(months: 3, instrument: "followup_3m")])
        #expect(three.primaryFollowUp.timePoint == "m3")
        #expect(three.instrumentIDs == ["fagerstrom", "co", "qmat", "decisional_balance", "end_status", "satisfaction_end", "impact_end", "followup_3m"])
        let four = try shippedTemplate("4g1i")
        #expect(four.sessions.count == 4 && four.consultations.count == 1)
    }

    @Test func everyReferencedInstrumentAndGuideIsShipped() throws {
        for id in ["3g2i", "4g1i"] {
            let template = try shippedTemplate(id)
            for instrument in template.instrumentIDs {
                #expect(FileManager.default.fileExists(atPath: protocolsFolder.appendingPathComponent("\(instrument).json").path), "\(id): \(instrument)")
            }
        }
        for session in try shippedTemplate("3g2i").sessions + shippedTemplate("4g1i").sessions {
            #expect(FileManager.default.fileExists(atPath: protocolsRoot.appendingPathComponent(session.guide).path), "\(session.guide)")
        }
    }

    @Test func aTemplateMayPlanSeveralFollowUpsEachItsOwnTimePoint() throws {
        var object = try shippedObject()
        object["follow_up"] = nil
        object["follow_ups"] = [["months": 6, "instrument": "followup_3m"], ["months": 1, "instrument": "followup_3m"],
                                ["months": 3, "instrument": "followup_3m"]]
        let template = try decode(object)
        #expect(template.followUps.map(\.months) == [1, 3, 6] && template.followUps.map(\.timePoint) == ["m1", "m3", "m6"])
        #expect(template.primaryFollowUp.months == 3)
        let twice = try #require(try problem { object in
            object["follow_up"] = nil
            object["follow_ups"] = [["months": 3, "instrument": "followup_3m"], ["months": 3, "instrument": "followup_3m"]]
        })
        #expect(twice.problem.contains("same month"), "\(twice)")
        let both = try #require(try problem { $0["follow_ups"] = [["months": 6, "instrument": "followup_3m"]] })
        #expect(both.problem.contains("not both"), "\(both)")
    }

    @Test func anUnknownKeyIsRefusedNamingTheFileAndKey() throws {
        let error = try #require(try problem { object in
            var sessions = object["sessions"] as! [[String: Any]]
            sessions[1]["requried"] = true
            object["sessions"] = sessions
        })
        #expect(error.file == "programme-broken.json")
        #expect(error.problem.contains("sessions[1].requried"), "\(error)")
        #expect(error.description.contains("programme-broken.json"))
        let top = try #require(try problem { $0["cadence"] = 7 })
        #expect(top.problem.contains("'cadence'"), "\(top)")
    }

    @Test func aGapInSessionIndexesIsRefused() throws {
        let error = try #require(try problem { object in
            var sessions = object["sessions"] as! [[String: Any]]
            sessions[1]["index"] = 3
            sessions[2]["index"] = 4
            object["sessions"] = sessions
        })
        #expect(error.file == "programme-broken.json")
        #expect(error.problem.contains("sessions[1]") && error.problem.contains("index 3"), "\(error)")
    }

    @Test func otherBrokenTemplatesAreRefused() throws {
        let changes: [(String, (inout [String: Any]) -> Void)] = [
            ("format", { $0["format"] = 2 }),
            ("id", { $0["id"] = "3G2I" }),
            ("version", { $0["version"] = "1.0" }),
            ("sessions", { $0["sessions"] = [Any]() }),
            ("duration_minutes", { object in
                var sessions = object["sessions"] as! [[String: Any]]
                sessions[0]["duration_minutes"] = 10
                object["sessions"] = sessions
            }),
            ("after_session", { object in
                var consultations = object["consultations"] as! [[String: Any]]
                consultations[0]["after_session"] = 4
                object["consultations"] = consultations
            }),
            ("before_session", { object in
                var consultations = object["consultations"] as! [[String: Any]]
                consultations[0]["before_session"] = 5
                object["consultations"] = consultations
            }),
            ("months", { $0["follow_up"] = ["months": 0, "instrument": "followup_3m"] }),
            ("months", { $0["follow_up"] = ["months": 25, "instrument": "followup_3m"] }),
            ("title", { $0["title"] = ["fr": "Programme"] }),
            ("guide", { object in
                var sessions = object["sessions"] as! [[String: Any]]
                sessions[2]["guide"] = "../secret.md"
                object["sessions"] = sessions
            }),
        ]
        for (key, change) in changes {
            let error = try #require(try problem(change), "\(key)")
            #expect(error.problem.contains(key) && error.file == "programme-broken.json", "\(key): \(error)")
        }
        #expect(try problem { _ in } == nil, "the unchanged file is accepted")
    }

    @Test func notJSONIsRefusedNamingTheFile() {
        #expect(throws: ProgrammeTemplateError.self) { try ProgrammeTemplate.decode(Data("{".utf8), file: "x.json") }
    }
}
