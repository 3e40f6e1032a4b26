import Foundation
import GRDB
import RelaisDomain

/// What a staff member's home page lists: read-only queries over programmes, consultations,
/// questionnaires and the outbox. Names appear only where the page's role may see them.
public struct Dashboard: Sendable {
    public let store: Store

    public init(store: Store) { self.store = store }

    public struct SessionItem: Sendable {
        public var session: SessionRecord
        public var programme: ProgrammeRecord
    }

    /// Planned sessions starting in [from, to): every programme for `userID == nil`, else the
    /// programmes the user leads or co-leads.
    public func sessions(from: Date, to: Date, userID: String?) throws -> [SessionItem] {
        try store.pool.read { db in
            let own = userID == nil ? "" : "AND (p.lead_id = :user OR p.peer_helper_id = :user)"
            return try Row.fetchAll(db, sql: """
                SELECT s.*, p.id AS p_id FROM session s JOIN programme p ON p.id = s.programme_id
                WHERE s.status = 'planned' AND p.status = 'planned' AND s.starts_at >= :from AND s.starts_at < :to \(own)
                ORDER BY s.starts_at
                """, arguments: ["from": from, "to": to, "user": userID]).compactMap { row in
                guard let programme = try ProgrammeRecord.fetchOne(db, key: row["p_id"] as String) else { return nil }
                return SessionItem(session: try SessionRecord(row: row), programme: programme)
            }
        }
    }

    public struct ConsultationToBook: Sendable {
        public var programme: ProgrammeRecord
        public var participant: ParticipantRecord
        public var missing: [Int]
    }

    /// Enrolled participants of programmes still running (a session to come or ended less than
    /// `graceDays` ago) who lack one of their `count` individual consultations.
    public func consultationsToBook(now: Date, consultationCount: (ProgrammeRecord) -> Int, graceDays: Int = 28, userID: String?) throws -> [ConsultationToBook] {
        try store.pool.read { db in
            let own = userID == nil ? "" : "AND (p.lead_id = :user OR p.peer_helper_id = :user)"
            let programmes = try ProgrammeRecord.fetchAll(db, sql: """
                SELECT p.* FROM programme p WHERE p.status = 'planned' \(own)
                AND (SELECT MAX(starts_at) FROM session WHERE programme_id = p.id AND status = 'planned') >= :since
                """, arguments: ["user": userID, "since": now.addingTimeInterval(-Double(graceDays) * 86400)])
            var result: [ConsultationToBook] = []
            for programme in programmes {
                let count = consultationCount(programme)
                guard count > 0 else { continue }
                let rows = try Row.fetchAll(db, sql: """
                    SELECT e.participant_id AS pid,
                      (SELECT GROUP_CONCAT(idx) FROM consultation c WHERE c.programme_id = e.programme_id AND c.participant_id = e.participant_id
                         AND c.status != 'cancelled') AS booked
                    FROM enrolment e WHERE e.programme_id = ? AND e.status = 'enrolled'
                    """, arguments: [programme.id])
                for row in rows {
                    let booked = Set(((row["booked"] as String?) ?? "").split(separator: ",").compactMap { Int($0) })
                    let missing = (1...count).filter { !booked.contains($0) }
                    guard !missing.isEmpty, let participant = try ParticipantRecord.fetchOne(db, key: row["pid"] as String) else { continue }
                    result.append(ConsultationToBook(programme: programme, participant: participant, missing: missing))
                }
            }
            return result
        }
    }

    public struct ConsultationItem: Sendable {
        public var consultation: ConsultationRecord
        public var programme: ProgrammeRecord
        public var participant: ParticipantRecord
    }

    /// A tabacologue's own consultations still planned from `since` on: those to come, and those
    /// past whose outcome is not yet recorded. Oldest first.
    public func consultations(facilitatorID: String, since: Date, limit: Int = 50) throws -> [ConsultationItem] {
        try store.pool.read { db in
            try ConsultationRecord.filter(Column("facilitator_id") == facilitatorID && Column("status") == ConsultationStatus.planned.rawValue
                                          && Column("starts_at") >= since)
                .order(Column("starts_at")).limit(limit).fetchAll(db).compactMap { consultation in
                    guard let programme = try ProgrammeRecord.fetchOne(db, key: consultation.programmeId),
                          let participant = try ParticipantRecord.fetchOne(db, key: consultation.participantId) else { return nil }
                    return ConsultationItem(consultation: consultation, programme: programme, participant: participant)
                }
        }
    }

    public struct FollowUpDue: Sendable {
        public var invitation: InvitationRecord
        public var participant: ParticipantRecord
        public var programme: ProgrammeRecord
    }

    /// Unanswered 3-month follow-ups due on or before `until` (YYYY-MM-DD), oldest first.
    public func followUpsDue(until: CalendarDate, userID: String?, limit: Int = 50) throws -> [FollowUpDue] {
        try store.pool.read { db in
            let own = userID == nil ? "" : "AND (p.lead_id = :user OR p.peer_helper_id = :user)"
            return try Row.fetchAll(db, sql: """
                SELECT i.id FROM questionnaire_invitation i JOIN programme p ON p.id = i.programme_id
                WHERE i.purpose = 'follow_up' AND i.answered_at IS NULL AND i.due_on <= :until \(own) ORDER BY i.due_on LIMIT :limit
                """, arguments: ["until": until.iso, "user": userID, "limit": limit]).compactMap { row in
                guard let invitation = try InvitationRecord.fetchOne(db, key: row["id"] as String),
                      let participant = try ParticipantRecord.fetchOne(db, key: invitation.participantId),
                      let programme = try ProgrammeRecord.fetchOne(db, key: invitation.programmeId) else { return nil }
                return FollowUpDue(invitation: invitation, participant: participant, programme: programme)
            }
        }
    }
}
