import Foundation
import Testing
@testable import Latent

@Suite struct ItemCatalogTests {
    /// A u.item line with the given genre flags set.
    func uItemLine(_ id: String, _ title: String, genres: [Int]) -> String {
        let flags = (0..<19).map { genres.contains($0) ? "1" : "0" }
        return ([id, title, "01-Jan-1995", "", "http://example.org/x"] + flags).joined(separator: "|")
    }

    @Test func readsLatin1UItemWithTitlesAndGenres() throws {
        // "Café" in ISO-8859-1 is 43 61 66 E9: not valid UTF-8.
        let second = uItemLine("2", "Caf\u{1}", genres: [8])
        var bytes = Array((uItemLine("1", "Toy Story (1995)", genres: [3, 4, 5]) + "\n" + second + "\n").utf8)
        bytes[bytes.firstIndex(of: 0x01)!] = 0xE9
        let catalog = try ItemCatalog.read(data: Data(bytes), name: "u.item")
        #expect(catalog.titles == ["1": "Toy Story (1995)", "2": "Café"])
        #expect(catalog.genres["1"] == ["Animation", "Children's", "Comedy"])
        #expect(catalog.genres["2"] == ["Drama"])
        #expect(catalog.genreNames == ItemCatalog.movieLens100kGenres)
        let features = catalog.genreFeatures()
        #expect(features.items.ids == ["1", "2"])
        #expect(features.names.count == 19)
        let expected: [Float] = (0..<19).map { [3, 4, 5].contains($0) ? 1 : 0 }
        #expect(features.values.row(0) == expected)
    }

    @Test func utf8UItemStaysUTF8() throws {
        let text = uItemLine("7", "Café Society", genres: [0]) + "\r\n"
        let catalog = try ItemCatalog.read(data: Data(text.utf8), name: "u.item")
        #expect(catalog.titles["7"] == "Café Society")
        #expect(catalog.genres["7"] == ["unknown"])
    }

    @Test func uItemErrorsNameLineAndField() {
        let good = uItemLine("1", "A", genres: [])
        var badFlag = uItemLine("2", "B", genres: []).split(separator: "|", omittingEmptySubsequences: false).map(String.init)
        badFlag[5 + 16] = "x"  // Thriller
        #expect(dataError { _ = try ItemCatalog.read(data: Data((good + "\n" + badFlag.joined(separator: "|")).utf8), name: "u.item") }
                == .malformed(file: "u.item", line: 2, field: "Thriller", reason: "'x' is not a genre flag (0 or 1)"))
        #expect(dataError { _ = try ItemCatalog.read(data: Data((good + "\n\n3|C|date\n").utf8), name: "u.item") }
                == .malformed(file: "u.item", line: 3, field: "title",
                              reason: "expected 24 fields separated by '|' (id, title, release date, video release date, URL, 19 genre flags), found 3"))
        #expect(dataError { _ = try ItemCatalog.read(data: Data((good + "\n" + good).utf8), name: "u.item") }
                == .malformed(file: "u.item", line: 2, field: "item", reason: "duplicate identifier '1' (first on line 1)"))
        #expect(dataError { _ = try ItemCatalog.read(data: Data("\n\n".utf8), name: "u.item") } == .empty(file: "u.item"))
    }

    @Test func readsMoviesCSVWithQuotedTitles() throws {
        let text = """
        movieId,title,genres
        1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy
        11,"American President, The (1995)",Comedy|Drama|Romance
        12,"Dracula: Dead and Loving It (1995)",Comedy|Horror
        13,"The ""Quoted"" Film (2001)",(no genres listed)

        """
        let catalog = try ItemCatalog.read(data: Data(text.utf8), name: "movies.csv")
        #expect(catalog.count == 4)
        #expect(catalog.title(of: "11") == "American President, The (1995)")
        #expect(catalog.title(of: "12") == "Dracula: Dead and Loving It (1995)")
        #expect(catalog.title(of: "13") == "The \"Quoted\" Film (2001)")
        #expect(catalog.genres["11"] == ["Comedy", "Drama", "Romance"])
        #expect(catalog.genres["13"] == [])
        #expect(catalog.genreNames == ["Adventure", "Animation", "Children", "Comedy", "Drama", "Fantasy", "Horror", "Romance"])
        #expect(catalog.genreFeatures().values.row(1) == [0, 0, 0, 1, 1, 0, 0, 1])
    }

    @Test func moviesCSVErrors() {
        #expect(dataError { _ = try ItemCatalog.read(data: Data("movieId,title,genres\n1,A, B (1990),Drama\n".utf8), name: "m.csv") }
                == .malformed(file: "m.csv", line: 2, field: "title",
                              reason: "expected 3 fields (movieId,title,genres), found 4: quote titles that contain commas"))
        #expect(dataError { _ = try ItemCatalog.read(data: Data("movieId,title,genres\n1,\"Open (1990),Drama\n".utf8), name: "m.csv") }
                == .malformed(file: "m.csv", line: 2, field: "field 2", reason: "a quote is never closed"))
    }

    @Test func readsMoviesDat() throws {
        let text = "1::Toy Story (1995)::Animation|Children's|Comedy\n2::Jumanji (1995)::Adventure|Children's|Fantasy\n"
        let catalog = try ItemCatalog.read(data: Data(text.utf8), name: "movies.dat")
        #expect(catalog.titles == ["1": "Toy Story (1995)", "2": "Jumanji (1995)"])
        #expect(catalog.genres["2"] == ["Adventure", "Children's", "Fantasy"])
    }

    @Test func unknownItemFilesAreRefused() {
        #expect(dataError { _ = try ItemCatalog.read(data: Data("\nhello world\n".utf8), name: "x") }?.line == 2)
    }

    @Test(.enabled(if: TestData.hasMovieLens, "needs MovieLens 100k in ../shared/data/ml-100k"))
    func readsMovieLens100kUItem() throws {
        let catalog = try ItemCatalog.read(TestData.movieLens100k.appendingPathComponent("u.item"))
        #expect(catalog.count == 1682)
        #expect(catalog.title(of: "1") == "Toy Story (1995)")
        #expect(catalog.genres["1"] == ["Animation", "Children's", "Comedy"])
        // Latin-1 titles decode to their accented letters.
        #expect(catalog.titles.values.contains { $0.contains("é") })
        let features = try ItemFeatures.read(TestData.movieLens100k.appendingPathComponent("u.item"))
        #expect(features.items.count == 1682 && features.names.count == 19)
    }
}

