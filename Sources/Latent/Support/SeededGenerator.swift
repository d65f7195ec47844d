/// The random number generator every model draws from: xoshiro256**, seeded through SplitMix64.
///
/// The same seed gives the same sequence on every platform, so the same seed and thread count give the same model.
public struct SeededGenerator: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// A generator whose whole sequence is determined by `seed`.
    public init(seed: UInt64) {
        var sm = seed
        func splitMix(_ x: inout UInt64) -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        s0 = splitMix(&sm)
        s1 = splitMix(&sm)
        s2 = splitMix(&sm)
        s3 = splitMix(&sm)
    }

    /// The next 64 random bits.
    @inlinable
    public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    @inlinable
    static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform `Float` in [0, 1).
    @inlinable
    public mutating func nextUniform() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform integer in 0..<bound, without modulo bias worth speaking of for bounds below 2^32.
    @inlinable
    public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0)
        return Int((UInt64(UInt32(truncatingIfNeeded: next() >> 32)) &* UInt64(bound)) >> 32)
    }

    /// A draw from the standard normal distribution (Box-Muller).
    public mutating func nextGaussian() -> Float {
        Float(nextNormal())
    }

    /// A draw from the standard normal distribution in Double (Box-Muller), for samplers.
    public mutating func nextNormal() -> Double {
        var u1 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        if u1 < 1e-300 { u1 = 1e-300 }
        let u2 = Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
        return (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
    }

    /// A new generator for a sub-task (a thread, a restart), derived from this one's seed stream.
    public mutating func split() -> SeededGenerator {
        SeededGenerator(seed: next())
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension SeededGenerator {
    /// Shuffles `array` in place (Fisher-Yates), with an order fixed by this generator on every platform.
    public mutating func shuffle<T>(_ array: inout [T]) {
        array.withUnsafeMutableBufferPointer { shuffle($0) }
    }

    /// Shuffles the memory of `buffer` in place, with the draws and swaps of ``shuffle(_:)`` on an array.
    mutating func shuffle<T>(_ buffer: UnsafeMutableBufferPointer<T>) {
        guard buffer.count > 1 else { return }
        for i in stride(from: buffer.count - 1, to: 0, by: -1) { buffer.swapAt(i, nextInt(below: i + 1)) }
    }
}

extension SeededGenerator {
    /// A draw from the gamma distribution with the given shape and rate (mean shape / rate), by Marsaglia and Tsang's
    /// method (shapes below 1 through the boost x * U^(1/shape)).
    public mutating func nextGamma(shape: Double, rate: Double) -> Double {
        precondition(shape > 0 && rate > 0)
        if shape < 1 {
            let u = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
            return nextGamma(shape: shape + 1, rate: rate) * pow(u, 1 / shape)
        }
        let d = shape - 1.0 / 3.0, c = 1 / (9 * d).squareRoot()
        while true {
            var x: Double, v: Double
            repeat {
                x = nextNormal()
                v = 1 + c * x
            } while v <= 0
            v = v * v * v
            let u = max(Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0), 1e-300)
            if log(u) < 0.5 * x * x + d - d * v + d * log(v) { return d * v / rate }
        }
    }
}
