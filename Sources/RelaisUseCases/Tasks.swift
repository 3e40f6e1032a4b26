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

    /// A task with its participant (the read audited) and its script.
    public func task(_ id: String, by caller: Caller) throws -> TaskView {
        try caller.require(.manageReminders)
        let task = try tasks.task(id: id)
        let participant = try participants.read(id: task.participantId, by: caller.actor)
        let invitation = try task.invitationId.map { try questionnaires.invitation(id: $0) }
        return TaskView(task: task, participant: participant, invitation: invitation,
                        script: invitation?.instruments.compactMap { instruments[$0] } ?? [])
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
    /// link of the letter (the same each time it is printed).
    public func letter(taskID: String, by caller: Caller) throws -> (TaskView, programmeTitle: String, link: String?) {
        let view = try task(taskID, by: caller)
        guard let invitation = view.invitation else { return (view, "", nil) }
        let title = try programmes.programme(id: invitation.programmeId).0.title
        guard invitation.answeredAt == nil else { return (view, title, nil) }
        let token = try questionnaires.letterToken(invitationID: invitation.id, days: settings.questionnaireTokenDays, key: try store.secretKey("link"))
        return (view, title, "\(settings.publicBaseURL)/q/\(token)")
    }

    // MARK: Outbox

    public func messages(state: OutboxState?, kind: MessageKind?, participantID: String?, limit: Int = 200, by caller: Caller) throws -> [OutboxRecord] {
        try caller.require(.manageReminders)
        return try outbox.list(state: state, kind: kind, participantID: participantID, limit: limit)
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
