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
            if let parsed = CalendarDate(iso: text.trimmingCharacters(in: .whitespaces)) {
                if parsed > today { problems["date"] = Reason(.dateInFuture) }
                else if !DateWindow.contains(parsed) { problems["date"] = DateWindow.reason } else { date = parsed }
            } else {
                problems["date"] = Reason(.dateFormat)
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
            } catch let error as ValidationError {
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
