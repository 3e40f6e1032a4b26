import Foundation
import RelaisDomain

/// A programme as a coordinator asks for it, from the API's JSON or the creation form: the raw
/// values, checked by `UseCases.proposeProgramme` for both alike.
public struct ProgrammeRequest: Sendable, Codable, Equatable {
    public var template: String?
    public var title: String?
    public var siteID: String?
    public var roomID: String?
    public var modality: String?
    public var visioURL: String?
    public var capacity: Int?
    /// The first session, local time `YYYY-MM-DDTHH:MM`.
    public var start: String?
    public var cadence: CadenceInput?
    public var timeZone: String?
    public var leadID: String?
    public var peerHelperID: String?
    /// Move the sessions that fall on a public holiday to the proposed day.
    public var shiftHolidays: Bool?
    /// A programme of the "Mois sans tabac" campaign (the funder's flag); false when left out.
    public var moisSansTabac: Bool?
    /// Whether the person entering a date in the past confirmed it: nil from the API and the
    /// command line (scripts import the past knowingly), false from a page until its box is ticked.
    public var confirmedPast: Bool?

    public init() {}

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case template, title, modality, capacity, start, cadence, timeZone, shiftHolidays, moisSansTabac
        case siteID = "siteId", roomID = "roomId", visioURL = "visioUrl", leadID = "leadId", peerHelperID = "peerHelperId"
    }
}

/// How sessions follow one another: `"weekly"`, `"every:N"`, comma-separated local times, or a
/// JSON list of local times.
public enum CadenceInput: Sendable, Codable, Equatable {
    case text(String)
    case list([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let list = try? container.decode([String].self) { self = .list(list) } else { self = .text(try container.decode(String.self)) }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .list(let list): try container.encode(list)
        }
    }
}

/// A session moved by a planner: the new local time, optionally another room, and why.
public struct SessionMove: Sendable, Codable, Equatable {
    public var start: String?
    public var roomID: String?
    /// Set when the request said `"roomId": null` (back to no room).
    public var clearsRoom = false
    public var reason: String?
    /// Whether the person entering a date in the past confirmed it: nil from the API and the
    /// command line (scripts import the past knowingly), false from a page until its box is ticked.
    public var confirmedPast: Bool?

    public init(start: String? = nil, roomID: String? = nil, clearsRoom: Bool = false, reason: String? = nil) {
        self.start = start
        self.roomID = roomID
        self.clearsRoom = clearsRoom
        self.reason = reason
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case start, reason
        case roomID = "roomId"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        start = try container.decodeIfPresent(String.self, forKey: .start)
        reason = try container.decodeIfPresent(String.self, forKey: .reason)
        clearsRoom = try container.contains(.roomID) && container.decodeNil(forKey: .roomID)
        roomID = clearsRoom ? nil : try container.decodeIfPresent(String.self, forKey: .roomID)
    }
}

/// Attendance of a group session: one status per participant, and the session note.
public struct AttendanceSheet: Sendable, Codable, Equatable {
    public struct Entry: Sendable, Codable, Equatable {
        public var participantID: String
        public var status: String

        public init(participantID: String, status: String) {
            self.participantID = participantID
            self.status = status
        }

        public enum CodingKeys: String, CodingKey, CaseIterable {
            case status
            case participantID = "participantId"
        }
    }

    public var records: [Entry]?
    public var note: String?

    public init(records: [Entry]? = nil, note: String? = nil) {
        self.records = records
        self.note = note
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case records, note
    }
}

/// An individual consultation booked by a planner.
public struct ConsultationBooking: Sendable, Codable, Equatable {
    public var participantID: String?
    /// 1 or 2 in the shipped templates: which of the template's consultations.
    public var index: Int?
    public var facilitatorID: String?
    /// Local time `YYYY-MM-DDTHH:MM`.
    public var start: String?
    /// Default: the template's duration for this consultation.
    public var durationMinutes: Int?
    public var modality: String?
    /// Whether the person entering a date in the past confirmed it: nil from the API and the
    /// command line (scripts import the past knowingly), false from a page until its box is ticked.
    public var confirmedPast: Bool?

    public init(participantID: String? = nil, index: Int? = nil, facilitatorID: String? = nil, start: String? = nil,
                durationMinutes: Int? = nil, modality: String? = nil) {
        self.participantID = participantID
        self.index = index
        self.facilitatorID = facilitatorID
        self.start = start
        self.durationMinutes = durationMinutes
        self.modality = modality
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case index, start, durationMinutes, modality
        case participantID = "participantId", facilitatorID = "facilitatorId"
    }
}

/// A change to a consultation: its time, length, modality, status, or its clinical note.
public struct ConsultationChange: Sendable, Codable, Equatable {
    public var status: String?
    public var note: String?
    public var start: String?
    public var durationMinutes: Int?
    public var modality: String?
    /// A move to a time already past, confirmed on the page (see `ProgrammeRequest.confirmedPast`).
    public var confirmedPast: Bool?

    public init(status: String? = nil, note: String? = nil, start: String? = nil, durationMinutes: Int? = nil, modality: String? = nil) {
        self.status = status
        self.note = note
        self.start = start
        self.durationMinutes = durationMinutes
        self.modality = modality
    }

    public enum CodingKeys: String, CodingKey, CaseIterable {
        case status, note, start, durationMinutes, modality
    }
}
