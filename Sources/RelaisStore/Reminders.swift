import Foundation
import GRDB
import RelaisDomain

/// The outbox entries each fact causes, written inside the transaction that records the fact.
/// Each function is idempotent: it states what should be pending and brings the outbox to it,
/// so recording a fact twice, or correcting it, never sends twice.
enum Reminders {
    static func epoch(_ date: Date) -> Int { Int(date.timeIntervalSince1970) }

    /// Session reminders (2 days before) for every enrolled participant and every planned
    /// session still to come; reminders of moved or cancelled sessions and of participants who
    /// left are cancelled.
    static func reconcileSessionReminders(_ db: Database, programmeID: String, policy: ReminderPolicy, at now: Date) throws {
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
        for entry in desired.values { try Outbox.enqueue(db, entry, policy: policy, at: now) }
    }

    /// The confirmation lists the sessions to come: a programme entered after its last session
    /// has none, and its confirmation is kept as skipped ("recorded late"), never sent.
    static func confirmEnrolment(_ db: Database, _ enrolment: EnrolmentRecord, policy: ReminderPolicy, at now: Date) throws {
        let toCome = try SessionRecord.filter(Column("programme_id") == enrolment.programmeId && Column("status") == "planned"
                                              && Column("starts_at") > now).fetchCount(db)
        let lastStart = try Date.fetchOne(db, sql: "SELECT MAX(starts_at) FROM session WHERE programme_id = ? AND status = 'planned'",
                                          arguments: [enrolment.programmeId])
        var entry = OutboxEntry(key: "enrolment_confirmation:\(enrolment.id):\(epoch(enrolment.enrolledAt ?? now))",
                                kind: .enrolmentConfirmation, dueAt: now, participantID: enrolment.participantId, programmeID: enrolment.programmeId)
        if toCome == 0, let lastStart { entry.moment = min(lastStart, now.addingTimeInterval(-Double(policy.staleAfterDays + 1) * 86400)) }
        try Outbox.enqueue(db, entry, policy: policy, at: now)
        try reconcileSessionReminders(db, programmeID: enrolment.programmeId, policy: policy, at: now)
    }

    /// Tells a participant placed on the waiting list that they are on it (their enrolment
    /// confirmation follows if a place frees). The key carries the request time: put on the list
    /// again after leaving it, they are told again.
    static func confirmWaitingList(_ db: Database, _ enrolment: EnrolmentRecord, policy: ReminderPolicy, at now: Date) throws {
        try Outbox.enqueue(db, OutboxEntry(key: "waiting_list:\(enrolment.id):\(epoch(enrolment.requestedAt))", kind: .waitingList, dueAt: now,
                                           participantID: enrolment.participantId, programmeID: enrolment.programmeId), policy: policy, at: now)
    }

    /// Tells the enrolled participants that a session still to come was moved or cancelled.
    static func notifySessionChange(_ db: Database, _ session: SessionRecord, previousStart: Date, reason: String, policy: ReminderPolicy,
                                    at now: Date) throws {
        if previousStart > now || session.startsAt > now {
            try enqueueChangeNotices(db, session, previousStart: previousStart, reason: reason, policy: policy, at: now)
        }
        try reconcileSessionReminders(db, programmeID: session.programmeId, policy: policy, at: now)
    }

    /// One notice per participant and revision of the session (its `sequence`), saying the date they were last told: a notice not sent yet
    /// is replaced by the new one, which keeps its "before" (moved twice before the sweep, they
    /// hear once, from the date they knew); moved back to that date, nothing is sent at all.
    private static func enqueueChangeNotices(_ db: Database, _ session: SessionRecord, previousStart: Date, reason: String, policy: ReminderPolicy,
                                             at now: Date) throws {
        let cancelled = session.status == .cancelled
        let participants = try String.fetchAll(db, sql: "SELECT participant_id FROM enrolment WHERE programme_id = ? AND status = 'enrolled'",
                                               arguments: [session.programmeId])
        let unsent = try OutboxRecord.filter(Column("session_id") == session.id && Column("state") == "pending"
                                             && Column("kind") == MessageKind.sessionChanged.rawValue).fetchAll(db)
        for participantID in participants {
            var told = previousStart
            for notice in unsent where notice.participantId == participantID {
                if let earlier = notice.payload["previousStartsAt"].flatMap(Double.init) { told = Date(timeIntervalSince1970: earlier) }
                try Outbox.close(db, id: notice.id, .cancelled, reason: "replaced by a later change", at: now)
            }
            if !cancelled && epoch(told) == epoch(session.startsAt) { continue }
            let key = cancelled ? "session_cancelled:\(session.id):\(participantID)"
                                : "session_changed:\(session.id):\(participantID):\(session.sequence)"
            try Outbox.enqueue(db, OutboxEntry(key: key, kind: cancelled ? .sessionCancelled : .sessionChanged, dueAt: now,
                                               participantID: participantID, programmeID: session.programmeId, sessionID: session.id,
                                               payload: ["previousStartsAt": String(epoch(told)), "reason": reason,
                                                         "startsAt": String(epoch(session.startsAt))]), policy: policy, at: now)
        }
    }

