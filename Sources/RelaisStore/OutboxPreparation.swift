import Foundation
import GRDB
import RelaisDomain

/// Who a message goes to.
public struct Recipient: Sendable, Equatable {
    /// Their email address (empty for a participant written to by SMS only).
    public var email: String
    public var name: String
    public var firstName: String
    public var language: String
    /// Their mobile number (E.164), for an SMS.
    public var mobile: String?

    public init(email: String, name: String, firstName: String, language: String, mobile: String? = nil) {
        self.email = email
        self.name = name
        self.firstName = firstName
        self.language = language
        self.mobile = mobile
    }
}

public struct SessionFacts: Sendable, Equatable {
    public var index: Int
    public var title: String
    public var startsAt: Date
    public var endsAt: Date
    /// The session's calendar revision, the SEQUENCE of its .ics (the feeds show the same).
    public var sequence: Int
}

/// An individual consultation, as a change notice tells it.
public struct ConsultationFacts: Sendable, Equatable {
    public var index: Int
    public var startsAt: Date
    public var endsAt: Date
    public var modality: ConsultationModality
    /// The tabacologue's display name.
    public var facilitator: String?
    /// Its calendar revision (the feeds show the same).
    public var sequence: Int
}

public struct PlaceFacts: Sendable, Equatable {
    public var modality: Modality
    public var siteName: String?
    public var siteAddress: String?
    public var roomName: String?
    public var visioURL: String?
}

/// What the staff digest reports; participants appear only as counts.
public struct DigestFacts: Sendable, Equatable {
    public var sessionsToday: [(programme: String, session: SessionFacts)]
    public var followUpsDueToday: Int
    public var followUpsOverdue: Int
    public var openTasks: Int
    public var failedDeliveries: Int

    public var isEmpty: Bool { sessionsToday.isEmpty && followUpsDueToday + followUpsOverdue + openTasks + failedDeliveries == 0 }

    public static func == (a: DigestFacts, b: DigestFacts) -> Bool {
        a.sessionsToday.map(\.session) == b.sessionsToday.map(\.session) && a.sessionsToday.map(\.programme) == b.sessionsToday.map(\.programme)
            && (a.followUpsDueToday, a.followUpsOverdue, a.openTasks, a.failedDeliveries) == (b.followUpsDueToday, b.followUpsOverdue, b.openTasks, b.failedDeliveries)
    }
}

/// Everything the templates need, read in the same transaction as the send-time check.
public struct PreparedMessage: Sendable {
    public var record: OutboxRecord
    public var recipient: Recipient
    public var timeZone: TimeZone
    /// Email, or SMS to `recipient.mobile`.
    public var channel: MessageChannel = .email
    public var programmeTitle: String?
    /// The programme's template: its sessions' titles in the recipient's language.
    public var templateID: String?
    public var place: PlaceFacts?
    public var session: SessionFacts?
    public var consultation: ConsultationFacts?
    public var sessions: [SessionFacts] = []
    public var questionnaireToken: String?
    /// For an SMS: the short code of the questionnaire (the letters' code, `LetterCode`), whose
    /// short link `/c/CODE` opens the same questionnaire as `questionnaireToken`'s.
    public var questionnaireCode: String?
    public var instruments: [String] = []
    /// For a follow-up questionnaire: the months after the programme it is for.
    public var followUpMonths: Int?
    public var linkExpiresAt: Date?
    public var digest: DigestFacts?
}

public enum Preparation: Sendable {
    /// Deliver this.
    case send(PreparedMessage)
    /// Its condition no longer holds; it was closed with this state and reason.
    case closed(OutboxState, ClosingReason)
    /// An action (phone task) was carried out instead of mail.
    case performed(PerformedAction)
    /// Not now: its channel's sending hours are closed, an SMS reminder waits for its day, or
    /// its transport is down in this sweep. It stays pending, due again at `until` (nil: as it was).
    case deferred(until: Date?, channel: MessageChannel)
}

/// What the send-time check is told about the channels, for one sweep.
public struct ChannelConditions: Sendable {
    /// The mail hours, when the sweep runs outside them (for SMS): an email then waits for them.
    public var mailWindow: SendingWindow?
    /// The SMS hours (no SMS at night, on Sundays or public holidays by default); nil: as mail.
    public var smsWindow: SendingWindow?
    /// Channels whose transport failed in this sweep: their messages wait for the next one.
    public var unavailable: Set<MessageChannel>
    /// The key of letters' links and codes (`link.key`), for the short link of an SMS.
    public var linkKey: (@Sendable () throws -> [UInt8])?

