import Foundation
import RelaisDomain

/// Grouped vertical bars drawn by the server as inline SVG, for the yearly report: attendance per
/// session, outcome bars, Q-MAT before/after. Like the web's `LineChart` (whose axis it shares,
/// `ChartAxis`): no JavaScript, no inline style, every bar carries its value as text, the
/// second series is hatched so that it reads without colour, and the chart is described for
/// screen readers (`role="img"`, `<title>`, `<desc>`, a `<title>` per bar). It prints as is.
struct BarChart {
    struct Bar {
        var value: Double
        /// Written above the bar, e.g. "8" or "62 %".
        var label: String
        /// The bar's tooltip and spoken text.
        var description: String
    }

    struct Group {
        var label: String
        /// One bar per series, in the order of `series`.
        var bars: [Bar]
    }

    /// Unique within the page.
    var id: String
    var title: String
    var summary: String
    var series: [String]
    var groups: [Group]
    /// The top of the value axis (100 for percentages); the largest value when nil.
    var maximum: Double?
    var unit = ""
    var width = 560.0
    var height = 240.0

    static let fills = ["#0b5cad", "url(#hatch-{id})", "#7a8794"]

    func svg() -> String {
        let left = 40.0, right = 12.0, top = 24.0, bottom = series.count > 1 ? 54.0 : 36.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let highest = groups.flatMap(\.bars).map(\.value).max() ?? 0
        let high = max(maximum ?? Self.roundUp(highest), 1)
        func y(_ value: Double) -> Double { top + plotHeight * (1 - min(max(value, 0), high) / high) }
        func n(_ value: Double) -> String { String(format: "%.1f", value) }
        let esc: (String) -> String = HTMLText.escape
        let groupWidth = plotWidth / Double(max(groups.count, 1))
        let barWidth = min(48, groupWidth * 0.8 / Double(max(series.count, 1)))

        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart bar-chart" role="img" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="\(Int(width))" height="\(Int(height))" aria-label="\(esc(summary))" aria-labelledby="\(id)-title \(id)-desc">
            <title id="\(id)-title">\(esc(title))</title>
            <desc id="\(id)-desc">\(esc(summary))</desc>
            <defs><pattern id="hatch-\(id)" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">\
            <rect width="6" height="6" fill="#9cc2e8"/><line x1="0" y1="0" x2="0" y2="6" stroke="#0b5cad" stroke-width="2"/></pattern></defs>

            """
        svg += "<g class=\"chart-axis\" font-size=\"11\" fill=\"#4a5560\">"
        for tick in ChartAxis.ticks(0...high) {
            svg += "<line x1=\"\(n(left))\" x2=\"\(n(left + plotWidth))\" y1=\"\(n(y(tick)))\" y2=\"\(n(y(tick)))\" stroke=\"#dde1e5\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(n(left - 6))\" y=\"\(n(y(tick) + 4))\" text-anchor=\"end\">\(esc(ChartAxis.format(tick) + unit))</text>"
        }
        svg += "<line x1=\"\(n(left))\" x2=\"\(n(left + plotWidth))\" y1=\"\(n(y(0)))\" y2=\"\(n(y(0)))\" stroke=\"#4a5560\" stroke-width=\"1\"/>"
        svg += "</g>\n<g class=\"chart-bars\" font-size=\"11\">"
        for (groupIndex, group) in groups.enumerated() {
            let centre = left + groupWidth * (Double(groupIndex) + 0.5)
            let start = centre - barWidth * Double(group.bars.count) / 2
            for (barIndex, bar) in group.bars.enumerated() {
                let x = start + barWidth * Double(barIndex)
                let barTop = y(bar.value)
                let fill = Self.fills[min(barIndex, Self.fills.count - 1)].replacingOccurrences(of: "{id}", with: id)
                svg += "<g class=\"chart-bar\"><title>\(esc(bar.description))</title>"
                svg += "<rect x=\"\(n(x + 1))\" y=\"\(n(barTop))\" width=\"\(n(max(barWidth - 2, 1)))\" height=\"\(n(max(y(0) - barTop, 0)))\" "
                svg += "fill=\"\(fill)\" stroke=\"#0b5cad\" stroke-width=\"1\"/>"
                svg += "<text x=\"\(n(x + barWidth / 2))\" y=\"\(n(barTop - 4))\" text-anchor=\"middle\" font-weight=\"600\" fill=\"#1b1f23\">\(esc(bar.label))</text></g>"
            }
            svg += "<text x=\"\(n(centre))\" y=\"\(n(y(0) + 16))\" text-anchor=\"middle\" fill=\"#4a5560\">\(esc(group.label))</text>"
        }
        svg += "</g>\n"
        if series.count > 1 {
            svg += "<g class=\"chart-legend\" font-size=\"11\" fill=\"#1b1f23\">"
            var x = left
            for (index, name) in series.enumerated() {
                let fill = Self.fills[min(index, Self.fills.count - 1)].replacingOccurrences(of: "{id}", with: id)
                svg += "<rect x=\"\(n(x))\" y=\"\(n(height - 18))\" width=\"12\" height=\"12\" fill=\"\(fill)\" stroke=\"#0b5cad\" stroke-width=\"1\"/>"
                svg += "<text x=\"\(n(x + 16))\" y=\"\(n(height - 8))\">\(esc(name))</text>"
                x += 28 + Double(name.count) * 6.5
            }
            svg += "</g>\n"
        }
        svg += "</svg>"
        return svg
    }

    /// A round top for the axis: 1, 2 or 5 times a power of ten, at least the value.
    static func roundUp(_ value: Double) -> Double {
        guard value > 0 else { return 1 }
        let magnitude = pow(10, floor(log10(value)))
        return [1, 2, 5, 10].map { $0 * magnitude }.first { $0 >= value } ?? value
    }
}
