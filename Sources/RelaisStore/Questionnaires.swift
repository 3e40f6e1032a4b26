import Foundation
import GRDB
import RelaisDomain

/// A questionnaire a participant is asked to fill in (end of programme, or 3-month follow-up).
/// It is answered once, whoever enters the answers: the participant through a link, or staff
/// after a call or from paper.
public struct InvitationRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "questionnaire_invitation"
    public var id: String
    public var participantId: String
    public var programmeId: String
    public var purpose: InvitationPurpose
    /// The time point: months after the programme for a follow-up, 0 for its end.
    public var months: Int = 0
    public var instruments: [String]
    public var dueOn: String
    public var createdAt: Date
    public var answeredAt: Date?
    public var answeredSource: String?

    enum CodingKeys: String, CodingKey {
        case id, purpose, instruments, months
        case participantId = "participant_id", programmeId = "programme_id", dueOn = "due_on", createdAt = "created_at"
        case answeredAt = "answered_at", answeredSource = "answered_source"
    }
}

/// What a questionnaire link leads to. A used, expired or unknown link carries no data at all.
public enum QuestionnaireLink: Sendable, Equatable {
    case open(invitation: InvitationRecord, firstName: String, language: String, programmeTitle: String)
    case used
    case expired
    case unknown
}

public struct Questionnaires: Sendable {
    public let store: Store
    public var clock: Clock

    public init(store: Store, clock: Clock = .system) {
        self.store = store
        self.clock = clock
    }

    /// A new single-use link token for an invitation: 256 random bits, stored only as a digest.
    static func issueToken(_ db: Database, invitationID: String, days: Int, at now: Date) throws -> String {
        let token = Secrets.randomToken(byteCount: 32)
        try db.execute(sql: "INSERT INTO questionnaire_token(token_hash, invitation_id, created_at, expires_at) VALUES (?,?,?,?)",
                       arguments: [Secrets.digest(token), invitationID, now, now.addingTimeInterval(Double(days) * 86400)])
        return token
    }

    /// A fresh link for a printed letter or a phone-task page.
    public func issueToken(invitationID: String, days: Int) throws -> String {
        try store.pool.write { db in
            guard try InvitationRecord.exists(db, key: invitationID) else { throw Refusal.notFound(.questionnaireNotFound) }
            return try Self.issueToken(db, invitationID: invitationID, days: days, at: clock.now())
        }
    }

    /// The link of a printed letter: the live one when there is one (so that a letter printed
    /// again carries the same link as the one already sent), else a new one. Its value is derived
    /// from a nonce under `key`, so only its digest is stored, as for every link.
    public func letterToken(invitationID: String, days: Int, key: [UInt8]) throws -> String {
        let now = clock.now()
        return try store.pool.write { db in
            guard try InvitationRecord.exists(db, key: invitationID) else { throw Refusal.notFound(.questionnaireNotFound) }
            let live = try Row.fetchAll(db, sql: """
                SELECT token_hash, letter_nonce FROM questionnaire_token
                WHERE invitation_id = ? AND letter_nonce IS NOT NULL AND expires_at > ? ORDER BY created_at DESC
                """, arguments: [invitationID, now])
            for row in live {
                let token = Self.letterToken(key: key, invitationID: invitationID, nonce: row["letter_nonce"])
                // A key drawn again (a restored backup) no longer derives the old link: issue a new one.
                if Secrets.digest(token) == row["token_hash"] as String { return token }
            }
            let nonce = Secrets.randomToken(byteCount: 16)
            let token = Self.letterToken(key: key, invitationID: invitationID, nonce: nonce)
            try db.execute(sql: """
                INSERT INTO questionnaire_token(token_hash, invitation_id, created_at, expires_at, letter_nonce) VALUES (?,?,?,?,?)
                """, arguments: [Secrets.digest(token), invitationID, now, now.addingTimeInterval(Double(days) * 86400), nonce])
            return token
        }
    }

    static func letterToken(key: [UInt8], invitationID: String, nonce: String) -> String {
        Secrets.hmacToken(key: key, message: "letter|\(invitationID)|\(nonce)")
    }

