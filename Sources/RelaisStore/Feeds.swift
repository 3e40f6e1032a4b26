import Foundation
import GRDB
import RelaisDomain

/// Revocable tokens for the iCalendar feeds: calendar applications cannot send a bearer
/// header, so the token is in the URL, and only its SHA-256 is stored.
public struct Feeds: Sendable {
    public enum Kind: String, Sendable { case programme, facilitator }

    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// A new token for the feed; earlier tokens of the same feed are revoked.
    public func issue(_ kind: Kind, subjectID: String, by actor: Actor) throws -> String {
        let token = Secrets.randomToken()
        let now = clock.now()
        try store.pool.write { db in
            try db.execute(sql: "UPDATE feed_token SET revoked_at = ? WHERE kind = ? AND subject_id = ? AND revoked_at IS NULL",
                           arguments: [now, kind.rawValue, subjectID])
            try db.execute(sql: "INSERT INTO feed_token(id, kind, subject_id, token_hash, created_at) VALUES (?,?,?,?,?)",
                           arguments: [UUID().uuidString.lowercased(), kind.rawValue, subjectID, Secrets.digest(token), now])
            try Audit.record(db, actor, "issue_feed_token", entity: kind.rawValue, id: subjectID, at: now)
        }
        return token
    }

    public func revoke(_ kind: Kind, subjectID: String, by actor: Actor) throws {
        try store.pool.write { db in
            try db.execute(sql: "UPDATE feed_token SET revoked_at = ? WHERE kind = ? AND subject_id = ? AND revoked_at IS NULL",
                           arguments: [clock.now(), kind.rawValue, subjectID])
            try Audit.record(db, actor, "revoke_feed_token", entity: kind.rawValue, id: subjectID, at: clock.now())
        }
    }

    /// What a live token opens, or nil.
    public func subject(token: String) throws -> (Kind, String)? {
        try store.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT kind, subject_id FROM feed_token WHERE token_hash = ? AND revoked_at IS NULL",
                                             arguments: [Secrets.digest(token)]),
                  let kind = Kind(rawValue: row["kind"]) else { return nil }
            return (kind, row["subject_id"])
        }
    }

    /// Sessions (with their programme) and consultations shown in a feed.
    public func entries(_ kind: Kind, subjectID: String) throws -> (sessions: [(SessionRecord, ProgrammeRecord)], consultations: [ConsultationRecord]) {
        try store.pool.read { db in
            let programmes: [ProgrammeRecord]
            switch kind {
            case .programme: programmes = try ProgrammeRecord.filter(Column("id") == subjectID).fetchAll(db)
            case .facilitator:
                programmes = try ProgrammeRecord.filter(Column("lead_id") == subjectID || Column("peer_helper_id") == subjectID).fetchAll(db)
            }
            var sessions: [(SessionRecord, ProgrammeRecord)] = []
            for programme in programmes {
                for session in try SessionRecord.filter(Column("programme_id") == programme.id).order(Column("idx")).fetchAll(db) {
                    sessions.append((session, programme))
                }
            }
            let consultations = kind == .facilitator
                ? try ConsultationRecord.filter(Column("facilitator_id") == subjectID).order(Column("starts_at")).fetchAll(db) : []
            return (sessions, consultations)
        }
    }
}
