import Foundation

/// A room as a sentence names it: "salle 2", "salle Bleue", but "Salle Bleue" or "Bureau 3"
/// alone when the name already says what it is ("salle Salle Bleue" never).
public enum RoomWording {
    /// The first words of room names that already name the kind of place.
    static let placeNouns: Set<String> = ["salle", "room", "bureau", "office", "cabinet", "espace", "atelier", "amphi", "amphitheatre",
                                          "amphitheater", "auditorium", "hall", "studio", "box", "local", "pièce", "piece", "chambre"]

    /// `name` preceded by "salle" (French) or "room" (English) unless it starts with a word for a place.
    public static func named(_ name: String, language: String) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespaces)
        let first = trimmed.split(whereSeparator: { $0 == " " || $0 == "-" || $0 == "'" || $0 == "’" }).first.map(String.init) ?? ""
        let folded = first.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: Locale(identifier: "fr_FR"))
        if placeNouns.contains(folded) { return trimmed }
        return (language == "en" ? "room " : "salle ") + trimmed
    }
}
