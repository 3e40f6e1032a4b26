import Foundation
import GRDB
import RelaisDomain

/// The outbox entries each fact causes, written inside the transaction that records the fact.
/// Each function is idempotent: it states what should be pending and brings the outbox to it,
/// so recording a fact twice, or correcting it, never sends twice.
enum Reminders {
    static let policy = ReminderPolicy()

    static func epoch(_ date: Date) -> Int { Int(date.timeIntervalSince1970) }

    /// Session reminders (2 days before) for every enrolled participant and every planned
    /// session still to come; reminders of moved or cancelled sessions and of participants who
    /// left are cancelled.
    static func reconcileSessionReminders(_ db: Database, programmeID: String, at now: Date) throws {
        let sessions = try SessionRecord.filter(Column("programme_id") == programmeID && Column("status") == "planned"
                                                && Column("starts_at") > now).fetchAll(db)
        let enrolments = try EnrolmentRecord.filter(Column("programme_id") == programmeID && Column("status") == "enrolled").fetchAll(db)
        var desired: [String: OutboxEntry] = [:]
        for session in sessions {
            for enrolment in enrolments {
                // The enrolment time is part of the key: a participant who leaves and comes back is reminded again.
                let key = "session_reminder:\(session.id):\(enrolment.participantId):\(epoch(session.startsAt)):\(epoch(enrolment.enrolledAt ?? now))"
                desired[key] = OutboxEntry(key: key, kind: .sessionReminder,
                                           dueAt: session.startsAt.addingTimeInterval(-Double(policy.sessionReminderDays) * 86400),
                                           participantID: enrolment.participantId, programmeID: programmeID, sessionID: session.id,
                                           payload: ["startsAt": String(epoch(session.startsAt))])
            }
        }
        let pending = try Row.fetchAll(db, sql: """
            SELECT id, key FROM outbox WHERE programme_id = ? AND kind = 'session_reminder' AND state = 'pending'
            """, arguments: [programmeID])
        for row in pending where desired[row["key"] as String] == nil {
            try Outbox.close(db, id: row["id"], .cancelled, reason: "session moved or cancelled, or participant no longer enrolled", at: now)
        }
        for entry in desired.values { try Outbox.enqueue(db, entry, at: now) }
    }

    static func confirmEnrolment(_ db: Database, _ enrolment: EnrolmentRecord, at now: Date) throws {
        try Outbox.enqueue(db, OutboxEntry(key: "enrolment_confirmation:\(enrolment.id):\(epoch(enrolment.enrolledAt ?? now))",
                                           kind: .enrolmentConfirmation, dueAt: now, participantID: enrolment.participantId,
                                           programmeID: enrolment.programmeId), at: now)
        try reconcileSessionReminders(db, programmeID: enrolment.programmeId, at: now)
    }

    /// Tells a participant placed on the waiting list that they are on it (their enrolment
    /// confirmation follows if a place frees). The key carries the request time: put on the list
    /// again after leaving it, they are told again.
    static func confirmWaitingList(_ db: Database, _ enrolment: EnrolmentRecord, at now: Date) throws {
        try Outbox.enqueue(db, OutboxEntry(key: "waiting_list:\(enrolment.id):\(epoch(enrolment.requestedAt))", kind: .waitingList, dueAt: now,
                                           participantID: enrolment.participantId, programmeID: enrolment.programmeId), at: now)
    }

    /// Tells the enrolled participants that a session still to come was moved or cancelled.
    static func notifySessionChange(_ db: Database, _ session: SessionRecord, previousStart: Date, reason: String, at now: Date) throws {
        if previousStart > now || session.startsAt > now {
            try enqueueChangeNotices(db, session, previousStart: previousStart, reason: reason, at: now)
        }
        try reconcileSessionReminders(db, programmeID: session.programmeId, at: now)
    }

