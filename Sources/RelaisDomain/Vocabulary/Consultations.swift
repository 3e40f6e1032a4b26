/// The words of individual consultations and orientations.
/// How an individual consultation is held.
public enum ConsultationModality: String, Codable, Sendable, CaseIterable {
    case inPerson = "in_person", visio, phone
}

/// What became of an individual consultation.
public enum ConsultationStatus: String, Codable, Sendable, CaseIterable {
    case planned, done, missed, cancelled
}

/// Where a participant is oriented for follow-up care.
public enum OrientationKind: String, Codable, Sendable, CaseIterable {
    case medecinTraitant = "medecin_traitant", csapa, hospitalConsultation = "hospital_consultation"
    case selfHelpGroup = "self_help_group", tabacInfoService = "tabac_info_service", other
}
