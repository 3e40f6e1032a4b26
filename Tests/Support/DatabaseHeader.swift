import Foundation

/// A SQLite file's 100-byte header, overwritten under a running daemon and put back: how the
/// health tests break the database without stopping anything.
public enum DatabaseHeader {
    /// Checkpoints the WAL into the file first (else SQLite rightly reads the pages from the WAL),
    /// then overwrites the header; returns what was there.
    public static func overwrite(of path: String) throws -> Data {
        let checkpoint = try ChildProcess.run(executable: "/usr/bin/sqlite3", [path, "PRAGMA wal_checkpoint(TRUNCATE);"])
        guard checkpoint.stdout.hasPrefix("0|") else {
            throw TestHTTPError(description: "the checkpoint was not complete: \(checkpoint.stdout)\(checkpoint.stderr)")
        }
        return try write(Data(repeating: 0x42, count: 100), to: path)
    }

    /// Writes `header` at the start of the file and syncs it; returns the bytes it replaced.
    @discardableResult
    public static func write(_ header: Data, to path: String) throws -> Data {
        guard let file = FileHandle(forUpdatingAtPath: path) else { throw TestHTTPError(description: "cannot open \(path)") }
        defer { try? file.close() }
        let previous = try file.read(upToCount: header.count) ?? Data()
        try file.seek(toOffset: 0)
        try file.write(contentsOf: header)
        try file.synchronize()
        return previous
    }
}
