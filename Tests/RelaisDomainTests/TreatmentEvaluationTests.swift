import Foundation
import Testing
@testable import RelaisDomain

@Suite("The evaluation's treatments")
struct TreatmentEvaluationTests {
    static func day(_ iso: String) -> CalendarDate { CalendarDate(iso: iso)! }

    static func programme(_ id: String, first: String) -> EvaluationFacts.Programme {
        let start = day(first)
        return EvaluationFacts.Programme(id: id, title: id, sessions: (0..<3).map {
            EvaluationFacts.Session(index: $0 + 1, date: start.addingDays(7 * $0), attendanceRecorded: true)
        })
    }

    static func evaluate(_ facts: EvaluationFacts) throws -> EvaluationReport {
        let catalog = InstrumentCatalog(try ["fagerstrom", "hsi", "qmat", "co", "end_status", "satisfaction_end", "impact_end", "followup_3m"]
            .map { try shipped($0) })
        return Evaluator(settings: EvaluationSettings(), instruments: catalog, treatmentKinds: ["nicotine_patch", "varenicline", "other"]).evaluate(facts)
    }

    @Test func participantsAreCountedOncePerKindInTheirProgrammeWithdrawnAndErasedByTheExistingRules() throws {
        let spring = Self.programme("spring", first: "2026-03-05"), autumn = Self.programme("autumn", first: "2026-10-01")
        let windows = ["ana": [EvaluationFacts.Window(programmeID: "spring", firstDate: Self.day("2026-03-05"), lastDate: Self.day("2026-03-19")),
                               EvaluationFacts.Window(programmeID: "autumn", firstDate: Self.day("2026-10-01"), lastDate: Self.day("2026-10-15"))]]
        let facts = EvaluationFacts(
            scope: .year(2026, siteID: nil), asOf: Self.day("2026-12-01"), programmes: [spring, autumn],
            participations: [
                .init(participantID: "ana", programmeID: "spring", attendance: [1: "present"]),
                .init(participantID: "ana", programmeID: "autumn", attendance: [1: "present"]),
                .init(participantID: "ben", programmeID: "spring", status: "withdrawn", attendance: [1: "present"]),
                .init(participantID: "eve", programmeID: "spring", status: "withdrawn"),
            ],
            windows: windows,
            erased: [.init(programmeID: "autumn", status: "enrolled", sessionsAttended: 2,
                           snapshot: ErasedSnapshot(smokerAtEntry: true, sex: nil, ageBand: nil, departement: nil, publics: [], timePoints: [],
                                                    treatments: ["varenicline", "retired_kind"]))],
            treatments: [
                // Ana: a patch attached to spring, twice; varenicline attributed by its start to autumn; one after the report's date.
                .init(participantID: "ana", programmeID: "spring", kind: "nicotine_patch", start: Self.day("2026-03-06")),
                .init(participantID: "ana", programmeID: "spring", kind: "nicotine_patch", start: Self.day("2026-03-20")),
                .init(participantID: "ana", programmeID: nil, kind: "varenicline", start: Self.day("2026-10-02")),
                .init(participantID: "ana", programmeID: "autumn", kind: "other", start: Self.day("2026-12-20")),
                // Ben withdrew after attending: counted; Eve withdrew before: not counted.
                .init(participantID: "ben", programmeID: "spring", kind: "nicotine_patch", start: Self.day("2026-03-06")),
                .init(participantID: "eve", programmeID: "spring", kind: "varenicline", start: Self.day("2026-03-06")),
            ])
        let report = try Self.evaluate(facts)
        #expect(report.participants.counted == 4, "ana twice, ben, the erased row")
        #expect(report.treatments.participantsTreated == Proportion(4, of: 4))
        #expect(report.treatments.byKind == [CodeCount("nicotine_patch", 2), CodeCount("varenicline", 2), CodeCount("other", 0),
                                             CodeCount("retired_kind", 1)])
        let ana = report.participations.filter { $0.participantID == "ana" }
        #expect(ana.first { $0.programmeID == "spring" }?.treatments == ["nicotine_patch"])
        #expect(ana.first { $0.programmeID == "autumn" }?.treatments == ["varenicline"], "the one after the report's date is not known yet")
    }

    @Test func anErasureOlderThanTheTreatmentsDecodesWithoutThem() throws {
        let old = #"{"smokerAtEntry":true,"publics":[],"timePoints":[]}"#
        let snapshot = try JSONDecoder().decode(ErasedSnapshot.self, from: Data(old.utf8))
        #expect(snapshot.treatments == nil)
        let kept = ErasedSnapshot(smokerAtEntry: true, sex: nil, ageBand: nil, departement: nil, publics: [], timePoints: [], treatments: ["bupropion"])
        #expect(try JSONDecoder().decode(ErasedSnapshot.self, from: try JSONEncoder().encode(kept)).treatments == ["bupropion"])
    }
}
