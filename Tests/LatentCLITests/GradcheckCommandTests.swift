import Foundation
import Testing
@testable import LatentCLI

@Suite struct GradcheckCommandTests {
    @Test(arguments: ["content", "cofi", "sgd-mf", "biased-mf"])
    func jsonReportsASmallRelativeError(model: String) throws {
        let command = try GradcheckCommand.parse(["--model", model, "--json", "--seed", "3"])
        let text = try command.output()
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["model"] as? String == model)
        let error = try #require(object["max_relative_error"] as? Double)
        #expect(error <= 1e-6)
        #expect((object["parameters"] as? Int ?? 0) > 0)
    }

    @Test func aModelWithoutGradientIsAnError() throws {
        let command = try GradcheckCommand.parse(["--model", "als"])
        #expect(throws: (any Error).self) { _ = try command.output() }
    }
}
