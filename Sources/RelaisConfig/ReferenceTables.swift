import Foundation
import RelaisDomain

/// Reads the reference tables of Protocols/ (tobacco equivalents, départements) at start, from
/// the same folder as the instruments. A file that cannot be used stops the daemon with a
/// message naming the file and the problem: a report computed with a partial table would be
/// wrong without anyone noticing.
public enum ReferenceTables {
    public static let tobaccoEquivalentsFile = "tobacco_equivalents.json"
    public static let territoryFile = "departements.json"
    public static let treatmentKindsFile = "treatment_kinds.json"

    public static func treatmentKinds(directory: String) throws(ReferenceTableError) -> TreatmentKinds {
        let (path, data) = try read(treatmentKindsFile, in: directory)
        return try TreatmentKinds.decode(data, file: path)
    }

    public static func tobaccoEquivalents(directory: String) throws(ReferenceTableError) -> TobaccoEquivalents {
        let (path, data) = try read(tobaccoEquivalentsFile, in: directory)
        return try TobaccoEquivalents.decode(data, file: path)
    }

    public static func territory(directory: String) throws(ReferenceTableError) -> Territory {
        let (path, data) = try read(territoryFile, in: directory)
        return try Territory.decode(data, file: path)
    }

    private static func read(_ name: String, in directory: String) throws(ReferenceTableError) -> (String, Data) {
        let path = (directory as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReferenceTableError(file: path, problem: "file not found: set protocols_dir to the Protocols folder")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReferenceTableError(file: path, problem: "cannot be read")
        }
        return (path, data)
    }
}
