import Testing
@testable import Latent

@Suite struct ContentBasedTests {
    let data = RatingMatrix(NotesExample.ratings)

    let inputs = ModelInputs(itemFeatures: NotesExample.itemFeatures)

    func context() -> TrainingContext { TrainingContext(seed: 1, ratingScale: 0...5) }

    /// `content` with the notes' features and the given hyperparameters.
    func content(_ values: [String: String] = [:]) throws -> ContentBasedRegression {
        var c = try ContentBasedRegression(Hyperparameters(values))
        c.use(inputs)
        return c
    }

    @Test func theNotesWorkedExample() throws {
        // theta(1) = [0, 5, 0] and x(3) = [1, 0.99, 0] (Cute puppies of love with its intercept) predict 4.95.
        let x = ContentBasedRegression.designMatrix(for: data.items, features: NotesExample.itemFeatures)
        let puppies = try #require(data.items.index(of: "Cute puppies of love"))
        #expect(x.row(puppies) == [1, 0.99, 0])
        let alice = try #require(data.users.index(of: "Alice"))
        var model = try content(["mean-normalization": "false"]).fit(data, context: context())
        model.userFactors.setRow(alice, to: [0, 5, 0])
        #expect(abs(model.rawPrediction(user: alice, item: puppies) - 4.95) < 1e-6)
    }

    @Test(arguments: ["normal", "gd"])
    func aliceIsPredictedToLoveCutePuppies(solver: String) throws {
        let model = try content(["mean-normalization": "false", "regularization": "0.1",
                                                               "solver": solver, "iterations": "20000"]).fit(data, context: context())
        // The exact ridge solution (computed independently) predicts 4.9699.
        #expect(abs(model.predict(user: "Alice", item: "Cute puppies of love") - 4.9699) < 1e-3)
    }

    @Test func gradientDescentReachesTheNormalEquationSolution() throws {
        let gd = try content(["iterations": "3000", "regularization": "0.5"]).fit(data, context: context())
        let exact = try content(["solver": "normal", "regularization": "0.5"]).fit(data, context: context())
        for (a, b) in zip(gd.userFactors.storage, exact.userFactors.storage) { #expect(abs(a - b) < 1e-4) }
    }

    @Test func theInterceptIsNotRegularized() throws {
        // With a huge lambda every theta_k (k >= 1) vanishes, and theta_0 is the user's mean residual.
        let model = try content(["solver": "normal", "regularization": "1e9", "mean-normalization": "false"])
            .fit(data, context: context())
        let carol = try #require(data.users.index(of: "Carol"))
        #expect(abs(model.userFactors[carol, 0] - 2.5) < 1e-3)
        #expect(abs(model.userFactors[carol, 1]) < 1e-5)
    }

    @Test func aUserWithNoRatingsGetsTheItemMeans() throws {
        let model = try content().fit(data, context: context())
        #expect(abs(model.predict(user: "Eve", item: "Love at last") - 2.5) < 1e-5)
        #expect(abs(model.predict(user: "Eve", item: "Nonstop car chases") - 2.25) < 1e-5)
    }

    @Test func theGramFormIsTheNotesSum() throws {
        let x = ContentBasedRegression.designMatrix(for: data.items, features: NotesExample.itemFeatures)
        let objective = ContentObjective(data: data, design: x, itemMeans: [], regularization: 2)
        var rng = SeededGenerator(seed: 9)
        let theta = (0..<objective.parameterCount).map { _ in Double(rng.nextGaussian()) }
        var naive = 0.0
        for u in 0..<data.userCount {
            for e in data.byUser.range(of: u) {
                let i = Int(data.byUser.indices[e])
                var p = 0.0
                for c in 0..<3 { p += theta[u * 3 + c] * Double(x[i, c]) }
                naive += 0.5 * (p - Double(data.byUser.values[e])) * (p - Double(data.byUser.values[e]))
            }
            naive += 0.5 * 2 * (theta[u * 3 + 1] * theta[u * 3 + 1] + theta[u * 3 + 2] * theta[u * 3 + 2])
        }
        #expect(abs(objective.value(at: theta) - naive) < 1e-9 * naive)
    }

    @Test func missingFeaturesAreAnError() {
        #expect(throws: TrainingError.missingInput("item features (content needs them: --item-features FILE, e.g. u.item)")) {
            _ = try ModelDescriptor.content.fit(data, context: TrainingContext())
        }
    }

    @Test func aHugeLearningRateDivergesWithAClearError() {
        do {
            _ = try ModelDescriptor.content.fit(data, inputs: inputs, hyperparameters: Hyperparameters(["learning-rate": "1000"]), context: context())
            Issue.record("expected divergence")
        } catch let TrainingError.diverged(_, rate) {
            #expect(rate == 1000)
        } catch { Issue.record("unexpected \(error)") }
    }

    @Test func relatedItemsCompareFeatures() throws {
        let model = try ModelDescriptor.content.fit(data, inputs: inputs, context: context())
        let related = try model.similarItems(to: "Love at last", count: 2)
        #expect(Set(related.map(\.id)) == ["Cute puppies of love", "Romance forever"])
    }
}
