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

    /// Participants whose name contains `search` (all when nil), the listing audited.
    public func list(search: String?, by actor: Actor) throws -> [ParticipantRecord] {
        try store.pool.write { db in
            var request = ParticipantRecord.order(Column("last_name").collating(.nocase), Column("first_name"))
            if let search, !search.isEmpty {
                let pattern = "%\(search)%"
                request = request.filter(Column("first_name").like(pattern) || Column("last_name").like(pattern))
            }
            let records = try request.fetchAll(db)
            try Audit.record(db, actor, "list", entity: "participant", detail: search.map { "search=\($0)" }, at: clock.now())
            return records
        }
    }
}
