import Foundation
import Testing
@testable import Latent

/// The pieces that make training fast and small: the in-place matrix build, the C SGD kernel and the streamed
/// model file, each against a plain reference computation.
@Suite struct SpeedAndMemoryTests {
    /// Rows out of order, duplicates in several rows, and rows that move down over folded ones.
    static let set = RatingSet([
        ("u1", "c", 1), ("u1", "a", 2), ("u1", "c", 3), ("u2", "b", 4), ("u2", "a", 5), ("u3", "a", 1),
        ("u3", "b", 2), ("u1", "b", 4), ("u2", "b", 2), ("u3", "c", 5), ("u1", "c", 5), ("u4", "c", 3),
    ])

    @Test(arguments: [
        // u1: a 2, b 4, c (1, 3, 5); u2: a 5, b (4, 2); u3: a 1, b 2, c 5; u4: c 3. Items a=1, b=2, c=0 by first use.
        (DuplicatePolicy.keepLast, [Float(2), 4, 5, 5, 2, 1, 2, 5, 3]),
        (.keepFirst, [2, 4, 1, 5, 4, 1, 2, 5, 3]),
        (.average, [2, 4, 3, 5, 3, 1, 2, 5, 3]),
        (.sum, [2, 4, 9, 5, 6, 1, 2, 5, 3]),
    ])
    func theMatrixSortsAndFoldsEachRowInPlace(policy: DuplicatePolicy, values: [Float]) {
        let m = RatingMatrix(Self.set, duplicates: policy)
        #expect(m.users.ids == ["u1", "u2", "u3", "u4"] && m.items.ids == ["c", "a", "b"])
        #expect(m.byUser.offsets == [0, 3, 5, 8, 9])
        // Items by index (c = 0, a = 1, b = 2), each row ascending.
        #expect(m.byUser.indices == [0, 1, 2, 1, 2, 0, 1, 2, 0])
        // The values in that order: u1 c, a, b; u2 a, b; u3 c, a, b; u4 c.
        let expected: [Float] = [values[2], values[0], values[1], values[3], values[4], values[7], values[5], values[6], values[8]]
        #expect(m.byUser.values == expected)
        #expect(m.duplicateCount == 3)
        #expect(m.globalMean == Float(expected.reduce(0.0) { $0 + Double($1) } / 9))
        // The by-item rows, built on first use, are the exact transpose; item counts need no transpose.
        #expect(m.byItem == m.byUser.transposed(columnCount: 3))
        #expect(m.itemCounts() == [3, 3, 3])
    }

    @Test func aMatrixOfDistinctSortedRowsIsStoredAsRead() {
        let set = RatingSet([("x", "1", 1), ("x", "2", 2), ("y", "1", 3), ("y", "3", 4)])
        let m = RatingMatrix(set)
        #expect(m.byUser == SparseRows(offsets: [0, 2, 4], indices: [0, 1, 0, 2], values: [1, 2, 3, 4]))
        #expect(m.duplicateCount == 0)
    }

    /// The SGD pass written out scalar by scalar, in the float operations and order the kernel promises.
    static func referencePass(_ ratings: [SGDMatrixFactorization.Rating], p: inout [Float], q: inout [Float],
                              bu: inout [Float], bi: inout [Float], step s: SGDMatrixFactorization.Step) -> Double {
        let lanes = s.stride / 8
        var sse = 0.0
        for r in ratings {
            let u = Int(r.user), i = Int(r.item)
            var acc0 = [Float](repeating: 0, count: 8), acc1 = acc0
            var l = 0
            while l + 1 < lanes {
                for j in 0..<8 {
                    acc0[j] = acc0[j] + p[u * s.stride + 8 * l + j] * q[i * s.stride + 8 * l + j]
                    acc1[j] = acc1[j] + p[u * s.stride + 8 * l + 8 + j] * q[i * s.stride + 8 * l + 8 + j]
                }
                l += 2
            }
            if l < lanes {
                for j in 0..<8 { acc0[j] = acc0[j] + p[u * s.stride + 8 * l + j] * q[i * s.stride + 8 * l + j] }
            }
            var dot = acc0[0] + acc1[0]
            for j in 1..<8 { dot = dot + (acc0[j] + acc1[j]) }
            var prediction = s.mu + dot
            if !bu.isEmpty { prediction = prediction + (bu[u] + bi[i]) }
            let e = r.value - prediction
            sse += Double(e * e)
            if !bu.isEmpty {
                bu[u] = bu[u] + s.gamma * (e - s.lambdaUB * bu[u])
                bi[i] = bi[i] + s.gamma * (e - s.lambdaIB * bi[i])
            }
            let shrinkP = 1 - s.gamma * s.lambdaP, shrinkQ = 1 - s.gamma * s.lambdaQ, ge = s.gamma * e
            for j in 0..<s.stride {
                let pf = p[u * s.stride + j], qf = q[i * s.stride + j]
                p[u * s.stride + j] = shrinkP * pf + ge * qf
                q[i * s.stride + j] = shrinkQ * qf + ge * pf
            }
        }
        return sse
    }

