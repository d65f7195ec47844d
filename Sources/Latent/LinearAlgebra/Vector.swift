/// Dense vector kernels on raw buffers: the inner loops of every model.
///
/// They take unsafe pointers so the hot loops stay free of bounds checks, copies and dispatch. Each has a plain
/// counterpart in the tests that it is checked against.
public enum Vector {
    /// The dot product of `n` entries of `a` and `b`, accumulated in four independent lanes for speed.
    @inlinable
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
        var s0: Float = 0, s1: Float = 0, s2: Float = 0, s3: Float = 0
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

    /// `y += alpha * x` over `n` entries.
    @inlinable
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { y[i] += alpha * x[i] }
    }

    /// The squared Euclidean norm of `n` entries of `a`.
    @inlinable
    public static func squaredNorm(_ a: UnsafePointer<Float>, count n: Int) -> Float {
        dot(a, a, count: n)
    }

    /// The squared Euclidean distance between `n` entries of `a` and `b`.
    @inlinable
    public static func squaredDistance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Float {
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
            b.withUnsafeBufferPointer { pb in dot(pa.baseAddress!, pb.baseAddress!, count: a.count) }
        }
    }
}
