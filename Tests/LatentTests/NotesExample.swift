@testable import Latent

/// The course notes' table: five movies, four users (0-5 stars), and the movies' two features (romance, action).
enum NotesExample {
    static let movies = ["Love at last", "Romance forever", "Cute puppies of love", "Nonstop car chases", "Swords vs. karate"]
    static let features: [[Float]] = [[0.9, 0], [1.0, 0.01], [0.99, 0], [0.1, 1.0], [0, 0.9]]
    /// Ratings by movie then user (Alice, Bob, Carol, Dave); nil = not rated.
    static let table: [[Float?]] = [
        [5, 5, 0, 0],
        [5, nil, nil, 0],
        [nil, 4, 0, nil],
        [0, 0, 5, 4],
        [0, 0, 5, nil],
    ]
    static let users = ["Alice", "Bob", "Carol", "Dave"]

    static var ratings: RatingSet {
        var triples: [(user: String, item: String, rating: Float)] = []
        for (u, user) in users.enumerated() {
            for (m, movie) in movies.enumerated() {
                if let r = table[m][u] { triples.append((user, movie, r)) }
            }
        }
        return RatingSet(triples)
    }

    static var itemFeatures: ItemFeatures {
        ItemFeatures(items: IDMap(movies), names: ["romance", "action"],
                     values: Matrix(rows: 5, columns: 2, storage: features.flatMap { $0 }))
    }
}