    private static func enqueueChangeNotices(_ db: Database, _ session: SessionRecord, previousStart: Date, reason: String, at now: Date) throws {
        let cancelled = session.status == .cancelled
        let participants = try String.fetchAll(db, sql: "SELECT participant_id FROM enrolment WHERE programme_id = ? AND status = 'enrolled'",
                                               arguments: [session.programmeId])
        for participantID in participants {
            let key = cancelled ? "session_cancelled:\(session.id):\(participantID)"
                                : "session_changed:\(session.id):\(participantID):\(Int(session.updatedAt.timeIntervalSince1970 * 1000))"
            try Outbox.enqueue(db, OutboxEntry(key: key, kind: cancelled ? .sessionCancelled : .sessionChanged, dueAt: now,
                                               participantID: participantID, programmeID: session.programmeId, sessionID: session.id,
                                               payload: ["previousStartsAt": String(epoch(previousStart)), "reason": reason,
                                                         "startsAt": String(epoch(session.startsAt))]), at: now)
        }
    }

    /// Everything pending for a participant who left the programme.
    static func cancelForWithdrawal(_ db: Database, programmeID: String, participantID: String, at now: Date) throws {
        try Outbox.cancelPending(db, where: "programme_id = ? AND participant_id = ?", [programmeID, participantID],
                                 reason: "participant withdrew", at: now)
    }

    /// Once the last group session's attendance is recorded: the end-of-programme questionnaires
    /// (now, reminder at +7 days) and the follow-up, due three calendar months after the
    /// participant's last attended session (invitation, reminders at +7 and +14, phone task at +21).
    /// Participants who attended no session are not asked.
    static func reconcileProgrammeEnd(_ db: Database, programmeID: String, at now: Date) throws {
        guard let programme = try ProgrammeRecord.fetchOne(db, key: programmeID),
              let last = try SessionRecord.filter(Column("programme_id") == programmeID && Column("status") == "planned")
                .order(Column("idx").desc).fetchOne(db),
              try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attendance WHERE session_id = ?", arguments: [last.id]) ?? 0 > 0 else { return }
        let zone = programme.zone
        let rows = try Row.fetchAll(db, sql: """
            SELECT e.participant_id AS participant, MAX(s.starts_at) AS last_attended
            FROM enrolment e JOIN attendance a ON a.participant_id = e.participant_id AND a.status = 'present'
            JOIN session s ON s.id = a.session_id AND s.programme_id = e.programme_id AND s.status = 'planned'
            WHERE e.programme_id = ? AND e.status = 'enrolled' GROUP BY e.participant_id
            """, arguments: [programmeID])
        let endDate = LocalDateTime(last.startsAt, in: zone).date
        for row in rows {
            let participantID: String = row["participant"]
            let lastAttended: Date = row["last_attended"]
            if !programme.endInstruments.isEmpty {
                let invitation = try invitation(db, participantID: participantID, programme: programme, purpose: .endOfProgramme,
                                                instruments: programme.endInstruments, dueOn: endDate, at: now)
                if invitation.answeredAt == nil {
                    try Outbox.enqueue(db, OutboxEntry(key: "end_questionnaire:\(invitation.id)", kind: .endQuestionnaire, dueAt: now,
                                                       participantID: participantID, programmeID: programmeID, invitationID: invitation.id), at: now)
                    for days in policy.endQuestionnaireReminderDays {
                        try Outbox.enqueue(db, OutboxEntry(key: "end_questionnaire_reminder:\(invitation.id):\(days)", kind: .endQuestionnaireReminder,
                                                           dueAt: now.addingTimeInterval(Double(days) * 86400), participantID: participantID,
                                                           programmeID: programmeID, invitationID: invitation.id), at: now)
                    }
                }
            }
            for followUpTemplate in programme.followUps {
                try scheduleFollowUp(db, followUpTemplate, participantID: participantID, programme: programme,
                                     lastAttended: LocalDateTime(lastAttended, in: zone).date, at: now)
            }
        }
    }

