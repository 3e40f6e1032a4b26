import Foundation
import RelaisDomain
import RelaisStore

/// FHIR R4 views of instruments (Questionnaire) and assessments (QuestionnaireResponse), for
/// exchange with hospital systems. Built by hand: the shapes needed are small and no FHIR
/// library is available for Swift on Linux here.
enum FHIR {
    static let ordinalValue = "http://hl7.org/fhir/StructureDefinition/ordinalValue"

    static func canonicalURL(_ instrument: ConfiguredInstrument, baseURL: String) -> String {
        "\(baseURL)/api/v1/instruments/\(instrument.id)/fhir"
    }

    static func questionnaire(_ instrument: ConfiguredInstrument, language: String, baseURL: String) -> [String: Any] {
        let definition = instrument.definition
        let url = canonicalURL(instrument, baseURL: baseURL)
        return [
            "resourceType": "Questionnaire", "id": definition.id, "url": url, "version": definition.version,
            "name": definition.id, "title": definition.title.text(language), "status": "active", "language": language,
            "description": definition.source,
            "item": definition.items.map { item -> [String: Any] in
                var value: [String: Any] = ["linkId": item.id, "text": item.text.text(language), "type": type(of: item),
                                            "required": item.isRequired]
                if item.type == .multipleChoice { value["repeats"] = true }
                if let options = item.options {
                    value["answerOption"] = options.map { option -> [String: Any] in
                        var answer: [String: Any] = ["valueCoding": coding(url, item, option.code, display: option.label.text(language))]
                        if let points = option.points { answer["extension"] = [["url": ordinalValue, "valueDecimal": points]] }
                        return answer
                    }
                }
                if let max = item.maxLength, item.type == .text { value["maxLength"] = max }
                var extensions: [[String: Any]] = []
                if let min = item.min { extensions.append(bound("minValue", min, integer: item.type == .integer)) }
                if let max = item.max { extensions.append(bound("maxValue", max, integer: item.type == .integer)) }
                if !extensions.isEmpty { value["extension"] = extensions }
                return value
            },
        ]
    }

    static func questionnaireResponse(_ record: AssessmentRecord, instrument: ConfiguredInstrument, language: String, baseURL: String) -> [String: Any] {
        let url = canonicalURL(instrument, baseURL: baseURL)
        let answers = record.answerValues
        let items: [[String: Any]] = instrument.definition.items.compactMap { item in
            guard let value = answers[item.id] else { return nil }
            let encoded: [[String: Any]]
            switch (item.type, value) {
            case (.singleChoice, .string(let code)):
                encoded = [["valueCoding": coding(url, item, code, display: item.option(code)?.label.text(language))]]
            case (.multipleChoice, .array(let codes)):
                encoded = codes.compactMap { element in
                    guard case .string(let code) = element else { return nil }
                    return ["valueCoding": coding(url, item, code, display: item.option(code)?.label.text(language))]
                }
            case (.integer, .number(let number)): encoded = [["valueInteger": Int(number)]]
            case (.number, .number(let number)): encoded = [["valueDecimal": number]]
            case (.text, .string(let text)): encoded = [["valueString": text]]
            case (.date, .string(let text)): encoded = [["valueDate": text]]
            default: return nil
            }
            return ["linkId": item.id, "text": item.text.text(language), "answer": encoded]
        }
        return [
            "resourceType": "QuestionnaireResponse", "id": record.id,
            "questionnaire": "\(url)|\(record.instrumentVersion)",
            "status": record.partial ? "in-progress" : "completed",
            "subject": ["reference": "Patient/\(record.participantId)"],
            "authored": record.takenOn,
            "item": items,
        ]
    }

    private static func type(of item: Instrument.Item) -> String {
        switch item.type {
        case .singleChoice, .multipleChoice: return "choice"
        case .integer: return "integer"
        case .number: return "decimal"
        case .text: return "text"
        case .date: return "date"
        }
    }

    private static func coding(_ url: String, _ item: Instrument.Item, _ code: String, display: String?) -> [String: Any] {
        var coding: [String: Any] = ["system": "\(url)#\(item.id)", "code": code]
        if let display { coding["display"] = display }
        return coding
    }

    private static func bound(_ name: String, _ value: Double, integer: Bool) -> [String: Any] {
        ["url": "http://hl7.org/fhir/StructureDefinition/\(name)", integer ? "valueInteger" : "valueDecimal": integer ? Int(value) as Any : value as Any]
    }
}
