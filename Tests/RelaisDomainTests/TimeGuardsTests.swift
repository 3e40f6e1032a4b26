import Foundation
@testable import RelaisDomain
import Testing

@Suite("Time guards")
struct TimeGuardsTests {
    let paris = TimeZone(identifier: "Europe/Paris")!
    func instant(_ text: String) -> Date { LocalDateTime(iso: text)!.instant(in: paris) }

    @Test func attendanceAndConsultationsFromTheirStartNeverBefore() {
        let start = instant("2027-03-04T18:00")
        let early = TimeGuards.attendance(sessionNumber: 3, startsAt: start, zone: paris, now: start.addingTimeInterval(-1))
        #expect(early == Reason(.sessionNotStarted, ["number": "3", "start": "2027-03-04T18:00"]))
        #expect(TimeGuards.attendance(sessionNumber: 3, startsAt: start, zone: paris, now: start) == nil)
        #expect(TimeGuards.consultationDone(startsAt: start, zone: paris, now: start.addingTimeInterval(-60))?.code == .consultationNotStarted)
        #expect(TimeGuards.consultationDone(startsAt: start, zone: paris, now: start.addingTimeInterval(60)) == nil)
    }

    @Test func aSessionKeepsItsPlaceBetweenItsNeighbours() {
        let previous = instant("2027-03-04T18:00"), next = instant("2027-03-18T18:00")
        #expect(TimeGuards.sessionOrder(start: instant("2027-03-11T18:00"), previous: previous, next: next, zone: paris) == nil)
        #expect(TimeGuards.sessionOrder(start: previous, previous: previous, next: next, zone: paris)
                == Reason(.sessionBeforePrevious, ["previous": "2027-03-04T18:00"]))
        #expect(TimeGuards.sessionOrder(start: instant("2027-03-19T09:00"), previous: previous, next: next, zone: paris)
                == Reason(.sessionAfterNext, ["next": "2027-03-18T18:00"]))
        #expect(TimeGuards.sessionOrder(start: instant("2020-01-01T09:00"), previous: nil, next: next, zone: paris) == nil, "the first session")
    }

    @Test func aConsultationFromTheProgrammesFirstDay() {
        let first = instant("2027-03-04T18:00")
        #expect(TimeGuards.consultation(start: instant("2027-03-04T09:00"), firstSession: first, zone: paris) == nil)
        #expect(TimeGuards.consultation(start: instant("2027-03-03T23:30"), firstSession: first, zone: paris)
                == Reason(.consultationBeforeProgramme, ["first": "2027-03-04"]))
        #expect(TimeGuards.consultation(start: instant("2020-01-01T09:00"), firstSession: nil, zone: paris) == nil)
    }

    @Test func anAssessmentWithinTheSlackBeforeTheFirstProgrammeAndNotInTheFuture() {
        let today = CalendarDate(iso: "2027-03-20")!, first = CalendarDate(iso: "2027-03-04")!
        #expect(TimeGuards.assessmentDate(CalendarDate(iso: "2027-03-21")!, today: today, firstEntry: first, slackDays: 30) == Reason(.dateInFuture))
        #expect(TimeGuards.assessmentDate(CalendarDate(iso: "2027-02-02")!, today: today, firstEntry: first, slackDays: 30) == nil)
        #expect(TimeGuards.assessmentDate(CalendarDate(iso: "2027-02-01")!, today: today, firstEntry: first, slackDays: 30)
                == Reason(.assessmentBeforeEnrolment, ["days": "30", "first": "2027-03-04"]))
        #expect(TimeGuards.assessmentDate(CalendarDate(iso: "1990-01-01")!, today: today, firstEntry: nil, slackDays: 30) == nil)
    }

    @Test func aMessageIsStaleOnlyPastTheConfiguredDays() {
        var policy = ReminderPolicy()
        let moment = instant("2027-03-18T20:00")
        #expect(!policy.isStale(moment: moment, writtenAt: moment.addingTimeInterval(14 * 86400)))
        #expect(policy.isStale(moment: moment, writtenAt: moment.addingTimeInterval(14 * 86400 + 1)))
        policy.staleAfterDays = 30
        #expect(!policy.isStale(moment: moment, writtenAt: moment.addingTimeInterval(29 * 86400)))
    }
}