    public init(mailWindow: SendingWindow? = nil, smsWindow: SendingWindow? = nil, unavailable: Set<MessageChannel> = [],
                linkKey: (@Sendable () throws -> [UInt8])? = nil) {
        self.mailWindow = mailWindow
        self.smsWindow = smsWindow
        self.unavailable = unavailable
        self.linkKey = linkKey
    }
}

/// Why the send-time check closed a message. `text` is what `closed_reason` stores and the
/// API shows: those strings are kept as they were, since exports and scripts read them.
public enum ClosingReason: Sendable, Equatable {
    case messageDeleted
    case alreadyClosed(OutboxState)
    case staffUnreachable
    case nothingToReport
    case participantOrProgrammeGone
    case noLongerEnrolled
    case noLongerWaiting
    case noContact
    case sessionMoved
    case alreadyStarted
    case sessionNoLongerCancelled
    case consultationMoved
    case consultationStarted
    case answered
    case noFollowUpConsent
    case noEmailOrConsent
    /// Written after its moment had long passed (a programme entered after the fact).
    case recordedLate
    /// No email (or no consent to it): a phone task replaces the message; `opened` is false when
    /// the task of the same questionnaire or change was already open.
    case becamePhoneTask(opened: Bool)

    public var text: String {
        switch self {
        case .messageDeleted: "message deleted"
        case .alreadyClosed(let state): "already \(state.rawValue)"
        case .staffUnreachable: "staff account disabled or without email"
        case .nothingToReport: "nothing to report today"
        case .participantOrProgrammeGone: "participant or programme no longer exists"
        case .noLongerEnrolled: "participant no longer enrolled"
        case .noLongerWaiting: "participant no longer on the waiting list"
        case .noContact: "participant asked not to be contacted"
        case .sessionMoved: "the session was moved or cancelled since"
        case .alreadyStarted: "the session has already started"
        case .sessionNoLongerCancelled: "the session is no longer cancelled"
        case .consultationMoved: "the consultation was moved or cancelled since"
        case .consultationStarted: "the consultation has already started"
        case .answered: "questionnaire answered"
        case .noFollowUpConsent: "no consent to follow-up contact"
        case .noEmailOrConsent: "no email, or no consent to email"
        case .recordedLate: "recorded late"
        case .becamePhoneTask: "no email, or no consent to email: phone task"
        }
    }

    /// Whether a phone task was opened in the same transaction.
    public var openedPhoneTask: Bool { self == .becamePhoneTask(opened: true) }
}

/// What the send-time check did instead of mail; `text` is stored as `closed_reason`.
public enum PerformedAction: Sendable, Equatable {
    case phoneTaskOpened
    case phoneTaskAlreadyOpen

    public var text: String {
        switch self {
        case .phoneTaskOpened: "phone task opened"
        case .phoneTaskAlreadyOpen: "phone task already open"
        }
    }
}

