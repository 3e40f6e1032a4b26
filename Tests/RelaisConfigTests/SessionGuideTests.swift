import Foundation
import RelaisConfig
import RelaisDomain
import Testing

@Suite("Session guides fit their template")
struct SessionGuideTests {
    /// "séance N sur M" (or "séance collective N sur M") in a guide, with "(dernière)" after it or not.
    static func numbering(_ text: String) -> (index: Int, of: Int, last: Bool)? {
        let pattern = #"séance (?:collective )?(\d+) sur (\d+)( \(dernière\))?"#
        guard let regex = try? NSRegularExpression(pattern: pattern, options: [.caseInsensitive]),
              let match = regex.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)),
              let index = Range(match.range(at: 1), in: text).flatMap({ Int(text[$0]) }),
              let total = Range(match.range(at: 2), in: text).flatMap({ Int(text[$0]) }) else { return nil }
        return (index, total, match.range(at: 3).location != NSNotFound)
    }

    @Test func everySessionOfEveryTemplatePointsToAGuideThatSaysItsNumberOutOfTheTemplatesSessions() throws {
        let protocols = repository.appendingPathComponent("Protocols").path
        let instruments = try ProtocolsLoader.instruments(directory: protocols)
        let templates = try ProtocolsLoader.templates(directory: protocols, instruments: instruments)
        #expect(Set(templates.map(\.id)).isSuperset(of: ["3g2i", "4g1i"]))
        for template in templates {
            let count = template.sessions.count
            var guides = Set<String>()
            for session in template.sessions {
                let text = try String(contentsOfFile: (protocols as NSString).appendingPathComponent(session.guide), encoding: .utf8)
                let numbering = try #require(Self.numbering(text), "\(template.id) session \(session.index): \(session.guide) says no « séance N sur M »")
                #expect(numbering.index == session.index && numbering.of == count,
                        "\(template.id) session \(session.index) of \(count): \(session.guide) says séance \(numbering.index) sur \(numbering.of)")
                #expect(numbering.last == (session.index == count), "\(template.id) session \(session.index): « (dernière) » only on the last one")
                #expect(text.contains("Programme \(template.id)"), "\(template.id) session \(session.index): \(session.guide) names another programme")
                guides.insert(session.guide)
            }
            #expect(guides.count == count, "\(template.id): two sessions share a guide")
        }
    }

    @Test func theNumberingIsReadAsWritten() {
        #expect(Self.numbering("*Programme 3g2i, séance collective 3 sur 3 (dernière) · 2 h*").map { [$0.index, $0.of] } == [3, 3])
        #expect(Self.numbering("séance collective 3 sur 3 (dernière)")?.last == true)
        #expect(Self.numbering("Programme 4g1i, séance collective 2 sur 4 · 2 h")?.last == false)
        #expect(Self.numbering("no numbering") == nil)
    }
}
