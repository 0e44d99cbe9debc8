import Foundation

/// Server-drawn charts: plain SVG, no script, a title for screen readers; the page shows the
/// same numbers in a table beside each one.
enum SVGChart {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            .replacingOccurrences(of: "\"", with: "&quot;")
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(format: "%.2f", value)
    }

    /// Horizontal bars, one per item.
    static func bars(_ items: [(label: String, value: Double)], title: String, width: Int = 520, color: String = "#2f6f4e") -> String {
        let top = max(items.map(\.value).max() ?? 1, 1)
        let rowHeight = 26
        let labelWidth = 170
        let barSpace = Double(width - labelWidth - 50)
        var svg =
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(items.count * rowHeight + 4)\" width=\"\(width)\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        for (index, item) in items.enumerated() {
            let y = index * rowHeight
            let length = Int((item.value / top * barSpace).rounded())
            svg += "<text x=\"0\" y=\"\(y + 17)\" font-size=\"12\">\(escape(item.label))</text>"
            svg += "<rect x=\"\(labelWidth)\" y=\"\(y + 5)\" width=\"\(max(length, 0))\" height=\"16\" fill=\"\(color)\"></rect>"
            svg += "<text x=\"\(labelWidth + max(length, 0) + 4)\" y=\"\(y + 17)\" font-size=\"12\">\(number(item.value))</text>"
        }
        return svg + "</svg>"
    }

    /// Stacked columns per period (for example held / missed / not logged per month).
    static func stacked(_ periods: [(label: String, parts: [Double])], legend: [(String, String)], title: String, height: Int = 180) -> String {
        let columnWidth = 70
        let width = max(periods.count * columnWidth + 40, 380)
        let top = max(periods.map { $0.parts.reduce(0, +) }.max() ?? 1, 1)
        var svg =
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(height + 60)\" width=\"\(width)\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        for (index, period) in periods.enumerated() {
            let x = 20 + index * columnWidth
            var y = Double(height)
            for (part, value) in period.parts.enumerated() where value > 0 {
                let h = value / top * Double(height - 10)
                y -= h
                svg += "<rect x=\"\(x)\" y=\"\(Int(y))\" width=\"40\" height=\"\(max(Int(h.rounded()), 1))\" fill=\"\(legend[part % legend.count].1)\"></rect>"
            }
            svg += "<text x=\"\(x)\" y=\"\(height + 16)\" font-size=\"11\">\(escape(period.label))</text>"
        }
        for (index, item) in legend.enumerated() {
            svg += "<rect x=\"\(20 + index * 110)\" y=\"\(height + 32)\" width=\"12\" height=\"12\" fill=\"\(item.1)\"></rect>"
            svg += "<text x=\"\(36 + index * 110)\" y=\"\(height + 43)\" font-size=\"11\">\(escape(item.0))</text>"
        }
        return svg + "</svg>"
    }

    /// Means with their 95% intervals on a shared axis from `low` to `high`.
    static func intervals(_ items: [(label: String, mean: Double, low: Double, high: Double)], axis: ClosedRange<Double>, title: String) -> String {
        let width = 520
        let labelWidth = 170
        let span = Double(width - labelWidth - 20)
        func x(_ value: Double) -> Int {
            labelWidth + Int(((min(max(value, axis.lowerBound), axis.upperBound) - axis.lowerBound) / (axis.upperBound - axis.lowerBound) * span).rounded())
        }
        var svg =
            "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 \(width) \(items.count * 28 + 24)\" width=\"\(width)\" aria-label=\"\(escape(title))\"><title>\(escape(title))</title>"
        svg += "<line x1=\"\(x(0))\" y1=\"0\" x2=\"\(x(0))\" y2=\"\(items.count * 28)\" stroke=\"#999\" stroke-dasharray=\"3 3\"></line>"
        for (index, item) in items.enumerated() {
            let y = index * 28 + 14
            svg += "<text x=\"0\" y=\"\(y + 4)\" font-size=\"12\">\(escape(item.label))</text>"
            svg += "<line x1=\"\(x(item.low))\" y1=\"\(y)\" x2=\"\(x(item.high))\" y2=\"\(y)\" stroke=\"#2f6f4e\" stroke-width=\"2\"></line>"
            svg += "<circle cx=\"\(x(item.mean))\" cy=\"\(y)\" r=\"5\" fill=\"#2f6f4e\"></circle>"
        }
        svg += "<text x=\"\(labelWidth)\" y=\"\(items.count * 28 + 18)\" font-size=\"11\">\(number(axis.lowerBound))</text>"
        svg += "<text x=\"\(width - 30)\" y=\"\(items.count * 28 + 18)\" font-size=\"11\">\(number(axis.upperBound))</text>"
        return svg + "</svg>"
    }
}
