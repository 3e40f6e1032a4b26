import Foundation

extension Instrument {
    /// Decodes an instrument file. Unknown keys are refused as well as malformed ones: a
    /// misspelt `"requried"` silently ignored would change what the test means.
    public static func decode(_ data: Data, file: String) throws(InstrumentDefinitionError) -> Instrument {
        switch StrictJSON.decode(Instrument.self, from: data, allowed: allowedKeys) {
        case .success(let instrument): return instrument
        case .failure(let problem): throw InstrumentDefinitionError(file: file, problem: problem.text)
        }
    }

    private static let localized = StrictJSON.localized
    private static let edge: StrictJSON.Spec = .leaf
    private static let allowedKeys: StrictJSON.Spec = .object([
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
                "id": .leaf, "label": localized, "source": .leaf, "by_item": .leaf, "former_ids": .leaf,
                "bands": .list(.object(["code": .leaf, "label": localized, "min": edge, "max": edge, "below": edge, "for": .leaf])),
            ])),
        ])),
    ])
}
