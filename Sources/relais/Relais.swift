import ArgumentParser
import Foundation
import RelaisConfig
import RelaisDomain
import RelaisUseCases
import RelaisStore
import RelaisWeb

/// `relais`: the daemon and its operator commands.
struct Relais: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relais",
        abstract: "Relais: clinical session support for smoking-cessation programmes.",
        discussion: """
            Output meant for scripts is JSON on standard output; messages for people go to standard error.
            Exit status: 0 success, 1 refused input, 2 bad configuration or usage.
            """,
        version: RelaisVersion.current,
        subcommands: [Serve.self, Migrate.self, Backup.self, UserCommand.self, TokenCommand.self, Score.self, PlanCommand.self,
                      SendDue.self, OutboxCommand.self, Demo.self, ReportCommand.self])
}

/// Runs the command line, mapping failures to the documented exit statuses.
@main
enum Main {
    static func main() async {
        // Before any other thread allocates: glibc gives each thread that allocates under
        // contention a malloc arena of its own (up to 8 per core), and each keeps its freed
        // memory; two shared arenas keep an idle daemon about 2 MB smaller, and glibc's
        // per-thread caches leave no measurable contention in `make bench`.
        _ = mallopt(-8 /* M_ARENA_MAX */, 2)
        do {
            var command = try Relais.parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let error as ConfigurationError {
            Console.error("relais: \(error)")
            exit(2)
        } catch let error as RelaisDomain.ValidationError {
            Console.error("relais: " + error.fields.sorted { $0.key < $1.key }.map { "\($0.key): \(ReasonText.english($0.value))" }.joined(separator: "; "))
            exit(1)
        } catch let error as RelaisDomain.Refusal {
            Console.error("relais: \(ReasonText.english(error.reason))")
            exit(1)
        } catch let error as Refused {
            Console.error("relais: \(error.message)")
            exit(1)
        } catch {
            let code = Relais.exitCode(for: error)
            let message = Relais.fullMessage(for: error)
            if code == .success {
                if !message.isEmpty { print(message) }
                exit(0)
            }
            if !message.isEmpty { Console.error(message) }
            // Usage errors are 2, as for any Unix command (ArgumentParser says 64).
            exit(code == .validationFailure ? 2 : code.rawValue)
        }
    }
}

/// Input the command refuses: message on stderr, exit 1.
struct Refused: Error {
    var message: String
    init(_ message: String) { self.message = message }
}

enum Console {
    static func error(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    /// JSON for scripts on stdout, keys sorted so that output is stable.
    static func json(_ object: Any) {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
        print(String(decoding: data, as: UTF8.self))
    }
}

/// `--config` and `--data-dir`, which every command that touches stored data accepts.
struct InstallationOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Configuration file (YAML); embedded defaults when omitted.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("Data folder (SQLite file, maildir, backups); overrides data_dir.", valueName: "dir"))
    var dataDir: String?

    func load() throws -> Configuration {
        var configuration = try ConfigurationLoader.load(file: config ?? ProcessInfo.processInfo.environment["RELAIS_CONFIG"])
        if let dataDir { configuration.dataDir = dataDir }
        return configuration
    }

    /// The use cases over the installation's database, as the operator (who is trusted with every
    /// command). The instrument and programme files are read only when the command needs them.
    func actions(_ configuration: Configuration, clock: Clock = .system, protocols: Bool = true) throws -> UseCases {
        let store = try openStore(configuration)
        return UseCases(store: store, clock: clock, settings: UseCaseSettings(configuration),
                        protocols: protocols ? try loadProtocols(configuration) : .unused)
    }

    /// Opens the installation's database, creating the data folder (private to its owner) if needed.
    func openStore(_ configuration: Configuration, migrate: Bool = true) throws -> Store {
        do {
            try FileManager.default.createDirectory(atPath: configuration.dataDir, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw ConfigurationError(key: "data_dir", source: "configuration",
                                     reason: "cannot create the folder '\(configuration.dataDir)': \(error.localizedDescription)")
        }
        return try Store(path: configuration.sqlitePath, migrate: migrate, reminderPolicy: configuration.reminderPolicy)
    }
}

/// The programme templates of Protocols/, checked against the instruments.
/// Everything of Protocols/ the daemon runs on; a file that cannot be used is a configuration error
/// naming it.
func loadProtocols(_ configuration: Configuration) throws -> ProtocolCatalog {
    do {
        return try ProtocolsLoader.catalog(directory: configuration.protocolsDir, settings: configuration.instrumentSettings)
    } catch {
        throw ConfigurationError(key: "protocols_dir", source: configuration.protocolsDir, reason: String(describing: error))
    }
}

func loadTemplates(_ configuration: Configuration, instruments: InstrumentCatalog) throws -> [ProgrammeTemplate] {
    do {
        return try ProtocolsLoader.templates(directory: configuration.protocolsDir, instruments: instruments)
    } catch {
        throw ConfigurationError(key: "protocols_dir", source: configuration.protocolsDir, reason: error.description)
    }
}

/// The instrument files of Protocols/; a file that cannot be used is a configuration error
/// naming the file and the problem.
func loadInstruments(_ configuration: Configuration) throws -> InstrumentCatalog {
    do {
        return try ProtocolsLoader.instruments(directory: configuration.protocolsDir, settings: configuration.instrumentSettings)
    } catch {
        throw ConfigurationError(key: "protocols_dir", source: configuration.protocolsDir, reason: error.description)
    }
}

/// glibc's mallopt(3), which the Glibc module does not import (malloc.h).
@_silgen_name("mallopt")
private func mallopt(_ parameter: Int32, _ value: Int32) -> Int32
