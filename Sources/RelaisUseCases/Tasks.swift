import Foundation
import RelaisDomain
import RelaisStore

/// A phone task with what is needed to make the call.
public struct TaskView: Sendable {
    public var task: TaskRecord
    public var participant: ParticipantRecord
    public var invitation: InvitationRecord?
    /// The questions to ask: the instruments of the questionnaire the task stands for.
    public var script: [ConfiguredInstrument]
    /// The message the task stands for (a session change, a failed delivery), when there is one.
    public var message: OutboxRecord?
    /// For a session change: which session, and its new and former times.
    public var sessionChange: TaskSessionChange?
    /// The programme the task belongs to (its title, its time zone).
    public var programme: ProgrammeRecord?
}

/// What a participant is told on the phone of a moved or cancelled session, from the task's
/// message (the times it announced) and the session (its number and title).
public struct TaskSessionChange: Sendable, Equatable {
    public var sessionID: String
    public var index: Int
    public var title: String
    public var cancelled: Bool
    /// The time the change announced (for a cancellation, the time that no longer holds).
    public var startsAt: Date
    public var previousStartsAt: Date?
    public var timeZone: TimeZone
}

/// A task's printable letter: the questionnaire on paper, its link and its short code.
public struct LetterView: Sendable {
    public var task: TaskView
    public var programmeTitle: String
    /// For a follow-up: the months after the programme it is for; nil at the end of the programme.
    public var followUpMonths: Int?
    /// Where the code is typed, e.g. "https://relais.example.org/c".
    public var codePage: String
    /// The letter's link and its code as printed ("K7M-4QX-9TR"); nil once answered (or without questionnaire).
    public var link: String?
    public var code: String?

    public init(task: TaskView, programmeTitle: String, followUpMonths: Int? = nil, codePage: String, link: String? = nil, code: String? = nil) {
        self.task = task
        self.programmeTitle = programmeTitle
        self.followUpMonths = followUpMonths
        self.codePage = codePage
        self.link = link
        self.code = code
    }
}

/// A message that could not be delivered, as staff see it.
public struct FailedDelivery: Sendable {
    public var message: OutboxRecord
    /// Why, in the words of the locale files (`DeliveryFailure`; a generic reason for messages
    /// that failed before failures had codes).
    public var reason: Reason
    /// The participant it was for, when the caller may read contact details.
    public var participant: ParticipantRecord?
    /// The staff member it was for (a digest, a notice).
    public var staffName: String?

    public init(message: OutboxRecord, reason: Reason, participant: ParticipantRecord? = nil, staffName: String? = nil) {
        self.message = message
        self.reason = reason
        self.participant = participant
        self.staffName = staffName
    }

    /// The address can never be delivered to and is still the participant's: retrying is
    /// useless, correcting the email is what helps. Once corrected, a retry makes sense again.
    public var needsAddressCorrection: Bool {
        guard message.failure?.concernsTheAddress == true, let participant else { return false }
        if message.channel == .sms {
            return participant.mobile == nil || message.recipient == nil || participant.mobile == message.recipient
        }
        return participant.email == nil || message.recipient == nil || participant.email == message.recipient
    }
}

/// A task created by staff.
public struct TaskRequest: Sendable, Codable, Equatable {
    public var participantID: String?
    public var reason: String?
    public var dueOn: String?
    public var assignedTo: String?

    public init(participantID: String? = nil, reason: String? = nil, dueOn: String? = nil, assignedTo: String? = nil) {
        self.participantID = participantID
        self.reason = reason
        self.dueOn = dueOn
        self.assignedTo = assignedTo
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case reason, dueOn, assignedTo
        case participantID = "participantId"
    }
}

/// A change to a task: its state, who makes the call, a note. `assignedTo: null` unassigns.
public struct TaskChange: Sendable, Codable, Equatable {
    public var state: String?
    public var assignedTo: String?
    public var unassigns = false
    public var note: String?

    public init(state: String? = nil, assignedTo: String? = nil, unassigns: Bool = false, note: String? = nil) {
        self.state = state
        self.assignedTo = assignedTo
        self.unassigns = unassigns
        self.note = note
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case state, assignedTo, note
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        state = try container.decodeIfPresent(String.self, forKey: .state)
        note = try container.decodeIfPresent(String.self, forKey: .note)
        unassigns = try container.contains(.assignedTo) && container.decodeNil(forKey: .assignedTo)
        assignedTo = unassigns ? nil : try container.decodeIfPresent(String.self, forKey: .assignedTo)
    }
}

extension UseCases {
    public func tasks(state: TaskState?, assignedTo: String?, participantID: String?, limit: Int = 500, by caller: Caller) throws -> [TaskRecord] {
        try caller.require(.manageReminders)
        return try tasks.list(state: state, assignedTo: assignedTo, participantID: participantID, limit: limit)
    }

