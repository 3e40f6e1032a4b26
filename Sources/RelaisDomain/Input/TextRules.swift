/// What a text field may hold. Control characters never reach the store: a NUL or an escape
/// sequence in a name would travel into pages, mail headers, calendar files and CSV exports, and
/// a line break in a one-line field (a name, a title, a subject) splits the line it is written on.
public enum TextRules {
    /// The reason a one-line field (names, titles, labels, reasons) is refused, or nil: no
    /// control character at all, no line or paragraph separator, at most `maxLength` characters.
    public static func oneLineProblem(_ text: String, maxLength: Int) -> Reason? {
        if text.unicodeScalars.contains(where: { isControl($0) || $0 == "\u{2028}" || $0 == "\u{2029}" }) {
            return Reason(.textOneLine)
        }
        return text.count > maxLength ? Reason(.textTooLong, ["max": String(maxLength)]) : nil
    }

    /// The reason a multi-line field (notes, postal addresses, free answers) is refused, or nil:
    /// line breaks and tabs are allowed, other control characters are not.
    public static func multiLineProblem(_ text: String, maxLength: Int) -> Reason? {
        if text.unicodeScalars.contains(where: { isControl($0) && !["\n", "\r", "\t"].contains($0) }) {
            return Reason(.textControlCharacters)
        }
        return text.count > maxLength ? Reason(.textTooLong, ["max": String(maxLength)]) : nil
    }

    /// Checks a one-line field (already trimmed), noting its reason in `problems` under `field`.
    public static func checkOneLine(_ text: String?, field: String, maxLength: Int, required: Bool = false,
                                    into problems: inout [String: Reason]) {
        check(text, field: field, required: required, into: &problems) { oneLineProblem($0, maxLength: maxLength) }
    }

    /// Checks a multi-line field, noting its reason in `problems` under `field`.
    public static func checkMultiLine(_ text: String?, field: String, maxLength: Int, required: Bool = false,
                                      into problems: inout [String: Reason]) {
        check(text, field: field, required: required, into: &problems) { multiLineProblem($0, maxLength: maxLength) }
    }

    private static func check(_ text: String?, field: String, required: Bool, into problems: inout [String: Reason],
                              _ problem: (String) -> Reason?) {
        guard let text, !text.isEmpty else {
            if required { problems[field] = .required }
            return
        }
        if let reason = problem(text) { problems[field] = reason }
    }

    /// Throws the reasons of `check` when there are any.
    public static func validate(_ check: (inout [String: Reason]) -> Void) throws(ValidationError) {
        var problems: [String: Reason] = [:]
        check(&problems)
        if !problems.isEmpty { throw ValidationError(problems) }
    }

    /// C0 controls, DEL and C1 controls (Unicode general category Cc).
    public static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }

    /// Whether a text holds a control character other than a line break or a tab: what no field
    /// of any request may carry (checked at the edge, before any handler).
    public static func hasForbiddenControl(_ text: String) -> Bool {
        text.unicodeScalars.contains { isControl($0) && !["\n", "\r", "\t"].contains($0) }
    }

    /// An `https://` link with a host and no credentials, or the reason it is refused. Links are
    /// shown in pages and written into mail and calendar files sent to participants, so any other
    /// scheme (`javascript:`, `data:`, plain `http:`) is refused whatever the modality.
    public static func httpsLinkProblem(_ text: String) -> Reason? {
        if let problem = oneLineProblem(text, maxLength: 500) { return problem }
        let lower = text.lowercased()
        guard lower.hasPrefix("https://") else { return Reason(.linkHTTPS) }
        let rest = text.dropFirst("https://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@"),
              !text.contains(where: { $0 == " " || $0 == "\"" || $0 == "<" || $0 == ">" || $0 == "\\" }) else {
            return Reason(.linkHost)
        }
        return nil
    }
}

extension String {
    /// nil for an empty string: optional fields left blank in a form.
    public var nilIfEmpty: String? { isEmpty ? nil : self }
}
