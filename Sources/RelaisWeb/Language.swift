import HTTPServer

extension Request {
    /// "en" when the client prefers English (Accept-Language), else French, the reference language.
    var preferredLanguage: String {
        let ranges = (headers["Accept-Language"] ?? "").split(separator: ",").map { part -> (String, Double) in
            let pieces = part.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            let quality = pieces.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return (pieces.first?.lowercased() ?? "", quality)
        }
        for (range, _) in ranges.sorted(by: { $0.1 > $1.1 }) {
            if range.hasPrefix("fr") { return "fr" }
            if range.hasPrefix("en") { return "en" }
        }
        return "fr"
    }
}
