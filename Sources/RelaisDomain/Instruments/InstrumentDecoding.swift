import Foundation

extension Instrument {
    /// Decodes an instrument file. Unknown keys are refused as well as malformed ones: a
    /// misspelt `"requried"` silently ignored would change what the test means.
    public static func decode(_ data: Data, file: String) throws(InstrumentDefinitionError) -> Instrument {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data)
        } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw InstrumentDefinitionError(file: file, problem: "not valid JSON: \(detail)")
        }
        if let unknown = unknownKey(in: object, allowed: topLevelKeys, path: "") {
            throw InstrumentDefinitionError(file: file, problem: "unknown key '\(unknown)' (see Protocols/README.md)")
        }
        do {
            return try JSONDecoder().decode(Instrument.self, from: data)
        } catch let error as DecodingError {
            throw InstrumentDefinitionError(file: file, problem: describe(error))
        } catch {
            throw InstrumentDefinitionError(file: file, problem: "\(error)")
        }
    }

    private static let localized: KeySpec = .object(["fr": .leaf, "en": .leaf])
    private static let edge: KeySpec = .leaf
    private static let topLevelKeys: KeySpec = .object([
        "format": .leaf, "id": .leaf, "version": .leaf, "title": localized, "instructions": localized, "source": .leaf,
        "source_url": .leaf,
        "parameters": .map(.object(["default": .leaf, "description": localized])),
        "items": .list(.object([
            "id": .leaf, "type": .leaf, "text": localized, "help": localized, "required": .leaf,
            "options": .list(.object(["code": .leaf, "points": .leaf, "label": localized, "exclusive": .leaf])),
            "min": .leaf, "max": .leaf, "unit": localized, "max_length": .leaf,
            "accepts_count": .object(["min": .leaf, "max": .leaf, "unit": localized, "map": .list(.object(["max": .leaf, "code": .leaf]))]),
        ])),
        "scores": .list(.object([
            "id": .leaf, "label": localized, "items": .leaf, "min": .leaf, "max": .leaf,
            "band_schemes": .list(.object([
                "id": .leaf, "label": localized, "source": .leaf,
                "bands": .list(.object(["code": .leaf, "label": localized, "min": edge, "max": edge, "below": edge])),
            ])),
        ])),
    ])

    private indirect enum KeySpec: Sendable {
        case leaf
        case object([String: KeySpec])
        case list(KeySpec)
        case map(KeySpec)
    }

    private static func unknownKey(in value: Any, allowed spec: KeySpec, path: String) -> String? {
        switch spec {
        case .leaf: return nil
        case .object(let keys):
            guard let object = value as? [String: Any] else { return nil } // type errors are the decoder's to report
            for (key, child) in object {
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                guard let childSpec = keys[key] else { return childPath }
                if let found = unknownKey(in: child, allowed: childSpec, path: childPath) { return found }
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
            for (key, child) in object {
                if let found = unknownKey(in: child, allowed: element, path: "\(path).\(key)") { return found }
            }
            return nil
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let parts = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return parts.hasPrefix(".") ? String(parts.dropFirst()) : (parts.isEmpty ? "(top level)" : parts)
        }
        switch error {
        case .keyNotFound(let key, let context):
            let at = path(context)
            return "missing key '\(key.stringValue)'" + (context.codingPath.isEmpty ? "" : " in \(at)")
        case .typeMismatch(let type, let context): return "\(path(context)): expected \(type)"
        case .valueNotFound(let type, let context): return "\(path(context)): expected \(type), found null"
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
