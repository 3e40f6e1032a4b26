import RelaisDomain
import Testing

/// The roles table of the README, in one place (`Role.allows`), checked cell by cell.
@Suite("Roles and permissions")
struct RoleTests {
    static let table: [Role: Set<Permission>] = [
        .admin: [.administer],
        .coordinator: [.plan, .readContactDetails, .manageReminders, .readReports, .useInstruments, .recordAttendance,
                       .recordAssessments, .readAssessments, .eraseParticipants, .readOrientations],
        .tabacologue: Set(Permission.allCases).subtracting([.administer, .eraseParticipants]),
        .peerHelper: [.recordAttendance],
    ]

    @Test(arguments: Role.allCases)
    func eachRoleMayDoExactlyWhatTheTableSays(_ role: Role) {
        for permission in Permission.allCases {
            #expect(role.allows(permission) == Self.table[role]!.contains(permission), "\(role.rawValue) / \(permission.rawValue)")
        }
    }
}

/// The roles table of README.md says what the code does.
@Suite("Roles table in the README")
struct RolesReadmeTests {
    @Test func theREADMETableMatchesTheCodeCellByCell() throws {
        let readme = try String(contentsOf: protocolsRoot.deletingLastPathComponent().appendingPathComponent("README.md"), encoding: .utf8)
        let section = try #require(readme.components(separatedBy: "## Roles").dropFirst().first?.components(separatedBy: "\n## ").first)
        let rows = section.split(separator: "\n").filter { $0.hasPrefix("| ") && !$0.hasPrefix("| permission") }
        var seen = Set<Permission>()
        for row in rows {
            let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let name = String(cells[0].split(separator: " ").first ?? "")
            let permission = try #require(Permission(rawValue: name), "unknown permission '\(name)' in README")
            seen.insert(permission)
            for (role, cell) in zip([Role.admin, .coordinator, .tabacologue, .peerHelper], cells.dropFirst()) {
                #expect((cell == "yes") == role.allows(permission), "README says \(role.rawValue) / \(name) = \(cell)")
            }
        }
        #expect(seen == Set(Permission.allCases), "every permission has a row")
    }
}
