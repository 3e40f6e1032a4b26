import GRDB

/// Where each column of a participant is in the rows of a statement. By name, GRDB looks each
/// one up in every row (a lowercased copy of the name, then a hash): 29 look-ups a row were
/// 2.5 M of a 200-row list's 7.5 M instructions. Resolved once per statement instead.
struct ParticipantColumns {
    typealias Key = ParticipantRecord.CodingKeys
    let id, firstName, lastName, createdAt, birthYear, email, phone, mobile, consentSmsAt, postalAddress: Int
    let preferredChannel, noContact, consentDataProcessingAt, consentEmailAt, consentFollowUpAt, smokerStatus: Int
    let precarity, isolation, difficultCarePath, language, updatedAt, sex, postalCode, pregnant: Int
    let chronicIllness, mentalIllness, disability, complementaireSanteSolidaire, justice: Int

    /// `names`: the columns of the rows, in order; as GRDB does, a name matches without case and
    /// the leftmost of two alike wins. A column missing is an error, as reading it by name was.
    init(_ names: [String]) throws {
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name.lowercased()] == nil { positions[name.lowercased()] = index }
        func at(_ key: Key) throws -> Int {
            guard let index = positions[key.rawValue] else {
                throw DatabaseError(resultCode: .SQLITE_ERROR, message: "participant: no column \(key.rawValue) in the row")
            }
            return index
        }
        (id, firstName, lastName, createdAt, birthYear) = (try at(.id), try at(.firstName), try at(.lastName), try at(.createdAt), try at(.birthYear))
        (email, phone, mobile, consentSmsAt, postalAddress) = (try at(.email), try at(.phone), try at(.mobile), try at(.consentSmsAt), try at(.postalAddress))
        (preferredChannel, noContact, consentDataProcessingAt) = (try at(.preferredChannel), try at(.noContact), try at(.consentDataProcessingAt))
        (consentEmailAt, consentFollowUpAt, smokerStatus) = (try at(.consentEmailAt), try at(.consentFollowUpAt), try at(.smokerStatus))
        (precarity, isolation, difficultCarePath, language) = (try at(.precarity), try at(.isolation), try at(.difficultCarePath), try at(.language))
        (updatedAt, sex, postalCode, pregnant) = (try at(.updatedAt), try at(.sex), try at(.postalCode), try at(.pregnant))
        (chronicIllness, mentalIllness, disability) = (try at(.chronicIllness), try at(.mentalIllness), try at(.disability))
        (complementaireSanteSolidaire, justice) = (try at(.complementaireSanteSolidaire), try at(.justice))
    }
}
