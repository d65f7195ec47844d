import Foundation
import Testing
@testable import Latent

/// Issue 8, class 2: detection never turns a rating file into something else, and every format rejects the lines
/// that do not match it, with the line number.
@Suite struct StrictFormatTests {
    @Test func aMalformedFirstLineDoesNotMakeARatingFileAnInteractionFile() {
        // Before: the first line's two fields made every rating 1.
        #expect(dataError { _ = try RatingReader.read(text: "1 2\n1 3 4\n2 3 5\n2 4 1\n", name: "f") }
                == .malformed(file: "f", line: 1, field: "rating", reason: "missing: found 2 fields separated by whitespace, expected 3"))
        #expect(dataError { _ = try RatingReader.read(text: "1,2\n1,3,4\n2,3,5\n", name: "f") }
                == .malformed(file: "f", line: 1, field: "rating", reason: "missing: found 2 fields separated by ',', expected 3"))
    }

    @Test func aMalformedFirstLineIsNotSwallowedAsAHeader() {
        let hint = " (if this line is a header, read with a layout that has one)"
        #expect(dataError { _ = try RatingReader.read(text: "1,2,x\n1,3,4\n2,3,5\n", name: "f") }
                == .malformed(file: "f", line: 1, field: "rating", reason: "'x' is not a number" + hint))
        // A format with a header reads a first line holding numbers as data, and checks it.
        #expect(dataError { _ = try RatingReader.read(text: "1,2,x,5\n1,3,4,6\n", name: "f", format: .movielensCSV) }
                == .malformed(file: "f", line: 1, field: "rating", reason: "'x' is not a number"))
        // Headers are still recognized: by their names, or anywhere a first line has no number and names a column.
        #expect(RatingReader.detectLayout(lines: ["user item rating", "1 2 3"]).hasHeader)
        #expect(RatingReader.detectLayout(lines: ["userId,movieId,rating,timestamp", "1,2,3,4"]) == RatingFileFormat.movielensCSV.layout)
        #expect(!RatingReader.detectLayout(lines: ["alice bob five", "carol dan 3"]).hasHeader)
    }

    @Test func oneLineDoesNotDecideTheSeparator() throws {
        // A tab inside a white-space file, a first line with another separator.
        #expect(RatingReader.detectLayout(lines: ["0 5 3", "0   7\t2", "1 5 4"]) == RatingFileFormat.libmf.layout)
        #expect(dataError { _ = try RatingReader.read(text: "1 2 3\n1,3,4\n2,3,5\n", name: "f") }
                == .malformed(file: "f", line: 1, field: "item", reason: "missing: found 1 field separated by ',', expected 3"))
    }

    @Test func aLineWithMoreFieldsThanTheFormatIsAnError() {
        // Before: the fifth field was dropped.
        #expect(dataError { _ = try RatingReader.read(text: "1\t2\t3\t4\n1\t2\t3\t4\t5\n", name: "u.data") }
                == .malformed(file: "u.data", line: 2, field: "fields", reason: "found 5 fields separated by tab, expected 3 or 4"))
        #expect(dataError { _ = try RatingReader.read(text: "1::2::3::4::\n", name: "r.dat", format: .movielensDat) }
                == .malformed(file: "r.dat", line: 1, field: "fields", reason: "found 5 fields separated by '::', expected 3 or 4"))
        // An interaction file has exactly two fields.
        #expect(dataError { _ = try RatingReader.read(text: "a b\nc d\na d\nb c 5\n", name: "f") }
                == .malformed(file: "f", line: 4, field: "fields", reason: "found 3 fields separated by whitespace, expected 2 (an identifier cannot contain a space)"))
    }

    @Test func aLibMFIdentifierWithASpaceIsAnErrorNotATimestamp() {
        // Before: "john smith 5 3" was user john, item smith, rating 5, timestamp 3.
        #expect(dataError { _ = try RatingReader.read(text: "john smith 5 3\nalice 1 4\nbob 2 3\n", name: "f") }
                == .malformed(file: "f", line: 1, field: "fields",
                              reason: "found 4 fields separated by whitespace, expected 3 (an identifier cannot contain a space)"))
        #expect(dataError { _ = try RatingReader.read(text: "a 1 4\n\"b c\" 2 3\n", name: "f", format: .libmf) }?.line == 2)
    }

    @Test func onlyDecimalNumbersAreRatings() throws {
        for bad in ["0x10", "0x1p3", "1_000", "4,5", "1e", "--1", "."] {
            #expect(dataError { _ = try RatingReader.read(text: "1 2 3\n1 3 \(bad)\n", name: "f") }
                    == .malformed(file: "f", line: 2, field: "rating", reason: "'\(bad)' is not a number"), "\(bad)")
        }
        let (set, _) = try RatingReader.read(text: "1 2 +3\n1 3 .5\n1 4 1e1\n1 5 -2.25\n1 6 7.\n")
        #expect(set.values == [3, 0.5, 10, -2.25, 7])
        #expect(RatingReader.parseFloat("INF") == .infinity && RatingReader.parseFloat("-Infinity") == -.infinity)
        #expect(RatingReader.parseFloat("NaN")?.isNaN == true && RatingReader.parseFloat("nane") == nil)
    }

    @Test func featureFilesAreStrictToo() {
        // Before: a first line with a bad number became a header naming the features "0" and "x".
        #expect(throws: DataError.malformed(file: "f", line: 1, field: "feature2", reason: "'x' is not a number")) {
            _ = try ItemFeatures.read(csvText: "1,0,x\n2,1,0\n", name: "f")
        }
        #expect(throws: DataError.malformed(file: "f", line: 2, field: "feature1", reason: "'0x10' is not a number")) {
            _ = try ItemFeatures.read(csvText: "1,0,1\n2,0x10,0\n", name: "f")
        }
        // A u.item file with a broken first line is reported as one, not read as a one-column CSV.
        #expect(throws: DataError.malformed(file: "u.item", line: 1, field: "format", reason: ItemCatalog.formatHelp)) {
            _ = try ItemFeatures.read(data: Data("1|Toy Story|0|1\n".utf8), name: "u.item")
        }
    }

    @Test func detectedInteractionFilesSayTheyAre() throws {
        let (_, report) = try RatingReader.read(text: "a b\nc d\n")
        #expect(report.layout?.ratingColumn == nil)
        #expect(report.layout?.description == "user,item separated by whitespace")
    }
}
