import Foundation
import GRDB
import RelaisDomain

/// The one place that refuses double bookings: a facilitator or a room in two places at once,
/// a participant booked twice. Runs inside the writing transaction, so two requests cannot
/// both pass the check.
enum Conflicts {
    struct Slot {
        var start: Date
        var end: Date
        var facilitators: [String]
        var roomID: String?
        var participants: [String]
        var excludingSession: String?
        var excludingConsultation: String?
    }

    static func check(_ db: Database, _ slot: Slot, timeZone: TimeZone) throws {
        let when = LocalDateTime(slot.start, in: timeZone).iso
        // Group sessions overlapping the slot.
        let sessions = try Row.fetchAll(db, sql: """
            SELECT session.id, session.title, session.starts_at, session.room_id, programme.title AS programme_title,
                   programme.lead_id, programme.peer_helper_id, programme.id AS programme_id
            FROM session JOIN programme ON programme.id = session.programme_id
            WHERE session.status = 'planned' AND programme.status = 'planned'
              AND session.starts_at < ? AND session.ends_at > ? AND session.id IS NOT ?
            """, arguments: [slot.end, slot.start, slot.excludingSession])
        for row in sessions {
            let lead: String = row["lead_id"], helper: String? = row["peer_helper_id"]
            let title = "\(row["programme_title"] as String), \(row["title"] as String)"
            if let busy = slot.facilitators.first(where: { $0 == lead || $0 == helper }) {
                throw Refusal.conflict(.facilitatorBusy, ["name": try name(db, busy), "session": title, "when": when])
            }
            if let room = slot.roomID, room == (row["room_id"] as String?) {
                throw Refusal.conflict(.roomBusy, ["session": title, "when": when])
            }
            if !slot.participants.isEmpty {
                let enrolled = try String.fetchAll(db, sql: """
                    SELECT participant_id FROM enrolment WHERE programme_id = ? AND status = 'enrolled'
                    """, arguments: [row["programme_id"] as String])
                if let busy = slot.participants.first(where: enrolled.contains) {
                    throw Refusal.conflict(.participantInSession, ["participant": try participantName(db, busy), "session": title, "when": when])
                }
            }
        }
        // Individual consultations overlapping the slot.
        let consultations = try Row.fetchAll(db, sql: """
            SELECT id, facilitator_id, participant_id FROM consultation
            WHERE status IN ('planned','done') AND starts_at < ? AND ends_at > ? AND id IS NOT ?
            """, arguments: [slot.end, slot.start, slot.excludingConsultation])
        for row in consultations {
            let facilitator: String = row["facilitator_id"], participant: String = row["participant_id"]
            if slot.facilitators.contains(facilitator) {
                throw Refusal.conflict(.facilitatorInConsultation, ["name": try name(db, facilitator), "when": when])
            }
            if slot.participants.contains(participant) {
                throw Refusal.conflict(.participantInConsultation, ["participant": try participantName(db, participant), "when": when])
            }
        }
    }

    private static func name(_ db: Database, _ userID: String) throws -> String {
        try String.fetchOne(db, sql: "SELECT display_name FROM user WHERE id = ?", arguments: [userID]) ?? userID
    }

    /// A participant as staff know them (the conflict is shown to planners only).
    private static func participantName(_ db: Database, _ participantID: String) throws -> String {
        try String.fetchOne(db, sql: "SELECT first_name || ' ' || last_name FROM participant WHERE id = ?", arguments: [participantID]) ?? participantID
    }

    static func describe(_ date: Date, _ timeZone: TimeZone) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: date)
    }
}
