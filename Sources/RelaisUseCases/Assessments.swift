import Foundation
import RelaisDomain
import RelaisStore

/// An instrument filled in by staff (in a session or a consultation, or from a call or paper).
public struct AssessmentRequest: Sendable, Codable, Equatable {
    public var instrument: String?
    public var answers: [String: JSONValue]?
    /// `YYYY-MM-DD`; today by default.
    public var date: String?
    public var partial: Bool?
    /// `staff` (default), `phone` or `paper`.
    public var source: String?
    /// The programme it belongs to (one the participant enrolled in); else attributed by date.
    public var programmeID: String?

    public init(instrument: String? = nil, answers: [String: JSONValue]? = nil, date: String? = nil, partial: Bool? = nil, source: String? = nil,
                programmeID: String? = nil) {
        self.instrument = instrument
        self.answers = answers
        self.date = date
        self.partial = partial
        self.source = source
        self.programmeID = programmeID
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case instrument, answers, date, partial, source
        case programmeID = "programmeId"
    }
}

/// A correction of a recorded assessment: its answers and/or its date, and why (required).
public struct AssessmentCorrectionRequest: Sendable, Codable, Equatable {
    /// May be given, but only as the assessment's own instrument: a test never changes instrument.
    public var instrument: String?
    /// The whole corrected answers; the recorded ones when left out.
    public var answers: [String: JSONValue]?
    /// `YYYY-MM-DD`; the recorded date when left out.
    public var date: String?
    /// One line, at most 500 characters.
    public var reason: String?

    public init(instrument: String? = nil, answers: [String: JSONValue]? = nil, date: String? = nil, reason: String? = nil) {
        self.instrument = instrument
        self.answers = answers
        self.date = date
        self.reason = reason
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case instrument, answers, date, reason
    }
}

extension UseCases {
    /// Scores and stores an assessment (a complete answer also closes a pending questionnaire).
    /// The same checks for the API, the participant page, the quick entry and the phone task.
    public func recordAssessment(participantID: String, _ request: AssessmentRequest, by caller: Caller) throws -> AssessmentRecord {
        try caller.require(.recordAssessments)
        let (result, date, source) = try scoreAssessment(request)
        try checkAssessmentDate(date, participantID: participantID)
        return try assessments.record(participantID: participantID, programmeID: request.programmeID?.nilIfEmpty, result: result, takenOn: date,
                                      partial: request.partial == true, source: source, by: caller.actor)
    }

    /// Checks an assessment request without storing it: the scored result, the date and the
    /// source, or every problem at once (answers under their item ids).
    public func scoreAssessment(_ request: AssessmentRequest) throws -> (ScoreResult, CalendarDate, AssessmentSource) {
        var problems: [String: Reason] = [:]
        var instrument: ConfiguredInstrument?
        if let id = request.instrument?.nilIfEmpty {
            instrument = instruments[id]
            if instrument == nil { problems["instrument"] = Reason(.expectedOneOf, ["options": instruments.instruments.map(\.id).joined(separator: ", ")]) }
        } else {
            problems["instrument"] = .required
        }
        var date = today
        if let text = request.date {
            switch assessmentDate(text) {
            case .success(let parsed): date = parsed
            case .failure(let reason): problems["date"] = reason
            }
        }
        var source = AssessmentSource.staff
        if let raw = request.source?.nilIfEmpty {
            if let value = AssessmentSource(rawValue: raw), value != .participantWeb { source = value } else {
                problems["source"] = Reason(.expectedOneOf, ["options": "staff, phone, paper"])
            }
        }
        guard let instrument else { throw ValidationError(problems) }
        do {
            let result = try instrument.score(request.answers ?? [:], partial: request.partial == true)
            guard problems.isEmpty else { throw ValidationError(problems) }
            return (result, date, source)
        } catch let error as ValidationError {
            throw ValidationError(problems.merging(error.fields) { first, _ in first })
        }
    }

