import Foundation
import Testing
@testable import Latent

@Suite struct SyntheticDataTests {
    let config = SyntheticData(users: 300, items: 200, ratings: 6000, seed: 7)

    @Test func sameSeedSameDataOtherSeedOtherData() {
        let a = config.ratingSet(), b = config.ratingSet()
        #expect(a.userIndices == b.userIndices && a.itemIndices == b.itemIndices && a.values == b.values)
        var other = config
        other.seed = 8
        #expect(other.ratingSet().values != a.values)
    }

    @Test func ratingsAreWholeStarsInTheScaleOnDistinctPairs() {
        let set = config.ratingSet()
        #expect(set.count == 6000)
        #expect(set.values.allSatisfy { (1...5).contains($0) && $0 == $0.rounded() })
        var pairs = Set<Int64>()
        for n in 0..<set.count { pairs.insert(Int64(set.userIndices[n]) << 32 | Int64(set.itemIndices[n])) }
        #expect(pairs.count == 6000)
        #expect(RatingMatrix(set).duplicateCount == 0)
        // Every user has a rating; every rating value occurs.
        #expect(set.users.count == 300)
        #expect(Set(set.values) == [1, 2, 3, 4, 5])
    }

    @Test func activityAndPopularityAreSkewed() {
        let m = RatingMatrix(SyntheticData(users: 2000, items: 500, ratings: 40_000, seed: 1).ratingSet())
        let perUser = (0..<m.userCount).map(m.byUser.count(of:)).sorted()
        let perItem = (0..<m.itemCount).map(m.byItem.count(of:)).sorted()
        // The busiest users and items are far above the median (uniform draws would give about 1.5x).
        #expect(perUser.last! > 5 * perUser[perUser.count / 2])
        #expect(perItem.last! > 5 * perItem[perItem.count / 2])
        #expect(perUser.last! <= 250)  // at most half the items
    }

    @Test func denseRequestsAreFilled() {
        let set = SyntheticData(users: 10, items: 8, ratings: 80, seed: 2).ratingSet()
        #expect(set.count == 80)
        #expect(RatingMatrix(set).duplicateCount == 0)
    }

    @Test func theWrittenFileReadsBackAsTheSet() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("synthetic.txt")
        try config.write(to: url, threads: 3)
        let (read, report) = try RatingReader.read(url)
        let direct = config.ratingSet()
        #expect(report.format == .libmf)
        #expect(read.users == direct.users && read.items == direct.items)
        #expect(read.userIndices == direct.userIndices && read.itemIndices == direct.itemIndices && read.values == direct.values)
        // The bytes do not depend on the thread count, and no temporary file is left behind.
        let other = dir.appendingPathComponent("one-thread.txt")
        try config.write(to: other, threads: 1)
        #expect(try Data(contentsOf: url) == Data(contentsOf: other))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["one-thread.txt", "synthetic.txt"])
    }

    @Test func writingIntoAMissingFolderIsATypedError() {
        let url = URL(fileURLWithPath: "/nonexistent-folder-\(UUID().uuidString)/x.txt")
        #expect(throws: OutputError.cannotWrite(path: url.path, reason: "no such folder")) { try config.write(to: url) }
        #expect(OutputError.cannotWrite(path: "x", reason: "no such folder").description == "x: cannot write the file (no such folder); nothing was changed")
    }
}

@Suite struct SplitTests {
    let set = SyntheticData(users: 50, items: 40, ratings: 1001, seed: 3).ratingSet()

    func keys(_ s: RatingSet) -> [String] { triples(s) }

    @Test func holdoutHasTheRequestedSizesAndIsSeeded() {
        let split = Splits.holdout(set, testFraction: 0.2, seed: 9)
        #expect(split.test.count == 200 && split.train.count == 801)
        #expect(Set(keys(split.train)).isDisjoint(with: keys(split.test)))
        #expect(Set(keys(split.train) + keys(split.test)) == Set(keys(set)))
        let again = Splits.holdout(set, testFraction: 0.2, seed: 9)
        #expect(keys(again.test) == keys(split.test))
        #expect(keys(Splits.holdout(set, testFraction: 0.2, seed: 10).test) != keys(split.test))
    }

    @Test func kFoldTestsEveryRowExactlyOnce() {
        let folds = Splits.kFold(set, folds: 5, seed: 4)
        #expect(folds.count == 5)
        var tested = [Int](repeating: 0, count: set.count)
        let index = Dictionary(uniqueKeysWithValues: keys(set).enumerated().map { ($1, $0) })
        for fold in folds {
            #expect(fold.train.count + fold.test.count == set.count)
            #expect([200, 201].contains(fold.test.count))
            #expect(Set(keys(fold.train)).isDisjoint(with: keys(fold.test)))
            for k in keys(fold.test) { tested[index[k]!] += 1 }
        }
        #expect(tested.allSatisfy { $0 == 1 })
        #expect(Splits.kFold(set, folds: 5, seed: 4).map { keys($0.test) } == folds.map { keys($0.test) })
    }
}
