import ArgumentParser
import Foundation
import RelaisStore

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations (serve also does it at start).",
        discussion: "Prints {\"applied\":[...],\"schema\":[...]} on stdout.")

    @OptionGroup var installation: InstallationOptions

    func run() async throws {
        let configuration = try installation.load()
        let store = try installation.openStore(configuration, migrate: false)
        let applied = try store.migrate()
        Console.json(["applied": applied, "schema": try store.appliedMigrations()])
    }
}

struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a consistent snapshot of the database to a new file, even while serving.",
        discussion: """
            Uses SQLite's online backup API. To restore: stop the daemon, replace relais.sqlite in the data
            folder by the backup file (and remove relais.sqlite-wal and relais.sqlite-shm), start again.
            Prints {"backup":PATH,"bytes":N} on stdout.
            """)

    @OptionGroup var installation: InstallationOptions

    @Argument(help: ArgumentHelp("The new file to write (refused if it exists).", valueName: "dest"))
    var destination: String

    func run() async throws {
        let configuration = try installation.load()
        guard FileManager.default.fileExists(atPath: configuration.sqlitePath) else {
            throw Refused("no database at \(configuration.sqlitePath): check --data-dir or data_dir")
        }
        let store = try installation.openStore(configuration, migrate: false)
        try store.backup(to: destination)
        let size = (try? FileManager.default.attributesOfItem(atPath: destination)[.size] as? Int) ?? 0
        Console.json(["backup": destination, "bytes": size])
    }
}
