/// A participant's sex, as the funders' breakdowns ask it (optional).
public enum Sex: String, Codable, Sendable, CaseIterable {
    case female, male, other
}

/// The priority publics of the Assurance Maladie's "Mois sans tabac" call for projects: a
/// project reports how many of its participants belong to each.
public enum PriorityPublic: String, Codable, Sendable, CaseIterable, Comparable {
    case pregnant
    /// 18 to 25 in the year the programme starts: derived from the birth year, never entered.
    case youngAdult = "young_adult"
    case chronicIllness = "chronic_illness"
    case mentalIllness = "mental_illness"
    case disability
    /// Beneficiaries of the Complémentaire santé solidaire.
    case complementaireSanteSolidaire = "complementaire_sante_solidaire"
    /// People under a court order (placées sous main de justice).
    case justice
    case precarity
    case isolation

    /// The publics a participant's record holds (all but the derived young adults).
    public static let recorded: [PriorityPublic] = allCases.filter { $0 != .youngAdult }

    public static func < (lhs: Self, rhs: Self) -> Bool {
        (allCases.firstIndex(of: lhs) ?? 0) < (allCases.firstIndex(of: rhs) ?? 0)
    }

    /// Whether a participant born in `birthYear` is a young adult in `year`.
    public static func isYoungAdult(birthYear: Int?, in year: Int) -> Bool {
        guard let birthYear else { return false }
        return (18...25).contains(year - birthYear)
    }
}

/// The age bands of the funders' breakdowns, from the birth year and the year the programme starts.
public enum AgeBand: String, Codable, Sendable, CaseIterable {
    case from18to24 = "18-24", from25to34 = "25-34", from35to49 = "35-49", from50to64 = "50-64", from65 = "65+"

    public init?(birthYear: Int?, in year: Int) {
        guard let birthYear else { return nil }
        switch year - birthYear {
        case ..<18: return nil
        case 18...24: self = .from18to24
        case 25...34: self = .from25to34
        case 35...49: self = .from35to49
        case 50...64: self = .from50to64
        default: self = .from65
        }
    }
}
