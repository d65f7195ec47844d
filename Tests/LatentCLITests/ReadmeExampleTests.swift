import Foundation
import Testing
import Latent

/// The README's library example, on a small file instead of MovieLens: if it stops compiling or working, this fails.
@Test("the README's library example compiles and works")
func readmeLibraryExample() throws {
    let dir = temporaryDirectory()
    let file = dir.appendingPathComponent("ratings.txt")
    try writeTwoTasteRatings(to: file)

    let (ratings, _) = try RatingReader.read(file)
    let data = RatingMatrix(ratings)
    let biasedMF = try ModelRegistry.descriptor(named: "biased-mf")
    let model = try biasedMF.fit(data, hyperparameters: Hyperparameters(["factors": "5"]),
                                 context: TrainingContext(seed: 42, ratingScale: 1...5))
    let prediction = model.predict(user: "u1", item: "i4")
    #expect((1...5).contains(prediction))
    #expect(try model.recommend(user: "u1", count: 5).count == 2)
    #expect(try model.similarItems(to: "i1", count: 5, metric: .cosine).count == 5)
    let url = dir.appendingPathComponent("u1.latent")
    try model.save(to: url)
    let loaded = try ModelRegistry.load(from: url)
    #expect(loaded.predict(user: "u1", item: "i4") == prediction)
    let test = try RatingReader.read(file).0
    let rmse = loaded.evaluateRatings(on: test).rmse
    #expect(rmse.isFinite && rmse == model.evaluateRatings(on: test).rmse)
}