    /// Tells the participant that their individual consultation, still to come, was moved: one
    /// notice pending per consultation, saying the time they were last told. A second move before
    /// it goes changes its new time only; a move back to the time they were told withdraws it.
    /// Nothing for a consultation already past, or moved into the past.
    static func notifyConsultationChange(_ db: Database, _ consultation: ConsultationRecord, previousStart: Date, policy: ReminderPolicy,
                                         at now: Date) throws {
        guard consultation.status == .planned, consultation.startsAt != previousStart, previousStart > now, consultation.startsAt > now else { return }
        let prefix = "\(MessageKind.consultationChanged.rawValue):\(consultation.id):"
        let startsAt = String(epoch(consultation.startsAt))
        if let pending = try OutboxRecord.filter(Column("state") == OutboxState.pending.rawValue && Column("key").like("\(prefix)%")).fetchOne(db) {
            guard pending.payload["previousStartsAt"] != startsAt else {
                try Outbox.close(db, id: pending.id, .cancelled, reason: "consultation moved back to the time already announced", at: now)
                return
            }
            var payload = pending.payload
            payload["startsAt"] = startsAt
            try db.execute(sql: "UPDATE outbox SET payload = ?, updated_at = ? WHERE id = ?",
                           arguments: [String(decoding: try JSONEncoder().encode(payload), as: UTF8.self), now, pending.id])
            return
        }
        try Outbox.enqueue(db, OutboxEntry(key: "\(prefix)\(consultation.sequence)", kind: .consultationChanged, dueAt: now,
                                           participantID: consultation.participantId, programmeID: consultation.programmeId,
                                           payload: ["consultationId": consultation.id, "previousStartsAt": String(epoch(previousStart)),
                                                     "startsAt": startsAt]), policy: policy, at: now)
    }

    /// The reminder of an individual consultation, `sessionReminderDays` before it (by SMS,
    /// `smsReminderDays`): one per revision of the consultation (its `sequence`), so that a
    /// consultation moved, even back to its first time, is reminded at its new time; the
    /// reminder of a former time, or of a consultation cancelled or done, is withdrawn.
    static func reconcileConsultationReminder(_ db: Database, _ consultation: ConsultationRecord, policy: ReminderPolicy, at now: Date) throws {
        let prefix = "\(MessageKind.consultationReminder.rawValue):\(consultation.id):"
        let key = prefix + String(consultation.sequence)
        let current = consultation.status == .planned && consultation.startsAt > now
        try Outbox.cancelPending(db, where: "kind = ? AND key LIKE ? AND (key != ? OR ?)",
                                 [MessageKind.consultationReminder.rawValue, prefix + "%", key, !current],
                                 reason: "consultation moved, cancelled or held", at: now)
        guard current else { return }
        var entry = OutboxEntry(key: key, kind: .consultationReminder,
                                dueAt: consultation.startsAt.addingTimeInterval(-Double(policy.sessionReminderDays) * 86400),
                                participantID: consultation.participantId, programmeID: consultation.programmeId,
                                payload: ["consultationId": consultation.id, "startsAt": String(epoch(consultation.startsAt))])
        entry.moment = consultation.startsAt
        try Outbox.enqueue(db, entry, policy: policy, at: now)
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
    static func reconcileProgrammeEnd(_ db: Database, programmeID: String, policy: ReminderPolicy, at now: Date) throws {
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
                    // Not before the last session has ended; its moment is that end, however late it is recorded.
                    let sendAt = max(now, last.endsAt)
                    var questionnaire = OutboxEntry(key: "end_questionnaire:\(invitation.id)", kind: .endQuestionnaire, dueAt: sendAt,
                                                    participantID: participantID, programmeID: programmeID, invitationID: invitation.id)
                    questionnaire.moment = last.endsAt
                    try Outbox.enqueue(db, questionnaire, policy: policy, at: now)
                    for days in policy.endQuestionnaireReminderDays {
                        var reminder = OutboxEntry(key: "end_questionnaire_reminder:\(invitation.id):\(days)", kind: .endQuestionnaireReminder,
                                                   dueAt: sendAt.addingTimeInterval(Double(days) * 86400), participantID: participantID,
                                                   programmeID: programmeID, invitationID: invitation.id)
                        reminder.moment = last.endsAt.addingTimeInterval(Double(days) * 86400)
                        try Outbox.enqueue(db, reminder, policy: policy, at: now)
                    }
                }
            }
            for followUpTemplate in programme.followUps {
                try scheduleFollowUp(db, followUpTemplate, participantID: participantID, programme: programme,
                                     lastAttended: LocalDateTime(lastAttended, in: zone).date, policy: policy, at: now)
            }
        }
    }

    /// One follow-up of a participant: its invitation, due `months` after their last attended
    /// session (invitation, reminders at +7 and +14, phone task at +21).
    private static func scheduleFollowUp(_ db: Database, _ template: FollowUpTemplate, participantID: String, programme: ProgrammeRecord,
                                         lastAttended: CalendarDate, policy: ReminderPolicy, at now: Date) throws {
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
        for entry in entries { try Outbox.enqueue(db, entry, policy: policy, at: now) }
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
                                               userID: user.id, payload: ["date": localDate.iso]), policy: ReminderPolicy(), at: now)
        }
        // The reminder goes out on the configured day, or within the week after it if the daemon was down.
        guard let reminderDay = CalendarDate(iso: "\(localDate.year)-\(evaluationDate)"),
              localDate >= reminderDay, localDate <= reminderDay.addingDays(7) else { return }
        for user in staff where user.role == .coordinator {
            try Outbox.enqueue(db, OutboxEntry(key: "evaluation_reminder:\(user.id):\(localDate.year)", kind: .evaluationReminder, dueAt: now,
                                               userID: user.id, payload: ["year": String(localDate.year - 1)]), policy: ReminderPolicy(), at: now)
        }
    }
}
