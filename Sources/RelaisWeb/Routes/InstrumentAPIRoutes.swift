import Foundation
import HTTPServer
import RelaisDomain

extension RelaisApp {
    func registerInstrumentAPI(_ router: inout Router) {
        let app = self
        router.get("/api/v1/instruments", api(.useInstruments) { request, _ in
            let language = request.preferredLanguage
            let list: [[String: Any]] = app.instruments.instruments.map { instrument in
                ["id": instrument.id, "version": instrument.version, "title": instrument.definition.title.text(language),
                 "scored": !(instrument.definition.scores ?? []).isEmpty]
            }
            return JSON.localized(["instruments": list], language: language)
        })

        router.get("/api/v1/instruments/{id}", api(.useInstruments) { request, _ in
            let instrument = try app.instrument(request.parameter("id"))
            return JSON.localized(InstrumentJSON.definition(instrument, language: request.preferredLanguage),
                                  language: request.preferredLanguage)
        })

        router.post("/api/v1/instruments/{id}/score", api(.useInstruments) { request, _ in
            let instrument = try app.instrument(request.parameter("id"))
            let answers = try JSON.answers(from: request)
            return try JSON.response(encoding: try instrument.score(answers, partial: request.queryValue("partial") == "true"))
        })

        router.get("/api/v1/instruments/{id}/fhir", api(.useInstruments) { request, _ in
            let instrument = try app.instrument(request.parameter("id"))
            var response = JSON.response(FHIR.questionnaire(instrument, language: request.preferredLanguage, baseURL: app.configuration.effectivePublicBaseURL))
            response.headers.set("Content-Type", "application/fhir+json; charset=utf-8")
            return response
        })
    }

    func instrument(_ id: String) throws -> ConfiguredInstrument {
        guard let instrument = instruments[id] else {
            throw APIError.notFound("No instrument '\(id)'. Known: \(instruments.instruments.map(\.id).joined(separator: ", ")).")
        }
        return instrument
    }
}

extension JSON {
    static func localized(_ object: Any, language: String, status: Int = 200) -> Response {
        var response = response(object, status: status)
        response.headers.set("Content-Language", language)
        response.headers.set("Vary", "Accept-Language")
        return response
    }

    /// The body as instrument answers: a JSON object of item id → value.
    static func answers(from request: Request) throws -> [String: JSONValue] {
        let object = try object(from: request)
        return try answers(object)
    }

    static func answers(_ object: Any?, field: String = "answers") throws -> [String: JSONValue] {
        guard let object = object as? [String: Any],
              let data = try? JSONSerialization.data(withJSONObject: object),
              let answers = try? JSONDecoder().decode([String: JSONValue].self, from: data) else {
            throw APIError.invalid([field: "must be a JSON object of item id to answer, e.g. {\"q1\":\"within5\"}"])
        }
        return answers
    }
}

/// Instrument definitions as the API shows them, in one language.
enum InstrumentJSON {
    static func definition(_ instrument: ConfiguredInstrument, language: String) -> [String: Any] {
        let definition = instrument.definition
        var object: [String: Any] = [
            "id": definition.id, "version": definition.version, "title": definition.title.text(language),
            "source": definition.source, "language": language,
            "items": definition.items.map { item(instrument, $0, language) },
            "scores": (definition.scores ?? []).map { score(instrument, $0, language) },
        ]
        if let instructions = definition.instructions { object["instructions"] = instructions.text(language) }
        if !instrument.parameters.isEmpty { object["parameters"] = instrument.parameters }
        return object
    }

    static func item(_ instrument: ConfiguredInstrument, _ item: Instrument.Item, _ language: String) -> [String: Any] {
        var object: [String: Any] = ["id": item.id, "type": item.type.rawValue, "text": item.text.text(language), "required": item.isRequired]
        if let help = item.help { object["help"] = help.text(language) }
        if let options = item.options {
            object["options"] = options.map { option -> [String: Any] in
                var value: [String: Any] = ["code": option.code, "label": option.label.text(language)]
                if let points = option.points { value["points"] = points }
                if option.exclusive == true { value["exclusive"] = true }
                return value
            }
        }
        if let min = item.min { object["min"] = min }
        if let max = item.max { object["max"] = max }
        if let unit = item.unit { object["unit"] = unit.text(language) }
        if let count = item.acceptsCount {
            object["acceptsCount"] = ["min": count.min, "max": count.max, "unit": count.unit?.text(language) ?? ""] as [String: Any]
        }
        if item.type == .text { object["maxLength"] = item.maxLength ?? 2000 }
        return object
    }

    static func score(_ instrument: ConfiguredInstrument, _ score: Instrument.ScoreDefinition, _ language: String) -> [String: Any] {
        let scheme = instrument.schemes[score.id] ?? score.bandSchemes[0]
        func edge(_ edge: Instrument.Edge?) -> Double? {
            switch edge {
            case .value(let number): return number
            case .parameter(let name): return instrument.parameters[name]
            case nil: return nil
            }
        }
        return [
            "id": score.id, "label": score.label.text(language), "items": score.items, "min": score.min, "max": score.max,
            "bandScheme": ["id": scheme.id, "label": scheme.label.text(language), "source": scheme.source],
            "bands": scheme.bands.map { band -> [String: Any] in
                var value: [String: Any] = ["code": band.code, "label": band.label.text(language)]
                if let min = edge(band.min) { value["min"] = min }
                if let max = edge(band.max) { value["max"] = max }
                if let below = edge(band.below) { value["below"] = below }
                return value
            },
        ]
    }
}
