/// CSV files as a spreadsheet reads those of the evaluation: an optional byte order mark, `;`
/// between cells, quoted cells with doubled quotes, CRLF between rows. An empty line is an empty row.
public enum CSVRows {
    public static func parse(_ csv: String, separator: Character = ";") -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], cell = "", quoted = false
        var characters = csv.hasPrefix("\u{FEFF}") ? Array(csv.dropFirst()) : Array(csv)
        if characters.last != "\r\n" { characters.append("\r\n") }
        var index = 0
        while index < characters.count {
            let character = characters[index]
            if quoted {
                if character == "\"" {
                    if index + 1 < characters.count && characters[index + 1] == "\"" {
                        cell.append("\"")
                        index += 1
                    } else {
                        quoted = false
                    }
                } else {
                    cell.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == separator {
                row.append(cell)
                cell = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(cell)
                rows.append(row == [""] ? [] : row)
                row = []
                cell = ""
            } else {
                cell.append(character)
            }
            index += 1
        }
        return rows
    }

    /// The table of an evaluation's CSV file: the rows after the preamble (up to its empty row), headings first.
    public static func table(_ csv: String) -> [[String]] {
        Array(parse(csv).drop { !$0.isEmpty }.dropFirst())
    }
}
