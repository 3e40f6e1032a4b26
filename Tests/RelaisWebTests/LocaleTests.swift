import Foundation
import RelaisDomain
@testable import RelaisWeb
import Testing

/// Every word a page shows comes from the locale files, by key, in French and English.
@Suite("Locale files")
struct LocaleTests {
    static let sources = repositoryRoot.appendingPathComponent("Sources/RelaisWeb")

    static func files(_ folder: String, ending suffix: String) throws -> [(name: String, text: String)] {
        let directory = sources.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(suffix) }.sorted().map {
            ($0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8))
        }
    }

    static func matches(_ pattern: String, in text: String) throws -> Set<String> {
        let expression = try NSRegularExpression(pattern: pattern)
        return Set(expression.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap { match in
            Range(match.range(at: 1), in: text).map { String(text[$0]) }
        })
    }

    @Test func everyReasonCodeHasItsSentenceInBothLanguages() throws {
        let renderer = try Renderer()
        for language in Renderer.languages {
            let table = renderer.strings(language)
            let missing = ReasonCode.allCases.filter { table["reason.\($0.rawValue)"]?.isEmpty != false }
            #expect(missing.isEmpty, "\(language): \(missing.map(\.rawValue))")
        }
        // And no sentence is kept for a code that no longer exists.
        let codes = Set(ReasonCode.allCases.map { "reason.\($0.rawValue)" })
        #expect(renderer.strings("fr").keys.filter { $0.hasPrefix("reason.") && !codes.contains($0) }.isEmpty)
    }

    @Test func bothLanguagesHaveTheSameKeysAndTheSamePlaceholders() throws {
        let renderer = try Renderer()
        let french = renderer.strings("fr"), english = renderer.strings("en")
        #expect(Set(french.keys) == Set(english.keys))
        for (key, text) in french where key != Renderer.languageKey {
            // A value is named as a placeholder or as the count of a plural block.
            let placeholders = try Self.matches(#"\{([a-zA-Z]+)\}"#, in: text).union(Plural.names(in: text))
            let other = english[key] ?? ""
            #expect(placeholders == (try Self.matches(#"\{([a-zA-Z]+)\}"#, in: other).union(Plural.names(in: other))), "\(key)")
        }
    }

    @Test func everyKeyATemplateShowsExistsInBothLanguages() throws {
        let renderer = try Renderer()
        var used = Set<String>()
        for (name, text) in try Self.files("Templates", ending: ".mustache") {
            let keys = try Self.matches(#"\{\{\{?[#^/]?t\.([a-zA-Z0-9_.]+)\}"#, in: text)
            #expect(!keys.isEmpty || !text.contains("t."), "\(name)")
            used.formUnion(keys)
        }
        #expect(used.count > 100)
        for language in Renderer.languages {
            let missing = used.subtracting(renderer.strings(language).keys).sorted()
            #expect(missing.isEmpty, "\(language): \(missing)")
        }
    }

    @Test func everyKeyTheCodeLooksUpLiterallyExistsInBothLanguages() throws {
        let renderer = try Renderer()
        var used = Set<String>()
        for folder in ["Pages", "Routes", "Middleware", "API", "."] {
            for (_, text) in try Self.files(folder, ending: ".swift") {
                used.formUnion(try Self.matches(#"strings(?:\(\w+\))?\["([a-z][a-z0-9_]{2,})"\]"#, in: text))
                used.formUnion(try Self.matches(#"done: "([a-z][a-z0-9_]+)""#, in: text))
            }
        }
        #expect(used.count > 20)
        for language in Renderer.languages {
            let missing = used.subtracting(renderer.strings(language).keys).sorted()
            #expect(missing.isEmpty, "\(language): \(missing)")
        }
    }
}
