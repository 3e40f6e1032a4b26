import Foundation
import GRDB
import RelaisDomain

/// A participant's stored record. Identity and contact details are personal data: every read
/// and change goes through `Participants`, which writes the audit row.
public struct ParticipantRecord: Codable, Sendable, Equatable, FetchableRecord, PersistableRecord {
    public static let databaseTableName = "participant"
    public var id: String
    public var firstName: String
    public var lastName: String
    public var createdAt: Date
    public var birthYear: Int?
    public var email: String?
    public var phone: String?
    public var postalAddress: String?
    public var preferredChannel: ContactChannel
    public var noContact: Bool
    public var consentDataProcessingAt: Date?
    public var consentEmailAt: Date?
    public var consentFollowUpAt: Date?
    public var smokerStatus: SmokerStatus
    public var precarity: Bool
    public var isolation: Bool
    public var difficultCarePath: Bool
    public var language: String
    public var updatedAt: Date?
    public var sex: Sex?
    public var postalCode: String?
    public var pregnant = false
    public var chronicIllness = false
    public var mentalIllness = false
    public var disability = false
    public var complementaireSanteSolidaire = false
    public var justice = false
    /// E.164 (`MobileNumber`): where SMS go, with `consentSmsAt`.
    public var mobile: String?
    public var consentSmsAt: Date?

    enum CodingKeys: String, CodingKey {
        case id, email, phone, isolation, precarity, language, mobile
        case consentSmsAt = "consent_sms_at"
        case firstName = "first_name", lastName = "last_name", createdAt = "created_at", birthYear = "birth_year"
        case postalAddress = "postal_address", preferredChannel = "preferred_channel", noContact = "no_contact"
        case consentDataProcessingAt = "consent_data_processing_at", consentEmailAt = "consent_email_at"
        case consentFollowUpAt = "consent_follow_up_at", smokerStatus = "smoker_status"
        case difficultCarePath = "difficult_care_path", updatedAt = "updated_at"
        case sex, pregnant, disability, justice
        case postalCode = "postal_code", chronicIllness = "chronic_illness", mentalIllness = "mental_illness"
        case complementaireSanteSolidaire = "complementaire_sante_solidaire"
    }

    /// What enrolling them today freezes when nothing else is said: their status and publics.
    public var baselineFromRecord: Baseline {
        Baseline(smokingStatus: smokerStatus, smokingStatusSource: .record, publics: publics)
    }

    /// The priority publics of the record (young adults, derived from the age, are not stored).
    public var publics: Set<PriorityPublic> {
        var publics = Set<PriorityPublic>()
        for (flag, value) in [(PriorityPublic.pregnant, pregnant), (.chronicIllness, chronicIllness), (.mentalIllness, mentalIllness),
                              (.disability, disability), (.complementaireSanteSolidaire, complementaireSanteSolidaire), (.justice, justice),
                              (.precarity, precarity), (.isolation, isolation)] where value {
            publics.insert(flag)
        }
        return publics
    }

    public var details: ParticipantDetails {
        ParticipantDetails(firstName: firstName, lastName: lastName, birthYear: birthYear, email: email, phone: phone,
                           postalAddress: postalAddress, preferredChannel: preferredChannel, noContact: noContact,
                           consentDataProcessing: consentDataProcessingAt != nil, consentEmail: consentEmailAt != nil,
                           consentFollowUp: consentFollowUpAt != nil, smokerStatus: smokerStatus, difficultCarePath: difficultCarePath,
                           language: language, sex: sex, postalCode: postalCode, publics: publics, mobile: mobile,
                           consentSms: consentSmsAt != nil)
    }

    /// Applies validated details; a consent keeps its original date while it stays given.
    mutating func apply(_ details: ParticipantDetails, at now: Date) {
        firstName = details.firstName
        lastName = details.lastName
        birthYear = details.birthYear
        email = details.email
        phone = details.phone
        mobile = details.mobile
        consentSmsAt = details.consentSms ? (consentSmsAt ?? now) : nil
        postalAddress = details.postalAddress
        preferredChannel = details.preferredChannel
        noContact = details.noContact
        consentDataProcessingAt = details.consentDataProcessing ? (consentDataProcessingAt ?? now) : nil
        consentEmailAt = details.consentEmail ? (consentEmailAt ?? now) : nil
        consentFollowUpAt = details.consentFollowUp ? (consentFollowUpAt ?? now) : nil
        smokerStatus = details.smokerStatus
        difficultCarePath = details.difficultCarePath
        language = details.language
        sex = details.sex
        postalCode = details.postalCode
        let publics = details.publics
        precarity = publics.contains(.precarity)
        isolation = publics.contains(.isolation)
        pregnant = publics.contains(.pregnant)
        chronicIllness = publics.contains(.chronicIllness)
        mentalIllness = publics.contains(.mentalIllness)
        disability = publics.contains(.disability)
        complementaireSanteSolidaire = publics.contains(.complementaireSanteSolidaire)
        justice = publics.contains(.justice)
        updatedAt = now
    }
}