    /// The day a test was taken, as typed: a valid date, not after the structure's today, within
    /// the date window.
    func assessmentDate(_ text: String) -> Result<CalendarDate, Reason> {
        guard let parsed = CalendarDate(iso: text.trimmingCharacters(in: .whitespaces)) else { return .failure(Reason(.dateFormat)) }
        if parsed > today { return .failure(Reason(.dateInFuture)) }
        return DateWindow.contains(parsed) ? .success(parsed) : .failure(DateWindow.reason)
    }

    /// Corrects a recorded assessment: new answers and/or a new date, with a required reason. It
    /// is scored again with its instrument (the same checks as a new one, partial as it was), the
    /// version it replaces is kept with the reason, who and when. A withdrawn one is refused (409).
    public func correctAssessment(_ id: String, participantID: String, _ request: AssessmentCorrectionRequest, by caller: Caller) throws
        -> AssessmentHistory {
        try caller.require(.recordAssessments)
        let current = try assessments.find(id: id, participantID: participantID)
        guard !current.isWithdrawn else { throw Refusal.conflict(.assessmentWithdrawn) }
        var problems: [String: Reason] = [:]
        let reason = (request.reason ?? "").trimmingCharacters(in: .whitespaces)
        TextRules.checkOneLine(reason, field: "reason", maxLength: Self.correctionReasonLength, required: true, into: &problems)
        if let named = request.instrument?.nilIfEmpty, named != current.instrumentId {
            problems["instrument"] = Reason(.assessmentInstrumentChange)
        }
        var date = CalendarDate(iso: current.takenOn) ?? today
        if let text = request.date {
            switch assessmentDate(text) {
            case .success(let parsed): date = parsed
            case .failure(let reason): problems["date"] = reason
            }
        }
        if request.answers == nil && request.date == nil { problems["answers"] = Reason(.correctionUnchanged) }
        let instrument = try self.instrument(current.instrumentId)
        do {
            let result = try instrument.score(request.answers ?? instrument.inputAnswers(current.answerValues), partial: current.partial)
            guard problems.isEmpty else { throw ValidationError(problems) }
            // A corrected date obeys the rule of a new one: not in the future, not long before the first enrolment.
            if request.date != nil { try checkAssessmentDate(date, participantID: participantID) }
            return try assessments.correct(id: current.id, participantID: participantID, result: result, takenOn: date, reason: reason,
                                           by: caller.actor)
        } catch let error as ValidationError {
            throw ValidationError(problems.merging(error.fields) { first, _ in first })
        }
    }

    /// Withdraws an assessment entered in error, with a required reason: it stays in the history,
    /// marked, and is counted nowhere (evaluation, charts, exports). Twice is refused (409).
    public func withdrawAssessment(_ id: String, participantID: String, reason: String?, by caller: Caller) throws -> AssessmentHistory {
        try caller.require(.recordAssessments)
        let current = try assessments.find(id: id, participantID: participantID)
        guard !current.isWithdrawn else { throw Refusal.conflict(.assessmentWithdrawn) }
        let reason = (reason ?? "").trimmingCharacters(in: .whitespaces)
        try TextRules.validate { TextRules.checkOneLine(reason, field: "reason", maxLength: Self.correctionReasonLength, required: true, into: &$0) }
        return try assessments.withdraw(id: current.id, participantID: participantID, reason: reason, by: caller.actor)
    }

    /// The longest reason of a correction or a withdrawal.
    public static let correctionReasonLength = 500

    /// A participant's assessments with their corrections and withdrawals, the read audited.
    public func assessmentHistory(participantID: String, by caller: Caller) throws -> AssessmentHistory {
        try caller.require(.readAssessments)
        return try assessments.history(participantID: participantID, by: caller.actor)
    }

