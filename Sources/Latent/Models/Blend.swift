/// `blend`: a weighted sum of ranking models, each component's scores normalized per user.
///
/// Each component m (a ranking model at its defaults or at the settings given with it, trained on the same data)
/// scores every item for the user;
/// the scores are divided by their largest absolute value over the user's candidate items C(u) (the items the user
/// has not interacted with), so that every component speaks on the same scale, and summed with the weights w_m:
///
///     score(u, j) = sum_m w_m s_m(u, j) / max_{i in C(u)} |s_m(u, i)|      (a component whose candidates all score
///                                                                          0 is left as it is)
///
/// Different models make different errors: implicit ALS's low-rank factors, EASE's dense item-item weights and
/// item-knn's few shrunk neighbours disagree on the items each ranks just below the top, and their blend ranks better
/// than any of them (the README's protocol T figures; the default weights were chosen on a validation split carved
/// from MovieLens 100k `u1.base`).
///
/// - A new user (fold-in) is scored by each component's own fold-in, then blended the same way, with the given items
///   as the ones excluded from the maximum; with no items, each component's scores of an unknown user (popularity).
/// - There are no item or user vectors: `similar` is not available for this model (an error says so).
public struct BlendModel: Recommender {
    public let name = "blend"
    public var domain: ModelDomain
    public var hyperparameters: Hyperparameters
    /// The trained components, in the order of ``weights``.
    public var components: [any Recommender]
    /// The weight w_m of each component.
    public var weights: [Float]

    public func rawPrediction(user: Int?, item: Int?) -> Float {
        guard let j = item else { return 0 }
        var scores = [Float](repeating: 0, count: domain.items.count)
        if let u = user { scoreItems(user: u, into: &scores) } else { scoreItems(foldingIn: [], into: &scores) }
        return scores[j]
    }

    public func scoreItems(user: Int, into scores: inout [Float]) {
        let seen = domain.seen.columns(of: user).map { Int($0) }
        blend(excluding: seen, into: &scores) { $0.scoreItems(user: user, into: &$1) }
    }

    public func scoreItems(foldingIn ratings: [(item: Int, value: Float)], into scores: inout [Float]) {
        blend(excluding: ratings.map(\.item), into: &scores) { $0.scoreItems(foldingIn: ratings, into: &$1) }
    }

    /// scores = sum over the components of w_m s_m / max over the items not in `excluded` of |s_m|, with s_m written
    /// by `score`.
    private func blend(excluding excluded: [Int], into scores: inout [Float],
                       _ score: (any Recommender, inout [Float]) -> Void) {
        let n = domain.items.count
        precondition(scores.count == n)
        let candidate = candidates(allowed: nil, excluded: Set(excluded))
        var part = [Float](repeating: 0, count: n)
        for i in 0..<n { scores[i] = 0 }
        for (model, w) in zip(components, weights) {
            score(model, &part)
            let scale = w / Self.largestMagnitude(part, over: candidate)
            for i in 0..<n { scores[i] += scale * part[i] }
        }
    }

    /// The largest |s_i| over the items with `candidate[i]`, or 1 when that is 0 (or there is no candidate).
    static func largestMagnitude(_ s: [Float], over candidate: [Bool]) -> Float {
        var m: Float = 0
        for i in 0..<s.count where candidate[i] { m = Swift.max(m, abs(s[i])) }
        return m > 0 ? m : 1
    }

    /// None: a blend has no single item representation.
    public var itemVectors: Matrix? { nil }
    /// None: a blend has no single user representation.
    public var userVectors: Matrix? { nil }

    /// The archive kind of blends.
    public static let archiveKind = "blend"

    /// The blend's domain and weights, and each component's archive under `component.N.` without its domain (the
    /// blend's, which every component shares, is written once).
    public func archive() -> ModelArchive {
        var a = archive(kind: Self.archiveKind)
        a.floats["weights"] = weights
        for (m, model) in components.enumerated() {
            a.embed(model.archive(), as: "component.\(m).", omitting: "domain.")
        }
        return a
    }
}

extension BlendModel {
    /// Reads a blend written by ``archive()``.
    public init(archive a: ModelArchive) throws {
        let domain = try ModelDomain(from: a)
        let weights = try a.floats("weights")
        guard weights.allSatisfy({ $0.isFinite }) else { throw ModelFileError.inconsistent("a blend weight is not finite") }
        var shared = ModelArchive(kind: "", model: "")
        domain.encode(into: &shared)
        let components = try weights.indices.map { m -> any Recommender in
            var c = try a.embedded("component.\(m).")
            guard c.kind != Self.archiveKind else { throw ModelFileError.inconsistent("a blend inside a blend") }
            c.include(shared)
            return try ModelRegistry.model(from: c)
        }
        self.init(domain: domain, hyperparameters: Hyperparameters(a.parameters.filter { !$0.key.hasPrefix("component.") }),
                  components: components, weights: weights)
    }
}

/// The components of a `blend` and their weights, written `name:weight,...` (`implicit-als:0.7,ease:0.3`), a
/// component's own hyperparameters in brackets after its name (`ease[dropout=0.25,zero-diagonal=false]:0.3`):
/// ranking models of ``ModelRegistry`` other than `blend`, a model more than once only with different settings
/// (`implicit-als:0.5,implicit-als[factors=16]:0.1`: two ranks), with finite positive weights and settings the
/// model accepts.
public struct BlendComponents: HyperparameterValue, Equatable {
    /// One component: a model name, its hyperparameters (the others at the model's defaults) and its weight.
    public struct Part: Sendable, Equatable {
        public var model: String
        public var settings: Hyperparameters
        public var weight: Float
        public init(model: String, settings: Hyperparameters = Hyperparameters(), weight: Float) {
            self.model = model
            self.settings = settings
            self.weight = weight
        }

