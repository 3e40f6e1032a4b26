import Foundation

/// Strict decoding of the data files of Protocols/: unknown keys are refused as well as
/// malformed ones (a misspelt `"requried"` silently ignored would change what a file means),
/// and decoding errors are turned into one readable sentence naming the key path.
enum StrictJSON {
    indirect enum Spec: Sendable {
        case leaf
        case object([String: Spec])
        case list(Spec)
        /// An object with free keys whose values follow the spec.
        case map(Spec)
    }

    static let localized: Spec = .object(["fr": .leaf, "en": .leaf])

    /// The decoded value, or the problem as a sentence.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, allowed spec: Spec) -> Result<T, Problem> {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            return .failure(Problem(text: "not valid JSON: \(detail)"))
        }
        if let unknown = unknownKey(in: object, allowed: spec, path: "") {
            return .failure(Problem(text: "unknown key '\(unknown)' (see Protocols/README.md)"))
        }
        do {
            return .success(try JSONDecoder().decode(T.self, from: data))
        } catch let error as DecodingError {
            return .failure(Problem(text: describe(error)))
        } catch {
            return .failure(Problem(text: "\(error)"))
        }
    }

    struct Problem: Error {
        var text: String
    }

    static func unknownKey(in value: Any, allowed spec: Spec, path: String) -> String? {
        switch spec {
        case .leaf: return nil
        case .object(let keys):
            guard let object = value as? [String: Any] else { return nil } // type errors are the decoder's to report
            for key in object.keys.sorted() {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let childSpec = keys[key] else { return childPath }
                if let found = unknownKey(in: object[key]!, allowed: childSpec, path: childPath) { return found }
            }
            return nil
        case .list(let element):
            guard let array = value as? [Any] else { return nil }
            for (index, child) in array.enumerated() {
                if let found = unknownKey(in: child, allowed: element, path: "\(path)[\(index)]") { return found }
            }
            return nil
        case .map(let element):
            guard let object = value as? [String: Any] else { return nil }
            for key in object.keys.sorted() {
                if let found = unknownKey(in: object[key]!, allowed: element, path: "\(path).\(key)") { return found }
            }
            return nil
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return parts.hasPrefix(".") ? String(parts.dropFirst()) : (parts.isEmpty ? "(top level)" : parts)
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(path(context))")
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): expected \(type), found null"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
