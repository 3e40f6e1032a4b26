import Foundation
import RelaisDomain
import RelaisStore

/// Who asks for an action: a signed-in staff member (through a page or a bearer token), or the
/// operator of the machine through the `relais` command line, who is trusted with everything the
/// command offers.
public struct Caller: Sendable {
    public enum Kind: Sendable {
        case user(User)
        case operatorCommand(String)
    }

    public let kind: Kind
    public let clientAddress: String

    public init(user: User, clientAddress: String) {
        kind = .user(user)
        self.clientAddress = clientAddress
    }

    /// The operator running `relais COMMAND`.
    public static func commandLine(_ command: String) -> Caller { Caller(kind: .operatorCommand(command), clientAddress: "") }

    private init(kind: Kind, clientAddress: String) {
        self.kind = kind
        self.clientAddress = clientAddress
    }

    public var user: User? {
        if case .user(let user) = kind { return user }
        return nil
    }

    /// The id the role rules compare with a programme's facilitators ("" for the operator).
    public var userID: String { user?.id ?? "" }

    /// The role for the rules of `Access`; the operator has none and is checked by `may` only.
    public var role: Role? { user?.role }

    /// Who the audit log names.
    public var actor: Actor {
        switch kind {
        case .user(let user): return Actor(userID: user.id, name: user.name, clientAddress: clientAddress)
        case .operatorCommand(let command): return .cli(command)
        }
    }

    public func may(_ permission: Permission) -> Bool {
        switch kind {
        case .user(let user): return user.role.allows(permission)
        case .operatorCommand: return true
        }
    }

    /// Throws 403 unless the role allows `permission` (the one table: `Role.allows`).
    public func require(_ permission: Permission) throws(Refusal) {
        guard may(permission) else { throw Refusal.forbidden() }
    }

    /// Applies one of the rules of `Access` to a staff member; the operator passes.
    func passes(_ rule: (Role, String) -> Bool) -> Bool {
        switch kind {
        case .user(let user): return rule(user.role, user.id)
        case .operatorCommand: return true
        }
    }

    func require(_ code: ReasonCode, _ rule: (Role, String) -> Bool) throws(Refusal) {
        guard passes(rule) else { throw Refusal.forbidden(code) }
    }
}
