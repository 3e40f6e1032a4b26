import Foundation
import RelaisTestSupport
import Testing

@Suite("relais command line")
struct CLITests {
    @Test func helpListsEverySubcommand() throws {
        let help = try RelaisBinary.run(["--help"])
        #expect(help.status == 0)
        for command in ["serve", "migrate", "backup", "user", "token"] {
            #expect(help.stdout.contains("  \(command) "), "\(command) missing from --help")
        }
        for path in [["serve"], ["migrate"], ["backup"], ["user", "add"], ["user", "list"], ["user", "disable"],
                     ["token", "issue"], ["token", "revoke"], ["token", "list"]] {
            let sub = try RelaisBinary.run(path + ["--help"])
            #expect(sub.status == 0 && sub.stdout.contains("USAGE"), "\(path) --help")
        }
    }

    @Test func migrateIsIdempotentAndPrintsJSON() throws {
        let directory = TemporaryDirectory()
        let first = try RelaisBinary.run(["migrate", "--data-dir", directory.file("var")])
        #expect(first.status == 0)
        let applied = (first.json as? [String: Any])?["applied"] as? [String] ?? []
        #expect(applied.first == "v1-accounts-audit")
        #expect(applied == (first.json as? [String: Any])?["schema"] as? [String])
        let second = try RelaisBinary.run(["migrate", "--data-dir", directory.file("var")])
        #expect((second.json as? [String: Any])?["applied"] as? [String] == [])
        #expect(FileManager.default.fileExists(atPath: directory.file("var/relais.sqlite")))
    }

    @Test func userCommandsAddListDisableAndRefuseBadInput() throws {
        let directory = TemporaryDirectory()
        let dataDir = ["--data-dir", directory.file("var")]
        let added = try RelaisBinary.run(["user", "add", "samia", "--role", "peer_helper"] + dataDir, stdin: "pair aidante 2026\n")
        #expect(added.status == 0)
        #expect((added.json as? [String: Any])?["role"] as? String == "peer_helper")
        let short = try RelaisBinary.run(["user", "add", "theo", "--role", "tabacologue"] + dataDir, stdin: "short\n")
        #expect(short.status == 1)
        #expect(short.stderr.contains("password"))
        let duplicate = try RelaisBinary.run(["user", "add", "samia", "--role", "admin"] + dataDir, stdin: "another password\n")
        #expect(duplicate.status == 1)
        let badRole = try RelaisBinary.run(["user", "add", "theo", "--role", "doctor"] + dataDir, stdin: "long password\n")
        #expect(badRole.status == 2)
        #expect(try RelaisBinary.run(["user", "disable", "samia"] + dataDir).status == 0)
        #expect(try RelaisBinary.run(["user", "disable", "nobody"] + dataDir).status == 1)
        let list = try RelaisBinary.run(["user", "list"] + dataDir)
        let users = list.json as? [[String: Any]]
        #expect(users?.count == 1)
        #expect(users?.first?["disabled"] as? Bool == true)
        #expect(try RelaisBinary.run(["token", "issue", "samia"] + dataDir).status == 1, "no token for a disabled account")
    }

    @Test func invalidConfigurationExitsTwoNamingTheKey() throws {
        let directory = TemporaryDirectory()
        let file = directory.file("bad.yaml")
        try "http:\n  port: 99999\n".write(toFile: file, atomically: true, encoding: .utf8)
        let result = try RelaisBinary.run(["serve", "--config", file, "--data-dir", directory.file("var")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("http.port"))
        let lan = try RelaisBinary.run(["serve", "--host", "0.0.0.0", "--data-dir", directory.file("var")])
        #expect(lan.status == 2)
        #expect(lan.stderr.contains("http.host"))
        #expect(try RelaisBinary.run(["frobnicate"]).status == 2)
    }
}