    /// The tasks of a list (the API's and the page's) with their participants: the
    /// participants shown are audited in one row, not one transaction each.
    public func taskList(state: TaskState?, assignedTo: String?, participantID: String?, limit: Int = 500, by caller: Caller) throws -> [TaskView] {
        try caller.require(.manageReminders)
        let records = try tasks.list(state: state, assignedTo: assignedTo, participantID: participantID, limit: limit)
        let people = try participants.read(ids: records.map(\.participantId), action: "list_tasks", by: caller.actor)
        return try records.compactMap { task in
            // A participant erased meanwhile takes their tasks with them.
            guard let participant = people[task.participantId] else { return nil }
            let invitation = try task.invitationId.map { try questionnaires.invitation(id: $0) }
            return TaskView(task: task, participant: participant, invitation: invitation,
                            script: invitation?.instruments.compactMap { instruments[$0] } ?? [])
        }
    }

    /// A task with its participant (the read audited), its script, and the message it stands for.
    public func task(_ id: String, by caller: Caller) throws -> TaskView {
        try caller.require(.manageReminders)
        let task = try tasks.task(id: id)
        let participant = try participants.read(id: task.participantId, by: caller.actor)
        let invitation = try task.invitationId.map { try questionnaires.invitation(id: $0) }
        var view = TaskView(task: task, participant: participant, invitation: invitation,
                            script: invitation?.instruments.compactMap { instruments[$0] } ?? [])
        view.message = try task.outboxId.flatMap { try outbox.message(id: $0) }
        // A programme or session since deleted leaves the task readable, with its stored reason.
        view.programme = task.programmeId.flatMap { try? programmes.programme(id: $0).0 }
        if task.kind == .sessionChangeCall, let message = view.message, let sessionID = message.sessionId,
           let (session, programme) = try? programmes.session(id: sessionID) {
            let epoch = { (key: String) in message.payload[key].flatMap(Double.init).map { Date(timeIntervalSince1970: $0) } }
            view.sessionChange = TaskSessionChange(sessionID: session.id, index: session.index, title: session.title,
                                                   cancelled: message.kind == .sessionCancelled, startsAt: epoch("startsAt") ?? session.startsAt,
                                                   previousStartsAt: epoch("previousStartsAt"), timeZone: programme.zone)
        }
        return view
    }

    public func createTask(_ request: TaskRequest, by caller: Caller) throws -> TaskRecord {
        try caller.require(.manageReminders)
        var problems: [String: Reason] = [:]
        if request.participantID?.nilIfEmpty == nil { problems["participantId"] = .required }
        if request.reason?.trimmingCharacters(in: .whitespacesAndNewlines).nilIfEmpty == nil { problems["reason"] = .required }
        var dueOn: CalendarDate?
        if let text = request.dueOn {
            do throws(ValidationError) { dueOn = try Input.calendarDate(text, field: "dueOn") } catch { problems["dueOn"] = error.fields["dueOn"] }
        }
        guard problems.isEmpty else { throw ValidationError(problems) }
        return try tasks.create(participantID: request.participantID ?? "", reason: request.reason ?? "", dueOn: dueOn,
                                assignedTo: request.assignedTo?.nilIfEmpty, by: caller.actor)
    }

    public func changeTask(_ id: String, _ change: TaskChange, by caller: Caller) throws -> TaskRecord {
        try caller.require(.manageReminders)
        var state: TaskState?
        if let raw = change.state?.nilIfEmpty {
            guard let value = TaskState(rawValue: raw) else { throw ValidationError(field: "state", Self.oneOf(TaskState.self)) }
            state = value
        }
        // null unassigns, "" too (the form's "nobody"); absent leaves as is.
        let assignee: String??
        if change.unassigns { assignee = .some(nil) } else if let text = change.assignedTo { assignee = .some(text.nilIfEmpty) } else { assignee = nil }
        return try tasks.update(id: id, state: state, assignedTo: assignee, note: change.note, by: caller.actor)
    }

    /// The answers collected on the phone or on paper for a task's questionnaire: stored like any
    /// assessment (which closes the questionnaire, cancels its reminders and the task).
    public func answerTask(_ id: String, answers: [String: [String: JSONValue]], source: String?, by caller: Caller) throws -> [AssessmentRecord] {
        try caller.require(.recordAssessments)
        let view = try task(id, by: caller)
        guard view.invitation != nil else { throw Refusal.conflict(.taskWithoutQuestionnaire) }
        let (results, refused) = score(view.script, answers: answers)
        guard refused.isEmpty else {
            var problems: [String: Reason] = [:]
            for (instrument, items) in refused { for (item, reason) in items { problems["\(instrument).\(item)"] = reason } }
            throw ValidationError(problems)
        }
        let how = AssessmentSource(rawValue: source ?? "").flatMap { $0 == .participantWeb ? nil : $0 } ?? .phone
        return try results.map { result in
            try assessments.record(participantID: view.task.participantId, programmeID: view.task.programmeId, result: result, takenOn: today,
                                   partial: false, source: how, by: caller.actor)
        }
    }

