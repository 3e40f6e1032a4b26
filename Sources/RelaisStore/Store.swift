import Foundation
import GRDB
import RelaisDomain

/// The SQLite database of one installation: a GRDB `DatabasePool` in WAL mode with foreign
/// keys on, migrated to the current schema when opened.
public final class Store: Sendable {
    package let pool: DatabasePool
    public let path: String
    /// The timing of the messages the facts written here cause (the installation's settings).
    public let reminderPolicy: ReminderPolicy
    /// Tokens and sessions already checked, shared by every `Accounts` of this store.
    let access = AccessCache()

    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    public init(path: String, migrate: Bool = true, reminderPolicy: ReminderPolicy = ReminderPolicy()) throws {
        self.reminderPolicy = reminderPolicy
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        configuration.label = "relais"
        // One reader per HTTP worker thread (one per core by default) and some for the sender and CLI.
        configuration.maximumReaderCount = 16
        configuration.prepareDatabase { db in
            // Durable enough for WAL, and the usual choice with it.
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        self.path = path
        pool = try DatabasePool(path: path, configuration: configuration)
        if migrate { try self.migrate() }
    }

    /// Applies the migrations not yet applied; returns their identifiers (empty when up to date).
    @discardableResult
    public func migrate() throws -> [String] {
        let migrator = Migrations.migrator
        let before = try pool.read { try migrator.appliedIdentifiers($0) }
        try migrator.migrate(pool)
        return migrator.migrations.filter { !before.contains($0) }
    }

    /// The migrations applied, in the order they are registered (`v10-…` after `v9-…`).
    public func appliedMigrations() throws -> [String] {
        let migrator = Migrations.migrator
        let applied = try pool.read { try migrator.appliedIdentifiers($0) }
        return migrator.migrations.filter(applied.contains) + applied.subtracting(migrator.migrations).sorted()
    }

    /// A consistent snapshot through SQLite's online backup API, safe while the daemon serves.
    /// Refuses to overwrite an existing file.
    public func backup(to destination: String) throws {
        if FileManager.default.fileExists(atPath: destination) {
            throw Refusal.conflict(.backupExists, ["file": destination])
        }
        let target = try DatabaseQueue(path: destination)
        try pool.backup(to: target)
        try target.close()
    }

    /// A 256-bit key kept in a file beside the database (`NAME.key`, mode 0600), created on first
    /// use. It is not in the database on purpose: a copy of the database (a backup) does not
    /// carry it, so what it derives (printed letters' links) cannot be recomputed from a copy.
    public func secretKey(_ name: String) throws -> [UInt8] {
        let file = (path as NSString).deletingLastPathComponent + "/\(name).key"
        if let data = FileManager.default.contents(atPath: file), data.count == 32 { return Array(data) }
        let key = Secrets.randomBytes(32)
        let descriptor = open(file, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0o600)
        if descriptor < 0 {
            // Another process created it first: use theirs.
            if errno == EEXIST, let data = FileManager.default.contents(atPath: file), data.count == 32 { return Array(data) }
            throw StoreFileError(path: file, reason: String(cString: strerror(errno)))
        }
        defer { close(descriptor) }
        let written = key.withUnsafeBytes { write(descriptor, $0.baseAddress, 32) }
        guard written == 32, fsync(descriptor) == 0 else { throw StoreFileError(path: file, reason: String(cString: strerror(errno))) }
        return key
    }

    /// Whether the database file still opens and reads as a database, and the pool still
    /// answers: the background check behind `/healthz`. The file is read through a new
    /// connection, since the pool's open ones keep serving from their cache and their open file
    /// a database file that was deleted, replaced or overwritten under them.
    public func isHealthy() -> Bool {
        do {
            var configuration = Configuration()
            configuration.readonly = true
            configuration.busyMode = .timeout(2)
            let probe = try DatabaseQueue(path: path, configuration: configuration)
            defer { try? probe.close() }
            guard try probe.read({ try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }) ?? 0 > 0 else { return false }
            return try pool.read { try Int.fetchOne($0, sql: "SELECT 1") } == 1
        } catch {
            return false
        }
    }
}

/// A file of the data folder that could not be written: an installation problem, not a refusal.
public struct StoreFileError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "cannot write \(path): \(reason)" }
}
