import Foundation
import RelaisDomain

/// A participant's details as the API's JSON or the form gives them. On an update, a field left
/// out keeps its value; `birthYear: null` and `sex: null` clear it, as does `postalCode: ""`.
public struct ParticipantRequest: Sendable, Codable, Equatable {
    public var firstName: String?
    public var lastName: String?
    public var birthYear: Int?
    public var clearsBirthYear = false
    public var email: String?
    public var phone: String?
    /// A mobile number for SMS, normalised to E.164 at validation.
    public var mobile: String?
    public var postalAddress: String?
    public var preferredChannel: String?
    public var noContact: Bool?
    public var consentDataProcessing: Bool?
    public var consentEmail: Bool?
    public var consentFollowUp: Bool?
    public var consentSms: Bool?
    public var smokerStatus: String?
    public var precarity: Bool?
    public var isolation: Bool?
    public var difficultCarePath: Bool?
    public var language: String?
    /// `female`, `male` or `other`.
    public var sex: String?
    public var clearsSex = false
    public var postalCode: String?
    // The priority publics of the funders' call, beside precarity and isolation.
    public var pregnant: Bool?
    public var chronicIllness: Bool?
    public var mentalIllness: Bool?
    public var disability: Bool?
    public var complementaireSanteSolidaire: Bool?
    public var justice: Bool?

    public init() {}

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case firstName, lastName, birthYear, email, phone, postalAddress, preferredChannel, noContact, consentDataProcessing
        case consentEmail, consentFollowUp, smokerStatus, precarity, isolation, difficultCarePath, language
        case sex, postalCode, pregnant, chronicIllness, mentalIllness, disability, complementaireSanteSolidaire, justice
        case mobile, consentSms
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        firstName = try c.decodeIfPresent(String.self, forKey: .firstName)
        lastName = try c.decodeIfPresent(String.self, forKey: .lastName)
        clearsBirthYear = try c.contains(.birthYear) && c.decodeNil(forKey: .birthYear)
        birthYear = clearsBirthYear ? nil : try c.decodeIfPresent(Int.self, forKey: .birthYear)
        email = try c.decodeIfPresent(String.self, forKey: .email)
        phone = try c.decodeIfPresent(String.self, forKey: .phone)
        mobile = try c.decodeIfPresent(String.self, forKey: .mobile)
        consentSms = try c.decodeIfPresent(Bool.self, forKey: .consentSms)
        postalAddress = try c.decodeIfPresent(String.self, forKey: .postalAddress)
        preferredChannel = try c.decodeIfPresent(String.self, forKey: .preferredChannel)
        noContact = try c.decodeIfPresent(Bool.self, forKey: .noContact)
        consentDataProcessing = try c.decodeIfPresent(Bool.self, forKey: .consentDataProcessing)
        consentEmail = try c.decodeIfPresent(Bool.self, forKey: .consentEmail)
        consentFollowUp = try c.decodeIfPresent(Bool.self, forKey: .consentFollowUp)
        smokerStatus = try c.decodeIfPresent(String.self, forKey: .smokerStatus)
        precarity = try c.decodeIfPresent(Bool.self, forKey: .precarity)
        isolation = try c.decodeIfPresent(Bool.self, forKey: .isolation)
        difficultCarePath = try c.decodeIfPresent(Bool.self, forKey: .difficultCarePath)
        language = try c.decodeIfPresent(String.self, forKey: .language)
        clearsSex = try c.contains(.sex) && c.decodeNil(forKey: .sex)
        sex = clearsSex ? nil : try c.decodeIfPresent(String.self, forKey: .sex)
        postalCode = try c.decodeIfPresent(String.self, forKey: .postalCode)
        pregnant = try c.decodeIfPresent(Bool.self, forKey: .pregnant)
        chronicIllness = try c.decodeIfPresent(Bool.self, forKey: .chronicIllness)
        mentalIllness = try c.decodeIfPresent(Bool.self, forKey: .mentalIllness)
        disability = try c.decodeIfPresent(Bool.self, forKey: .disability)
        complementaireSanteSolidaire = try c.decodeIfPresent(Bool.self, forKey: .complementaireSanteSolidaire)
        justice = try c.decodeIfPresent(Bool.self, forKey: .justice)
    }

    /// The publics this request sets or clears, by flag (nil: left as they are).
    var publicFlags: [(PriorityPublic, Bool?)] {
        [(.pregnant, pregnant), (.chronicIllness, chronicIllness), (.mentalIllness, mentalIllness), (.disability, disability),
         (.complementaireSanteSolidaire, complementaireSanteSolidaire), (.justice, justice)]
    }

    /// The details this request leaves, applied on `base` (nil: a new participant).
    func details(over base: ParticipantDetails?) throws(ValidationError) -> ParticipantDetails {
        var details = base ?? ParticipantDetails(firstName: "", lastName: "")
        var problems: [String: Reason] = [:]
        if let firstName { details.firstName = firstName }
        if let lastName { details.lastName = lastName }
        if let birthYear { details.birthYear = birthYear } else if clearsBirthYear || base == nil { details.birthYear = nil }
        if let email { details.email = email }
        if let phone { details.phone = phone }
        if let mobile { details.mobile = mobile }
        if let consentSms { details.consentSms = consentSms }
        if let postalAddress { details.postalAddress = postalAddress }
        if let raw = preferredChannel {
            if let value = ContactChannel(rawValue: raw) { details.preferredChannel = value } else { problems["preferredChannel"] = UseCases.oneOf(ContactChannel.self) }
        }
        if let raw = smokerStatus {
            if let value = SmokerStatus(rawValue: raw) { details.smokerStatus = value } else { problems["smokerStatus"] = UseCases.oneOf(SmokerStatus.self) }
        }
        if let noContact { details.noContact = noContact }
        if let consentDataProcessing { details.consentDataProcessing = consentDataProcessing }
        if let consentEmail { details.consentEmail = consentEmail }
        if let consentFollowUp { details.consentFollowUp = consentFollowUp }
        if let precarity { details.precarity = precarity }
        if let isolation { details.isolation = isolation }
        if let difficultCarePath { details.difficultCarePath = difficultCarePath }
        if let language { details.language = language }
        // "" clears the sex as null does (a form's empty choice).
        if let raw = sex?.nilIfEmpty {
            if let value = Sex(rawValue: raw) { details.sex = value } else { problems["sex"] = UseCases.oneOf(Sex.self) }
        } else if clearsSex || sex != nil {
            details.sex = nil
        }
        if let postalCode { details.postalCode = postalCode }
        for (flag, value) in publicFlags {
            if let value { if value { details.publics.insert(flag) } else { details.publics.remove(flag) } }
        }
        if !problems.isEmpty { throw ValidationError(problems) }
        return details
    }
}