extension Outbox {
    /// The send-time check (a message is sent only if what made it due still holds): in one
    /// transaction, either closes the message with the reason it no longer applies, turns it into
    /// a phone task, or returns what to send (issuing the questionnaire link it carries).
    public func prepare(id: String, at now: Date, tokenDays: Int, timeZone: TimeZone, conditions: ChannelConditions = ChannelConditions()) throws -> Preparation {
        let policy = store.reminderPolicy
        return try store.pool.write { db in
            guard let record = try OutboxRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM outbox WHERE id = ?"), arguments: [id]) else {
                return .closed(.cancelled, .messageDeleted)
            }
            guard record.state == .pending else { return .closed(record.state, .alreadyClosed(record.state)) }
            let outcome = try Self.check(db, record, at: now, tokenDays: tokenDays, timeZone: timeZone, policy: policy, conditions: conditions)
            switch outcome {
            case .closed(let state, let reason):
                try Self.close(db, id: id, state, reason: reason.text, at: now)
                if case .becamePhoneTask = reason {
                    try db.execute(sql: "UPDATE outbox SET channel = 'phone' WHERE id = ?", arguments: [id])
                } else if reason == .noEmailOrConsent {
                    try db.execute(sql: "UPDATE outbox SET channel = NULL WHERE id = ?", arguments: [id])
                }
            case .performed(let what):
                let stamp = StoredTime.text(now)
                try db.execute(sql: """
                    UPDATE outbox SET state = 'sent', sent_at = ?, closed_reason = ?, attempts = attempts + 1, channel = 'phone', updated_at = ? WHERE id = ?
                    """, arguments: [stamp, what.text, stamp, id])
            case .deferred(let until, let channel):
                if let until {
                    try db.execute(sql: "UPDATE outbox SET next_attempt_at = ?, channel = ?, updated_at = ? WHERE id = ?",
                                   arguments: [until, channel.rawValue, now, id])
                }
            case .send: break
            }
            return outcome
        }
    }

    private static func check(_ db: Database, _ record: OutboxRecord, at now: Date, tokenDays: Int, timeZone: TimeZone, policy: ReminderPolicy,
                              conditions: ChannelConditions) throws -> Preparation {
        if let userID = record.userId {
            guard let user = try User.fetchOne(db, key: userID), !user.isDisabled, let email = user.email else {
                return .closed(.skipped, .staffUnreachable)
            }
            if conditions.unavailable.contains(.email) { return .deferred(until: nil, channel: .email) }
            if let window = conditions.mailWindow, !window.allows(now), !record.kind.ignoresSendingWindow {
                return .deferred(until: window.nextOpening(atOrAfter: now), channel: .email)
            }
            let recipient = Recipient(email: email, name: user.displayName, firstName: user.displayName, language: user.language)
            var message = PreparedMessage(record: record, recipient: recipient, timeZone: timeZone)
            if record.kind == .staffDigest {
                let digest = try Self.digest(db, for: user, on: CalendarDate(iso: record.payload["date"] ?? "") ?? LocalDateTime(now, in: timeZone).date,
                                             timeZone: timeZone)
                guard !digest.isEmpty else { return .closed(.skipped, .nothingToReport) }
                message.digest = digest
            }
            return .send(message)
        }
        // Cached statements: the sweep runs these for every message.
        guard let participantID = record.participantId,
              let participant = try ParticipantRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM participant WHERE id = ?"), arguments: [participantID]),
              let programmeID = record.programmeId,
              let programme = try ProgrammeRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM programme WHERE id = ?"), arguments: [programmeID]) else {
            return .closed(.skipped, .participantOrProgrammeGone)
        }
        let status = try String.fetchOne(db.cachedStatement(sql: """
            SELECT status FROM enrolment WHERE programme_id = ? AND participant_id = ?
            """), arguments: [programmeID, participantID])
        if record.kind == .waitingList {
            // Enrolled since (the confirmation says so) or withdrawn: the notice no longer holds.
            guard status == EnrolmentStatus.waiting.rawValue else { return .closed(.skipped, .noLongerWaiting) }
        } else {
            guard status == EnrolmentStatus.enrolled.rawValue else { return .closed(.skipped, .noLongerEnrolled) }
        }
        if participant.noContact { return .closed(.skipped, .noContact) }

        var session: SessionRecord?
        if let sessionID = record.sessionId {
            session = try SessionRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM session WHERE id = ?"), arguments: [sessionID])
            let expectedStart = record.payload["startsAt"].flatMap(Int.init)
            switch record.kind {
            case .sessionReminder, .sessionChanged:
                guard let current = session, current.status == .planned, Reminders.epoch(current.startsAt) == expectedStart else {
                    return .closed(.skipped, .sessionMoved)
                }
                guard current.startsAt > now else { return .closed(.skipped, .alreadyStarted) }
            case .sessionCancelled:
                guard session?.status == .cancelled else { return .closed(.skipped, .sessionNoLongerCancelled) }
            default: break
            }
        }
        var consultation: ConsultationRecord?
        if record.kind == .consultationChanged || record.kind == .consultationReminder {
            consultation = try record.payload["consultationId"].flatMap { try ConsultationRecord.fetchOne(db, key: $0) }
            guard let current = consultation, current.status == .planned,
                  Reminders.epoch(current.startsAt) == record.payload["startsAt"].flatMap(Int.init) else {
                return .closed(.skipped, .consultationMoved)
            }
            guard current.startsAt > now else { return .closed(.skipped, .consultationStarted) }
        }
        var invitation: InvitationRecord?
        if let invitationID = record.invitationId {
            invitation = try InvitationRecord.fetchOne(db, key: invitationID)
            guard let open = invitation, open.answeredAt == nil else { return .closed(.cancelled, .answered) }
            if open.purpose == .followUp && participant.consentFollowUpAt == nil {
                return .closed(.skipped, .noFollowUpConsent)
            }
        }
        if record.kind == .followUpCall {
            let opened = try Tasks.open(db, for: record, participantID: participantID, kind: .followUpCall,
                                        reason: "Suivi à 3 mois sans réponse après les relances par courriel : appeler pour recueillir les réponses.", at: now,
                                        structureZone: timeZone)
            return .performed(opened ? .phoneTaskOpened : .phoneTaskAlreadyOpen)
        }
        let means = ContactMeans(email: participant.email != nil && participant.consentEmailAt != nil,
                                 sms: policy.smsEnabled && participant.mobile != nil && participant.consentSmsAt != nil,
                                 prefersSMS: participant.preferredChannel == .sms)
        let channel = ChannelRules.channel(for: record.kind, means)
        switch channel {
        case .email?:
            if conditions.unavailable.contains(.email) { return .deferred(until: nil, channel: .email) }
            if let window = conditions.mailWindow, !window.allows(now) {
                return .deferred(until: window.nextOpening(atOrAfter: now), channel: .email)
            }
        case .sms?:
            if conditions.unavailable.contains(.sms) { return .deferred(until: nil, channel: .sms) }
            // The SMS reminder of an appointment goes `smsReminderDays` before it (the day before,
            // or two days before), inside the SMS hours.
            var earliest = now
            let appointment = ChannelRules.isAppointmentReminder(record.kind) ? session?.startsAt ?? consultation?.startsAt : nil
            if let appointment { earliest = max(now, appointment.addingTimeInterval(-Double(policy.smsReminderDays) * 86400)) }
            var opening = conditions.smsWindow.map { $0.nextOpening(atOrAfter: earliest) } ?? earliest
            // The day before is closed to SMS (a Sunday, a holiday) up to the appointment itself:
            // sooner rather than never.
            if let appointment, let late = opening, late >= appointment, let window = conditions.smsWindow {
                opening = window.nextOpening(atOrAfter: now)
            }
            if opening != now { return .deferred(until: opening, channel: .sms) }
        case .phone?, nil: break
        }
        guard let channel, channel != .phone else {
            guard channel == .phone else { return .closed(.skipped, .noEmailOrConsent) }
            let kind: TaskKind = record.kind.carriesQuestionnaire ? .questionnaireCall : .sessionChangeCall
            let reason = kind == .questionnaireCall
                ? "Pas de courriel (ou pas de consentement) : recueillir le questionnaire par téléphone ou envoyer la lettre."
                : record.kind == .consultationChanged ? "Pas de courriel : prévenir par téléphone que la consultation individuelle a été déplacée."
                : "Pas de courriel : prévenir par téléphone que la séance a été \(record.kind == .sessionCancelled ? "annulée" : "déplacée")."
            let opened = try Tasks.open(db, for: record, participantID: participantID, kind: kind, reason: reason, at: now, structureZone: timeZone)
            return .closed(.skipped, .becamePhoneTask(opened: opened))
        }

        var message = PreparedMessage(
            record: record,
            recipient: Recipient(email: channel == .email ? participant.email ?? "" : "", name: "\(participant.firstName) \(participant.lastName)",
                                 firstName: participant.firstName, language: participant.language,
                                 mobile: channel == .sms ? participant.mobile : nil),
            timeZone: programme.zone, channel: channel, programmeTitle: programme.title)
        message.templateID = programme.templateId
        message.place = try Self.place(db, programme, roomID: session?.roomId ?? programme.roomId)
        message.session = session.map(Self.facts)
        if let consultation {
            let facilitator = try String.fetchOne(db, sql: "SELECT display_name FROM user WHERE id = ?", arguments: [consultation.facilitatorId])
            message.consultation = ConsultationFacts(index: consultation.index, startsAt: consultation.startsAt, endsAt: consultation.endsAt,
                                                     modality: consultation.modality, facilitator: facilitator, sequence: consultation.sequence)
        }
        if record.kind == .enrolmentConfirmation {
            message.sessions = try SessionRecord.filter(Column("programme_id") == programmeID && Column("status") == "planned"
                                                        && Column("starts_at") > now).order(Column("idx")).fetchAll(db).map(Self.facts)
        }
        if let invitation, channel == .sms, let linkKey = conditions.linkKey {
            // An SMS carries the short link of the letters' code: the same live link and code as
            // a letter of this questionnaire, and the same in each reminder.
            let link = try Questionnaires.letterLink(db, invitationID: invitation.id, days: tokenDays, key: try linkKey(), at: now)
            message.questionnaireToken = link.token
            message.questionnaireCode = link.code
            message.instruments = invitation.instruments
            if invitation.purpose == .followUp { message.followUpMonths = invitation.months }
            message.linkExpiresAt = try Date.fetchOne(db, sql: "SELECT expires_at FROM questionnaire_token WHERE token_hash = ?",
                                                      arguments: [Secrets.digest(link.token)])
        } else if let invitation {
            message.questionnaireToken = try Questionnaires.issueToken(db, invitationID: invitation.id, days: tokenDays, at: now)
            message.instruments = invitation.instruments
            if invitation.purpose == .followUp { message.followUpMonths = invitation.months }
            message.linkExpiresAt = now.addingTimeInterval(Double(tokenDays) * 86400)
        }
        return .send(message)
    }

    static func facts(_ session: SessionRecord) -> SessionFacts {
        SessionFacts(index: session.index, title: session.title, startsAt: session.startsAt, endsAt: session.endsAt, sequence: session.sequence)
    }

    private static func place(_ db: Database, _ programme: ProgrammeRecord, roomID: String?) throws -> PlaceFacts {
        let site = try programme.siteId.flatMap { try SiteRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM site WHERE id = ?"), arguments: [$0]) }
        let room = try roomID.flatMap { try RoomRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM room WHERE id = ?"), arguments: [$0]) }
        return PlaceFacts(modality: programme.modality, siteName: site?.name, siteAddress: site.flatMap { $0.address.isEmpty ? nil : $0.address },
                          roomName: room?.name, visioURL: programme.visioUrl)
    }

    /// The day's digest for one staff member: a coordinator sees the whole structure, a
    /// tabacologue the programmes they lead.
    static func digest(_ db: Database, for user: User, on date: CalendarDate, timeZone: TimeZone) throws -> DigestFacts {
        let dayStart = LocalDateTime(startOf: date).instant(in: timeZone)
        let dayEnd = LocalDateTime(startOf: date.addingDays(1)).instant(in: timeZone)
        let own = user.role == .coordinator ? "1" : "(p.lead_id = :user OR p.peer_helper_id = :user)"
        let arguments: StatementArguments = ["user": user.id, "start": dayStart, "end": dayEnd, "today": date.iso]
        let sessions = try Row.fetchAll(db, sql: """
            SELECT p.title AS programme, s.* FROM session s JOIN programme p ON p.id = s.programme_id
            WHERE s.status = 'planned' AND s.starts_at >= :start AND s.starts_at < :end AND \(own) ORDER BY s.starts_at
            """, arguments: arguments).map { row in (programme: row["programme"] as String, session: Self.facts(try SessionRecord(row: row))) }
        let followUps = try Row.fetchOne(db, sql: """
            SELECT SUM(i.due_on = :today) AS today, SUM(i.due_on < :today) AS overdue FROM questionnaire_invitation i
            JOIN programme p ON p.id = i.programme_id WHERE i.purpose = 'follow_up' AND i.answered_at IS NULL AND i.due_on <= :today AND \(own)
            """, arguments: arguments)
        let tasks = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM task t LEFT JOIN programme p ON p.id = t.programme_id
            WHERE t.state = 'open' AND t.due_on <= :today AND (\(own) OR t.assigned_to = :user)
            """, arguments: arguments) ?? 0
        let failed = try Int.fetchOne(db, sql: """
            SELECT COUNT(*) FROM outbox o LEFT JOIN programme p ON p.id = o.programme_id WHERE o.state = 'failed' AND \(own)
            """, arguments: arguments) ?? 0
        return DigestFacts(sessionsToday: sessions, followUpsDueToday: followUps?["today"] ?? 0, followUpsOverdue: followUps?["overdue"] ?? 0,
                           openTasks: tasks, failedDeliveries: failed)
    }

    /// Writes the digests of the day and the yearly evaluation reminder (idempotent by key).
    public func scheduleDaily(localDate: CalendarDate, evaluationDate: String, at now: Date) throws {
        try store.pool.write { db in try Reminders.scheduleDaily(db, localDate: localDate, evaluationDate: evaluationDate, at: now) }
    }
}
