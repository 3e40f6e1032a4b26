import Foundation
import GRDB
import RelaisDomain

/// Reads the dates GRDB stores ("yyyy-MM-dd HH:mm:ss.SSS", UTC) by arithmetic. GRDB's own
/// reading goes through `DateComponents` and a `Calendar`, about 6,000 instructions a date: a
/// fifth of a 200-row list's reading once its columns were found by position. Any other
/// stored form (a number, a date without milliseconds) goes to GRDB, so nothing reads otherwise.
enum StoredDate {
    static func read(_ row: Row, _ index: Int) throws -> Date {
        guard let date = try readOptional(row, index) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "column \(index): NULL or not a date")
        }
        return date
    }

    static func readOptional(_ row: Row, _ index: Int) throws -> Date? {
        if row.hasNull(atIndex: index) { return nil }
        // TEXT comes as a String, a number as an Int64 or a Double, without conversion.
        let value = row[index] as (any DatabaseValueConvertible)?
        if var text = value as? String, let date = text.withUTF8(parse) { return date }
        guard let value, let date = Date.fromDatabaseValue(value.databaseValue) else {
            throw DatabaseError(resultCode: .SQLITE_MISMATCH, message: "column \(index): not a date")
        }
        return date
    }

    /// "2025-03-01 09:30:00.250" exactly, or nil.
    static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Date? {
        guard bytes.count == 23, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"), bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"), bytes[19] == UInt8(ascii: ".") else { return nil }
        for offset in 0..<23 where offset != 4 && offset != 7 && offset != 10 && offset != 13 && offset != 16 && offset != 19 {
            guard bytes[offset] &- 48 < 10 else { return nil }
        }
        func digit(_ offset: Int) -> Int { Int(bytes[offset] &- 48) }
        let year = digit(0) * 1000 + digit(1) * 100 + digit(2) * 10 + digit(3)
        let month = digit(5) * 10 + digit(6), day = digit(8) * 10 + digit(9)
        let hour = digit(11) * 10 + digit(12), minute = digit(14) * 10 + digit(15), second = digit(17) * 10 + digit(18)
        let milliseconds = digit(20) * 100 + digit(21) * 10 + digit(22)
        // An impossible day (a 30 February) goes to GRDB, which reads it its own way.
        guard let date = CalendarDate(year: year, month: month, day: day), hour < 24, minute < 60, second < 60 else { return nil }
        let seconds = date.dayNumber * 86_400 + hour * 3_600 + minute * 60 + second
        return Date(timeIntervalSinceReferenceDate: Double(seconds - 978_307_200) + Double(milliseconds) / 1_000)
    }
}
