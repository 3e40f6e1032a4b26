import Foundation
import RelaisDomain
import RelaisStore

/// A consultation's structured record as the caller may see it: its content, history and
/// figures for its clinician (the tabacologue of the consultation or the programme's lead); only
/// whether it exists, and since when, for the others who open the consultation.
public struct ConsultationRecordView: Sendable {
    public var consultation: ConsultationView
    /// The current version and when it was written; nil when none was written yet.
    public var version: Int?
    public var recordedAt: Date?
    /// The record, its CO assessment and the versions it replaced: for its clinician only.
    public var stored: StoredClinicalRecord?
    /// When there is no record yet: what the participant's previous record carries forward, and
    /// the consultation it comes from (for its clinician only).
    public var prefill: ClinicalRecordInput?
    public var prefillFrom: ConsultationRecord?
    /// The record's CO reading is high in someone who says they do not smoke: think of domestic
    /// carbon monoxide poisoning (and of cannabis).
    public var coPoisoningPrompt = false
    /// The `co` instrument's abstinence threshold, in ppm.
    public var coThresholdPPM: Double
    /// Why the record cannot be written yet (the consultation's time has not come); nil once it has.
    public var notStarted: Reason?

    public var clinician: Bool { consultation.clinician }
    public var exists: Bool { version != nil }
    /// The record as it stands, for its clinician; nil without one.
    public var record: ClinicalRecordInput? { stored?.input }
}

extension UseCases {
    /// The `co` instrument's abstinence threshold (its parameter, 10 ppm by default).
    public var coThresholdPPM: Double { instruments["co"]?.parameters["abstinence_threshold_ppm"] ?? 10 }

    /// A consultation's record, read by whoever opens the consultation (planners): its content
    /// for its clinician, its read audited; whether it exists for the others. A peer helper or an
    /// administrator is refused like the consultation itself.
    public func consultationRecord(_ consultationID: String, by caller: Caller) throws -> ConsultationRecordView {
        let view = try consultation(consultationID, by: caller)
        var result = ConsultationRecordView(consultation: view, coThresholdPPM: coThresholdPPM, notStarted: recordNotStarted(view))
        guard view.clinician else {
            if let summary = try clinicalRecords.summary(consultationID: view.consultation.id) {
                (result.version, result.recordedAt) = (summary.version, summary.recordedAt)
            }
            return result
        }
        if let stored = try clinicalRecords.read(consultationID: view.consultation.id, by: caller.actor) {
            try fill(&result, with: stored)
        } else if let previous = try clinicalRecords.previous(participantID: view.consultation.participantId, before: view.consultation.startsAt,
                                                              excluding: view.consultation.id) {
            result.prefill = previous.record.input.carriedForward
            result.prefillFrom = previous.consultation
        }
        return result
    }

    /// Whether a consultation the caller opened has a record, its version and when it was
    /// written: what its page says to everyone who opens it.
    public func recordSummary(of view: ConsultationView) throws -> (version: Int, recordedAt: Date)? {
        try clinicalRecords.summary(consultationID: view.consultation.id)
    }

    /// Writes a consultation's record as a whole, replacing the one before (kept in its history).
    /// One rule for the API and the page: only its clinician writes it (403 for anyone else); a
    /// cancelled or missed consultation has none (409); nothing is recorded before the
    /// consultation's time (422 naming `consultation`); every field is checked (422 naming each).
    /// The CO reading is a `co` assessment of the consultation's day and programme, scored by
    /// the instrument with the checks of every assessment: recorded, corrected when it changes
    /// (`coCorrectionReason`), withdrawn when it is taken out (`coWithdrawalReason`), in the same
    /// transaction as the record and its audit row.
    public func saveConsultationRecord(_ consultationID: String, _ input: ClinicalRecordInput, coCorrectionReason: String,
                                       coWithdrawalReason: String, by caller: Caller) throws -> ConsultationRecordView {
        let view = try consultation(consultationID, by: caller)
        guard view.clinician else { throw Refusal.forbidden(.notTheConsultationsClinician) }
        let consultation = view.consultation, programme = view.programme
        if consultation.status == .cancelled || consultation.status == .missed {
            throw Refusal.conflict(.consultationRecordNotHeld, ["status": consultation.status.rawValue])
        }
        if let reason = recordNotStarted(view) { throw ValidationError(field: "consultation", reason) }

        var problems: [String: Reason] = [:]
        var kept = input, figures = ClinicalRecordInput.Figures()
        do {
            (kept, figures) = try input.validated(equivalents: protocols.tobaccoEquivalents)
        } catch {
            problems = error.fields
        }
        // The reading is scored by the `co` instrument, dated on the consultation's day.
        let day = LocalDateTime(consultation.startsAt, in: programme.zone).date
        var reading: ScoreResult?
        if let ppm = input.coPpm {
            do {
                let request = AssessmentRequest(instrument: "co", answers: ["ppm": .number(Double(ppm))], date: day.iso, source: "staff",
                                                programmeID: programme.id)
                reading = try scoreAssessment(request).0
                try checkAssessmentDate(day, participantID: consultation.participantId)
            } catch let error as ValidationError {
                // Its one item and its date are the record's field.
                problems["coPpm"] = error.fields["ppm"] ?? error.fields.sorted { $0.key < $1.key }.first?.value
            }
        }
        guard problems.isEmpty else { throw ValidationError(problems) }
        let stored = try clinicalRecords.save(
            consultationID: consultation.id, content: kept, figures: figures,
            co: ClinicalRecordCO(result: reading, takenOn: day, programmeID: programme.id, correctionReason: coCorrectionReason,
                                 withdrawalReason: coWithdrawalReason),
            by: caller.actor)
        var result = ConsultationRecordView(consultation: view, coThresholdPPM: coThresholdPPM, notStarted: nil)
        try fill(&result, with: stored)
        return result
    }