extension ParticipantRecord {
    /// Read column by column rather than through `Decodable`, which cost 55,000 instructions a
    /// row: most of a participants list's time, before its JSON. The CHECK constraints of the
    /// schema keep the enumerations valid; a value they would refuse is an error all the same.
    public init(row: Row) throws {
        try self.init(row: row, at: ParticipantColumns(Array(row.columnNames)))
    }

    /// A row whose columns are where `at` says: a list resolves them once for its statement,
    /// then reads every row by position.
    init(row: Row, at c: ParticipantColumns) throws {
        func choice<T: RawRepresentable>(_ index: Int, _ column: CodingKeys) throws -> T where T.RawValue == String {
            let text: String = row[index]
            guard let value = T(rawValue: text) else {
                throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "participant.\(column.rawValue): unexpected value \(text)")
            }
            return value
        }
        id = row[c.id]
        firstName = row[c.firstName]
        lastName = row[c.lastName]
        createdAt = try StoredDate.read(row, c.createdAt)
        birthYear = row[c.birthYear]
        email = row[c.email]
        phone = row[c.phone]
        mobile = row[c.mobile]
        consentSmsAt = try StoredDate.readOptional(row, c.consentSmsAt)
        postalAddress = row[c.postalAddress]
        preferredChannel = try choice(c.preferredChannel, .preferredChannel)
        noContact = row[c.noContact]
        consentDataProcessingAt = try StoredDate.readOptional(row, c.consentDataProcessingAt)
        consentEmailAt = try StoredDate.readOptional(row, c.consentEmailAt)
        consentFollowUpAt = try StoredDate.readOptional(row, c.consentFollowUpAt)
        smokerStatus = try choice(c.smokerStatus, .smokerStatus)
        precarity = row[c.precarity]
        isolation = row[c.isolation]
        difficultCarePath = row[c.difficultCarePath]
        language = row[c.language]
        updatedAt = try StoredDate.readOptional(row, c.updatedAt)
        sex = row.hasNull(atIndex: c.sex) ? nil : try choice(c.sex, .sex) as Sex
        postalCode = row[c.postalCode]
        pregnant = row[c.pregnant]
        chronicIllness = row[c.chronicIllness]
        mentalIllness = row[c.mentalIllness]
        disability = row[c.disability]
        complementaireSanteSolidaire = row[c.complementaireSanteSolidaire]
        justice = row[c.justice]
    }

    /// The participants `sql` selects, its columns found once for the statement rather than by
    /// name in every row, and the statement prepared once per connection (`cachedStatement`;
    /// preparing the list's query was 1.6 M instructions a request): lists take a few shapes.
    static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments) throws -> [ParticipantRecord] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = try ParticipantColumns(statement.columnNames)
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        var records: [ParticipantRecord] = []
        while let row = try rows.next() { records.append(try ParticipantRecord(row: row, at: columns)) }
        return records
    }
}

public struct Participants: Sendable {
    public let store: Store
    public var clock: Clock
    /// The structure's current year, for the adult check.
    public var currentYear: @Sendable () -> Int

    public init(store: Store, clock: Clock = .system, currentYear: @escaping @Sendable () -> Int) {
        self.store = store
        self.clock = clock
        self.currentYear = currentYear
    }

    public func create(_ details: ParticipantDetails, by actor: Actor) throws -> ParticipantRecord {
        let valid = try details.validated(currentYear: currentYear())
        let now = clock.now()
        var record = ParticipantRecord(id: UUID().uuidString.lowercased(), firstName: "", lastName: "", createdAt: now,
                                       preferredChannel: .none, noContact: false, smokerStatus: .smoker, precarity: false,
                                       isolation: false, difficultCarePath: false, language: "fr")
        record.apply(valid, at: now)
        try store.pool.write { db in
            try record.insert(db)
            try Audit.record(db, actor, "create", entity: "participant", id: record.id, at: now)
        }
        return record
    }

    public func update(id: String, _ details: ParticipantDetails, by actor: Actor) throws -> ParticipantRecord {
        let valid = try details.validated(currentYear: currentYear())
        let now = clock.now()
        return try store.pool.write { db in
            guard var record = try ParticipantRecord.fetchOne(db, key: id) else { throw Refusal.notFound(.participantNotFound) }
            record.apply(valid, at: now)
            try record.update(db)
            // Pending messages follow the new details: the channel staff see is the one they will take.
            try Outbox.refreshChannels(db, participantID: id, policy: store.reminderPolicy)
            try Audit.record(db, actor, "update", entity: "participant", id: id, at: now)
            return record
        }
    }

