import Foundation

/// The value axis of the server-drawn SVG charts: the report's bars here, and the participant
/// record's lines in the web pages, so that both read the same.
public enum ChartAxis {
    /// Round numbers for the value axis: two to five steps of 1, 2 or 5 times a power of ten.
    public static func ticks(_ range: ClosedRange<Double>) -> [Double] {
        let span = range.upperBound - range.lowerBound
        guard span > 0 else { return [range.lowerBound] }
        let raw = span / 4
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var values: [Double] = []
        var value = (range.lowerBound / step).rounded(.up) * step
        while value <= range.upperBound + step * 1e-9 {
            values.append(value)
            value += step
        }
        return values
    }

    /// A value of the axis: whole numbers without decimals, others with one.
    public static func format(_ value: Double) -> String {
        if let whole = Int(exactly: value) { return String(whole) }
        return String(format: "%.1f", value)
    }
}
