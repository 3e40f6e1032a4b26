import Foundation

/// An IANA time zone, stored and exchanged as its identifier ("Europe/Paris"), parsed once when
/// it is read: a record or a configuration holds a `TimeZone`, never a string to parse again.
public struct TimeZoneIdentifier: Codable, Sendable, Hashable, CustomStringConvertible {
    public let zone: TimeZone

    public init(_ zone: TimeZone) { self.zone = zone }

    /// Nil for an identifier the system does not know.
    public init?(_ identifier: String) {
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        self.zone = zone
    }

    public var identifier: String { zone.identifier }

    /// The embedded default of a structure in metropolitan France.
    public static let europeParis = TimeZoneIdentifier(TimeZone(identifier: "Europe/Paris") ?? .gmt)
    public var description: String { zone.identifier }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let zone = TimeZone(identifier: text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "unknown time zone '\(text)'"))
        }
        self.zone = zone
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(zone.identifier)
    }
}
