import Foundation
import Mustache
import Synchronization

/// The page templates, compiled the first time a page needs them and kept: a daemon serves a
/// handful of pages most days, and compiling all 50 templates at start took half its start-up
/// time and about 1.5 MB it kept for pages nobody opened. A template brings in the partials and
/// the layout it names (`{{> name}}`, `{{< name}}`), compiled with it.
final class PageTemplates: Sendable {
    let directory: URL
    private let state = Mutex(State())

    struct State {
        var library = MustacheLibrary()
        var compiled: Set<String> = []
    }

    init(directory: URL) {
        self.directory = directory
    }

    /// A library holding `name` and everything it includes; throws when a file is missing or
    /// does not parse, naming it.
    func library(for name: String) throws -> MustacheLibrary {
        try state.withLock { state in
            // Compiled into a draft kept only whole: a page whose partial fails is not left
            // marked compiled without it, to render with a hole at the next request.
            var draft = state
            try compile(name, into: &draft)
            state = draft
            return state.library
        }
    }

    private func compile(_ name: String, into state: inout State) throws {
        guard !state.compiled.contains(name) else { return }
        let file = directory.appendingPathComponent(name + ".mustache")
        let text = try String(contentsOf: file, encoding: .utf8)
        do {
            try state.library.register(text, named: name)
        } catch {
            throw RendererError(message: "template \(name).mustache does not parse: \(error)")
        }
        state.compiled.insert(name)
        for included in Self.inclusions(in: text) { try compile(included, into: &state) }
    }

    /// The names a template includes: partials `{{> name}}` and the layout it extends `{{< name}}`.
    /// Read by hand: a Swift `Regex` would bring its engine's code into memory for this one scan.
    static func inclusions(in text: String) -> [String] {
        var names: [String] = []
        var rest = Substring(text)
        while let open = rest.range(of: "{{") {
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            let tag = rest[..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if let first = tag.first, first == ">" || first == "<" {
                let name = tag.dropFirst().trimmingCharacters(in: .whitespaces)
                if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) { names.append(name) }
            }
            rest = rest[close.upperBound...]
        }
        return names
    }
}
