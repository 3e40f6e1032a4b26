/// The values handed to a Mustache template, shared by the report's templates and the web pages'.
public enum MustacheValues {
    /// swift-mustache treats an empty string as true in `{{#key}}…{{/key}}`, unlike the
    /// Mustache habit the templates rely on ("show the error paragraph if there is an error").
    /// Empty strings are removed from the context instead: interpolating them gives the same
    /// nothing, and sections on them are skipped.
    public static func withoutEmptyStrings(_ context: [String: Any]) -> [String: Any] {
        var result: [String: Any] = [:]
        for (key, value) in context {
            if let pruned = prune(value) { result[key] = pruned }
        }
        return result
    }

    private static func prune(_ value: Any) -> Any? {
        switch value {
        case let text as String: return text.isEmpty ? nil : text
        case let object as [String: Any]: return withoutEmptyStrings(object)
        case let list as [[String: Any]]: return list.map(withoutEmptyStrings)
        case let list as [Any]: return list.compactMap(prune)
        default: return value
        }
    }
}