    /// Why a record cannot be written yet: the consultation has not started.
    func recordNotStarted(_ view: ConsultationView) -> Reason? {
        TimeGuards.consultationRecord(startsAt: view.consultation.startsAt, zone: view.programme.zone, now: clock.now())
    }

    func fill(_ view: inout ConsultationRecordView, with stored: StoredClinicalRecord) throws {
        view.stored = stored
        view.version = stored.current.version
        view.recordedAt = stored.current.recordedAt
        guard let co = stored.co, !co.isWithdrawn, let ppm = co.total else { return }
        let word = try clinicalRecords.smokingWord(participantID: stored.current.participantId)
        view.coPoisoningPrompt = CarbonMonoxideCheck.callsForPoisoningPrompt(
            ppm: ppm, thresholdPPM: coThresholdPPM,
            saysNotSmoking: CarbonMonoxideCheck.saysNotSmoking(record: stored.input, latestDeclaredStatus: Self.latestStatus(word.statusAnswers, upTo: co.takenOn),
                                                               exSmoker: word.exSmoker))
    }

    /// The CO readings of a participant that call for thinking of domestic CO poisoning (at or
    /// above the threshold in someone who says they do not smoke), by assessment id. A
    /// consultation record's products count only for its clinician (`clinicianOf`: the ids of
    /// the consultations the caller is clinician of); the others see the rule applied to what
    /// they may read (the record's status, the declared statuses).
    func coPoisoningPrompts(participant: ParticipantRecord, assessments: [AssessmentRecord], clinicianOf: Set<String>) throws -> Set<String> {
        let counted = assessments.filter { !$0.isWithdrawn }
        let high = counted.filter { $0.instrumentId == "co" && ($0.total ?? 0) >= coThresholdPPM }
        guard !high.isEmpty else { return [] }
        let records = try clinicalRecords.byCOAssessment(participantID: participant.id)
        let statuses = counted.filter { if case .string? = $0.answerValues["status"] { true } else { false } }
        return Set(high.filter { reading in
            let record = records[reading.id].flatMap { clinicianOf.contains($0.consultationId) ? $0.input : nil }
            let says = CarbonMonoxideCheck.saysNotSmoking(record: record, latestDeclaredStatus: Self.latestStatus(statuses, upTo: reading.takenOn),
                                                          exSmoker: participant.smokerStatus == .exSmoker)
            return CarbonMonoxideCheck.callsForPoisoningPrompt(ppm: reading.total ?? 0, thresholdPPM: coThresholdPPM, saysNotSmoking: says)
        }.map(\.id))
    }

    /// The smoking status a participant declared last on or before `date` (end of programme,
    /// follow-ups), from assessments still counted.
    static func latestStatus(_ assessments: [AssessmentRecord], upTo date: String) -> SmokingOutcome? {
        assessments.filter { !$0.isWithdrawn && $0.takenOn <= date }
            .sorted { ($0.takenOn, $0.recordedAt) < ($1.takenOn, $1.recordedAt) }
            .compactMap { assessment -> SmokingOutcome? in
                if case .string(let code)? = assessment.answerValues["status"] { return SmokingOutcome(rawValue: code) }
                return nil
            }.last
    }
}
