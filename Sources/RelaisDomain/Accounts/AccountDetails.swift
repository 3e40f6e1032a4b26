import Foundation

/// What an administrator (or the operator) gives for a new staff account, checked field by field
/// so that a form shows every problem at once and the API names each faulty field.
public struct AccountDetails: Sendable, Equatable {
    public var name: String
    public var displayName: String?
    public var role: Role
    public var email: String?

    /// Names are what people type at the login: 2–64 letters, digits, ".", "_" or "-".
    static let namePattern = #"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$"#

    /// Trims and checks every field; an empty display name or email is none.
    public static func validated(name: String?, displayName: String?, role: String?, email: String?) throws(ValidationError) -> AccountDetails {
        var problems: [String: Reason] = [:]
        let name = (name ?? "").trimmingCharacters(in: .whitespaces)
        if name.isEmpty {
            problems["name"] = .required
        } else if name.range(of: namePattern, options: .regularExpression) == nil {
            problems["name"] = Reason(.userNameFormat)
        }
        let displayName = displayName?.trimmingCharacters(in: .whitespaces).nilIfEmpty
        TextRules.checkOneLine(displayName, field: "displayName", maxLength: 100, into: &problems)
        let parsedRole = Role(rawValue: (role ?? "").trimmingCharacters(in: .whitespaces))
        if parsedRole == nil {
            problems["role"] = (role ?? "").isEmpty ? .required : Reason(.expectedOneOf, ["options": Role.allCases.map(\.rawValue).joined(separator: ", ")])
        }
        let email = email.flatMap { email in AccountDetails.checkEmail(email, into: &problems) }
        guard problems.isEmpty, let parsedRole else { throw ValidationError(problems) }
        return AccountDetails(name: name, displayName: displayName, role: parsedRole, email: email)
    }

    /// The staff digest address, trimmed and lowercased; "" is none. A faulty one is noted in `problems`.
    public static func checkEmail(_ text: String, field: String = "email", into problems: inout [String: Reason]) -> String? {
        let email = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !email.isEmpty else { return nil }
        if let problem = EmailAddress.entryProblem(email) { problems[field] = problem }
        return email
    }
}

/// The one rule for a password chosen by a person (not one-time passwords, which Relais draws).
public enum PasswordRule {
    public static let minimumLength = 10

    public static func problem(_ password: String) -> Reason? {
        password.count >= minimumLength ? nil : Reason(.passwordTooShort, ["min": String(minimumLength)])
    }
}