    /// The printable letter of a task: its participant (audited), its questionnaire, and the live
    /// link of the letter with its short code (the same each time it is printed).
    public func letter(taskID: String, by caller: Caller) throws -> LetterView {
        let view = try task(taskID, by: caller)
        var letter = LetterView(task: view, programmeTitle: "", codePage: "\(settings.publicBaseURL)/c")
        guard let invitation = view.invitation else { return letter }
        letter.programmeTitle = try programmes.programme(id: invitation.programmeId).0.title
        letter.followUpMonths = invitation.purpose == .followUp ? invitation.months : nil
        guard invitation.answeredAt == nil else { return letter }
        let link = try questionnaires.letterLink(invitationID: invitation.id, days: settings.questionnaireTokenDays, key: try store.secretKey("link"))
        letter.link = "\(settings.publicBaseURL)/q/\(link.token)"
        letter.code = LetterCode.grouped(link.code)
        return letter
    }

    // MARK: Outbox

    public func messages(state: OutboxState?, kind: MessageKind?, participantID: String?, channel: MessageChannel? = nil, limit: Int = 200,
                         by caller: Caller) throws -> [OutboxRecord] {
        try caller.require(.manageReminders)
        return try outbox.list(state: state, kind: kind, participantID: participantID, channel: channel, limit: limit)
    }

    /// The latest SMS, each with whom it was for (to staff who may read contact details; audited
    /// in one row per participant).
    public func recentSMS(limit: Int = 100, by caller: Caller) throws -> [(message: OutboxRecord, participant: ParticipantRecord?)] {
        try caller.require(.manageReminders)
        let messages = try outbox.list(state: nil, kind: nil, participantID: nil, channel: .sms, limit: limit)
        let showsNames = caller.may(.readContactDetails)
        let items = try messages.map { message in
            (message: message, participant: showsNames ? try message.participantId.flatMap { try participants.find(id: $0) } : nil)
        }
        try store.recordRead(caller.actor, "read_sms", participants: Set(items.compactMap(\.participant?.id)).sorted(), at: clock.now())
        return items
    }

    /// SMS counted by status (`Outbox.smsCounts`), for the dashboard and the outbox page.
    public func smsCounts(by caller: Caller) throws -> [String: Int] {
        guard caller.may(.manageReminders) || caller.may(.administer) else { throw Refusal.forbidden() }
        return try outbox.smsCounts()
    }

    /// A delivery report of the SMS gateway (Kannel's `dlr-url`), already authenticated by the
    /// secret of its address: `type` is Kannel's report type. Nil when no SMS has this reference.
    public func recordSMSDelivery(reference: String, type: Int, detail: String?) throws -> SMSDelivery? {
        guard let report = SMSDelivery(kannelType: type) else { throw ValidationError(field: "type", .invalidValue) }
        return try outbox.recordDelivery(reference: reference, report: report, detail: detail, at: clock.now(), timeZone: settings.timeZone)
    }

    /// Keeps the trace of a test SMS sent from the settings page, like a test email.
    public func recordTestSMS(number: String, outcome: String, failed: Bool, by caller: Caller) throws {
        try caller.require(.administer)
        try store.recordEvent(caller.actor, failed ? "test_sms_failed" : "test_sms", entity: "sms",
                              detail: failed ? "\(number): \(outcome)" : outcome, at: clock.now())
    }

    /// The last test SMS, newest first.
    public func testSMS(by caller: Caller) throws -> [AuditEntry] {
        try caller.require(.administer)
        return try store.auditEntries(entity: "sms", limit: 20).filter { $0.action.hasPrefix("test_sms") }
    }

    /// The failed deliveries, latest first, each with whom it was for (the participant, to staff
    /// who may read contact details; the read is audited in one row per participant) and why,
    /// as a reason staff read in their language.
    public func failedDeliveries(limit: Int = 200, by caller: Caller) throws -> [FailedDelivery] {
        try caller.require(.manageReminders)
        let messages = try outbox.list(state: .failed, kind: nil, participantID: nil, limit: limit)
        let names = try staffNames(by: caller)
        let showsNames = caller.may(.readContactDetails)
        let deliveries = try messages.map { message in
            var delivery = FailedDelivery(message: message, reason: (message.failure ?? .transportFailed).reason)
            if showsNames, let id = message.participantId { delivery.participant = try participants.find(id: id) }
            delivery.staffName = message.userId.flatMap { names[$0] }
            return delivery
        }
        let named = Set(deliveries.compactMap(\.participant?.id))
        try store.recordRead(caller.actor, "read_failed_deliveries", participants: named.sorted(), at: clock.now())
        return deliveries
    }

    /// Puts a failed message back in the queue.
    public func retryMessage(_ id: String, by caller: Caller) throws -> OutboxRecord {
        try caller.require(.manageReminders)
        return try outbox.retry(id: id, by: caller.actor)
    }

    public func outboxCounts(by caller: Caller) throws -> [OutboxState: Int] {
        guard caller.may(.manageReminders) || caller.may(.administer) else { throw Refusal.forbidden() }
        return try outbox.counts()
    }
}