    /// One assessment with its corrections (the history holds it alone), the read audited.
    public func assessmentHistory(_ id: String, participantID: String, by caller: Caller) throws -> AssessmentHistory {
        try caller.require(.readAssessments)
        return try assessments.history(id: id, participantID: participantID, by: caller.actor)
    }

    /// Records the answers of a whole group for one instrument at a session, on the session's
    /// day: the rows left empty are people who did not take it. Problems come back per participant.
    public func recordQuickEntry(sessionID: String, instrumentID: String, rows: [String: [String: JSONValue]], by caller: Caller) throws
        -> [AssessmentRecord] {
        try caller.require(.recordAssessments)
        let view = try session(sessionID, by: caller)
        let instrument = try self.instrument(instrumentID)
        if let reason = TimeGuards.attendance(sessionNumber: view.session.index, startsAt: view.session.startsAt, zone: view.programme.zone,
                                              now: clock.now()) {
            throw ValidationError(field: "session", reason)
        }
        let day = LocalDateTime(view.session.startsAt, in: view.programme.zone).date
        var results: [(String, ScoreResult)] = []
        var problems: [String: Reason] = [:]
        for participant in view.roster {
            guard let answers = rows[participant.id], !answers.isEmpty else { continue }
            do {
                results.append((participant.id, try instrument.score(answers)))
            } catch {
                for (item, reason) in error.fields { problems["\(participant.id).\(item)"] = reason }
            }
        }
        guard problems.isEmpty else { throw ValidationError(problems) }
        return try results.map { participantID, result in
            try assessments.record(participantID: participantID, programmeID: view.programme.id, result: result, takenOn: day, partial: false,
                                   source: .staff, by: caller.actor)
        }
    }

    /// Refuses an assessment date in the future or more than `entrySlackDays` before the
    /// participant's first programme (the earlier of its first session and the enrolment request).
    func checkAssessmentDate(_ date: CalendarDate, participantID: String) throws {
        let zone = settings.timeZone
        let firstEntry = try participantRecords.enrolments(participantID: participantID).map { entry in
            min(LocalDateTime(entry.enrolment.requestedAt, in: zone).date,
                entry.firstSession.map { LocalDateTime($0, in: zone).date } ?? LocalDateTime(entry.enrolment.requestedAt, in: zone).date)
        }.min()
        if let reason = TimeGuards.assessmentDate(date, today: today, firstEntry: firstEntry, slackDays: settings.entrySlackDays) {
            throw ValidationError(field: "date", reason)
        }
    }

    /// The programmes a participant enrolled in (withdrawn too), oldest first: those an
    /// assessment may be attached to.
    public func assessmentProgrammes(participantID: String, by caller: Caller) throws -> [ProgrammeRecord] {
        try caller.require(.recordAssessments)
        return try participantRecords.enrolments(participantID: participantID).map(\.programme)
    }

    public func assessments(participantID: String, by caller: Caller) throws -> [AssessmentRecord] {
        try caller.require(.readAssessments)
        return try assessments.assessments(participantID: participantID, by: caller.actor)
    }

    public func assessment(_ id: String, participantID: String, by caller: Caller) throws -> AssessmentRecord {
        try caller.require(.readAssessments)
        return try assessments.assessment(id: id, participantID: participantID, by: caller.actor)
    }

    /// Scores answers without storing anything (`relais score`, the scoring API).
    public func score(instrumentID: String, answers: [String: JSONValue], partial: Bool, by caller: Caller) throws -> ScoreResult {
        try caller.require(.useInstruments)
        return try instrument(instrumentID).score(answers, partial: partial)
    }

    /// The instruments, for those who use them.
    public func instrumentDefinitions(by caller: Caller) throws -> [ConfiguredInstrument] {
        try caller.require(.useInstruments)
        return instruments.instruments
    }

    public func instrumentDefinition(_ id: String, by caller: Caller) throws -> ConfiguredInstrument {
        try caller.require(.useInstruments)
        return try instrument(id)
    }
}
