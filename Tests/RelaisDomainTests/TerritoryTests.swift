import Foundation
@testable import RelaisDomain
import Testing

private func shippedTerritory() throws -> Territory {
    try shippedTable("departements.json", Territory.decode)
}

@Suite("Territory: postal code → département")
struct TerritoryTests {
    @Test(arguments: [
        ("75001", "75"), ("59000", "59"), ("01000", "01"), ("95000", "95"), ("90000", "90"),
        ("20000", "2A"), ("20167", "2A"), ("20090", "2A"), ("20199", "2A"),   // Ajaccio, Mezzavia, Campo dell'Oro
        ("20200", "2B"), ("20600", "2B"), ("20290", "2B"), ("20620", "2B"),   // Bastia, Furiani, Borgo, Biguglia
        ("97100", "971"), ("97200", "972"), ("97300", "973"), ("97400", "974"), ("97600", "976"),
        ("97133", "977"), ("97150", "978"),                                     // Saint-Barthélemy, Saint-Martin
        ("97500", "975"), ("98600", "986"), ("98714", "987"), ("98800", "988"),
        (" 59 000 ", "59"), ("59\u{00A0}000", "59"), ("\t75001\n", "75"),
    ])
    func aFrenchPostalCodeGivesItsDepartement(postalCode: String, code: String) {
        #expect(Territory.departement(postalCode: postalCode) == code)
    }

    @Test(arguments: [
        "98000",                              // Monaco: not France
        "7500", "750001", "", "     ", "ABCDE", "75O01", "7500A", "-7500", "+7500", "75.01",
        "00100", "96000", "99000", "20300", "20500", "20700", "97000", "97700", "97800", "98400", "98900",
        "\u{0667}5001",                      // a non-ASCII digit
    ])
    func anythingElseGivesNil(postalCode: String) {
        #expect(Territory.departement(postalCode: postalCode) == nil)
    }

    @Test func everyCodeOfTheShippedFileIsReachedAndEveryAnswerHasAName() throws {
        let territory = try shippedTerritory()
        var answers = Set<String>()
        for number in 0...99_999 {
            let text = String(number)
            if let code = Territory.departement(postalCode: String(repeating: "0", count: 5 - text.count) + text) { answers.insert(code) }
        }
        #expect(answers == Set(territory.departements.keys).union(territory.collectivities.keys))
        #expect(answers.allSatisfy { territory.name(of: $0) != nil })
    }

    @Test func theShippedFileNamesThe101Departements() throws {
        let territory = try shippedTerritory()
        #expect(territory.departements.count == 101)
        #expect(Set(Territory.departementCodes).count == 101)
        #expect(territory.name(of: "2A") == "Corse-du-Sud")
        #expect(territory.name(of: "2B") == "Haute-Corse")
        #expect(territory.name(of: "974") == "La Réunion")
        #expect(territory.name(of: "977") == "Saint-Barthélemy")
        #expect(territory.name(of: "20") == nil)
        #expect(territory.name(of: "984") == nil)
    }
}
