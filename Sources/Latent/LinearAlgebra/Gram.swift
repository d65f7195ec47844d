/// Gram-matrix kernels: the normal equations of least squares (ALS, ridge fold-in) are built from them.
///
/// Matrices are row-major `d` x `d`; the symmetric updates touch only the upper triangle (column >= row), and
/// ``symmetrize(_:dimension:)`` copies it to the lower one.
public enum Gram {
    /// A += w z z^T on the upper triangle (a symmetric rank-1 update; w = 1 for plain Gram matrices).
    @inlinable
    public static func addOuterProduct(_ z: UnsafePointer<Float>, weight w: Float = 1, into a: UnsafeMutablePointer<Float>, dimension d: Int) {
        for r in 0..<d {
            let zr = w * z[r]
            let row = a + r * d
            for c in r..<d { row[c] += zr * z[c] }
        }
    }

    /// A += z0 z0^T + z1 z1^T + z2 z2^T + z3 z3^T on the upper triangle, for the four consecutive rows of `z`
    /// (4 x d, row-major): a rank-4 update that reads and writes A once for four rows.
    @inlinable
    public static func addOuterProducts4(_ z: UnsafePointer<Float>, into a: UnsafeMutablePointer<Float>, dimension d: Int) {
        let z0 = z, z1 = z + d, z2 = z + 2 * d, z3 = z + 3 * d
        for r in 0..<d {
            let w0 = z0[r], w1 = z1[r], w2 = z2[r], w3 = z3[r]
            let row = a + r * d
            for c in r..<d { row[c] += (w0 * z0[c] + w1 * z1[c]) + (w2 * z2[c] + w3 * z3[c]) }
        }
    }

    /// b += w z (the right-hand side that goes with ``addOuterProduct(_:weight:into:dimension:)``).
    @inlinable
    public static func addScaled(_ z: UnsafePointer<Float>, weight w: Float, into b: UnsafeMutablePointer<Float>, dimension d: Int) {
        for r in 0..<d { b[r] += w * z[r] }
    }

    /// Copies the upper triangle of `a` onto its lower triangle.
    @inlinable
    public static func symmetrize(_ a: UnsafeMutablePointer<Double>, dimension d: Int) {
        for r in 0..<d {
            for c in 0..<r { a[r * d + c] = a[c * d + r] }
        }
    }

    /// The Gram matrix X^T X (full, in Double) of the `rows` x `d` row-major matrix `x`: the naive reference the
    /// tests check the kernels against, and a convenience for small problems.
    public static func matrix(_ x: [Float], rows: Int, dimension d: Int) -> [Double] {
        precondition(x.count == rows * d)
        var a = [Double](repeating: 0, count: d * d)
        for n in 0..<rows {
            for r in 0..<d {
                for c in 0..<d { a[r * d + c] += Double(x[n * d + r]) * Double(x[n * d + c]) }
            }
        }
        return a
    }
}
