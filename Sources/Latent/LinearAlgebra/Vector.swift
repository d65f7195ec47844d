/// Dense vector kernels: the inner loops of every model, and the Double helpers of the minimizers.
///
/// The public forms take arrays. The pointer forms that the hot loops call are internal (inlinable, so that loops in
/// other files are specialized and free of bounds checks, copies and dispatch); each is checked in the tests against
/// a plain loop.
public enum Vector {
    /// The dot product of `n` entries of `a` and `b`, accumulated in four independent lanes for speed (a single
    /// running sum would wait on each addition). Float in the models, Double in solves and gradient checks.
    @inlinable
    static func dot<T: BinaryFloatingPoint>(_ a: UnsafePointer<T>, _ b: UnsafePointer<T>, count n: Int) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
        var i = 0
        while i + 4 <= n {
            s0 += a[i] * b[i]
            s1 += a[i + 1] * b[i + 1]
            s2 += a[i + 2] * b[i + 2]
            s3 += a[i + 3] * b[i + 3]
            i += 4
        }
        while i < n {
            s0 += a[i] * b[i]
            i += 1
        }
        return (s0 + s1) + (s2 + s3)
    }

    /// The dot product of `n` Float entries in 8-wide SIMD lanes (the inner loop of scoring and of every CG step).
    @inlinable
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
        var s0 = SIMD8<Float>(), s1 = SIMD8<Float>()
        let ra = UnsafeRawPointer(a), rb = UnsafeRawPointer(b)
        var i = 0
        while i + 16 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            s1 += ra.loadUnaligned(fromByteOffset: 4 * i + 32, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: 4 * i + 32, as: SIMD8<Float>.self)
            i += 16
        }
        while i + 8 <= n {
            s0 += ra.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                * rb.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        var s = (s0 + s1).sum()
        while i < n {
            s += a[i] * b[i]
            i += 1
        }
        return s
    }

    /// `y += alpha * x` over `n` entries, in 8-wide SIMD lanes.
    @inlinable
    static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        let rx = UnsafeRawPointer(x), ry = UnsafeMutableRawPointer(y)
        let a = SIMD8<Float>(repeating: alpha)
        var i = 0
        while i + 8 <= n {
            let v = ry.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
                + a * rx.loadUnaligned(fromByteOffset: 4 * i, as: SIMD8<Float>.self)
            ry.storeBytes(of: v, toByteOffset: 4 * i, as: SIMD8<Float>.self)
            i += 8
        }
        while i < n {
            y[i] += alpha * x[i]
            i += 1
        }
    }

    /// The squared Euclidean norm of `n` entries of `a`.
    @inlinable
    static func squaredNorm(_ a: UnsafePointer<Float>, count n: Int) -> Float {
        dot(a, a, count: n)
    }

    /// The squared Euclidean distance between `n` entries of `a` and `b`.
    @inlinable
    static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
        var s: Float = 0
        for i in 0..<n {
            let d = a[i] - b[i]
            s += d * d
        }
        return s
    }

    /// The dot product of two arrays of equal length.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        precondition(a.count == b.count)
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in pa.isEmpty ? 0 : dot(pa.baseAddress!, pb.baseAddress!, count: a.count) }
        }
    }

    /// The dot product of two Double arrays of equal length, summed in order (the minimizers' line searches).
    public static func dot(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var s = 0.0
        for j in 0..<a.count { s += a[j] * b[j] }
        return s
    }

    /// The Euclidean norm of a Double array.
    public static func norm(_ a: [Double]) -> Double { dot(a, a).squareRoot() }

    /// `y += alpha * x` on Double arrays of equal length.
    public static func axpy(_ alpha: Double, _ x: [Double], _ y: inout [Double]) {
        precondition(x.count == y.count)
        for j in 0..<x.count { y[j] += alpha * x[j] }
    }
}
