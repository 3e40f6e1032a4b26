import Foundation
import RelaisDomain
import RelaisStore

/// The planner's answer to a programme request, before anything is stored: the draft to store,
/// the dated sessions, and what `createProgramme` would refuse for each session.
public struct ProgrammeProposal: Sendable {
    public var draft: ProgrammeDraft
    public var plan: Plan
    public var template: ProgrammeTemplate
    public var conflicts: [Int: Reason]
    /// The first session is already past: the programme is entered after the fact, and a page
    /// asks for confirmation, saying what will and will not be sent.
    public var startsInThePast: Bool
}

/// A programme as its pages and the API show it.
public struct ProgrammeView: Sendable {
    public var programme: ProgrammeRecord
    public var sessions: [SessionRecord]
    /// Enrolled, then waiting, then withdrawn; read with an audit row (names are personal data).
    public var roster: [(EnrolmentRecord, ParticipantRecord)]
    /// The consultations, for those who plan them.
    public var consultations: [ConsultationRecord]
    public var site: (SiteRecord, [RoomRecord])?
}

/// A group session with its programme, its roster and the attendance recorded.
public struct SessionView: Sendable {
    public var session: SessionRecord
    public var programme: ProgrammeRecord
    public var roster: [ParticipantRecord]
    public var attendance: [String: AttendanceStatus]
    /// Why attendance and the group's tests cannot be recorded yet (the session has not
    /// started); nil once it has.
    public var notStarted: Reason?
}

extension UseCases {
    // MARK: Planning

    /// Reads a programme request and runs the planner: the proposal the creation form shows and
    /// what `createProgramme` stores. Every field's problem is reported at once.
    public func proposeProgramme(_ request: ProgrammeRequest, by caller: Caller) throws -> ProgrammeProposal {
        try caller.require(.plan)
        var problems: [String: Reason] = [:]
        let templateID = request.template?.nilIfEmpty ?? "3g2i"
        let template = self.template(templateID)
        if template == nil { problems["template"] = Reason(.templateUnknown, ["known": templates.map(\.id).joined(separator: ", ")]) }
        let title = request.title?.trimmingCharacters(in: .whitespaces) ?? ""
        TextRules.checkOneLine(title, field: "title", maxLength: 200, required: true, into: &problems)
        var modality = Modality.inPerson
        if let raw = request.modality?.nilIfEmpty {
            if let value = Modality(rawValue: raw) { modality = value } else { problems["modality"] = Self.oneOf(Modality.self) }
        }
        let visioURL = request.visioURL?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        if let visioURL, let problem = TextRules.httpsLinkProblem(visioURL) { problems["visioUrl"] = problem }
        let capacity = request.capacity ?? 16
        if !(1...100).contains(capacity) { problems["capacity"] = Reason(.numberRange, ["min": "1", "max": "100"]) }
        let zone: TimeZone
        if let name = request.timeZone?.nilIfEmpty {
            if let parsed = TimeZone(identifier: name) { zone = parsed } else { problems["timeZone"] = Reason(.timeZoneUnknown); zone = settings.timeZone }
        } else {
            zone = settings.timeZone
        }
        var cadence = Cadence.weekly
        switch request.cadence {
        case nil: break
        case .text(let text):
            if text.isEmpty || text == "weekly" { break }
            if let parsed = Cadence(argument: text) { cadence = parsed } else { problems["cadence"] = Reason(.cadenceFormat) }
        case .list(let list):
            do throws(ValidationError) { cadence = .explicit(try list.map { (text) throws(ValidationError) in try Input.localDateTime(text, field: "cadence") }) } catch {
                problems["cadence"] = error.fields["cadence"]
            }
        }
        let leadID = request.leadID?.nilIfEmpty
        if leadID == nil { problems["leadId"] = .required }
        var start: LocalDateTime?
        do throws(ValidationError) { start = try Input.localDateTime(request.start, field: "start") } catch {
            problems["start"] = request.start?.nilIfEmpty == nil ? .required : error.fields["start"]
        }
        guard problems.isEmpty, let template, let start, let leadID else { throw ValidationError(problems) }
        let plan = try Planner.plan(template: template, start: start, timeZone: zone, cadence: cadence)
        let sessions = plan.sessions.map { session -> (start: Date, end: Date, holiday: String?) in
            if request.shiftHolidays == true, let shift = session.proposedShift {
                let moved = shift.instant(in: zone)
                return (moved, moved.addingTimeInterval(session.end.timeIntervalSince(session.start)), nil)
            }
            return (session.start, session.end, session.holiday)
        }
        let followUp = sessions.last.map { Planner.followUpDue(lastSession: LocalDateTime($0.start, in: zone).date, months: template.primaryFollowUp.months) }
            ?? plan.followUpDue
        let draft = ProgrammeDraft(template: template, title: title, siteID: request.siteID?.nilIfEmpty, roomID: request.roomID?.nilIfEmpty,
                                   modality: modality, visioURL: visioURL, capacity: capacity, timeZone: zone, leadID: leadID,
                                   peerHelperID: request.peerHelperID?.nilIfEmpty, sessions: sessions, followUpDue: followUp,
                                   moisSansTabac: request.moisSansTabac ?? false)
        return ProgrammeProposal(draft: draft, plan: plan, template: template, conflicts: try programmes.conflicts(draft),
                                 startsInThePast: (sessions.first?.start ?? .distantFuture) < clock.now())
    }