    /// Factors in [-0.5, 0.5] for `users` and `items` rows of `stride`, and biases in [-0.2, 0.2] when `biased`, drawn
    /// in that order from `rng`.
    static func randomParameters(users: Int, items: Int, stride: Int, biased: Bool, using rng: inout SeededGenerator)
        -> (p: [Float], q: [Float], bu: [Float], bi: [Float]) {
        let p = (0..<(users * stride)).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
        let q = (0..<(items * stride)).map { _ in Float.random(in: -0.5...0.5, using: &rng) }
        let bu = biased ? (0..<users).map { _ in Float.random(in: -0.2...0.2, using: &rng) } : []
        let bi = biased ? (0..<items).map { _ in Float.random(in: -0.2...0.2, using: &rng) } : []
        return (p, q, bu, bi)
    }

    @Test(arguments: [(8, true), (16, false), (24, true), (40, false)])
    func theKernelDoesTheReferenceFloatOperationsExactly(stride: Int, biased: Bool) {
        var rng = SeededGenerator(seed: 7)
        let users = 5, items = 4
        var (p, q, bu, bi) = Self.randomParameters(users: users, items: items, stride: stride, biased: biased, using: &rng)
        let ratings = (0..<60).map { _ in
            SGDMatrixFactorization.Rating(user: Int32.random(in: 0..<Int32(users), using: &rng),
                                          item: Int32.random(in: 0..<Int32(items), using: &rng),
                                          value: Float(Int.random(in: 1...5, using: &rng)))
        }
        let step = SGDMatrixFactorization.Step(gamma: 0.05, lambdaP: 0.1, lambdaQ: 0.07, lambdaUB: 0.02, lambdaIB: 0.03,
                                               stride: stride, mu: biased ? 3.2 : 0)
        var (rp, rq, rbu, rbi) = (p, q, bu, bi)
        let expected = Self.referencePass(ratings, p: &rp, q: &rq, bu: &rbu, bi: &rbi, step: step)
        let sse = p.withUnsafeMutableBufferPointer { p in q.withUnsafeMutableBufferPointer { q in
            bu.withUnsafeMutableBufferPointer { bu in bi.withUnsafeMutableBufferPointer { bi in
                ratings.withUnsafeBufferPointer {
                    SGDMatrixFactorization.pass($0, .init(p: p.baseAddress!, q: q.baseAddress!, bu: biased ? bu.baseAddress : nil,
                                                          bi: biased ? bi.baseAddress : nil), step)
                }
            }}
        }}
        #expect(sse == expected)
        #expect(p == rp && q == rq && bu == rbu && bi == rbi)
        #expect(["avx2", "avx", "baseline"].contains(SGDMatrixFactorization.kernelName))
    }

