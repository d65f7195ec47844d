import Foundation
import Testing
@testable import LatentCLI

@Suite("latent train --json")
struct TrainJSONTests {
    let dir = temporaryDirectory()

    @Test("train --json prints one object with the counts, the seconds of each stage and the peak memory")
    func trainJSON() throws {
        let data = dir.appendingPathComponent("r.txt"), model = dir.appendingPathComponent("m.latent")
        try writeTwoTasteRatings(to: data)
        let out = try runLatent(["train", "--data", data.path, "--model", "sgd-mf", "--factors", "2", "--epochs", "3",
                                 "--output", model.path, "--quiet", "--json"]).output
        #expect(out.split(separator: "\n").count == 1)
        let report = try jsonObject(out)
        #expect(report["model"] as? String == "sgd-mf")
        #expect(report["users"] as? Int == 24 && report["items"] as? Int == 10 && report["ratings"] as? Int == 192)
        #expect(report["duplicates_folded"] as? Int == 0 && report["skipped_lines"] as? Int == 0)
        #expect(report["interactions"] as? Bool == false && (report["threads"] as? Int ?? 0) >= 1)
        for key in ["read_seconds", "build_seconds", "fit_seconds", "write_seconds"] {
            let seconds = try #require(report[key] as? Double, "\(key)")
            #expect(seconds >= 0 && seconds < 60)
        }
        // The whole process has at least the test runner in memory: more than a megabyte, less than the machine.
        let peak = try #require(report["peak_memory_bytes"] as? Int)
        #expect(peak > 1 << 20 && peak < 1 << 40)
        #expect(FileManager.default.fileExists(atPath: model.path))
    }
}