    /// Plans and stores a programme and its sessions, refusing conflicts.
    public func createProgramme(_ request: ProgrammeRequest, by caller: Caller) throws -> (ProgrammeRecord, [SessionRecord], Plan) {
        let proposal = try proposeProgramme(request, by: caller)
        if let first = proposal.draft.sessions.first { try checkPastConfirmation(first.start, request.confirmedPast) }
        let (programme, sessions) = try programmes.create(proposal.draft, by: caller.actor)
        return (programme, sessions, proposal.plan)
    }

    // MARK: Reading

    /// Programmes whose first session falls in `year` (all years when nil) that the caller may open.
    public func programmes(year: Int?, by caller: Caller) throws -> [(ProgrammeRecord, [SessionRecord])] {
        guard caller.may(.plan) || caller.role == .peerHelper else { throw Refusal.forbidden() }
        return try programmes.list(year: year, visibleTo: caller.may(.plan) ? nil : caller.userID)
    }

    /// A programme with its roster (audited), for those who may open it.
    public func programme(_ id: String, by caller: Caller) throws -> ProgrammeView {
        let (programme, sessions) = try programmes.programme(id: id)
        try requireOpen(programme, caller)
        let roster = try enrolments.roster(programmeID: programme.id, auditedFor: caller.actor)
        return ProgrammeView(programme: programme, sessions: sessions, roster: roster,
                             consultations: caller.may(.plan) ? try consultations.list(programmeID: programme.id) : [],
                             site: try programme.siteId.map { try sites.site(id: $0) })
    }

    /// A programme and its sessions, without the roster.
    public func programmeSummary(_ id: String, by caller: Caller) throws -> (ProgrammeRecord, [SessionRecord]) {
        let (programme, sessions) = try programmes.programme(id: id)
        try requireOpen(programme, caller)
        return (programme, sessions)
    }

    /// How many are enrolled and waiting, per programme (no names: not audited).
    public func enrolmentCounts(programmeID: String, by caller: Caller) throws -> (enrolled: Int, waiting: Int) {
        let (programme, _) = try programmes.programme(id: programmeID)
        try requireOpen(programme, caller)
        return try enrolments.counts(programmeID: programmeID)
    }

    /// A session with the enrolled participants (audited) and their attendance.
    public func session(_ id: String, by caller: Caller) throws -> SessionView {
        let (session, programme) = try programmes.session(id: id)
        try requireOpen(programme, caller)
        let roster = try enrolments.roster(programmeID: programme.id, auditedFor: caller.actor, session: session.id)
            .filter { $0.0.status == .enrolled }.map(\.1)
        return SessionView(session: session, programme: programme, roster: roster, attendance: try enrolments.attendance(sessionID: session.id),
                           notStarted: TimeGuards.attendance(sessionNumber: session.index, startsAt: session.startsAt, zone: programme.zone,
                                                             now: clock.now()))
    }

    /// The changes made to a session (moves, cancellation), newest last.
    public func sessionChanges(_ id: String, by caller: Caller) throws -> [SessionChange] {
        let (_, programme) = try programmes.session(id: id)
        try requireOpen(programme, caller)
        return try programmes.changes(sessionID: id)
    }

    func requireOpen(_ programme: ProgrammeRecord, _ caller: Caller) throws(Refusal) {
        try caller.require(.notTheProgrammesFacilitator) { role, user in
            Access.mayOpenProgramme(role: role, userID: user, peerHelperID: programme.peerHelperId)
        }
    }

    // MARK: Sessions

