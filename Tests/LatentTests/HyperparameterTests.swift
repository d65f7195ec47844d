import Testing
@testable import Latent

/// Hyperparameters are declared once per model: parsing, printing and the descriptions derive from the declaration.
@Suite struct HyperparameterTests {
    /// Parsing what a configuration read from no values prints gives the same configuration back (as printed).
    func roundTrips<C: ModelConfiguration>(_ defaults: C) throws -> Bool {
        let c = try C(Hyperparameters(), defaults: defaults)
        return try C(c.hyperparameters, defaults: defaults).hyperparameters == c.hyperparameters
    }

    @Test func everyConfigurationRoundTripsThroughItsText() throws {
        #expect(try roundTrips(AlternatingLeastSquares.defaults))
        #expect(try roundTrips(SGDMatrixFactorization.biasedDefaults))
        #expect(try roundTrips(SGDMatrixFactorization.plainDefaults))
        #expect(try roundTrips(CollaborativeFiltering.defaults))
        #expect(try roundTrips(ContentBasedRegression.defaults))
        #expect(try roundTrips(BayesianMatrixFactorization.defaults))
        #expect(try roundTrips(ImplicitALS.defaults))
        #expect(try roundTrips(EASE.defaults))
        #expect(try roundTrips(BPR.defaults))
        #expect(try roundTrips(NeuralTraining.defaults))
        #expect(try roundTrips(ItemMean.defaults))
        #expect(try roundTrips(BiasBaseline.defaults))
        // The printed defaults are the defaults (ALS's weight exponent was 1 in one copy, 0.5 in another).
        #expect(AlternatingLeastSquares.defaults.hyperparameters.values["weight-exponent"] == "0.5")
        #expect(try AlternatingLeastSquares(Hyperparameters()).weightExponent == 0.5)
        #expect(ModelDescriptor.baseline.parameters.map(\.defaultValue) == ["15.0", "15.0", "10.0", "10"])
    }

