/// A matrix element type the dense solver reads eight at a time, widened to `Double`.
protocol DenseMatrixElement: BinaryFloatingPoint {
    static func loadEight(_ address: UnsafePointer<Self>) -> SIMD8<Double>
}

extension Double: DenseMatrixElement {
    @inline(__always)
    static func loadEight(_ address: UnsafePointer<Double>) -> SIMD8<Double> {
        UnsafeRawPointer(address).loadUnaligned(as: SIMD8<Double>.self)
    }
}

extension Float: DenseMatrixElement {
    @inline(__always)
    static func loadEight(_ address: UnsafePointer<Float>) -> SIMD8<Double> {
        SIMD8<Double>(UnsafeRawPointer(address).loadUnaligned(as: SIMD8<Float>.self))
    }
}

/// The dense solver's inner loops. Each reads one matrix row and the column prices in order,
/// eight columns at a time, and finishes the last `count % 8` columns one by one with the same
/// arithmetic, so the results do not depend on where a column falls.
///
/// A reduced cost is `sign * matrix[j] - price[j]` (`sign` is -1 when maximizing). A NaN entry
/// (a forbidden pair) compares false with everything, so it never improves a distance and is
/// never a minimum; a price of `-inf` fences a column off the same way.
enum DenseKernels {
    @inline(__always)
    static func load(_ address: UnsafePointer<Double>) -> SIMD8<Double> {
        UnsafeRawPointer(address).loadUnaligned(as: SIMD8<Double>.self)
    }

    @inline(__always)
    static func store(_ value: SIMD8<Double>, _ address: UnsafeMutablePointer<Double>) {
        UnsafeMutableRawPointer(address).storeBytes(of: value, as: SIMD8<Double>.self)
    }

    @inline(__always)
    static func loadIndices(_ address: UnsafePointer<Int64>) -> SIMD8<Int64> {
        UnsafeRawPointer(address).loadUnaligned(as: SIMD8<Int64>.self)
    }

    @inline(__always)
    static func storeIndices(_ value: SIMD8<Int64>, _ address: UnsafeMutablePointer<Int64>) {
        UnsafeMutableRawPointer(address).storeBytes(of: value, as: SIMD8<Int64>.self)
    }

    /// Dijkstra's relaxation from one row: `distance[j] = min(distance[j], base + reduced cost)`,
    /// recording `row` as the predecessor where it improves. Returns the smallest distance over
    /// all columns afterwards when `findMinimum`, else infinity.
    @inline(__always)
    static func relax<Element: DenseMatrixElement>(
        _ entries: UnsafePointer<Element>, count: Int, sign: Double, base: Double, row: Int,
        price: UnsafePointer<Double>, distance: UnsafeMutablePointer<Double>, predecessor: UnsafeMutablePointer<Int64>,
        findMinimum: Bool
    ) -> Double {
        let wide = count & ~7
        let signs = SIMD8<Double>(repeating: sign)
        let bases = SIMD8<Double>(repeating: base)
        let rows = SIMD8<Int64>(repeating: Int64(row))
        var lowest = SIMD8<Double>(repeating: .infinity)
        var j = 0
        while j < wide {
            let candidate = bases + signs * Element.loadEight(entries + j) - load(price + j)
            var current = load(distance + j)
            let better = candidate .< current
            if any(better) {
                current.replace(with: candidate, where: better)
                store(current, distance + j)
                storeIndices(loadIndices(predecessor + j).replacing(with: rows, where: better), predecessor + j)
            }
            if findMinimum { lowest.replace(with: current, where: current .< lowest) }
            j += 8
        }
        var result = findMinimum ? lowest.min() : .infinity
        while j < count {
            let candidate = base + sign * Double(entries[j]) - price[j]
            if candidate < distance[j] {
                distance[j] = candidate
                predecessor[j] = Int64(row)
            }
            if findMinimum, distance[j] < result { result = distance[j] }
            j += 1
        }
        return result
    }

    /// The smallest of `values[0..<count]`.
    static func minimum(_ values: UnsafePointer<Double>, count: Int) -> Double {
        let wide = count & ~7
        var lowest = SIMD8<Double>(repeating: .infinity)
        var j = 0
        while j < wide {
            let value = load(values + j)
            lowest.replace(with: value, where: value .< lowest)
            j += 8
        }
        var result = lowest.min()
        while j < count {
            if values[j] < result { result = values[j] }
            j += 1
        }
        return result
    }

