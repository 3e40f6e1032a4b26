import Foundation
import RelaisDomain
import RelaisReports

/// A small line chart of dated values, drawn by the server as inline SVG: no JavaScript, no
/// inline style (the Content-Security-Policy forbids it), readable without colour (every point
/// carries its value as text, reference lines are dashed and labelled) and described for screen
/// readers (`role="img"`, `aria-label`, `<title>` and `<desc>`). Used by the participant's
/// record (one chart per instrument) and meant for the yearly report.
struct LineChart {
    struct Point {
        var date: CalendarDate
        var value: Double
        /// Written next to the point, e.g. "8" or "12 ppm".
        var label: String
        /// The point's tooltip and spoken text, e.g. "04/03/2027 : 8 (Dépendance forte)".
        var description: String
    }

    /// A horizontal reference line (a threshold), dashed and labelled.
    struct Guide {
        var value: Double
        var label: String
    }

    /// Unique within the page (ids of the title and description).
    var id: String
    var title: String
    /// One sentence that says what the chart shows, for screen readers.
    var summary: String
    var range: ClosedRange<Double>
    var points: [Point]
    var guides: [Guide] = []
    var width = 360.0
    var height = 190.0
    /// How a date is written under its point.
    var dateLabel: (CalendarDate) -> String = LineChart.shortDate
    /// How the values of the axis are written ("2,5" in French).
    var numberLabel: (Double) -> String = LineChart.format

    static func shortDate(_ date: CalendarDate) -> String {
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(two(date.day))/\(two(date.month))/\(two(date.year % 100))"
    }

    /// An upper bound that fits the data when the scale is much wider than the values (CO
    /// readings of 5 to 30 on a 0–200 scale), a round number not above `maximum`.
    static func fittedUpperBound(maximum: Double, values: [Double], minimumSpan: Double = 20) -> Double {
        let highest = values.max() ?? 0
        guard maximum > 50, highest * 1.25 < maximum / 2 else { return maximum }
        let wanted = max(minimumSpan, highest * 1.25)
        let step = wanted <= 50 ? 10.0 : 50.0
        return min(maximum, (wanted / step).rounded(.up) * step)
    }

    /// The value axis is shared with the report's bar charts (`ChartAxis`).
    static func ticks(_ range: ClosedRange<Double>) -> [Double] { ChartAxis.ticks(range) }
    static func format(_ value: Double) -> String { ChartAxis.format(value) }

    func svg() -> String {
        let left = 40.0, right = 26.0, top = 22.0, bottom = 30.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let low = range.lowerBound, high = max(range.upperBound, range.lowerBound + 1)
        func y(_ value: Double) -> Double {
            let clamped = min(max(value, low), high)
            return top + plotHeight * (1 - (clamped - low) / (high - low))
        }
        // Time on the horizontal axis; evenly spaced when dates are too close to read apart.
        let days = points.map { Double($0.date.dayNumber) }
        var xs: [Double]
        if points.count <= 1 {
            xs = points.map { _ in left + plotWidth / 2 }
        } else {
            let first = days.min() ?? 0, last = days.max() ?? 0
            xs = days.map { last == first ? left + plotWidth / 2 : left + plotWidth * ($0 - first) / (last - first) }
            let crowded = zip(xs, xs.dropFirst()).contains { abs($1 - $0) < 34 }
            if crowded {
                xs = points.indices.map { left + plotWidth * Double($0) / Double(points.count - 1) }
            }
        }
        func n(_ value: Double) -> String { String(format: "%.1f", value) }
        let esc = LineChart.escape
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 \(Int(width)) \(Int(height))" \
            width="\(Int(width))" height="\(Int(height))" aria-label="\(esc(summary))" aria-labelledby="\(id)-title \(id)-desc">
            <title id="\(id)-title">\(esc(title))</title>
            <desc id="\(id)-desc">\(esc(summary))</desc>

            """
        svg += "<g class=\"chart-axis\" font-size=\"11\" fill=\"#4a5560\">"
        for tick in Self.ticks(low...high) {
            svg += "<line x1=\"\(n(left))\" x2=\"\(n(left + plotWidth))\" y1=\"\(n(y(tick)))\" y2=\"\(n(y(tick)))\" stroke=\"#dde1e5\" stroke-width=\"1\"/>"
            svg += "<text x=\"\(n(left - 6))\" y=\"\(n(y(tick) + 4))\" text-anchor=\"end\">\(esc(numberLabel(tick)))</text>"
        }
        svg += "</g>\n"
        for guide in guides where guide.value >= low && guide.value <= high {
            svg += "<g class=\"chart-guide\"><line x1=\"\(n(left))\" x2=\"\(n(left + plotWidth))\" y1=\"\(n(y(guide.value)))\" "
            svg += "y2=\"\(n(y(guide.value)))\" stroke=\"#a4161a\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>"
            svg += "<text x=\"\(n(left + plotWidth))\" y=\"\(n(y(guide.value) - 4))\" text-anchor=\"end\" font-size=\"11\" fill=\"#a4161a\">"
            svg += "\(esc(guide.label))</text></g>\n"
        }
        if points.count > 1 {
            let path = zip(xs, points).map { "\(n($0)),\(n(y($1.value)))" }.joined(separator: " ")
            svg += "<polyline class=\"chart-line\" points=\"\(path)\" fill=\"none\" stroke=\"#0b5cad\" stroke-width=\"2\"/>\n"
        }
        svg += "<g class=\"chart-points\" font-size=\"12\" font-weight=\"600\" fill=\"#1b1f23\">"
        for (x, point) in zip(xs, points) {
            let py = y(point.value)
            let labelY = py - 8 < top - 6 ? py + 18 : py - 8
            svg += "<g class=\"chart-point\"><title>\(esc(point.description))</title>"
            svg += "<circle cx=\"\(n(x))\" cy=\"\(n(py))\" r=\"4.5\" fill=\"#0b5cad\" stroke=\"#fff\" stroke-width=\"1.5\"/>"
            svg += "<text x=\"\(n(x))\" y=\"\(n(labelY))\" text-anchor=\"middle\">\(esc(point.label))</text></g>"
        }
        svg += "</g>\n<g class=\"chart-dates\" font-size=\"11\" fill=\"#4a5560\">"
        // Every date when they fit, else the first and the last.
        let labelled = points.count <= 6 ? Array(points.indices) : [0, points.count - 1]
        for index in labelled {
            svg += "<text x=\"\(n(xs[index]))\" y=\"\(n(top + plotHeight + 18))\" text-anchor=\"middle\">\(esc(dateLabel(points[index].date)))</text>"
        }
        svg += "</g>\n</svg>"
        return svg
    }

    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}
