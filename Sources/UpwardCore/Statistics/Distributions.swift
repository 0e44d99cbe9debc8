import Foundation

/// The distributions the statistics need, in double precision: Student's t (through the
/// regularized incomplete beta function) and the standard normal.
public enum Distributions {
    /// The regularized incomplete beta function I_x(a, b), by Lentz's continued fraction.
    public static func incompleteBeta(_ x: Double, _ a: Double, _ b: Double) -> Double {
        if x.isNaN || a.isNaN || b.isNaN { return .nan }
        if x <= 0 { return 0 }
        if x >= 1 { return 1 }
        let logFront = lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x)
        // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use symmetry otherwise.
        if x > (a + 1) / (a + b + 2) { return 1 - incompleteBeta(1 - x, b, a) }
        let tiny = 1e-300
        var c = 1.0
        var d = 1 - (a + b) * x / (a + 1)
        if abs(d) < tiny { d = tiny }
        d = 1 / d
        var fraction = d
        for m in 1...10_000 {
            let m = Double(m)
            // Even step.
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            fraction *= d * c
            // Odd step.
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
            d = 1 + numerator * d
            if abs(d) < tiny { d = tiny }
            c = 1 + numerator / c
            if abs(c) < tiny { c = tiny }
            d = 1 / d
            let delta = d * c
            fraction *= delta
            if abs(delta - 1) < 1e-16 { break }
        }
        return exp(logFront) * fraction / a
    }

    /// P(T > t) for Student's t with `df` degrees of freedom.
    public static func studentSF(_ t: Double, df: Double) -> Double {
        if t.isNaN || df.isNaN || df <= 0 { return .nan }
        if t.isInfinite { return t > 0 ? 0 : 1 }
        let tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5)
        return t > 0 ? tail : 1 - tail
    }

    /// Two-sided p-value of a t statistic.
    public static func studentTwoSided(_ t: Double, df: Double) -> Double {
        if t.isNaN || df.isNaN || df <= 0 { return .nan }
        if t.isInfinite { return 0 }
        return min(1, incompleteBeta(df / (df + t * t), df / 2, 0.5))
    }

    /// The t quantile with upper-tail probability `tail` (for example 0.025 for a 95% interval).
    public static func studentUpperQuantile(_ tail: Double, df: Double) -> Double {
        guard df > 0, tail > 0, tail < 0.5 else { return .nan }
        // Bracket, then bisect on the tail and polish with Newton steps.
        var low = 0.0
        var high = 1.0
        while studentSF(high, df: df) > tail { high *= 2 }
        for _ in 0..<200 {
            let mid = (low + high) / 2
            if studentSF(mid, df: df) > tail { low = mid } else { high = mid }
            if high - low <= 1e-15 * max(1, high) { break }
        }
        var t = (low + high) / 2
        for _ in 0..<3 {
            let normalizer: Double = lgamma((df + 1) / 2) - lgamma(df / 2) - 0.5 * log(df * Double.pi)
            let shape: Double = (df + 1) / 2 * log1p(t * t / df)
            let density = exp(normalizer - shape)
            guard density > 0 else { break }
            t += (studentSF(t, df: df) - tail) / density
        }
        return t
    }

    /// P(Z > z) for the standard normal.
    public static func normalSF(_ z: Double) -> Double {
        0.5 * erfc(z / 2.0.squareRoot())
    }
}
