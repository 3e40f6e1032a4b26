import Foundation

/// Lines of a rendered message split on CRLF, and whether any bare CR or LF remains.
func crlfLines(_ data: Data) -> (lines: [[UInt8]], bareLineBreak: Bool) {
    let bytes = Array(data)
    var lines: [[UInt8]] = []
    var current: [UInt8] = []
    var bare = false
    var index = 0
    while index < bytes.count {
        if bytes[index] == 13, index + 1 < bytes.count, bytes[index + 1] == 10 {
            lines.append(current)
            current = []
            index += 2
            continue
        }
        if bytes[index] == 13 || bytes[index] == 10 { bare = true }
        current.append(bytes[index])
        index += 1
    }
    if !current.isEmpty { lines.append(current) }
    return (lines, bare)
}
