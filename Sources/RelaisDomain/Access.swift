/// The rules that depend on who someone is in a programme, beside the role table of `Role.allows`:
/// one place, used by every use case, so that the API, the pages and the CLI cannot differ.
public enum Access {
    /// Who sees a programme, its sessions and its roster: whoever plans (coordinators and
    /// tabacologues), and a peer helper for the programmes they co-lead.
    public static func mayOpenProgramme(role: Role, userID: String, peerHelperID: String?) -> Bool {
        role.allows(.plan) || (role == .peerHelper && peerHelperID == userID)
    }

    /// Who records attendance and the session note: the programme's facilitators (its lead
    /// tabacologue, its peer helper) and the coordination (from the paper sign-in sheet). Another
    /// tabacologue of the structure does not.
    public static func mayRecordAttendance(role: Role, userID: String, facilitators: [String]) -> Bool {
        guard role.allows(.recordAttendance) else { return false }
        return role == .coordinator || facilitators.contains(userID)
    }

    /// Who reads and writes a consultation's clinical note and record: the tabacologue holding
    /// the consultation or the programme's lead; never a coordinator or a peer helper.
    public static func isClinician(role: Role, userID: String, consultationFacilitatorID: String, programmeLeadID: String) -> Bool {
        role.allows(.readClinical) && role.allows(.writeClinical) && [consultationFacilitatorID, programmeLeadID].contains(userID)
    }

    /// Who opens a consultation at all (its time and status): the planners; a peer helper or an
    /// administrator never.
    public static func mayOpenConsultation(role: Role) -> Bool {
        role.allows(.plan)
    }

    /// Who has a calendar feed of their own: the facilitators.
    public static func hasFacilitatorFeed(role: Role) -> Bool {
        role == .tabacologue || role == .peerHelper
    }
}
