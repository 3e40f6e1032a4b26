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

/// What a printed letter carries: its link's token and its short code (canonical form).
public struct LetterLink: Sendable, Equatable {
    public var token: String
    public var code: String
}

/// What a letter's code leads to.
public enum LetterCodeLookup: Sendable, Equatable {
    /// The questionnaire is open: its letter's link token.
    case open(token: String)
    case used
    case expired
    case unknown
    /// Too many wrong codes lately, from this address or from all: try again after this many seconds.
    case throttled(retryAfter: Int)
}

/// Wrong letter codes: `LetterCode`'s allowances per client address and in all, with the login's
/// growing delays (`LoginPolicy.delay`) past them.
enum LetterCodeThrottle {
    static let policy = LoginPolicy(maxFailures: LetterCode.freeFailuresPerAddress, window: LetterCode.window, firstDelay: LetterCode.firstDelay)

    /// Seconds before a code from `address` may be judged (0: now).
    static func wait(_ db: Database, address: String, now: Date) throws -> TimeInterval {
        let since = now.addingTimeInterval(-LetterCode.window)
        func recent(_ condition: String, _ arguments: StatementArguments) throws -> (count: Int, last: Date?) {
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*), MAX(at) FROM letter_code_failure WHERE \(condition) at >= ?",
                                       arguments: arguments + [since])
            return (row?[0] ?? 0, row?[1])
        }
        let fromAddress = try recent("client_address = ? AND", [address])
        let inAll = try recent("", [])
        let waits = [policy.delay(failures: fromAddress.count, allowed: LetterCode.freeFailuresPerAddress) - now.timeIntervalSince(fromAddress.last ?? now),
                     policy.delay(failures: inAll.count, allowed: LetterCode.freeFailuresInAll) - now.timeIntervalSince(inAll.last ?? now)]
        return max(0, waits.max() ?? 0)
    }
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

    /// The link of a printed letter and its short code: the live one when there is one (so that a
    /// letter printed again carries the same link and code as the one already sent), else a new
    /// one. Both are derived from a nonce under `key` (HMAC), so only their digests are stored:
    /// the token's as for every link, the code's keyed too, since a code is short enough to be
    /// found from a plain digest by trying them all.
    public func letterLink(invitationID: String, days: Int, key: [UInt8]) throws -> LetterLink {
        let now = clock.now()
        return try store.pool.write { db in
            guard try InvitationRecord.exists(db, key: invitationID) else { throw Refusal.notFound(.questionnaireNotFound) }
            return try Self.letterLink(db, invitationID: invitationID, days: days, key: key, at: now)
        }
    }

    /// The same, inside the caller's transaction (an SMS carries the letter's short link and code).
    static func letterLink(_ db: Database, invitationID: String, days: Int, key: [UInt8], at now: Date) throws -> LetterLink {
        do {
            let live = try Row.fetchAll(db, sql: """
                SELECT token_hash, letter_nonce, code_hash FROM questionnaire_token
                WHERE invitation_id = ? AND letter_nonce IS NOT NULL AND expires_at > ? ORDER BY created_at DESC
                """, arguments: [invitationID, now])
            for row in live {
                let nonce: String = row["letter_nonce"]
                let token = Self.letterToken(key: key, invitationID: invitationID, nonce: nonce)
                // A key drawn again (a restored backup) no longer derives the old link: issue a new one.
                guard Secrets.digest(token) == row["token_hash"] as String else { continue }
                let code = Self.letterCode(key: key, invitationID: invitationID, nonce: nonce)
                let codeHash = Self.codeDigest(key: key, code: code)
                if row["code_hash"] as String? == codeHash { return LetterLink(token: token, code: code) }
                // A letter printed before letters had codes: its code is stored now (unless, by a
                // chance of one in 10^13, another letter has the same; then a new link and code).
                guard try !Self.codeExists(db, codeHash) else { break }
                try db.execute(sql: "UPDATE questionnaire_token SET code_hash = ? WHERE token_hash = ?", arguments: [codeHash, Secrets.digest(token)])
                return LetterLink(token: token, code: code)
            }
            var nonce: String, code: String
            repeat {
                nonce = Secrets.randomToken(byteCount: 16)
                code = Self.letterCode(key: key, invitationID: invitationID, nonce: nonce)
            } while try Self.codeExists(db, Self.codeDigest(key: key, code: code))
            let token = Self.letterToken(key: key, invitationID: invitationID, nonce: nonce)
            try db.execute(sql: """
                INSERT INTO questionnaire_token(token_hash, invitation_id, created_at, expires_at, letter_nonce, code_hash) VALUES (?,?,?,?,?,?)
                """, arguments: [Secrets.digest(token), invitationID, now, now.addingTimeInterval(Double(days) * 86400), nonce,
                                 Self.codeDigest(key: key, code: code)])
            return LetterLink(token: token, code: code)
        }
    }

    static func letterToken(key: [UInt8], invitationID: String, nonce: String) -> String {
        Secrets.hmacToken(key: key, message: "letter|\(invitationID)|\(nonce)")
    }

    /// The letter's short code, from the same nonce as its link (another message under the key).
    static func letterCode(key: [UInt8], invitationID: String, nonce: String) -> String {
        LetterCode.code(from: Secrets.hmac(key: key, message: "letter-code|\(invitationID)|\(nonce)"))
    }

    /// How a code is stored and looked up: a keyed digest of its canonical form.
    static func codeDigest(key: [UInt8], code: String) -> String {
        Secrets.hmacToken(key: key, message: "letter-code-digest|\(code)")
    }

    private static func codeExists(_ db: Database, _ digest: String) throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM questionnaire_token WHERE code_hash = ?)", arguments: [digest]) ?? false
    }

    /// The questionnaire behind a letter's code (`code` in canonical form, see `LetterCode`),
    /// under the throttle: wrong codes are counted per client address and in all, and past their
    /// allowance each further attempt waits (nothing is judged meanwhile). A right code, even a
    /// used or expired one, is not counted, and clears nothing: typing one's own code again does
    /// not buy more guesses. An open questionnaire is given as its letter's link token, so that
    /// the code and the link are one and the same questionnaire, used up by either.
    public func resolve(code: String, clientAddress: String, key: [UInt8]) throws -> LetterCodeLookup {
        let now = clock.now()
        return try store.pool.write { db in
            let wait = try LetterCodeThrottle.wait(db, address: clientAddress, now: now)
            if wait > 0 { return .throttled(retryAfter: max(1, Int(wait.rounded(.up)))) }
            guard let row = try Row.fetchOne(db, sql: """
                SELECT invitation_id, letter_nonce, token_hash, expires_at FROM questionnaire_token WHERE code_hash = ?
                """, arguments: [Self.codeDigest(key: key, code: code)]),
                  let invitation = try InvitationRecord.fetchOne(db, key: row["invitation_id"] as String) else {
                try db.execute(sql: "INSERT INTO letter_code_failure(client_address, at) VALUES (?, ?)", arguments: [clientAddress, now])
                try db.execute(sql: "DELETE FROM letter_code_failure WHERE at < ?", arguments: [now.addingTimeInterval(-LetterCode.window * 2)])
                return .unknown
            }
            if invitation.answeredAt != nil { return .used }
            if (row["expires_at"] as Date) <= now { return .expired }
            let token = Self.letterToken(key: key, invitationID: invitation.id, nonce: row["letter_nonce"])
            guard Secrets.digest(token) == row["token_hash"] as String else { return .unknown }
            return .open(token: token)
        }
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
