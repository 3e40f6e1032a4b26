/// Input that cannot be accepted, with a reason per field, so that a form can show each
/// message next to its field and the API can answer 422 naming them.
public struct ValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Field or item id → reason, in English for the API.
    public var fields: [String: String]

    public init(_ fields: [String: String]) { self.fields = fields }

    public init(field: String, _ reason: String) { self.fields = [field: reason] }

    public var description: String {
        fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
    }
}