    /// The first column whose distance equals `target` and that `prefer`s, else the first whose
    /// distance equals `target`, else -1.
    static func firstColumn(at target: Double, in values: UnsafePointer<Double>, count: Int, prefer: (Int) -> Bool) -> Int {
        let wide = count & ~7
        let targets = SIMD8<Double>(repeating: target)
        var first = -1
        var j = 0
        while j < count {
            if j < wide, !any(load(values + j) .== targets) {
                j += 8
                continue
            }
            for k in j..<Swift.min(j + 8, count) where values[k] == target {
                if prefer(k) { return k }
                if first < 0 { first = k }
            }
            j += 8
        }
        return first
    }

    /// The smallest reduced cost of a row.
    @inline(__always)
    static func smallest<Element: DenseMatrixElement>(_ entries: UnsafePointer<Element>, count: Int, sign: Double, price: UnsafePointer<Double>) -> Double {
        let wide = count & ~7
        let signs = SIMD8<Double>(repeating: sign)
        var lowest = SIMD8<Double>(repeating: .infinity)
        var j = 0
        while j < wide {
            let h = signs * Element.loadEight(entries + j) - load(price + j)
            lowest.replace(with: h, where: h .< lowest)
            j += 8
        }
        var result = lowest.min()
        while j < count {
            result = Swift.min(result, sign * Double(entries[j]) - price[j])
            j += 1
        }
        return result
    }

    /// The smallest and second smallest reduced cost of a row, and the first column at the smallest.
    /// With `secondColumn`, also a column at the second smallest (another column than the first;
    /// -1 when there is none), at the cost of a slower scan; without it that column is -1.
    @inline(__always)
    static func twoSmallest<Element: DenseMatrixElement>(
        _ entries: UnsafePointer<Element>, count: Int, sign: Double, price: UnsafePointer<Double>, secondColumn trackSecond: Bool = false
    ) -> (smallest: Double, column: Int, second: Double, secondColumn: Int) {
        let wide = count & ~7
        let signs = SIMD8<Double>(repeating: sign)
        var first = SIMD8<Double>(repeating: .infinity)
        var second = SIMD8<Double>(repeating: .infinity)
        var firstColumn = SIMD8<Int64>(repeating: -1)
        var secondColumn = SIMD8<Int64>(repeating: -1)
        var columns = SIMD8<Int64>(0, 1, 2, 3, 4, 5, 6, 7)
        var j = 0
        while j < wide {
            let h = signs * Element.loadEight(entries + j) - load(price + j)
            let below = h .< first
            if trackSecond {
                let between = h .< second .& .!below
                secondColumn.replace(with: columns, where: between)
                secondColumn.replace(with: firstColumn, where: below)
            }
            second.replace(with: h, where: h .< second)
            second.replace(with: first, where: below)
            first.replace(with: h, where: below)
            firstColumn.replace(with: columns, where: below)
            columns &+= 8
            j += 8
        }
        // Combine the lanes: the smallest, at its lowest column, then the runner-up among the rest.
        var u1 = Double.infinity
        var j1 = -1
        for lane in 0..<8 where first[lane] < u1 || (first[lane] == u1 && first[lane] < .infinity && Int(firstColumn[lane]) < j1) {
            u1 = first[lane]
            j1 = Int(firstColumn[lane])
        }
        var u2 = Double.infinity
        var j2 = -1
        for lane in 0..<8 {
            let isWinner = j1 >= 0 && Int(firstColumn[lane]) == j1
            let (value, column) = isWinner ? (second[lane], secondColumn[lane]) : (first[lane], firstColumn[lane])
            if value < u2 {
                u2 = value
                j2 = trackSecond ? Int(column) : -1
            }
        }
        while j < count {
            let h = sign * Double(entries[j]) - price[j]
            if h < u1 {
                u2 = u1
                j2 = trackSecond ? j1 : -1
                u1 = h
                j1 = j
            } else if h < u2 {
                u2 = h
                j2 = trackSecond ? j : -1
            }
            j += 1
        }
        return (u1, j1, u2, j2)
    }
}
