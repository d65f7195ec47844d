/// `popularity`: every user gets the items with the most interactions: the baseline every ranking model must beat.
///
/// It trains into a ``FactorModel`` with no factors: the item "bias" is the item's share of users who interacted with
/// it (count / users), the same for everyone, so recommendations differ only by what each user has already seen.
/// It has no item or user vectors, so `similar` items and users are not available (an error says so). A new user
/// (fold-in) gets the same popularity ranking, without the items they gave.
public enum Popularity {
    /// Counts interactions per item in `data` (every stored pair counts once, whatever its value).
    public static func fit(_ data: RatingMatrix, context: TrainingContext = TrainingContext()) -> FactorModel {
        let users = Float(max(1, data.userCount))
        let share = (0..<data.itemCount).map { Float(data.byItem.count(of: $0)) / users }
        return FactorModel(name: "popularity", domain: ModelDomain(data, ratingScale: nil, task: .ranking), hyperparameters: Hyperparameters(),
                           globalMean: 0, userBias: [], itemBias: share,
                           userFactors: Matrix(rows: data.userCount, columns: 0),
                           itemFactors: Matrix(rows: data.itemCount, columns: 0), foldIn: .ridge(lambda: 0))
    }
}

extension ModelDescriptor {
    /// `popularity`: items ranked by their number of interactions.
    public static let popularity = ModelDescriptor(
        name: "popularity", summary: "the most interacted-with items first (the ranking baseline)", task: .ranking,
        parameters: []
    ) { data, _, _, context in Popularity.fit(data, context: context) }
}
