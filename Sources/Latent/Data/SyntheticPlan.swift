import Foundation

extension SyntheticData {
    /// Appends the decimal digits of `value` (not negative): last digit first, then reversed in place.
    @inline(__always)
    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        let start = out.count
        var v = value
        repeat {
            out.append(UInt8(truncatingIfNeeded: v % 10) + 0x30)
            v /= 10
        } while v > 0
        out[start...].reverse()
    }

    /// Per-thread working memory: which items the current user already has.
    struct Scratch {
        var stamp: [Int32]
        init(items: Int) { stamp = [Int32](repeating: -1, count: items) }
    }

    /// Everything drawn once for the whole data set: weights, counts per user, biases, factors.
    struct Plan: Sendable {
        let config: SyntheticData
        let counts: [Int]
        let userBias: [Float]
        let itemBias: [Float]
        let userFactors: [Float]
        let itemFactors: [Float]
        let alias: AliasTable

        init(_ c: SyntheticData) {
            config = c
            var rng = SeededGenerator(seed: c.seed)
            // Log-normal activity and popularity weights.
            var userWeights = (0..<c.users).map { _ in exp(c.userActivitySkew * Double(rng.nextGaussian())) }
            let itemWeights = (0..<c.items).map { _ in exp(c.itemPopularitySkew * Double(rng.nextGaussian())) }
            counts = Plan.apportion(total: c.ratings, weights: &userWeights, cap: Plan.cap(c))
            userBias = (0..<c.users).map { _ in c.userBiasDeviation * rng.nextGaussian() }
            itemBias = (0..<c.items).map { _ in c.itemBiasDeviation * rng.nextGaussian() }
            // p . q has variance rank * s^4 for entries of deviation s.
            let s = Float((Double(c.interactionDeviation) / Double(c.rank).squareRoot()).squareRoot())
            userFactors = (0..<(c.users * c.rank)).map { _ in s * rng.nextGaussian() }
            itemFactors = (0..<(c.items * c.rank)).map { _ in s * rng.nextGaussian() }
            alias = AliasTable(itemWeights)
        }

        /// The most ratings one user may have: all items when the data are dense enough to need them, otherwise
        /// half, so that drawing distinct popular items stays quick.
        static func cap(_ c: SyntheticData) -> Int {
            let needed = (c.ratings + c.users - 1) / c.users
            return max(needed, min(c.items, max(1, c.items / 2)))
        }

        /// Splits `total` into counts proportional to `weights`, each at most `cap`, and at least 1 while there are
        /// enough to go round (largest remainders, ties to the lower index).
        static func apportion(total: Int, weights: inout [Double], cap: Int) -> [Int] {
            let n = weights.count
            var counts = [Int](repeating: 0, count: n)
            var remaining = total
            if total >= n {
                for u in 0..<n { counts[u] = 1 }
                remaining -= n
            }
            // Repeatedly share what remains among users below the cap.
            while remaining > 0 {
                var open: [Int] = []
                var sum = 0.0
                for u in 0..<n where counts[u] < cap {
                    open.append(u)
                    sum += weights[u]
                }
                if open.isEmpty { break }
                var shares: [(Int, Double)] = []
                var given = 0
                for u in open {
                    let exact = Double(remaining) * weights[u] / sum
                    let whole = min(cap - counts[u], Int(exact))
                    counts[u] += whole
                    given += whole
                    if counts[u] < cap { shares.append((u, exact - Double(whole))) }
                }
                remaining -= given
                if remaining > 0 && given == 0 || remaining > 0 && remaining < shares.count {
                    shares.sort { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                    var k = 0
                    while remaining > 0 && k < shares.count {
                        counts[shares[k].0] += 1
                        remaining -= 1
                        k += 1
                    }
                }
            }
            return counts
        }

        /// Draws user `u`'s ratings, calling `emit(item, rating)` for each.
        @inline(__always)
        func generate(user u: Int, scratch: inout Scratch, _ emit: (Int, Float) -> Void) {
            let c = config
            var rng = SeededGenerator(seed: c.seed &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(u + 1))
            let want = counts[u]
            let stamp = Int32(truncatingIfNeeded: u)
            let base = c.mean + userBias[u]
            let pu = u * c.rank
            var drawn = 0, attempts = 0
            let patience = 64 * want + 1024
            var sweep = rng.nextInt(below: c.items)
            while drawn < want {
                var item: Int
                if attempts < patience {
                    item = alias.draw(&rng)
                    attempts += 1
                    if scratch.stamp[item] == stamp { continue }
                } else {
                    // Very long runs of repeats: take the next unused item in a sweep from a random start.
                    while scratch.stamp[sweep] == stamp { sweep = sweep + 1 == c.items ? 0 : sweep + 1 }
                    item = sweep
                }
                scratch.stamp[item] = stamp
                var dot: Float = 0
                let qi = item * c.rank
                for k in 0..<c.rank { dot += userFactors[pu + k] * itemFactors[qi + k] }
                let raw = base + itemBias[item] + dot + c.noiseDeviation * rng.nextGaussian()
                let value = min(c.scale.upperBound, max(c.scale.lowerBound, raw.rounded()))
                emit(item, value)
                drawn += 1
            }
        }
    }

    /// Walker's alias method: draws index i with probability weights[i] / sum in constant time.
    struct AliasTable: Sendable {
        let probability: [Double]
        let alias: [Int32]

        init(_ weights: [Double]) {
            let n = weights.count
            let sum = weights.reduce(0, +)
            var scaled = weights.map { $0 * Double(n) / sum }
            var prob = [Double](repeating: 1, count: n)
            var al = [Int32](repeating: 0, count: n)
            var small: [Int] = [], large: [Int] = []
            for i in 0..<n { if scaled[i] < 1 { small.append(i) } else { large.append(i) } }
            while let s = small.popLast() {
                guard let l = large.popLast() else { prob[s] = 1; continue }
                prob[s] = scaled[s]
                al[s] = Int32(l)
                scaled[l] -= 1 - scaled[s]
                if scaled[l] < 1 { small.append(l) } else { large.append(l) }
            }
            for l in large { prob[l] = 1; al[l] = Int32(l) }
            for i in 0..<n where prob[i] == 1 { al[i] = Int32(i) }
            probability = prob
            alias = al
        }

        @inline(__always)
        func draw(_ rng: inout SeededGenerator) -> Int {
            let x = rng.next()
            let i = Int((UInt64(UInt32(truncatingIfNeeded: x >> 32)) &* UInt64(probability.count)) >> 32)
            let u = Double(x & 0xFFFF_FFFF) * (1.0 / 4_294_967_296.0)
            return u < probability[i] ? i : Int(alias[i])
        }
    }
}
