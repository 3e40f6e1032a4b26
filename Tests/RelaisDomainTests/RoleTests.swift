import RelaisDomain
import Testing

/// The roles table of DESIGN.md, in one place (`Role.allows`), checked cell by cell.
@Suite("Roles and permissions")
struct RoleTests {
    static let table: [Role: Set<Permission>] = [
        .admin: [.administer],
        .coordinator: [.plan, .readContactDetails, .manageReminders, .readReports, .useInstruments, .recordAttendance,
                       .recordAssessments, .readAssessments, .eraseParticipants],
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