@Suite struct ItemFeaturesTests {
    @Test func readsFeaturesWithAndWithoutHeader() throws {
        let withHeader = try ItemFeatures.read(csvText: "item,year,length\na,1.5,2\nb,0,-3\n")
        #expect(withHeader.items.ids == ["a", "b"])
        #expect(withHeader.names == ["year", "length"])
        #expect(withHeader.values.storage == [1.5, 2, 0, -3])
        let bare = try ItemFeatures.read(csvText: "a,1,0,1\nb,0,1,0\n")
        #expect(bare.names == ["feature1", "feature2", "feature3"])
        #expect(bare.values.row(1) == [0, 1, 0])
    }

    @Test func readsFromAFile() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("f.csv")
        try "i1,0.5\ni2,1\n".write(to: url, atomically: true, encoding: .utf8)
        let features = try ItemFeatures.read(csv: url)
        #expect(features.values.storage == [0.5, 1])
        #expect(try ItemFeatures.read(url).items.ids == ["i1", "i2"])
        // movies.csv with its header gives its genres as features.
        let movies = dir.appendingPathComponent("movies.csv")
        try "movieId,title,genres\n1,\"A, The (1990)\",Drama|War\n2,B (1991),Comedy\n".write(to: movies, atomically: true, encoding: .utf8)
        let genres = try ItemFeatures.read(movies)
        #expect(genres.names == ["Comedy", "Drama", "War"])
        #expect(genres.values.storage == [0, 1, 1, 1, 0, 0])
    }

    @Test func badFeatureFilesNameLineAndField() {
        #expect(dataError { _ = try ItemFeatures.read(csvText: "item,x,y\na,1,2\nb,1,zz\n", name: "f") }
                == .malformed(file: "f", line: 3, field: "y", reason: "'zz' is not a number"))
        #expect(dataError { _ = try ItemFeatures.read(csvText: "a,1,2\nb,1\n", name: "f") }
                == .malformed(file: "f", line: 2, field: "feature2", reason: "the line has 1 feature, expected 2"))
        #expect(dataError { _ = try ItemFeatures.read(csvText: "a,1\nb,nan\n", name: "f") }
                == .malformed(file: "f", line: 2, field: "feature1", reason: "'nan' is not a finite number"))
        #expect(dataError { _ = try ItemFeatures.read(csvText: "a,1\na,2\n", name: "f") }
                == .malformed(file: "f", line: 2, field: "item", reason: "duplicate identifier 'a' (first on line 1)"))
        #expect(dataError { _ = try ItemFeatures.read(csvText: "item,x\n", name: "f") } == .empty(file: "f"))
    }
}

@Suite struct DatasetSummaryTests {
    @Test func summarizesSizesDensityHistogramAndDuplicates() throws {
        let (set, _) = try RatingReader.read(text: "u1 a 4\nu1 b 5\nu2 a 4\nu2 a 3.5\nu3 c 1\n")
        let s = DatasetSummary(set)
        #expect(s.users == 3 && s.items == 3 && s.ratings == 4 && s.observations == 5 && s.duplicates == 1)
        #expect(s.density == 4.0 / 9.0)
        #expect(s.minRating == 1 && s.maxRating == 5)
        let mean: Double = (4 + 5 + 3.5 + 1) / 4
        #expect(s.meanRating == mean)
        let bins: [DatasetSummary.Bin] = [.init(value: 1, count: 1), .init(value: 3.5, count: 1), .init(value: 4, count: 1), .init(value: 5, count: 1)]
        #expect(s.histogram == bins)
        #expect(s.ratingsPerUser.min == 1 && s.ratingsPerUser.median == 1 && s.ratingsPerUser.max == 2)
        #expect(s.ratingsPerItem.min == 1 && s.ratingsPerItem.median == 1 && s.ratingsPerItem.max == 2)
        let averaged: Double = (4 + 5 + 3.75 + 1) / 4
        #expect(DatasetSummary(set, duplicates: .average).meanRating == averaged)
    }

    @Test(.enabled(if: TestData.hasMovieLens, "needs MovieLens 100k in ../shared/data/ml-100k"))
    func movieLens100kFigures() throws {
        let s = DatasetSummary(try RatingReader.read(TestData.movieLens100k.appendingPathComponent("u.data")).0)
        #expect(s.users == 943 && s.items == 1682 && s.ratings == 100_000)
        #expect(s.histogram.map(\.count) == [6110, 11370, 27145, 34174, 21201])
        #expect(s.ratingsPerUser.min == 20)
    }
}
