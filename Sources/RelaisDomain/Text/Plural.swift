import Foundation

/// Plural forms in the strings of the locale files: a count names its noun in the right number
/// ("1 programme prévu", "2 programmes prévus"; "0 présent" in French, "0 present" in English).
///
/// A string says both forms where the count is, in the style translators know from ICU:
/// `{count, plural, one {# participant} other {# participants}}`, where `count` is the name (or
/// the position, `{1, plural, …}`) of the value and `#` stands for it as given. `=0 {…}` may
/// precede the categories for a sentence of its own. The category follows the language's rule
/// (CLDR): in French 0 and 1 are singular, in English only 1. A value that is not a whole number
/// (a masked small count such as "< 5") takes the plural.
public enum Plural {
    public enum Category: String, Sendable { case one, other }

    public static func category(_ count: Int, language: String) -> Category {
        switch language {
        case "en": return count == 1 ? .one : .other
        default: return count == 0 || count == 1 ? .one : .other
        }
    }

    /// `text` with each plural block replaced by its branch for the argument it names.
    /// Simple placeholders (`{name}`) are left for the caller to fill.
    public static func resolve(_ text: String, arguments: [String: String], language: String) -> String {
        guard text.contains(", plural,") else { return text }
        let characters = Array(text)
        var output = ""
        var index = 0
        while index < characters.count {
            if characters[index] == "{", let block = parseBlock(characters, at: index) {
                let value = arguments[block.name]
                output += choose(block, value: value, language: language)
                index = block.end
            } else {
                output.append(characters[index])
                index += 1
            }
        }
        return output
    }

    /// `text` with its plural blocks and its `{name}` placeholders filled from `arguments`.
    public static func fill(_ text: String, _ arguments: [String: String], language: String) -> String {
        var text = resolve(text, arguments: arguments, language: language)
        for (name, value) in arguments { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// A problem with the plural blocks of `text` (one that does not parse, or lacks `one` or
    /// `other`), for the start-up checks of the locale files; nil when there is none.
    public static func problem(in text: String) -> String? {
        let characters = Array(text)
        var index = 0
        while index < characters.count {
            if characters[index] == "{" {
                if startsPluralBlock(characters, at: index) {
                    guard let block = parseBlock(characters, at: index) else {
                        return "a plural block does not parse: \(String(characters[index...].prefix(60)))…"
                    }
                    guard block.branches["one"] != nil, block.branches["other"] != nil else {
                        return "the plural block of '\(block.name)' needs both 'one' and 'other'"
                    }
                    index = block.end
                    continue
                }
            }
            index += 1
        }
        return nil
    }

    /// Whether `{` at `index` opens `{name, plural,`: checked by hand rather than with a regular
    /// expression, which would load ICU's regex engine at every start for the locale files' check.
    static func startsPluralBlock(_ characters: [Character], at index: Int) -> Bool {
        var position = index + 1
        func skipSpaces() { while position < characters.count, characters[position].isWhitespace { position += 1 } }
        func expect(_ word: String) -> Bool {
            for character in word {
                guard position < characters.count, characters[position] == character else { return false }
                position += 1
            }
            return true
        }
        skipSpaces()
        let nameStart = position
        while position < characters.count, characters[position].isASCII, characters[position].isLetter || characters[position].isNumber || characters[position] == "_" {
            position += 1
        }
        guard position > nameStart else { return false }
        skipSpaces()
        guard expect(",") else { return false }
        skipSpaces()
        guard expect("plural") else { return false }
        skipSpaces()
        return expect(",")
    }

    /// The names of the values the plural blocks of `text` count.
    public static func names(in text: String) -> Set<String> {
        let characters = Array(text)
        var names = Set<String>()
        var index = 0
        while index < characters.count {
            if characters[index] == "{", let block = parseBlock(characters, at: index) {
                names.insert(block.name)
                index = block.end
            } else {
                index += 1
            }
        }
        return names
    }

    // MARK: - Parsing

    struct Block {
        var name: String
        var branches: [String: String]
        /// Index just after the closing brace.
        var end: Int
    }

    static func choose(_ block: Block, value: String?, language: String) -> String {
        let digits = (value ?? "").filter { !$0.isWhitespace && $0 != "\u{202F}" && $0 != "\u{00A0}" }
        let whole = Int(digits)
        var selected: Category = .other
        if let whole {
            selected = category(whole, language: language)
        } else if language != "en", let decimal = Double(digits.replacingOccurrences(of: ",", with: ".")), decimal >= 0 {
            // French: "1,5 cigarette" (the whole part decides); English: "1.5 cigarettes".
            selected = decimal < 2 ? .one : .other
        }
        let branch = whole.flatMap { block.branches["=\($0)"] } ?? block.branches[selected.rawValue] ?? block.branches["other"] ?? ""
        return branch.replacingOccurrences(of: "#", with: value ?? "#")
    }

    /// `{name, plural, one {…} other {…}}` starting at `start`, or nil.
    static func parseBlock(_ characters: [Character], at start: Int) -> Block? {
        var index = start + 1
        func skipSpaces() { while index < characters.count, characters[index] == " " { index += 1 } }
        func word() -> String {
            var text = ""
            while index < characters.count, characters[index].isLetter || characters[index].isNumber || characters[index] == "_" || characters[index] == "=" {
                text.append(characters[index])
                index += 1
            }
            return text
        }
        skipSpaces()
        let name = word()
        guard !name.isEmpty else { return nil }
        skipSpaces()
        guard index < characters.count, characters[index] == "," else { return nil }
        index += 1
        skipSpaces()
        guard word() == "plural" else { return nil }
        skipSpaces()
        guard index < characters.count, characters[index] == "," else { return nil }
        index += 1
        var branches: [String: String] = [:]
        while true {
            skipSpaces()
            guard index < characters.count else { return nil }
            if characters[index] == "}" { return branches.isEmpty ? nil : Block(name: name, branches: branches, end: index + 1) }
            let selector = word()
            guard !selector.isEmpty else { return nil }
            skipSpaces()
            guard index < characters.count, characters[index] == "{" else { return nil }
            index += 1
            var depth = 1
            var body = ""
            while index < characters.count {
                let character = characters[index]
                if character == "{" { depth += 1 }
                if character == "}" {
                    depth -= 1
                    if depth == 0 { break }
                }
                body.append(character)
                index += 1
            }
            guard index < characters.count else { return nil }
            index += 1
            branches[selector] = body
        }
    }
}
