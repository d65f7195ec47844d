import Testing
@testable import Latent

@Suite struct RankingDataTests {
    let ratings = RatingSet([("u", "a", 5), ("u", "b", 3), ("v", "a", 4), ("v", "c", 1)])

    @Test func ratingsBecomeInteractionsThreeWays() {
        let all = ratings.interactions(.allPairs)
        #expect(all.count == 4 && all.values.allSatisfy { $0 == 1 })
        let liked = ratings.interactions(.atLeast(4))
        #expect(liked.count == 2 && liked.values == [1, 1])
        #expect(liked.itemIndices.map { liked.items[Int($0)] } == ["a", "a"])
        let weighted = ratings.interactions(.ratingAsWeight)
        #expect(weighted.values == [5, 3, 4, 1])
        #expect(InteractionConversion(parsing: "threshold:4") == .atLeast(4))
        #expect(InteractionConversion(parsing: "all") == .allPairs)
        #expect(InteractionConversion(parsing: "threshold:x") == nil)
    }

    /// 4 users with 1, 2, 5, 10 observations, timestamps increasing with position.
    func timedSet() -> RatingSet {
        var s = RatingSet()
        var t: Int64 = 100
        for (user, n) in [("one", 1), ("two", 2), ("five", 5), ("ten", 10)] {
            for i in 0..<n {
                s.append(user: user, item: "i\(i)", value: Float(1 + i % 5), timestamp: t)
                t += user == "five" ? -1 : 1  // user "five" rates backwards in time
            }
        }
        return s
    }

    func perUserCounts(_ s: RatingSet) -> [String: Int] {
        var c: [String: Int] = [:]
        for u in s.userIndices { c[s.users[Int(u)], default: 0] += 1 }
        return c
    }

    @Test func perUserHoldoutKeepsEveryUserInTraining() throws {
        let s = timedSet()
        let split = try RankingSplits.perUserHoldout(s, testFraction: 0.2, seed: 3)
        #expect(perUserCounts(split.test) == ["five": 1, "ten": 2])
        #expect(perUserCounts(split.train) == ["one": 1, "two": 2, "five": 4, "ten": 8])
        let again = try RankingSplits.perUserHoldout(s, testFraction: 0.2, seed: 3)
        #expect(again.test.itemIndices == split.test.itemIndices)
        let byCount = try RankingSplits.perUserHoldout(s, testCount: 3, seed: 3)
        #expect(perUserCounts(byCount.test) == ["two": 1, "five": 3, "ten": 3])
        #expect(throws: RankingSplitError.self) { try RankingSplits.perUserHoldout(s, testFraction: 1, seed: 1) }
    }

    @Test func leaveLastOutTakesEachUsersLatest() throws {
        let split = try RankingSplits.leaveLastOut(timedSet())
        let test = (0..<split.test.count).map { n in
            "\(split.test.users[Int(split.test.userIndices[n])]):\(split.test.items[Int(split.test.itemIndices[n])])"
        }
        // "five" rated backwards in time, so its latest is its first observation.
        #expect(test == ["two:i1", "five:i0", "ten:i9"])
        #expect(split.train.count == 18 - 3)
        #expect(throws: RankingSplitError.missingTimestamps) { try RankingSplits.leaveLastOut(ratings) }
    }

    @Test func temporalSplitCutsAtAGlobalTime() throws {
        let s = timedSet()
        let split = try RankingSplits.temporal(s, testFraction: 0.25)
        #expect(split.test.count == 5 && split.train.count == 13)  // round(18 * 0.25) = round(4.5) = 5
        let latestTrain = split.train.timestamps!.max()!
        let earliestTest = split.test.timestamps!.min()!
        #expect(latestTrain <= earliestTest)
    }
}

/// Interaction files (`user item`, `user item weight`) are read by ``RatingReader``'s detection; what ranking needs
/// of them is checked here.
@Suite struct InteractionFileTests {
    @Test func readsPairsAndWeightedPairs() throws {
        let (pairs, _) = try RatingReader.read(text: "u1 i1\nu1 i2\nu2 i1\n")
        #expect(pairs.count == 3 && pairs.values == [1, 1, 1])
        let (weighted, _) = try RatingReader.read(text: "# clicks\nu1\ti1\t3\nu2\ti2\t0.5\n")
        #expect(weighted.values == [3, 0.5])
        #expect(weighted.interactions(.allPairs).values == [1, 1])
    }
}
