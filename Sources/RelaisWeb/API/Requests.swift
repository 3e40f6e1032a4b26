import Foundation
import RelaisDomain
import RelaisUseCases

// The request bodies of the API. The use cases' own input types are read directly (one type,
// one rule for the API and the pages); the few small bodies below exist only in the API.

extension ProgrammeRequest: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension SessionMove: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension AttendanceSheet: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension ConsultationBooking: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension ConsultationChange: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension ParticipantRequest: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension AssessmentRequest: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension AssessmentCorrectionRequest: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension TaskRequest: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension TaskChange: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }
extension BaselineInput: RequestBody { static var fieldNames: Set<String> { names(CodingKeys.self) } }

struct SiteRequest: RequestBody {
    var name: String?
    var address: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case name, address }
    static var fieldNames: Set<String> { names(CodingKeys.self) }
}

struct RoomRequest: RequestBody {
    var name: String?
    var capacity: Int?
    enum CodingKeys: String, CodingKey, CaseIterable { case name, capacity }
    static var fieldNames: Set<String> { names(CodingKeys.self) }
}

struct EnrolmentRequest: RequestBody {
    var participantID: String?
    /// Put on the waiting list when full (default); false refuses with 409 instead.
    var waitingList: Bool?
    /// The participant at entry; what it leaves out comes from their record.
    var baseline: BaselineInput?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case waitingList, baseline
        case participantID = "participantId"
    }
    static var fieldNames: Set<String> { names(CodingKeys.self) }
    static var nestedFieldNames: [String: Set<String>] { ["baseline": BaselineInput.fieldNames] }
}

/// A withdrawal or a cancellation, with its reason.
struct ReasonRequest: RequestBody {
    var reason: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case reason }
    static var fieldNames: Set<String> { names(CodingKeys.self) }
}

struct OrientationRequest: RequestBody {
    var kinds: [String]?
    var detail: String?
    var programmeID: String?
    var consultationID: String?
    enum CodingKeys: String, CodingKey, CaseIterable {
        case kinds, detail
        case programmeID = "programmeId", consultationID = "consultationId"
    }
    static var fieldNames: Set<String> { names(CodingKeys.self) }
}

/// One's own preferences; `email: null` (or "") stops the digest.
struct ProfileRequest: RequestBody {
    var displayName: String?
    var language: String?
    var email: String?
    var clearsEmail = false
    enum CodingKeys: String, CodingKey, CaseIterable { case displayName, language, email }
    static var fieldNames: Set<String> { names(CodingKeys.self) }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        language = try container.decodeIfPresent(String.self, forKey: .language)
        clearsEmail = try container.contains(.email) && container.decodeNil(forKey: .email)
        email = clearsEmail ? "" : try container.decodeIfPresent(String.self, forKey: .email)
    }
}
