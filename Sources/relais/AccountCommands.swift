import ArgumentParser
import Foundation
import RelaisDomain
import RelaisStore
import RelaisUseCases

extension Role: ExpressibleByArgument {}

struct UserCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "user", abstract: "Manage staff accounts.",
        subcommands: [Add.self, List.self, Disable.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an account; the password is read from standard input (first line).")

        @OptionGroup var installation: InstallationOptions
        @Argument(help: "Login name: 2 to 64 letters, digits, '.', '_' or '-'.") var name: String
        @Option(help: "admin, coordinator, tabacologue or peer_helper.") var role: Role
        @Option(help: "Name shown in pages (default: the login name).") var displayName: String?
        @Option(help: "Address of the daily staff digest (coordinators and tabacologues).") var email: String?

        func run() async throws {
            let configuration = try installation.load()
            let password = readPassword()
            let user = try installation.actions(configuration, protocols: false)
                .createAccount(name: name, displayName: displayName, role: role.rawValue, email: email, password: password, by: .commandLine("user add"))
            Console.json(["id": user.id, "name": user.name, "role": user.role.rawValue])
        }

        private func readPassword() -> String {
            if isatty(STDIN_FILENO) != 0, let typed = getpass("Mot de passe / password: ") {
                return String(cString: typed)
            }
            return readLine(strippingNewline: true) ?? ""
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List accounts as JSON.")
        @OptionGroup var installation: InstallationOptions

        func run() async throws {
            let configuration = try installation.load()
            let users = try installation.actions(configuration, protocols: false).accounts(by: .commandLine("user list"))
            Console.json(users.map { user in
                ["id": user.id, "name": user.name, "displayName": user.displayName, "role": user.role.rawValue,
                 "email": user.email ?? NSNull(), "disabled": user.isDisabled] as [String: Any]
            })
        }
    }

    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Disable an account and end its sessions and tokens.")
        @OptionGroup var installation: InstallationOptions
        @Argument(help: "Login name.") var name: String

        func run() async throws {
            let configuration = try installation.load()
            try installation.actions(configuration, protocols: false).disableAccount(named: name, by: .commandLine("user disable"))
            Console.error("disabled \(name)")
        }
    }
}

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Manage API bearer tokens.",
        subcommands: [Issue.self, Revoke.self, List.self])

    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Issue a token for an account; prints the token on stdout and nothing else (it is shown once).")
        @OptionGroup var installation: InstallationOptions
        @Argument(help: "Login name of the account.") var name: String
        @Option(help: "What the token is for.") var label: String = ""

        func run() async throws {
            let configuration = try installation.load()
            let (token, record) = try installation.actions(configuration, protocols: false)
                .issueToken(userName: name, label: label, by: .commandLine("token issue"))
            print(token)
            Console.error("token id \(record.id) (use it with 'relais token revoke')")
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke a token by its id (see 'relais token list').")
        @OptionGroup var installation: InstallationOptions
        @Argument(help: "Token id.") var id: String

        func run() async throws {
            let configuration = try installation.load()
            try installation.actions(configuration, protocols: false).revokeToken(id, by: .commandLine("token revoke"))
            Console.error("revoked \(id)")
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List tokens (never their value) as JSON.")
        @OptionGroup var installation: InstallationOptions
        @Argument(help: "Only this account's tokens.") var name: String?

        func run() async throws {
            let configuration = try installation.load()
            let tokens = try installation.actions(configuration, protocols: false).tokens(userName: name, by: .commandLine("token list"))
            Console.json(tokens.map { token, user in
                ["id": token.id, "user": user, "label": token.label, "createdAt": token.createdAt.formatted(.iso8601),
                 "revoked": token.revokedAt != nil] as [String: Any]
            })
        }
    }
}
