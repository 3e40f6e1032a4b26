import Foundation
@testable import RelaisDomain
import Testing

/// A shipped reference table of Protocols/, decoded as the loader does.
func shippedTable<T>(_ name: String, _ decode: (Data, String) throws(ReferenceTableError) -> T) throws -> T {
    let file = protocolsFolder.deletingLastPathComponent().appendingPathComponent(name)
    return try decode(try Data(contentsOf: file), file.path)
}

private func shippedEquivalents() throws -> TobaccoEquivalents {
    try shippedTable("tobacco_equivalents.json", TobaccoEquivalents.decode)
}

@Suite("Tobacco equivalents")
struct TobaccoEquivalentsTests {
    @Test func aMixedDayIsCountedInCigaretteEquivalents() throws {
        let table = try shippedEquivalents()
        // 10 + 5 rolled + 1 cigar (4) + 2 pipes (2 × 2.5) + half a waterpipe session (40 / 2)
        let day = ["cigarette": 10.0, "roll_your_own": 5, "cigar": 1, "pipe": 2, "waterpipe": 0.5]
        #expect(try table.cigaretteEquivalents(day) == 44)
        #expect(try table.cigaretteEquivalents([:]) == 0)
        #expect(try table.cigaretteEquivalents(["joint": 0]) == 0)
    }

    @Test func theResultIsRoundedToOneDecimal() throws {
        let table = try shippedEquivalents()
        #expect(try table.cigaretteEquivalents(["pipe": 0.5, "cigarette": 0.01]) == 1.3)  // 1.26
        #expect(try table.cigaretteEquivalents(["pipe": 0.1]) == 0.3)                     // 0.25, half up
    }

    @Test func anUnknownProductIsRefusedWithTheCodesOfTheTable() throws {
        let table = try shippedEquivalents()
        let options = "cigarette, roll_your_own, cigarillo, cigar, pipe, waterpipe, joint"
        #expect(throws: ValidationError(field: "products.snuff", .expectedOneOf, ["options": options])) {
            try table.cigaretteEquivalents(["cigarette": 5, "snuff": 1])
        }
    }

    @Test(arguments: [-1.0, -0.1, .nan, .infinity, -.infinity, 201])
    func aCountThatIsNotAConsumptionIsRefused(count: Double) throws {
        let table = try shippedEquivalents()
        #expect(throws: ValidationError(field: "products.cigar", .numberRange, ["min": "0", "max": "200"])) {
            try table.cigaretteEquivalents(["cigar": count, "cigarette": 3])
        }
    }

    @Test func everyBadEntryIsReported() throws {
        let table = try shippedEquivalents()
        do {
            _ = try table.cigaretteEquivalents(["pipe": -2, "snus": 1, "cigarette": .nan])
            Issue.record("should be refused")
        } catch {
            #expect(error.fields.keys.sorted() == ["products.cigarette", "products.pipe", "products.snus"])
        }
    }

    @Test func equivalentOfAnUnknownCodeIsNil() throws {
        let table = try shippedEquivalents()
        #expect(table.equivalent(of: "cigar") == 4)
        #expect(table.equivalent(of: "Cigar") == nil)
        #expect(table.equivalent(of: "") == nil)
    }

    @Test func everyProductNamesItsSourceAndTheTableSaysItIsNoDose() throws {
        let table = try shippedEquivalents()
        for product in table.products {
            #expect(!product.sources.isEmpty, "\(product.code)")
            for url in product.sources.compactMap(\.url) { #expect(URL(string: url)?.scheme?.hasPrefix("http") == true, "\(url)") }
        }
        #expect(table.note.contains("not nicotine doses"))
    }
}