        /// `name:weight` or `name[key=value,...]:weight`; nil when malformed.
        init?(text: Substring) {
            guard let colon = text.lastIndex(of: ":"), let w = Float(text[text.index(after: colon)...]), w.isFinite, w > 0
            else { return nil }
            var name = text[..<colon]
            var settings: [String: String] = [:]
            if let open = name.firstIndex(of: "[") {
                guard name.last == "]" else { return nil }
                for pair in name[name.index(after: open)..<name.index(before: name.endIndex)].split(separator: ",", omittingEmptySubsequences: false) {
                    let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                    guard kv.count == 2, !kv[0].isEmpty, settings[String(kv[0])] == nil else { return nil }
                    settings[String(kv[0])] = String(kv[1])
                }
                name = name[..<open]
            }
            guard !name.isEmpty, !name.contains("]") else { return nil }
            self.init(model: String(name), settings: Hyperparameters(settings), weight: w)
        }

        /// `name:weight`, or `name[key=value,...]:weight` with the keys in order.
        var text: String {
            let settings = self.settings.values.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            return model + (settings.isEmpty ? "" : "[\(settings.joined(separator: ","))]") + ":\(weight)"
        }
    }

    /// The components, in order.
    public var parts: [Part]

    public init(_ parts: [Part]) { self.parts = parts }

    public init?(hyperparameterText text: String) {
        // Split at the commas outside brackets.
        var pieces: [Substring] = [], depth = 0, start = text.startIndex
        for i in text.indices {
            switch text[i] {
            case "[": depth += 1
            case "]": depth -= 1
            case "," where depth == 0:
                pieces.append(text[start..<i])
                start = text.index(after: i)
            default: break
            }
            guard (0...1).contains(depth) else { return nil }
        }
        guard depth == 0 else { return nil }
        pieces.append(text[start...])
        var parts: [Part] = []
        for piece in pieces {
            guard let part = Part(text: piece) else { return nil }
            parts.append(part)
        }
        self.parts = parts
    }

    public var hyperparameterText: String? { parts.map(\.text).joined(separator: ",") }
    public static var hyperparameterType: String { "model-weights" }
    public static var invalidReason: String {
        "must be model:weight pairs like implicit-als:0.7,ease[dropout=0.25]:0.3 with positive weights"
    }
    public static var allowedText: String { "ranking models other than blend, a model twice only with different [key=value,...], weights > 0" }

    public static func check(_ value: BlendComponents) -> String? {
        var seen: [String: [Hyperparameters]] = [:]
        for p in value.parts {
            guard p.model != "blend" else { return "cannot contain blend itself" }
            guard let d = ModelRegistry.all.first(where: { $0.name == p.model }) else {
                return "names \(p.model), which is not a model (\(ModelRegistry.names.joined(separator: ", ")))"
            }
            guard d.task == .ranking else { return "names \(p.model), which is not a ranking model" }
            guard !(seen[p.model] ?? []).contains(p.settings) else { return "names \(p.model) twice with the same settings" }
            seen[p.model, default: []].append(p.settings)
            do { try d.check(p.settings) } catch { return "is refused by \(p.model): \(error)" }
        }
        return nil
    }
}

/// How `blend` is fitted (see ``BlendModel``).
public struct Blend: ModelConfiguration {
    /// The components and their weights; each component is trained at its own defaults, but for its given settings.
    public var components: BlendComponents

    /// The defaults: implicit-als 0.6, item-knn with 20 neighbours 0.15 and gf-cf 0.25, chosen on validation splits
    /// carved from MovieLens 100k `u1.base` (see the README). item-knn keeps fewer neighbours here than alone (100):
    /// in the blend its part is the few strongest item-item links, which the low-rank and dense components miss.
    public static let defaults = Blend(components: BlendComponents([
        .init(model: "implicit-als", weight: 0.6),
        .init(model: "item-knn", settings: Hyperparameters(["neighbors": "20"]), weight: 0.15),
        .init(model: "gf-cf", weight: 0.25)]))

    public static let parameters: [Hyperparameter<Self>] = [
        .init("components", \.components, "the ranking models blended (each at its defaults or [key=value,...]) and their weights"),
    ]

    /// Trains every component on `data` (in order, each with `context`) and blends them.
    public func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) throws -> BlendModel {
        guard data.count > 0 else { throw TrainingError.emptyTrainingData }
        let models = try components.parts.map {
            try ModelRegistry.descriptor(named: $0.model).fit(data, hyperparameters: $0.settings, context: context)
        }
        return BlendModel(domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: hyperparameters,
                          components: models, weights: components.parts.map(\.weight))
    }
}

extension ModelDescriptor {
    /// `blend`: a weighted sum of ranking models.
    public static let blend = ModelDescriptor(
        name: "blend", summary: "weighted sum of ranking models' scores, each divided by its largest per user (default implicit-als + item-knn + gf-cf)",
        task: .ranking, defaults: Blend.defaults)
}
