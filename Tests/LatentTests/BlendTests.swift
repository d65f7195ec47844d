import Foundation
import Testing
@testable import Latent

/// The data: `tinyInteractions()` (AccuracyModelsTests), users a {1, 2}, b {1, 3}, c {2, 3, 4}, d {1, 2, 3}: n_1 = n_2 =
/// n_3 = 3, n_4 = 1; c_12 = c_13 = c_23 = 2, c_24 = c_34 = 1, c_14 = 0.
private func blend(_ components: String) throws -> Blend {
    try Blend(Hyperparameters(["components": components]))
}

@Suite struct BlendTests {
    @Test func knownUserByHand() throws {
        let model = try blend("popularity:1,item-knn:2").fit(tinyInteractions())
        // User a {1, 2}, candidates 3 and 4. popularity: shares (3/4, 3/4, 3/4, 1/4), largest candidate 3/4 ->
        // (1, 1, 1, 1/3). item-knn at its defaults (alpha 0, shrinkage 10): s_j = sum_i c_ij / (n_i + 10) ->
        // (2/13, 2/13, 4/13, 1/13), largest candidate 4/13 -> (1/2, 1/2, 1, 1/4). Blend 1 * pop + 2 * knn.
        let s = scores(model, user: 0)
        let expected: [Float] = [2, 2, 3, 1.0 / 3 + 0.5]
        for (got, want) in zip(s, expected) { #expect(abs(got - want) < 1e-6, "\(s)") }
        #expect(abs(model.rawPrediction(user: 0, item: 3) - expected[3]) < 1e-6)
        #expect(try model.recommend(user: "a", count: 2).map(\.id) == ["3", "4"])
    }

    @Test func foldInByHand() throws {
        let model = try blend("popularity:1,item-knn:2").fit(tinyInteractions())
        // A new user with {4}: popularity (3/4, 3/4, 3/4, 1/4) / (3/4); item-knn s_j = c_4j / (n_4 + 10) = (0, 1/11,
        // 1/11, 0) / (1/11). Blend (1, 3, 3, 1/3); the given item is left out of the list.
        let folded = model.recommend(foldingIn: [(item: "4", value: 1)], count: 3)
        #expect(folded.map(\.id) == ["2", "3", "1"])
        let want: [Float] = [3, 3, 1]
        for (got, w) in zip(folded.map(\.score), want) { #expect(abs(got - w) < 1e-6, "\(folded)") }
        // No items: each component's unknown-user scores (popularity for both), normalized over every item.
        var empty = [Float](repeating: 0, count: 4)
        model.scoreItems(foldingIn: [], into: &empty)
        #expect(zip(empty, [3, 3, 3, 1] as [Float]).allSatisfy { abs($0 - $1) < 1e-6 }, "\(empty)")
    }

    @Test func isTheNormalizedSumOfItsComponentsTrainedAlone() throws {
        var rng = SeededGenerator(seed: 4)
        var triples: [(user: String, item: String, rating: Float)] = []
        for u in 0..<30 { for i in 0..<20 where rng.nextUniform() < 0.3 || i == u % 20 { triples.append(("u\(u)", "i\(i)", 1)) } }
        let data = RatingMatrix(RatingSet(triples))
        let context = TrainingContext(seed: 11, threads: 2)
        let model = try Blend.defaults.fit(data, context: context)
        let parts = Blend.defaults.components.parts
        let alone = try parts.map {
            try ModelRegistry.descriptor(named: $0.model).fit(data, hyperparameters: $0.settings, context: context)
        }
        for u in [0, 7, 29] {
            let seen = Set(data.byUser.columns(of: u).map { Int($0) })
            var expected = [Float](repeating: 0, count: data.itemCount)
            for (part, component) in zip(parts, alone) {
                let c = scores(component, user: u)
                let largest = c.indices.filter { !seen.contains($0) }.map { abs(c[$0]) }.max() ?? 1
                for j in 0..<data.itemCount { expected[j] += part.weight * c[j] / largest }
            }
            let s = scores(model, user: u)
            for j in 0..<data.itemCount { #expect(abs(s[j] - expected[j]) < 1e-5) }
        }
        // Same seed and threads, same model.
        #expect(scores(try Blend.defaults.fit(data, context: context), user: 3) == scores(model, user: 3))
    }

    @Test func theDefaultKeepsTwentyNeighboursOfEachItemInItsItemKNN() throws {
        // Every two of 40 items share users, so item-knn alone (100 neighbours) keeps the 39 others of each item.
        var triples: [(user: String, item: String, rating: Float)] = []
        for u in 0..<30 { for i in 0..<40 where (u + i) % 3 != 0 { triples.append(("u\(u)", "i\(i)", 1)) } }
        let data = RatingMatrix(RatingSet(triples))
        let knn = try #require(try Blend.defaults.fit(data).components[1] as? ItemGraphModel)
        var perTarget = [Int](repeating: 0, count: data.itemCount)
        for j in knn.weights.indices { perTarget[Int(j)] += 1 }
        #expect(perTarget == [Int](repeating: 20, count: 40))
        #expect(try ItemKNN.defaults.fit(data).weights.indices.count == 40 * 39)
    }

    @Test func roundTripsThroughAModelFile() throws {
        let model = try blend("ease:0.3,rp3beta:0.2,popularity:0.5").fit(tinyInteractions())
        let url = TestData.temporaryDirectory().appendingPathComponent("blend.latent")
        try model.save(to: url)
        let loaded = try #require(try ModelRegistry.load(from: url) as? BlendModel)
        #expect(loaded.weights == [0.3, 0.2, 0.5] && loaded.components.map(\.name) == ["ease", "rp3beta", "popularity"])
        #expect(loaded.hyperparameters.values == ["components": "ease:0.3,rp3beta:0.2,popularity:0.5"])
        for u in 0..<4 { #expect(scores(loaded, user: u) == scores(model, user: u)) }
        #expect(loaded.recommend(foldingIn: [(item: "4", value: 1)], count: 3)
                == model.recommend(foldingIn: [(item: "4", value: 1)], count: 3))
        // The domain is stored once, not once per component.
        let archive = model.archive()
        #expect(archive.strings.keys.filter { $0.hasSuffix("domain.users") } == ["domain.users"])
    }

    @Test func refusesBadComponentsNamingTheProblem() throws {
        func message(_ components: String) -> String {
            do { _ = try blend(components); return "accepted" } catch { return "\(error)" }
        }
        #expect(message("blend:1") == "hyperparameter components=blend:1 cannot contain blend itself")
        #expect(message("ease:1,biased-mf:1")
                == "hyperparameter components=ease:1,biased-mf:1 names biased-mf, which is not a ranking model")
        #expect(message("ease:1,ease:2") == "hyperparameter components=ease:1,ease:2 names ease twice with the same settings")
        #expect(message("ease[dropout=0.5]:1,ease:1,ease[dropout=0.5]:2")
                == "hyperparameter components=ease[dropout=0.5]:1,ease:1,ease[dropout=0.5]:2 names ease twice with the same settings")
        #expect(message("ease:1,ease[dropout=0.5]:2") == "accepted")
        #expect(message("eas:1").hasPrefix("hyperparameter components=eas:1 names eas, which is not a model (global-mean, "))
        let parse = "must be model:weight pairs like implicit-als:0.7,ease[dropout=0.25]:0.3 with positive weights"
        #expect(message("ease") == "hyperparameter components=ease \(parse)")
        #expect(message("ease:0") == "hyperparameter components=ease:0 \(parse)")
        #expect(message("ease:1,") == "hyperparameter components=ease:1, \(parse)")
        #expect(message("ease:nan") == "hyperparameter components=ease:nan \(parse)")
        #expect(message("implicit-als:0.5,ease:0.5") == "accepted")
        // A component's own settings: malformed, unknown to the model, or out of its range.
        for bad in ["ease[]:1", "ease[dropout]:1", "ease[dropout=0.1:1", "ease]:1", "ease[dropout=0.1]]:1", "ease[[a=1]]:1",
                    "ease[dropout=0.1,dropout=0.2]:1", "ease[dropout=0.1]", "[dropout=0.1]:1"] {
            #expect(message(bad) == "hyperparameter components=\(bad) \(parse)")
        }
        #expect(message("ease[foo=1]:1") == "hyperparameter components=ease[foo=1]:1 is refused by ease: unknown "
                + "hyperparameter 'foo'; this model has: regularization, weighted, dropout, zero-diagonal")
        #expect(message("item-knn:1,ease[dropout=1]:1") == "hyperparameter components=item-knn:1,ease[dropout=1]:1 is "
                + "refused by ease: hyperparameter dropout=1 must be in 0.0...0.99")
        #expect(message("ease[lambda=10,dropout=0.5]:1") == "accepted")
    }

    /// `name[key=value,...]:weight`: the component is trained with those settings (the rest at its defaults), the text
    /// reads back the same (keys in order), and the model file keeps them.
    @Test func componentsTakeTheirOwnSettings() throws {
        let text = "ease[zero-diagonal=false,dropout=0.5,lambda=2]:0.7,item-knn[neighbors=2]:0.3"
        let components = try #require(BlendComponents(hyperparameterText: text))
        #expect(components.parts.map(\.settings.values) == [["zero-diagonal": "false", "dropout": "0.5", "lambda": "2"],
                                                            ["neighbors": "2"]])
        #expect(components.hyperparameterText == "ease[dropout=0.5,lambda=2,zero-diagonal=false]:0.7,item-knn[neighbors=2]:0.3")
        #expect(BlendComponents(hyperparameterText: components.hyperparameterText ?? "") == components)
        let data = tinyInteractions()
        let model = try blend(text).fit(data)
        let ease = try #require(model.components[0] as? EASEModel)
        let alone = try EASE(regularization: 2, dropout: 0.5, zeroDiagonal: false).fit(data)
        #expect(ease.weights == alone.weights)
        #expect(ease.weights != (try EASE.defaults.fit(data)).weights)
        let url = TestData.temporaryDirectory().appendingPathComponent("blend-settings.latent")
        try model.save(to: url)
        let loaded = try #require(try ModelRegistry.load(from: url) as? BlendModel)
        #expect(loaded.hyperparameters.values["components"] == components.hyperparameterText)
        #expect(loaded.components[0].hyperparameters.values["dropout"] == "0.5")
        for u in 0..<4 { #expect(scores(loaded, user: u) == scores(model, user: u)) }
    }

    /// One model twice with different settings (two ranks of implicit-als): each component is trained with its own
    /// settings, and the model file keeps both.
    @Test func aModelTwiceWithDifferentSettings() throws {
        let data = tinyInteractions()
        let model = try blend("implicit-als[factors=3]:0.7,implicit-als[factors=1,regularization=0.5]:0.3").fit(data)
        let factors = model.components.map { ($0 as? FactorModel)?.itemFactors.columns }
        #expect(factors == [3, 1])
        let url = TestData.temporaryDirectory().appendingPathComponent("blend-twice.latent")
        try model.save(to: url)
        let loaded = try #require(try ModelRegistry.load(from: url) as? BlendModel)
        #expect(loaded.components.map { ($0 as? FactorModel)?.itemFactors.columns } == [3, 1])
        for u in 0..<4 { #expect(scores(loaded, user: u) == scores(model, user: u)) }
    }

    @Test func similarItemsAreNotAvailable() throws {
        let model = try blend("popularity:1,item-knn:2").fit(tinyInteractions())
        #expect(model.itemVectors == nil && model.userVectors == nil)
    }
}
