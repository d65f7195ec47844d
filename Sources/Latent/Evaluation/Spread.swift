/// The mean and the standard deviation of a figure over folds (or restarts, or configurations' folds).
///
/// The standard deviation divides by the number of values n, not n - 1 (as Surprise's `cross_validate` and
/// scikit-learn's `GridSearchCV` report it): sd = sqrt(sum (x - mean)^2 / n). One value has sd 0; no values have
/// mean and sd NaN.
public struct Spread: Sendable, Equatable, Codable {
    /// The mean.
    public var mean: Double
    /// The standard deviation (divided by n).
    public var standardDeviation: Double

    enum CodingKeys: String, CodingKey {
        case mean
        case standardDeviation = "sd"
    }

    /// The spread of `values`.
    public init<S: Collection>(_ values: S) where S.Element == Double {
        guard !values.isEmpty else {
            mean = .nan
            standardDeviation = .nan
            return
        }
        let n = Double(values.count)
        let m = values.reduce(0, +) / n
        mean = m
        standardDeviation = (values.reduce(0) { $0 + ($1 - m) * ($1 - m) } / n).squareRoot()
    }

    /// A spread from its parts.
    public init(mean: Double, standardDeviation: Double) {
        self.mean = mean
        self.standardDeviation = standardDeviation
    }
}