    /// One participant, for a write that audits itself (an enrolment); nil when unknown.
    public func find(id: String) throws -> ParticipantRecord? {
        try store.pool.read { try ParticipantRecord.fetchOne($0, key: id) }
    }

    /// One participant, the read audited.
    public func read(id: String, by actor: Actor) throws -> ParticipantRecord {
        try store.pool.write { db in
            guard let record = try ParticipantRecord.fetchOne(db, key: id) else { throw Refusal.notFound(.participantNotFound) }
            try Audit.record(db, actor, "read", entity: "participant", id: id, at: clock.now())
            return record
        }
    }

    /// The participants a list shows (its phone tasks, say), by id, read without the write lock;
    /// then one audit row, `action`, names them all. Unknown ids are left out.
    public func read(ids: [String], action: String, by actor: Actor) throws -> [String: ParticipantRecord] {
        var unique: [String] = []
        var seen = Set<String>()
        for id in ids where seen.insert(id).inserted { unique.append(id) }
        guard !unique.isEmpty else { return [:] }
        let records = try store.pool.read { db in
            try ParticipantRecord.fetchAll(db, sql: "SELECT * FROM participant WHERE id IN (SELECT value FROM json_each(?))",
                                           arguments: [Audit.participantList(unique)])
        }
        let found = Set(records.map(\.id))
        try store.pool.write { db in
            try Audit.record(db, actor, action, entity: "participant", participants: unique.filter(found.contains), at: clock.now())
        }
        return Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Participants whose name contains `search` (all when nil), by name then id, from `after`
    /// on, `limit` at most (all when nil). The read takes no write lock; then one audit row
    /// names the participants shown (and the search), before anything is shown.
    public func list(search: String?, after: ParticipantCursor? = nil, limit: Int? = nil, by actor: Actor) throws -> ParticipantPage {
        var records = try store.pool.read { db in
            // A few shapes of SQL, each prepared once per connection; the index `participant_by_name`
            // answers the order and the cursor without reading the pages before.
            var conditions: [String] = []
            var arguments: StatementArguments = []
            if let search, !search.isEmpty {
                conditions.append("(first_name LIKE ? OR last_name LIKE ?)")
                arguments += ["%\(search)%", "%\(search)%"]
            }
            if let after {
                conditions.append("(last_name COLLATE NOCASE, first_name, id) > (?, ?, ?)")
                arguments += [after.lastName, after.firstName, after.id]
            }
            var sql = "SELECT * FROM participant"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY last_name COLLATE NOCASE, first_name, id"
            if let limit {
                sql += " LIMIT ?"
                arguments += [limit + 1]
            }
            return try ParticipantRecord.fetchAll(db, sql: sql, arguments: arguments)
        }
        var next: ParticipantCursor?
        if let limit, records.count > limit {
            records.removeLast(records.count - limit)
            next = records.last.map(ParticipantCursor.init)
        }
        try store.pool.write { db in
            try Audit.record(db, actor, "list", entity: "participant", detail: search.map { "search=\($0)" },
                             participants: records.map(\.id), at: clock.now())
        }
        return ParticipantPage(participants: records, next: next)
    }
}

/// A page of the participants list, and where the next one starts (nil on the last).
public struct ParticipantPage: Sendable {
    public var participants: [ParticipantRecord]
    public var next: ParticipantCursor?
}

/// A position in the participants list: after this participant, in the list's order (last
/// name without case, first name, id). Written for clients as an opaque `text`.
public struct ParticipantCursor: Sendable, Equatable {
    public var lastName: String
    public var firstName: String
    public var id: String

    public init(_ record: ParticipantRecord) {
        lastName = record.lastName
        firstName = record.firstName
        id = record.id
    }

    /// Base64url of the JSON array `[lastName, firstName, id]`: opaque to clients, and a
    /// position only, so a forged one shows nothing the list would not.
    public var text: String {
        let data = (try? JSONEncoder().encode([lastName, firstName, id])) ?? Data()
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Nil when `text` is not a cursor this list gave.
    public init?(text: String) {
        guard !text.isEmpty, text.utf8.count <= 2048 else { return nil }
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let parts = try? JSONDecoder().decode([String].self, from: data),
              parts.count == 3, !parts[2].isEmpty else { return nil }
        lastName = parts[0]
        firstName = parts[1]
        id = parts[2]
    }
}