    @Test(arguments: [(8, true), (16, false), (32, true), (40, false), (64, true), (72, true), (72, false)])
    func theRunKernelDoesThePassOverTheBlocksRatings(stride: Int, biased: Bool) throws {
        var rng = SeededGenerator(seed: 8)
        let users = 6, items = 5
        var (p, q, bu, bi) = Self.randomParameters(users: users, items: items, stride: stride, biased: biased, using: &rng)
        // Runs of 1 to 7 ratings, a user possibly twice (as in no real block, but the kernel does not care).
        var block = SGDMatrixFactorization.Block()
        for _ in 0..<12 {
            let count = Int.random(in: 1...7, using: &rng)
            block.runs.append(SGDMatrixFactorization.Run(user: Int32.random(in: 0..<Int32(users), using: &rng), count: Int32(count)))
            for _ in 0..<count {
                block.entries.append(SGDMatrixFactorization.Entry(item: Int32.random(in: 0..<Int32(items), using: &rng),
                                                  value: Float(Int.random(in: 1...5, using: &rng))))
            }
        }
        let step = SGDMatrixFactorization.Step(gamma: 0.05, lambdaP: 0.1, lambdaQ: 0.07, lambdaUB: 0.02, lambdaIB: 0.03,
                                               stride: stride, mu: biased ? 3.2 : 0)
        var (rp, rq, rbu, rbi) = (p, q, bu, bi)
        let expected = Self.referencePass(block.ratings, p: &rp, q: &rq, bu: &rbu, bi: &rbi, step: step)
        #expect(block.ratings.count == block.entries.count)
        let sse = p.withUnsafeMutableBufferPointer { p in q.withUnsafeMutableBufferPointer { q in
            bu.withUnsafeMutableBufferPointer { bu in bi.withUnsafeMutableBufferPointer { bi in
                SGDMatrixFactorization.pass(block, .init(p: p.baseAddress!, q: q.baseAddress!, bu: biased ? bu.baseAddress : nil,
                                                         bi: biased ? bi.baseAddress : nil), step)
            }}
        }}
        #expect(sse == expected)
        #expect(p == rp && q == rq && bu == rbu && bi == rbi)
    }

    /// The checksum as first written: one byte at a time.
    static func bytewiseChecksum(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0x243F_6A88_85A3_08D3 ^ UInt64(bytes.count)
        var word: UInt64 = 0, shift: UInt64 = 0
        for b in bytes {
            word |= UInt64(b) << shift
            shift += 8
            if shift == 64 {
                h = (h ^ word) &* 0x9E37_79B9_7F4A_7C15
                h ^= h >> 32
                word = 0
                shift = 0
            }
        }
        h = (h ^ word ^ shift) &* 0xC2B2_AE3D_27D4_EB4F
        h ^= h >> 29
        return h
    }

    @Test func theChecksumFedInPiecesIsTheBytewiseOne() {
        var rng = SeededGenerator(seed: 3)
        for length in [0, 1, 7, 8, 9, 63, 64, 65, 1000] {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(ModelFile.checksum(bytes) == Self.bytewiseChecksum(bytes))
            #expect(ModelFile.checksum(bytes[...]) == Self.bytewiseChecksum(bytes))
            // Pieces of 1, 2, 3, ... bytes cross every word boundary.
            var sum = Checksum(count: length)
            var start = 0, piece = 1
            bytes.withUnsafeBytes { raw in
                while start < length {
                    let end = min(length, start + piece)
                    sum.update(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
                    start = end
                    piece += 1
                }
            }
            #expect(sum.finish() == Self.bytewiseChecksum(bytes))
        }
    }

    @Test func theStreamedFileIsTheEncodedBytes() throws {
        var a = CoreModelTests.handModel().archive()
        // Larger than the file buffer, so the stream is written in several pieces.
        a.floats["big"] = (0..<700_000).map { Float($0) * 0.5 }
        let url = TestData.temporaryDirectory().appendingPathComponent("m.latent")
        try ModelFile.write(a, to: url)
        let bytes = try [UInt8](Data(contentsOf: url))
        #expect(bytes == ModelFile.encode(a))
        #expect(try ModelFile.decode(bytes) == a)
        // The file ends with the checksum of everything before it.
        let stored = bytes[(bytes.count - 8)...].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        #expect(stored == Self.bytewiseChecksum(Array(bytes[..<(bytes.count - 8)])))
    }

    @Test func aModelFileThatCannotBeWrittenIsAnErrorAndLeavesNothing() {
        let dir = TestData.temporaryDirectory()
        let url = dir.appendingPathComponent("missing-folder/m.latent")
        #expect(throws: OutputError.self) { try ModelFile.write(CoreModelTests.handModel().archive(), to: url) }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: dir.path)) == [])
    }
}
