import Latent

extension Hyperparameters {
    /// Hyperparameters from `name=value` assignments (as given to `--set`), merged over `base`.
    ///
    /// - Throws: ``TrainingError/invalidHyperparameter(name:value:reason:)`` for text that is not `name=value` with a
    ///   non-empty name, and for a name given twice with different values.
    init(assignments: [String], over base: [String: String] = [:]) throws {
        var values = base
        for assignment in assignments {
            guard let eq = assignment.firstIndex(of: "=") else {
                throw TrainingError.invalidHyperparameter(name: assignment, value: "", reason: "is not of the form name=value")
            }
            let name = assignment[..<eq].trimmingWhitespace()
            let value = assignment[assignment.index(after: eq)...].trimmingWhitespace()
            guard !name.isEmpty else {
                throw TrainingError.invalidHyperparameter(name: assignment, value: "", reason: "has no name before '='")
            }
            if let previous = values[name], previous != value {
                throw TrainingError.invalidHyperparameter(name: name, value: value, reason: "is given twice (also as \(previous))")
            }
            values[name] = value
        }
        self.init(values)
    }
}

extension Substring {
    fileprivate func trimmingWhitespace() -> String {
        var s = self[...]
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
