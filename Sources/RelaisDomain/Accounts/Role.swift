/// A staff account's role. Participants have no account: they answer through tokenised links.
public enum Role: String, Codable, Sendable, CaseIterable {
    case admin
    case coordinator
    case tabacologue
    case peerHelper = "peer_helper"
}

/// Something a role may do. Every route names the permission it needs, and this table
/// (the roles table of the README) is the one place that answers.
public enum Permission: String, Sendable, CaseIterable {
    /// Accounts, sites, settings.
    case administer
    /// Plan programmes, sessions and consultations; enrol participants.
    case plan
    /// Participants' contact details (email, phone, address).
    case readContactDetails
    /// Clinical notes, orientation details, the consultation record: the clinical record.
    case readClinical
    /// Write the clinical record (notes, orientations).
    case writeClinical
    /// Which orientations were proposed and whether they were followed, without their free-text
    /// detail: the coordination asks about them in the follow-up calls and reports them.
    case readOrientations
    /// Instrument answers and their scores (questionnaires, tests).
    case readAssessments
    case recordAssessments
    /// Attendance and the session note: what a peer helper records too.
    case recordAttendance
    /// Reminders, outbox, phone tasks.
    case manageReminders
    /// Yearly evaluation and exports.
    case readReports
    /// Read instrument definitions and score answers without storing them.
    case useInstruments
    /// Erase a participant's record at their request (GDPR): the coordination handles requests.
    case eraseParticipants
}

extension Role {
    public func allows(_ permission: Permission) -> Bool {
        switch (self, permission) {
        case (.admin, .administer): return true
        case (.admin, _): return false
        case (.coordinator, .plan), (.coordinator, .readContactDetails), (.coordinator, .manageReminders),
             (.coordinator, .readReports), (.coordinator, .useInstruments), (.coordinator, .recordAttendance),
             (.coordinator, .eraseParticipants), (.coordinator, .readOrientations):
            return true
        case (.coordinator, .recordAssessments), (.coordinator, .readAssessments):
            // Coordinators run the phone follow-up and enter answers taken by phone or on paper.
            return true
        case (.coordinator, _): return false
        case (.tabacologue, .administer), (.tabacologue, .eraseParticipants): return false
        case (.tabacologue, _): return true
        case (.peerHelper, .recordAttendance): return true
        case (.peerHelper, _): return false
        }
    }

    /// French label shown in the pages.
    public var frenchLabel: String {
        switch self {
        case .admin: return "Administrateur"
        case .coordinator: return "Coordinateur·rice"
        case .tabacologue: return "Tabacologue"
        case .peerHelper: return "Pair aidant"
        }
    }
}
