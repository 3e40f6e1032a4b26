/// Who entered the answers.
public enum AssessmentSource: String, Codable, Sendable, CaseIterable {
    /// A staff member during a session or consultation.
    case staff
    /// The participant, through a tokenised link.
    case participantWeb = "participant_web"
    /// Staff, from a phone call.
    case phone
    /// Staff, from a paper questionnaire.
    case paper
}
