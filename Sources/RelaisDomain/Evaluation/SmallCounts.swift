/// Statistical disclosure control for aggregate files that leave the structure: counts from 1
/// to `threshold - 1` are written "< threshold", and so are figures computed over them.
public enum SmallCounts {
    public static func count(_ value: Int, threshold: Int) -> String {
        (1..<max(threshold, 1)).contains(value) ? "< \(threshold)" : String(value)
    }

    /// A percentage of `count` out of `denominator`, masked when either is a small count.
    public static func percent(_ count: Int, of denominator: Int, threshold: Int) -> String {
        guard let value = Evaluation.percent(count, denominator) else { return "" }
        if (1..<max(threshold, 1)).contains(count) || denominator < threshold { return "< \(threshold)" }
        return format(value)
    }

    /// A rate already computed (e.g. among respondents) over `base` people, `count` of them counted.
    public static func rate(_ value: Double?, count: Int, base: Int, threshold: Int) -> String {
        guard let value else { return "" }
        if (1..<max(threshold, 1)).contains(count) || base < threshold { return "< \(threshold)" }
        return format(value)
    }

    /// A mean over `n` values, masked under `threshold` values.
    public static func mean(_ value: Double?, n: Int, threshold: Int) -> String {
        guard let value else { return "" }
        return n < threshold ? "< \(threshold)" : format(value)
    }

    /// Numbers as machines read them: a point, no trailing zeros.
    public static func format(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e15 { return String(Int(value)) }
        return String(Evaluation.rounded(value, places: 2))
    }
}
