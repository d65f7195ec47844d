/// The check every trained model passes before anyone can save or use it: its scores must be finite and of the
/// size of the data, so that a diverging optimizer (a loss that explodes without becoming infinite, scores around
/// 1e18) is an error with advice, never a saved model.
enum TrainingHealth {
    /// How far raw scores may go, in multiples of the largest absolute training value (at least 1).
    static let scoreLimitFactor: Float = 1e6

    /// Checks the factor counts against the data and the memory before training: factor matrices (with room for
    /// gradients and optimizer state, four copies) and a k x k system per thread within ``Limits/memory``; more
    /// than 1000 factors only when the data have that many users or items (a rank above both adds nothing).
    static func checkSizes(_ data: RatingMatrix, descriptor: ModelDescriptor, hyperparameters h: Hyperparameters,
                           threads: Int) throws {
        for spec in descriptor.parameters where spec.name == "factors" || spec.name.hasSuffix("-factors") {
            guard let k = Int(h.values[spec.name] ?? spec.defaultValue), k > 0 else { continue }
            let usable = max(data.userCount, data.itemCount, 1000)
            guard k <= usable else {
                throw LimitError("--\(spec.name) \(k) is more than these data can use: a rank above both the users (\(data.userCount)) and the items (\(data.itemCount)) adds nothing; the limit here is \(usable)")
            }
            let bytes = Double(data.userCount + data.itemCount) * Double(k) * 4 * 4 + Double(k) * Double(k) * 8 * Double(max(1, threads))
            try Limits.checkMemory(bytes, for: "--\(spec.name) \(k) on \(data.userCount) users and \(data.itemCount) items")
        }
    }

    /// Throws ``TrainingError/unstable(score:limit:advice:)`` when a raw score of `model` on a sample of the training
    /// pairs (every user, up to 8 of their items, at most 4096 users) is not finite or exceeds the limit.
    static func check(_ model: any Recommender, trainedOn data: RatingMatrix, descriptor: ModelDescriptor,
                      hyperparameters: Hyperparameters) throws {
        var largest: Float = 1
        for v in data.byUser.values where abs(v) > largest { largest = abs(v) }
        let limit = scoreLimitFactor * largest
        let rows = data.byUser
        let step = max(1, data.userCount / 4096)
        var worst: Float = 0
        for u in stride(from: 0, to: data.userCount, by: step) {
            let seenU = model.domain.users.index(of: data.users[u])
            for k in rows.range(of: u).prefix(8) {
                let score = model.rawPrediction(user: seenU, item: model.domain.items.index(of: data.items[Int(rows.indices[k])]))
                if !score.isFinite || abs(score) > limit {
                    worst = score.isFinite ? max(worst, abs(score)) : score
                    if !score.isFinite { break }
                }
            }
            if !worst.isFinite { break }
        }
        guard worst == 0 else {
            throw TrainingError.unstable(score: worst, limit: limit, advice: advice(descriptor, hyperparameters))
        }
    }

    /// What to change, from the model's hyperparameters: a smaller step for gradient methods (much smaller for the
    /// adaptive optimizers), more regularization for the others.
    static func advice(_ descriptor: ModelDescriptor, _ h: Hyperparameters) -> String {
        func value(_ name: String) -> String? {
            guard let spec = descriptor.parameters.first(where: { $0.name == name }) else { return nil }
            return h.values[name] ?? spec.defaultValue
        }
        func was(_ name: String) -> String { h.values[name].map { "it was \($0)" } ?? "the default: \(value(name) ?? "")" }
        if value("learning-rate") != nil {
            var text = "try a smaller --learning-rate (\(was("learning-rate")))"
            if let optimizer = value("optimizer"), ["adam", "adagrad", "rmsprop"].contains(optimizer) {
                text += "; the adaptive optimizer \(optimizer) takes steps of about the learning rate in every coordinate, so it needs a much smaller rate than plain SGD, such as 0.001"
            }
            return text
        }
        if value("regularization") != nil {
            return "try a larger --regularization (\(was("regularization"))), or check the data for extreme values"
        }
        return "check the data for extreme values"
    }
}