    public func lookup(token: String) throws -> QuestionnaireLink {
        let now = clock.now()
        return try store.pool.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT invitation_id, expires_at FROM questionnaire_token WHERE token_hash = ?",
                                             arguments: [Secrets.digest(token)]),
                  let invitation = try InvitationRecord.fetchOne(db, key: row["invitation_id"] as String) else { return .unknown }
            if invitation.answeredAt != nil { return .used }
            if (row["expires_at"] as Date) <= now { return .expired }
            guard let participant = try ParticipantRecord.fetchOne(db, key: invitation.participantId),
                  let programme = try ProgrammeRecord.fetchOne(db, key: invitation.programmeId) else { return .unknown }
            return .open(invitation: invitation, firstName: participant.firstName, language: participant.language, programmeTitle: programme.title)
        }
    }

    /// The language of the participant a link was sent to, whatever the state of the link (used,
    /// expired…): the closed pages speak it. Nil for a token that names no invitation, or whose
    /// participant was erased.
    public func language(token: String) throws -> String? {
        try store.pool.read { db in
            try String.fetchOne(db, sql: """
                SELECT participant.language FROM questionnaire_token
                JOIN questionnaire_invitation ON questionnaire_invitation.id = questionnaire_token.invitation_id
                JOIN participant ON participant.id = questionnaire_invitation.participant_id
                WHERE questionnaire_token.token_hash = ?
                """, arguments: [Secrets.digest(token)])
        }
    }

    /// Stores the participant's answers through a link: the assessments, the invitation marked
    /// answered, its pending reminders cancelled and its phone tasks closed, in one transaction.
    /// The token is checked again inside the transaction, so two submissions store one answer.
    public func answer(token: String, results: [ScoreResult], takenOn: CalendarDate) throws -> [AssessmentRecord] {
        let now = clock.now()
        return try store.pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT invitation_id, expires_at FROM questionnaire_token WHERE token_hash = ?",
                                             arguments: [Secrets.digest(token)]),
                  let invitation = try InvitationRecord.fetchOne(db, key: row["invitation_id"] as String) else {
                throw Refusal.notFound(.questionnaireNotFound)
            }
            guard invitation.answeredAt == nil else { throw Refusal.conflict(.questionnaireAnswered) }
            guard (row["expires_at"] as Date) > now else { throw Refusal.conflict(.questionnaireExpired) }
            let actor = Actor(userID: nil, name: "participant (questionnaire link)")
            let records = try results.map { result in
                try Assessments.insert(db, participantID: invitation.participantId, programmeID: invitation.programmeId, result: result,
                                       takenOn: takenOn, partial: false, source: .participantWeb, by: actor, at: now)
            }
            try Self.markAnswered(db, invitation, source: .participantWeb, userID: nil, at: now)
            return records
        }
    }

    /// Called when staff record an assessment of `instrument` taken on `takenOn`: an open
    /// invitation whose instruments now all have an answer since it was sent is answered. Of
    /// several open invitations for the same instrument (a follow-up at 3 and at 6 months), only
    /// the one due nearest to the date taken.
    static func noteAnswered(_ db: Database, participantID: String, instrument: String, takenOn: CalendarDate, source: AssessmentSource,
                             userID: String?, at now: Date) throws {
        let open = try InvitationRecord.filter(Column("participant_id") == participantID && Column("answered_at") == nil).fetchAll(db)
        let concerned = open.filter { $0.instruments.contains(instrument) }
        func distance(_ invitation: InvitationRecord) -> Int {
            abs((CalendarDate(iso: invitation.dueOn)?.dayNumber ?? 0) - takenOn.dayNumber)
        }
        guard let nearest = concerned.min(by: { distance($0) < distance($1) }) else { return }
        for invitation in [nearest] {
            let answered = Set(try String.fetchAll(db, sql: """
                SELECT DISTINCT instrument_id FROM assessment WHERE participant_id = ? AND recorded_at >= ? AND partial = 0 AND withdrawn_at IS NULL
                """, arguments: [participantID, invitation.createdAt]))
            if Set(invitation.instruments).isSubset(of: answered) {
                try markAnswered(db, invitation, source: source, userID: userID, at: now)
            }
        }
    }

    static func markAnswered(_ db: Database, _ invitation: InvitationRecord, source: AssessmentSource, userID: String?, at now: Date) throws {
        try db.execute(sql: "UPDATE questionnaire_invitation SET answered_at = ?, answered_source = ? WHERE id = ?",
                       arguments: [now, source.rawValue, invitation.id])
        try Outbox.cancelPending(db, where: "invitation_id = ?", [invitation.id], reason: "questionnaire answered", at: now)
        try Tasks.closeAnswered(db, invitationID: invitation.id, userID: userID, at: now)
    }

    public func invitations(participantID: String) throws -> [InvitationRecord] {
        try store.pool.read { db in
            try InvitationRecord.filter(Column("participant_id") == participantID).order(Column("due_on")).fetchAll(db)
        }
    }

    public func invitation(id: String) throws -> InvitationRecord {
        guard let record = try store.pool.read({ try InvitationRecord.fetchOne($0, key: id) }) else { throw Refusal.notFound(.questionnaireNotFound) }
        return record
    }
}
