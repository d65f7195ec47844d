import ArgumentParser
import Foundation
import Latent

extension FactorExport.Format: ExpressibleByArgument {}

/// `latent export`: a factor model's numbers as files numpy, pandas and Spark read (see ``FactorExport``).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a factor model's user and item factors, biases, global mean and identifiers into a new folder.",
        discussion: """
            The folder holds manifest.json, user_ids.csv and item_ids.csv (one identifier a line under a header), and \
            user_factors, item_factors, user_bias and item_bias as CSV (a header line) or numpy .npy (float32). Row u of \
            user_factors is the user on line u of user_ids.csv. A prediction is global_mean + user_bias[u] + \
            item_bias[i] + user_factors[u] . item_factors[i], clipped to the manifest's rating_scale when it has one. \
            The folder must not exist (or be empty); it appears only when complete.

            Example: latent export --model u1.latent --output u1-factors --format npy
                     python3 -c "import numpy as np; P = np.load('u1-factors/user_factors.npy'); print(P.shape)"
            """)

    @Option(help: "A model file written by `latent train` or `latent import`.") var model: String
    @Option(help: "The new folder to write.") var output: String
    @Option(help: "csv (text) or npy (numpy binary) for the numeric arrays.") var format: FactorExport.Format = .csv

    func run() throws {
        let m = try ModelRegistry.load(from: URL(fileURLWithPath: model))
        try FactorExport.export(m, to: URL(fileURLWithPath: output), format: format)
        let f = m as? FactorModel
        Console.current.line("exported \(m.name): \(m.domain.users.count) users, \(m.domain.items.count) items, "
            + "\(f?.factorCount ?? 0) factors (\(format.rawValue)) to \(output)")
    }
}