    @Test func oneNamePerConceptOldNamesAsAliases() throws {
        for d in ModelRegistry.all {
            let names = d.parameters.map(\.name)
            #expect(Set(names).count == names.count, "\(d.name)")
            for old in ["epochs", "sweeps", "lambda", "shrink", "decay"] { #expect(!names.contains(old), "\(d.name) has \(old)") }
            for p in d.parameters where p.name == "iterations" { #expect(p.aliases == ["epochs", "sweeps"]) }
            for p in d.parameters where p.name == "schedule" { #expect(p.aliases == (d.name == "cofi" ? [] : ["decay=exponential:*"])) }
            for p in d.parameters { #expect(Set(p.aliases).isDisjoint(with: names), "\(d.name).\(p.name)") }
        }
        let als = ModelDescriptor.als.parameters
        #expect(try Hyperparameters(["sweeps": "3", "lambda": "0.5"]).canonical(for: als)
                == Hyperparameters(["iterations": "3", "regularization": "0.5"]))
        #expect(throws: TrainingError.invalidHyperparameter(name: "sweeps", value: "4", reason: "is given twice (also as 3)")) {
            try Hyperparameters(["iterations": "3", "sweeps": "4"]).canonical(for: als)
        }
        #expect(throws: TrainingError.unknownHyperparameter(name: "alpha", known: als.map(\.name))) {
            try Hyperparameters(["alpha": "1"]).canonical(for: als)
        }
    }

    @Test func oneNameOneKindOfValue() {
        // A name means one concept: the same kind of value on every model (cofi's and sgd-mf's optimizer: the step rule).
        let specs = Dictionary(grouping: ModelRegistry.all.flatMap(\.parameters), by: \.name)
        for (name, group) in specs { #expect(Set(group.map(\.type)).count == 1, "\(name)") }
        #expect(Set(specs["optimizer", default: []].map(\.allowed)) == ["sgd, momentum, adagrad, rmsprop, adam"])
    }

    @Test func aliasesThatRewriteValuesKeepOldCommandsMeaning() throws {
        // decay=D is schedule=exponential:D on the SGD models (cofi never had a decay).
        for d in [ModelDescriptor.sgdMF, .biasedMF, .svdPlusPlus] {
            #expect(try Hyperparameters(["decay": "0.9"]).canonical(for: d.parameters) == Hyperparameters(["schedule": "exponential:0.9"]))
            #expect(d.accepts("decay"))
        }
        #expect(!ModelDescriptor.als.accepts("decay") && !ModelDescriptor.cofi.accepts("decay"))
        #expect(try SGDMatrixFactorization(Hyperparameters(["decay": "0.9"])).schedule == .exponential(decay: 0.9))
        // cofi's old optimizer values: a solver is solver=...; a step rule stays optimizer and implies solver gd.
        let cofi = ModelDescriptor.cofi.parameters
        for s in ["lbfgs", "cg", "gd", "alternating"] {
            #expect(try Hyperparameters(["optimizer": s]).canonical(for: cofi) == Hyperparameters(["solver": s]))
        }
        let adam = try CollaborativeFiltering(Hyperparameters(["optimizer": "adam"]))
        #expect(adam.solver == .gd && adam.optimizer == .adam && adam.effectiveIterations == 1500 && adam.effectiveLearningRate == 0.002)
        let gd = try CollaborativeFiltering(Hyperparameters(["optimizer": "gd"]))
        #expect(gd.solver == .gd && gd.optimizer == .sgd && gd.effectiveLearningRate == 0.008)
        #expect(try CollaborativeFiltering(Hyperparameters()).solver == .lbfgs)
        // A model file's old names and values become the new ones; names no parameter has are kept.
        #expect(Hyperparameters(["optimizer": "cg", "epochs": "5", "x": "1"]).renamingAliases(cofi)
                == Hyperparameters(["solver": "cg", "iterations": "5", "x": "1"]))
        #expect(Hyperparameters(["decay": "0.5"]).renamingAliases(ModelDescriptor.svdPlusPlus.parameters)
                == Hyperparameters(["schedule": "exponential:0.5"]))
        // Refused, with exact messages.
        let data = syntheticRatings(users: 6, items: 5, density: 0.8, seed: 1)
        #expect(throws: TrainingError.invalidHyperparameter(name: "optimizer", value: "adam", reason: "needs solver=gd (solver lbfgs has no step rule)")) {
            _ = try ModelDescriptor.cofi.fit(data, hyperparameters: Hyperparameters(["solver": "lbfgs", "optimizer": "adam"]))
        }
        #expect(throws: TrainingError.invalidHyperparameter(name: "solver", value: "cg", reason: "is given twice (also as lbfgs)")) {
            try Hyperparameters(["optimizer": "lbfgs", "solver": "cg"]).canonical(for: cofi)
        }
        #expect(throws: TrainingError.invalidHyperparameter(name: "optimizer", value: "newton", reason: "must be one of sgd, momentum, adagrad, rmsprop, adam")) {
            _ = try CollaborativeFiltering(Hyperparameters(["optimizer": "newton"]))
        }
        #expect(throws: TrainingError.invalidHyperparameter(
            name: "schedule", value: "exponential:0", reason: "must be constant, step:EVERY:FACTOR, exponential:DECAY or inverse-time:DECAY")) {
            _ = try SVDPlusPlus(Hyperparameters(["decay": "0"]))
        }
    }

    @Test func valuesAreCheckedAgainstTheDeclaration() {
        let data = syntheticRatings(users: 6, items: 5, density: 0.8, seed: 1)
        #expect(throws: TrainingError.invalidHyperparameter(name: "weight-exponent", value: "3", reason: "must be in 0.0...2.0")) {
            _ = try ModelDescriptor.als.fit(data, hyperparameters: Hyperparameters(["weight-exponent": "3"]))
        }
        #expect(throws: TrainingError.invalidHyperparameter(name: "solver", value: "qr", reason: "must be one of cholesky, coordinate")) {
            _ = try ModelDescriptor.als.fit(data, hyperparameters: Hyperparameters(["solver": "qr"]))
        }
        #expect(throws: TrainingError.invalidHyperparameter(name: "hidden", value: "16,0", reason: "must be layer sizes like 16,8")) {
            _ = try ModelDescriptor.neural.fit(data, hyperparameters: Hyperparameters(["hidden": "16,0"]))
        }
        #expect(throws: TrainingError.invalidHyperparameter(name: "factors", value: "0", reason: "must be in 1...4096")) {
            _ = try ModelDescriptor.neural.fit(data, hyperparameters: Hyperparameters(["factors": "0"]))
        }
    }

    @Test func groupSettersAreOverriddenByTheirParts() throws {
        let c = try SGDMatrixFactorization(Hyperparameters(["regularization": "0.5", "item-regularization": "0.25"]))
        #expect(c.userRegularization == 0.5 && c.itemRegularization == 0.25)
        let als = try AlternatingLeastSquares(Hyperparameters(["regularization": "2"]))
        #expect(als.biasRegularization == 2)
        let neural = try NeuralTraining(Hyperparameters(["factors": "4"]))
        #expect(neural.gmfFactors == 4 && neural.mlpFactors == 4)
        // sgd-mf has no biases, so no bias penalties.
        #expect(!ModelDescriptor.sgdMF.accepts("bias-regularization") && ModelDescriptor.biasedMF.accepts("bias-regularization"))
        // The default learning rate follows the optimizer.
        #expect(try SGDMatrixFactorization(Hyperparameters(["optimizer": "adam"])).learningRate == 0.003)
    }
}
