import Foundation

/// How a participant prefers to be reached. `sms` puts SMS before email for the messages both
/// may carry (`ChannelRules`).
public enum ContactChannel: String, Codable, Sendable, CaseIterable {
    case email, sms, phone, post, none
}

public enum SmokerStatus: String, Codable, Sendable, CaseIterable {
    case smoker
    /// An ex-smoker consolidating their quit.
    case exSmoker = "ex_smoker"
}

/// What staff enter about a participant: identity, contact, consents, reporting flags.
/// Only the name is required, plus one way to reach them or an explicit "no contact".
public struct ParticipantDetails: Sendable, Equatable {
    public var firstName: String
    public var lastName: String
    public var birthYear: Int?
    public var email: String?
    public var phone: String?
    /// A mobile number for SMS, E.164 once validated (`MobileNumber`).
    public var mobile: String?
    public var postalAddress: String?
    public var preferredChannel: ContactChannel
    public var noContact: Bool
    public var consentDataProcessing: Bool
    public var consentEmail: Bool
    public var consentFollowUp: Bool
    /// Consent to receive SMS (reminders, questionnaire links) at `mobile`.
    public var consentSms: Bool
    public var smokerStatus: SmokerStatus
    public var difficultCarePath: Bool
    public var language: String
    public var sex: Sex?
    /// French postal code (five digits): the département of the funders' breakdown by territory.
    public var postalCode: String?
    /// The priority publics recorded (precarity and isolation included; young adults are derived).
    public var publics: Set<PriorityPublic>

    public init(firstName: String, lastName: String, birthYear: Int? = nil, email: String? = nil, phone: String? = nil,
                postalAddress: String? = nil, preferredChannel: ContactChannel = .none, noContact: Bool = false,
                consentDataProcessing: Bool = false, consentEmail: Bool = false, consentFollowUp: Bool = false,
                smokerStatus: SmokerStatus = .smoker, precarity: Bool = false, isolation: Bool = false,
                difficultCarePath: Bool = false, language: String = "fr", sex: Sex? = nil, postalCode: String? = nil,
                publics: Set<PriorityPublic> = [], mobile: String? = nil, consentSms: Bool = false) {
        self.firstName = firstName
        self.lastName = lastName
        self.birthYear = birthYear
        self.email = email
        self.phone = phone
        self.mobile = mobile
        self.consentSms = consentSms
        self.postalAddress = postalAddress
        self.preferredChannel = preferredChannel
        self.noContact = noContact
        self.consentDataProcessing = consentDataProcessing
        self.consentEmail = consentEmail
        self.consentFollowUp = consentFollowUp
        self.smokerStatus = smokerStatus
        self.difficultCarePath = difficultCarePath
        self.language = language
        self.sex = sex
        self.postalCode = postalCode
        var publics = publics.subtracting([.youngAdult])
        if precarity { publics.insert(.precarity) }
        if isolation { publics.insert(.isolation) }
        self.publics = publics
    }

    /// Two of the publics, also stored in fields of their own (older records, forms and exports).
    public var precarity: Bool {
        get { publics.contains(.precarity) }
        set { if newValue { publics.insert(.precarity) } else { publics.remove(.precarity) } }
    }

    public var isolation: Bool {
        get { publics.contains(.isolation) }
        set { if newValue { publics.insert(.isolation) } else { publics.remove(.isolation) } }
    }

    /// Trims, empties to nil, and checks every rule; all problems are reported together.
    /// `currentYear` is the structure's current year, for the adult check (18+ in the year).
    public func validated(currentYear: Int) throws(ValidationError) -> ParticipantDetails {
        var details = self
        func clean(_ value: String?) -> String? {
            let trimmed = value?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
            return trimmed.isEmpty ? nil : trimmed
        }
        details.firstName = firstName.trimmingCharacters(in: .whitespacesAndNewlines)
        details.lastName = lastName.trimmingCharacters(in: .whitespacesAndNewlines)
        details.email = clean(email)?.lowercased()
        details.phone = clean(phone)
        details.mobile = clean(mobile)
        details.postalAddress = clean(postalAddress)
        details.postalCode = clean(postalCode)?.replacingOccurrences(of: " ", with: "")
        var problems: [String: Reason] = [:]
        TextRules.checkOneLine(details.firstName, field: "firstName", maxLength: 100, required: true, into: &problems)
        TextRules.checkOneLine(details.lastName, field: "lastName", maxLength: 100, required: true, into: &problems)
        TextRules.checkMultiLine(details.postalAddress, field: "postalAddress", maxLength: 500, into: &problems)
        if let code = details.postalCode, code.count != 5 || !code.allSatisfy(\.isASCII) || !code.allSatisfy(\.isNumber) {
            problems["postalCode"] = Reason(.postalCodeInvalid)
        }
        if let year = birthYear {
            if year < currentYear - 120 || year > currentYear { problems["birthYear"] = Reason(.birthYearImplausible) }
            else if currentYear - year < 18 { problems["birthYear"] = Reason(.participantMinor) }
        }
        if let email = details.email, let problem = EmailAddress.entryProblem(email) { problems["email"] = problem }
        if let phone = details.phone {
            let digits = phone.filter(\.isNumber)
            if digits.count < 8 || digits.count > 15 || !phone.allSatisfy({ $0.isNumber || " +.-()".contains($0) }) {
                problems["phone"] = Reason(.phoneInvalid)
            }
        }
        if let mobile = details.mobile {
            switch MobileNumber.normalized(mobile) {
            case .success(let e164): details.mobile = e164
            case .failure(let reason): problems["mobile"] = reason
            }
        }
        if details.email == nil && details.phone == nil && details.mobile == nil && details.postalAddress == nil && !details.noContact {
            problems["contact"] = Reason(.contactMissing)
        }
        switch details.preferredChannel {
        case .email where details.email == nil: problems["preferredChannel"] = Reason(.channelEmailMissing)
        case .phone where details.phone == nil: problems["preferredChannel"] = Reason(.channelPhoneMissing)
        case .post where details.postalAddress == nil: problems["preferredChannel"] = Reason(.channelPostMissing)
        case .sms where details.mobile == nil || !details.consentSms: problems["preferredChannel"] = Reason(.channelSmsMissing)
        default: break
        }
        if details.consentEmail && details.email == nil { problems["consentEmail"] = Reason(.consentEmailWithoutEmail) }
        if details.consentSms && self.mobile?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty != false {
            problems["consentSms"] = Reason(.consentSmsWithoutMobile)
        }
        if !["fr", "en"].contains(language) { problems["language"] = Reason(.languageInvalid) }
        guard problems.isEmpty else { throw ValidationError(problems) }
        return details
    }

    /// "Nadia T.": what a peer helper sees of a participant.
    public var firstNameAndInitial: String {
        firstName + (lastName.first.map { " \($0)." } ?? "")
    }
}
