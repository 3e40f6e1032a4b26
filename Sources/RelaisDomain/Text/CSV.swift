/// CSV as Relais writes it (RFC 4180: fields with a separator, a quote or a line break quoted),
/// with every cell kept inert for spreadsheets: a cell that begins with `=`, `+`, `-`, `@`, a tab
/// or a carriage return is a formula to Excel or LibreOffice (OWASP "CSV injection"), so it is
/// prefixed with an apostrophe. A number such as `-3` or `+2.5` stays a number.
public enum CSV {
    public static func text(_ rows: [[String]], separator: Character = ",") -> String {
        rows.map { row in row.map { field($0, separator: separator) }.joined(separator: String(separator)) }.joined(separator: "\r\n") + "\r\n"
    }

    public static func field(_ value: String, separator: Character = ",") -> String {
        let value = neutralised(value)
        guard value.contains(where: { $0 == separator || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The cell as a spreadsheet may read it without evaluating anything.
    public static func neutralised(_ value: String) -> String {
        guard let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) else { return value }
        if isPlainNumber(value) { return value }
        return "'" + value
    }

    /// `-3`, `+2.5`, `-0,5`: a sign, digits, at most one decimal point or comma.
    static func isPlainNumber(_ value: String) -> Bool {
        var body = Substring(value)
        if body.first == "-" || body.first == "+" { body = body.dropFirst() }
        guard let first = body.first, first.isASCII, first.isNumber else { return false }
        var separators = 0
        for character in body {
            if character == "." || character == "," { separators += 1; continue }
            guard character.isASCII, character.isNumber else { return false }
        }
        return separators <= 1 && body.last?.isNumber == true
    }
}
