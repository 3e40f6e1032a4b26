import Foundation

/// A small seeded generator (SplitMix64), so that a failing case can be replayed: the seed is
/// printed, and `RELAIS_FUZZ_SEED` sets it.
public struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public static func seeded() -> SeededGenerator {
        let seed = ProcessInfo.processInfo.environment["RELAIS_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 1...UInt64.max)
        print("fuzz seed: \(seed) (RELAIS_FUZZ_SEED=\(seed) replays it)")
        return SeededGenerator(seed: seed)
    }
}

/// Inputs as a careless user or an attacker types them: boundaries, near misses and noise.
public enum FuzzInput {
    public static let boundaryNumbers = ["9223372036854775807", "-9223372036854775808", "9223372036854775808", "0", "-0", "-1", "1",
                                  "99999999999999999999", "1e308", "-1e308", "1e-308", "nan", "NaN", "inf", "-inf", "0x10", "+5",
                                  " 12", "12 ", "１２", "٣", "2026", "10000", "9999", "1", "0000", "2100", "2101", "1999"]
    public static let boundaryDates = ["9999-12-31", "0000-01-01", "0001-01-01", "10000-01-01", "2026-02-29", "2024-02-29", "2026-13-01",
                                "2026-00-10", "2026-04-31", "-2026-01-01", "2026-1-1", "20260101", "2026-01-01T", "", "2100-12-31",
                                "2101-01-01", "1999-12-31", "2000-01-01"]
    public static let boundaryTimes = ["23:59", "24:00", "00:00", "12:60", "-1:00", "9:00", "09:00:00", "99:99", "", "12", "12:00Z"]

    public static func number(_ random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<4, using: &random) {
        case 0: return boundaryNumbers.randomElement(using: &random)!
        case 1: return String(Int.random(in: Int.min...Int.max, using: &random))
        case 2: return String(Double.random(in: -1e300...1e300, using: &random))
        default: return String(Int.random(in: -100...10_000, using: &random))
        }
    }

    public static func date(_ random: inout SeededGenerator) -> String {
        switch Int.random(in: 0..<3, using: &random) {
        case 0: return boundaryDates.randomElement(using: &random)!
        case 1:
            let year = Int.random(in: 0...12_000, using: &random), month = Int.random(in: 0...13, using: &random)
            let day = Int.random(in: 0...32, using: &random)
            return String(format: "%04d-%02d-%02d", year, month, day)
        default: return noise(&random)
        }
    }

    public static func localTime(_ random: inout SeededGenerator) -> String {
        date(&random) + "T" + (Bool.random(using: &random) ? boundaryTimes.randomElement(using: &random)!
            : String(format: "%02d:%02d", Int.random(in: 0...25, using: &random), Int.random(in: 0...61, using: &random)))
    }

    public static func noise(_ random: inout SeededGenerator) -> String {
        let alphabet = Array("0123456789-:T,Z+ ./e\u{0}\n\r\téà😀\u{202E}every:weekly")
        return String((0..<Int.random(in: 0...30, using: &random)).map { _ in alphabet.randomElement(using: &random)! })
    }
}