    /// One follow-up of a participant: its invitation, due `months` after their last attended
    /// session (invitation, reminders at +7 and +14, phone task at +21).
    private static func scheduleFollowUp(_ db: Database, _ template: FollowUpTemplate, participantID: String, programme: ProgrammeRecord,
                                         lastAttended: CalendarDate, at now: Date) throws {
        let zone = programme.zone, programmeID = programme.id
        let due = Planner.followUpDue(lastSession: lastAttended, months: template.months)
        let followUp = try invitation(db, participantID: participantID, programme: programme, purpose: .followUp, months: template.months,
                                      instruments: [template.instrument], dueOn: due, at: now)
        guard followUp.answeredAt == nil else { return }
        // Keys carry the due date: a corrected attendance moves the whole sequence.
        try Outbox.cancelPending(db, where: "invitation_id = ? AND key NOT LIKE ?", [followUp.id, "%:\(due.iso)%"],
                                 reason: "follow-up date changed", at: now)
        let start = LocalDateTime(startOf: due).instant(in: zone)
        var entries = [OutboxEntry(key: "follow_up_invitation:\(followUp.id):\(due.iso)", kind: .followUpInvitation, dueAt: start,
                                   participantID: participantID, programmeID: programmeID, invitationID: followUp.id)]
        for days in policy.followUpReminderDays {
            entries.append(OutboxEntry(key: "follow_up_reminder:\(followUp.id):\(due.iso):\(days)", kind: .followUpReminder,
                                       dueAt: LocalDateTime(startOf: due.addingDays(days)).instant(in: zone),
                                       participantID: participantID, programmeID: programmeID, invitationID: followUp.id,
                                       payload: ["days": String(days)]))
        }
        entries.append(OutboxEntry(key: "follow_up_call:\(followUp.id):\(due.iso)", kind: .followUpCall,
                                   dueAt: LocalDateTime(startOf: due.addingDays(policy.followUpCallDays)).instant(in: zone),
                                   participantID: participantID, programmeID: programmeID, invitationID: followUp.id))
        for entry in entries { try Outbox.enqueue(db, entry, at: now) }
    }

    /// The participant's invitation for this programme, purpose and time point (`months` after
    /// the programme; 0 for its end), created or moved to `dueOn`.
    private static func invitation(_ db: Database, participantID: String, programme: ProgrammeRecord, purpose: InvitationPurpose,
                                   months: Int = 0, instruments: [String], dueOn: CalendarDate, at now: Date) throws -> InvitationRecord {
        if var existing = try InvitationRecord.filter(Column("participant_id") == participantID && Column("programme_id") == programme.id
                                                      && Column("purpose") == purpose.rawValue && Column("months") == months).fetchOne(db) {
            if existing.answeredAt == nil && existing.dueOn != dueOn.iso {
                existing.dueOn = dueOn.iso
                try existing.update(db)
            }
            return existing
        }
        let invitation = InvitationRecord(id: UUID().uuidString.lowercased(), participantId: participantID, programmeId: programme.id,
                                          purpose: purpose, months: months, instruments: instruments, dueOn: dueOn.iso, createdAt: now)
        try invitation.insert(db)
        return invitation
    }

    /// The staff digest of the day and, once a year, the evaluation reminder: written by the
    /// sender's first sweep inside the sending window of each day.
    static func scheduleDaily(_ db: Database, localDate: CalendarDate, evaluationDate: String, at now: Date) throws {
        let staff = try User.filter(Column("disabled_at") == nil && Column("email") != nil
                                    && [Role.coordinator.rawValue, Role.tabacologue.rawValue].contains(Column("role"))).fetchAll(db)
        for user in staff {
            try Outbox.enqueue(db, OutboxEntry(key: "staff_digest:\(user.id):\(localDate.iso)", kind: .staffDigest, dueAt: now,
                                               userID: user.id, payload: ["date": localDate.iso]), at: now)
        }
        // The reminder goes out on the configured day, or within the week after it if the daemon was down.
        guard let reminderDay = CalendarDate(iso: "\(localDate.year)-\(evaluationDate)"),
              localDate >= reminderDay, localDate <= reminderDay.addingDays(7) else { return }
        for user in staff where user.role == .coordinator {
            try Outbox.enqueue(db, OutboxEntry(key: "evaluation_reminder:\(user.id):\(localDate.year)", kind: .evaluationReminder, dueAt: now,
                                               userID: user.id, payload: ["year": String(localDate.year - 1)]), at: now)
        }
    }
}