    /// Moves a session to a new local time (and room), refusing conflicts; participants are told.
    public func moveSession(_ id: String, _ move: SessionMove, by caller: Caller) throws -> (SessionRecord, ProgrammeRecord) {
        try caller.require(.plan)
        let (session, programme) = try programmes.session(id: id)
        var problems: [String: Reason] = [:]
        var local: LocalDateTime?
        do throws(ValidationError) { local = try Input.localDateTime(move.start, field: "start") } catch {
            problems["start"] = move.start?.nilIfEmpty == nil ? .required : error.fields["start"]
        }
        TextRules.checkOneLine(move.reason, field: "reason", maxLength: 500, into: &problems)
        guard problems.isEmpty, let local else { throw ValidationError(problems) }
        let start = local.instant(in: programme.zone)
        let (_, siblings) = try programmes.programme(id: programme.id)
        let kept = siblings.filter { $0.status != .cancelled }
        if let reason = TimeGuards.sessionOrder(start: start, previous: kept.last { $0.index < session.index }?.startsAt,
                                                next: kept.first { $0.index > session.index }?.startsAt, zone: programme.zone) {
            throw ValidationError(field: "start", reason)
        }
        try checkPastConfirmation(start, move.confirmedPast)
        let roomChange: String?? = move.clearsRoom ? .some(nil) : move.roomID.map { .some($0) }
        let moved = try programmes.reschedule(sessionID: session.id, start: start, end: start.addingTimeInterval(session.endsAt.timeIntervalSince(session.startsAt)),
                                              roomID: roomChange, holiday: FrenchHolidays.holiday(on: local.date), reason: move.reason ?? "",
                                              by: caller.actor)
        return (moved, programme)
    }

    public func cancelSession(_ id: String, reason: String?, by caller: Caller) throws -> (SessionRecord, ProgrammeRecord) {
        try caller.require(.plan)
        let (session, programme) = try programmes.session(id: id)
        try TextRules.validate { TextRules.checkOneLine(reason?.trimmingCharacters(in: .whitespaces), field: "reason", maxLength: 500, required: true, into: &$0) }
        return (try programmes.cancel(sessionID: session.id, reason: reason ?? "", by: caller.actor), programme)
    }

    /// Records attendance and the session note. The same rule for every way in: the programme's
    /// facilitators or a coordinator (`Access.mayRecordAttendance`).
    public func recordAttendance(sessionID: String, _ sheet: AttendanceSheet, by caller: Caller) throws -> [String: AttendanceStatus] {
        let (session, programme) = try programmes.session(id: sessionID)
        try caller.require(.notTheProgrammesFacilitator) { role, user in
            Access.mayRecordAttendance(role: role, userID: user, facilitators: programme.facilitators)
        }
        var problems: [String: Reason] = [:]
        var records: [(participantID: String, status: AttendanceStatus)] = []
        for (index, entry) in (sheet.records ?? []).enumerated() {
            guard let status = AttendanceStatus(rawValue: entry.status) else {
                problems["records[\(index)].status"] = Self.oneOf(AttendanceStatus.self)
                continue
            }
            records.append((entry.participantID, status))
        }
        TextRules.checkMultiLine(sheet.note, field: "note", maxLength: 5000, into: &problems)
        // The note may be written ahead (to prepare the session); who came, only once it began.
        if !records.isEmpty, let reason = TimeGuards.attendance(sessionNumber: session.index, startsAt: session.startsAt, zone: programme.zone,
                                                                now: clock.now()) {
            problems["session"] = reason
        }
        guard problems.isEmpty else { throw ValidationError(problems) }
        try enrolments.recordAttendance(sessionID: session.id, records, note: sheet.note, by: caller.actor)
        return try enrolments.attendance(sessionID: session.id)
    }

    /// A date in the past is entered knowingly: a page that has not had its box ticked is
    /// answered with the reason to ask (`confirmPast`); scripts (`confirmed` nil) are not asked.
    func checkPastConfirmation(_ start: Date, _ confirmed: Bool?) throws(ValidationError) {
        if confirmed == false && start < clock.now() { throw ValidationError(field: "confirmPast", Reason(.pastNeedsConfirmation)) }
    }

    // MARK: Vocabulary

    public static func oneOf<T: RawRepresentable & CaseIterable>(_ type: T.Type) -> Reason where T.RawValue == String {
        Reason(.expectedOneOf, ["options": T.allCases.map(\.rawValue).joined(separator: ", ")])
    }
}
