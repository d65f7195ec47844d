import ArgumentParser
import Foundation
import Latent

/// `latent generate`: a synthetic rating file for speed and scale tests.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic rating file of `user item rating` lines.",
        discussion: """
            Skewed user activity and item popularity (log-normal weights), ratings from a rank-10 truth plus user and \
            item biases plus noise, rounded and clipped to 1-5. The defaults make the 70,000 x 10,000 x 10,000,000 \
            reference set of the speed figures.

            Example: latent generate --output synthetic.txt --users 1000 --items 500 --ratings 50000
            """)

    @Option(help: "Where to write the file.") var output: String
    @Option(help: "Number of users.") var users: Int = 70_000
    @Option(help: "Number of items.") var items: Int = 10_000
    @Option(help: "Number of ratings (distinct user-item pairs).") var ratings: Int = 10_000_000
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 42

    func validate() throws {
        guard users >= 1, items >= 1, ratings >= 1 else { throw ValidationError("--users, --items and --ratings must be at least 1") }
    }

    func run() throws {
        let start = ContinuousClock.now
        // Every size and the output path are checked before any work.
        do {
            try SyntheticData.check(users: users, items: items, ratings: ratings)
        } catch let error as LimitError {
            throw OptionError("generate: \(error)")
        }
        let url = URL(fileURLWithPath: output)
        _ = try OutputFile.checkedTarget(url, inputs: [])
        try SyntheticData(users: users, items: items, ratings: ratings, seed: seed).write(to: url)
        let n = ratings
        Console.current.line("wrote \(n) ratings of \(users) users and \(items) items to \(output) in \(fixed(seconds(since: start), 1)) s")
    }
}
