import Foundation
import Testing

/// The module boundaries of ARCHITECTURE.md, checked against the sources: what each module
/// imports, and that the pages, the API and the command line go through the use cases.
@Suite("Architecture")
struct ArchitectureTests {
    static let sources = repositoryRoot.appendingPathComponent("Sources")

    /// The Swift files of a module, with their text.
    static func files(of module: String) throws -> [(path: String, text: String)] {
        let root = sources.appendingPathComponent(module)
        guard let walker = FileManager.default.enumerator(atPath: root.path) else { return [] }
        return try walker.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") }.sorted().map {
            ("\(module)/\($0)", try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8))
        }
    }

    /// The table of ARCHITECTURE.md: module → modules it may import.
    static func documentedImports() throws -> [String: Set<String>] {
        let text = try String(contentsOf: repositoryRoot.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8)
        var table: [String: Set<String>] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3 else { continue }
            let allowed = Set(cells[2].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { $0 != "—" })
            for module in cells[0].split(separator: ",") {
                table[module.trimmingCharacters(in: CharacterSet(charactersIn: " `"))] = allowed
            }
        }
        return table
    }

    @Test func everyModuleIsDocumentedAndImportsOnlyWhatItsRowAllows() throws {
        let table = try Self.documentedImports()
        let modules = try FileManager.default.contentsOfDirectory(atPath: Self.sources.path).filter { !$0.hasPrefix(".") }
        #expect(Set(modules) == Set(table.keys), "ARCHITECTURE.md names every module under Sources/, and only those")
        for module in modules {
            let allowed = table[module] ?? []
            for file in try Self.files(of: module) {
                for line in file.text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                    let imported = String(line.split(separator: " ").last ?? "")
                    #expect(allowed.contains(imported), "\(file.path) imports \(imported), not allowed for \(module)")
                }
            }
        }
        // The domain is pure: no module of Relais, no I/O library.
        #expect(table["RelaisDomain"] == ["Foundation"])
    }

    /// Repositories of the store, which only the use cases (and the wiring) may build.
    static let repositories = ["Store", "Accounts", "Participants", "ParticipantRecords", "Sites", "Programmes", "Enrolments", "Consultations",
                               "Assessments", "Questionnaires", "Tasks", "Outbox", "Feeds", "EvaluationQueries", "Dashboard"]

    @Test func thePagesAndTheAPIGoThroughTheUseCases() throws {
        let constructs = try NSRegularExpression(pattern: #"(?<![\w.])(\#(Self.repositories.joined(separator: "|")))\((store|path):"#)
        for file in try Self.files(of: "RelaisWeb") {
            let text = file.text
            #expect(!text.contains("import GRDB"), "\(file.path)")
            #expect(!text.contains(".pool"), "\(file.path) reads the database")
            #expect(!text.contains("Audit."), "\(file.path) writes the audit log")
            #expect(!text.contains("actions.store") && text.range(of: #"actions\.(accounts|participants|sites|programmes|enrolments|consultations|assessments|questionnaires|tasks|outbox|feeds|participantRecords)\."#,
                                                                   options: .regularExpression) == nil, "\(file.path) reaches past the use cases")
            #expect(constructs.firstMatch(in: text, range: NSRange(text.startIndex..., in: text)) == nil, "\(file.path) builds a repository")
        }
    }

    @Test func theUseCasesAndTheCommandLineNeverQueryTheDatabaseThemselves() throws {
        for module in ["RelaisUseCases", "relais", "RelaisReports", "RelaisSender"] {
            for file in try Self.files(of: module) {
                #expect(!file.text.contains("import GRDB"), "\(file.path)")
                #expect(!file.text.contains(".pool"), "\(file.path) reads the database")
                #expect(!file.text.contains("Audit.record"), "\(file.path) writes the audit log")
            }
        }
    }

    @Test func noCommentCitesADocumentThatIsNotInTheRepository() throws {
        for module in try FileManager.default.contentsOfDirectory(atPath: Self.sources.path) where !module.hasPrefix(".") {
            for file in try Self.files(of: module) {
                #expect(!file.text.contains("DESIGN.md"), "\(file.path)")
            }
        }
    }
}
