import Foundation
import Testing
@testable import Latent

/// The (user, item, value) triples of a set, by identifier, in input order.
func triples(_ set: RatingSet) -> [String] {
    (0..<set.count).map { n in "\(set.users[Int(set.userIndices[n])]) \(set.items[Int(set.itemIndices[n])]) \(set.values[n])" }
}

/// The error `body` throws, as a DataError.
func dataError(_ body: () throws -> Void) -> DataError? {
    do {
        try body()
        return nil
    } catch let error as DataError {
        return error
    } catch {
        return nil
    }
}

@Suite struct DataReaderFormatTests {
    @Test func readsMovieLens100kTabLinesWithTimestamps() throws {
        let (set, report) = try RatingReader.read(text: "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t377\t1\t878887116\n")
        #expect(report.format == .movielens100k)
        #expect(triples(set) == ["196 242 3.0", "186 302 3.0", "196 377 1.0"])
        #expect(set.users.ids == ["196", "186"])
        #expect(set.items.ids == ["242", "302", "377"])
        #expect(set.timestamps == [881250949, 891717742, 878887116])
    }

    @Test func readsMovieLensDatLines() throws {
        let (set, report) = try RatingReader.read(text: "1::1193::5::978300760\n1::661::3::978302109\n2::1193::4::978298413\n")
        #expect(report.format == .movielensDat)
        #expect(triples(set) == ["1 1193 5.0", "1 661 3.0", "2 1193 4.0"])
        #expect(set.timestamps == [978300760, 978302109, 978298413])
    }

    @Test func readsMovieLensCSVWithHeaderAndHalfStars() throws {
        let text = "userId,movieId,rating,timestamp\n1,1,4.0,964982703\n1,3,4.5,964981247\n2,6,0.5,964982224\n"
        let (set, report) = try RatingReader.read(text: text)
        #expect(report.format == .movielensCSV)
        #expect(triples(set) == ["1 1 4.0", "1 3 4.5", "2 6 0.5"])
        #expect(report.lineCount == 4)
        // The fixed format gives the same.
        let (fixed, _) = try RatingReader.read(text: text, format: .movielensCSV)
        #expect(triples(fixed) == triples(set))
    }

    @Test func aFormatWithAHeaderDoesNotDropTheFirstRatingOfAFileWithout() throws {
        let (set, _) = try RatingReader.read(text: "1,2,4.5\n1,3,3\n", format: .movielensCSV)
        #expect(triples(set) == ["1 2 4.5", "1 3 3.0"])
    }

    @Test func readsLibMFWhitespaceLines() throws {
        let (set, report) = try RatingReader.read(text: "0 5 3.5\n0   7\t2\n  1 5 4\n")
        #expect(report.format == .libmf)
        #expect(triples(set) == ["0 5 3.5", "0 7 2.0", "1 5 4.0"])
        #expect(set.timestamps == nil)
    }

    @Test func readsTwoColumnInteractionsAsOnes() throws {
        for text in ["u1 a\nu1 b\nu2 a\n", "u1,a\nu1,b\nu2,a\n", "user,item\nu1,a\nu1,b\nu2,a\n", "u1\ta\nu1\tb\nu2\ta\n"] {
            let (set, report) = try RatingReader.read(text: text)
            #expect(report.layout?.ratingColumn == nil, "\(text)")
            #expect(triples(set) == ["u1 a 1.0", "u1 b 1.0", "u2 a 1.0"], "\(text)")
        }
    }

    @Test func readsWeightedInteractions() throws {
        let (set, _) = try RatingReader.read(text: "u1 a 12\nu2 a 0.25\n")
        #expect(triples(set) == ["u1 a 12.0", "u2 a 0.25"])
    }

    @Test func headerNamesSetTheColumnOrder() throws {
        let (set, report) = try RatingReader.read(text: "movieId;rating;userId\n10;4;alice\n11;2;bob\n")
        #expect(report.layout == DelimitedLayout(separator: .string(";"), userColumn: 2, itemColumn: 0, ratingColumn: 1,
                                                 timestampColumn: nil, hasHeader: true))
        #expect(triples(set) == ["alice 10 4.0", "bob 11 2.0"])
    }

    @Test func genericLayoutPicksColumns() throws {
        let layout = try #require(DelimitedLayout(separator: .string("|"), columns: "rating,-,item,user", hasHeader: true))
        let (set, _) = try RatingReader.read(text: "r|x|i|u\n5|zz|i1|u1\n3|zz|i2|u1\n", layout: layout)
        #expect(triples(set) == ["u1 i1 5.0", "u1 i2 3.0"])
        #expect(DelimitedLayout(separator: .whitespace, columns: "user,rating") == nil)
        #expect(DelimitedLayout.Separator(name: "tab") == .string("\t"))
        #expect(DelimitedLayout.Separator(name: "space") == .whitespace)
        #expect(DelimitedLayout.Separator(name: "::") == .string("::"))
    }

    @Test func stringIdentifiersBlankLinesCommentsCRLFAndBOMAreHandled() throws {
        let text = "\u{FEFF}# a comment\r\nu-17,item/1,5\r\n\r\n  \r\n\"u-18\", item/2 ,4\r\nu-17,007,3\r\nu-17,7,2\r\n"
        let (set, _) = try RatingReader.read(text: text)
        #expect(triples(set) == ["u-17 item/1 5.0", "u-18 item/2 4.0", "u-17 007 3.0", "u-17 7 2.0"])
        // "007" and "7" are different identifiers.
        #expect(set.items.count == 4)
    }

    @Test func aHeaderMayFollowCommentsAndBlankLines() throws {
        let (set, report) = try RatingReader.read(text: "# exported 2024\n\nuserId,movieId,rating\n1,2,3.5\n")
        #expect(report.layout?.hasHeader == true)
        #expect(triples(set) == ["1 2 3.5"])
    }

    @Test func equivalentUnicodeIdentifiersAreOneAndLatin1BytesStayDistinct() throws {
        // A precomposed and a decomposed "é" are the same Swift string, so the same user.
        let (set, _) = try RatingReader.read(text: "caf\u{E9} a 1\ncafe\u{301} b 2\nx a 3\n")
        #expect(set.users.ids == ["caf\u{E9}", "x"])
        #expect(set.userIndices == [0, 0, 1])
        // Bytes that are not UTF-8 are read as ISO-8859-1: 0xE9 and 0xE8 stay two users.
        var bytes = Array("caf\u{1} a 1\ncaf\u{2} a 2\n".utf8)
        bytes[bytes.firstIndex(of: 1)!] = 0xE9
        bytes[bytes.firstIndex(of: 2)!] = 0xE8
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("latin1.txt")
        try Data(bytes).write(to: url)
        let (latin1, _) = try RatingReader.read(url)
        #expect(latin1.users.ids == ["café", "cafè"])
    }

    @Test func largeNumericIdentifiersMixWithSmallOnes() throws {
        let text = "900000000000 5 1\n70000 5 2\n3 99999999 3\n900000000000 99999999 4\n70000 6 5\n123456789012345678901 5 1\n"
        let (set, _) = try RatingReader.read(text: text)
        #expect(set.users.ids == ["900000000000", "70000", "3", "123456789012345678901"])
        #expect(set.items.ids == ["5", "99999999", "6"])
        #expect(set.userIndices == [0, 1, 2, 0, 1, 3] && set.itemIndices == [0, 0, 1, 1, 2, 0])
    }

    @Test func detectionLooksPastACommentToTheFields() {
        #expect(RatingReader.detectLayout(lines: ["# users and items", "a b"]).ratingColumn == nil)
        #expect(RatingReader.detectLayout("1::2::3") == RatingFileFormat.movielensDat.layout)
        #expect(RatingReader.detectLayout("1\t2\t3") == RatingFileFormat.movielens100k.layout)
        #expect(RatingReader.detectLayout(lines: ["user_id,item_id,rating", "1,2,3"]).hasHeader)
        #expect(!RatingReader.detectLayout(lines: ["1,2,3", "1,3,4"]).hasHeader)
    }

    @Test func readsFilesAndTheirTimestamps() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("r.dat")
        try "1::10::5::100\n2::10::4::200\n".write(to: url, atomically: true, encoding: .utf8)
        let (set, report) = try RatingReader.read(url, format: .auto)
        #expect(report.format == .movielensDat)
        #expect(triples(set) == ["1 10 5.0", "2 10 4.0"])
        #expect(set.timestamps == [100, 200])
    }

    @Test func parallelChunksGiveTheSequentialResult() throws {
        // Over 4 MiB, so the reader cuts the input into chunks; ids repeat across chunk borders.
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("big.txt")
        var text = ""
        var rng = SeededGenerator(seed: 3)
        for n in 0..<400_000 {
            let u = rng.nextInt(below: 5000), i = rng.nextInt(below: 3000)
            text += (n % 7 == 0 ? "user\(u)" : "\(u)") + " " + (n % 5 == 0 ? "0\(i)" : "\(i)") + " \(1 + rng.nextInt(below: 5))\n"
        }
        try text.write(to: url, atomically: true, encoding: .utf8)
        #expect(text.utf8.count > 1 << 22)
        let (one, _) = try RatingReader.read(url, options: ReadOptions(threads: 1))
        for threads in [2, 3, 8] {
            let (many, _) = try RatingReader.read(url, options: ReadOptions(threads: threads))
            #expect(many.users == one.users && many.items == one.items)
            #expect(many.userIndices == one.userIndices && many.itemIndices == one.itemIndices && many.values == one.values)
        }
        #expect(one.count == 400_000)
    }

    @Test func timestampsAndHeadersSurviveChunking() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("ratings.csv")
        var text = "userId,movieId,rating,timestamp\n"
        for n in 0..<300_000 { text += "\(n % 4000),\(n % 1234),\(1 + n % 5).5,\(1_000_000 + n)\n" }
        try text.write(to: url, atomically: true, encoding: .utf8)
        let (one, report) = try RatingReader.read(url, options: ReadOptions(threads: 1))
        let (many, _) = try RatingReader.read(url, options: ReadOptions(threads: 4))
        #expect(report.format == .movielensCSV)
        #expect(one.count == 300_000 && one.timestamps == (0..<300_000).map { 1_000_000 + Int64($0) })
        #expect(many.timestamps == one.timestamps && many.values == one.values && many.userIndices == one.userIndices)
    }

    @Test func errorsInLaterChunksNameTheirLineInTheWholeFile() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("big.txt")
        var lines = (0..<500_000).map { "\($0 % 1000) \($0 % 777) 3" }
        lines[400_000] = "1 2 x"
        lines[450_000] = "1 2 y"
        try (lines.joined(separator: "\n") + "\n").write(to: url, atomically: true, encoding: .utf8)
        let error = dataError { _ = try RatingReader.read(url, options: ReadOptions(threads: 4)) }
        #expect(error == .malformed(file: url.path, line: 400_001, field: "rating", reason: "'x' is not a number"))
        let (set, report) = try RatingReader.read(url, options: ReadOptions(skipInvalid: true, threads: 4))
        #expect(set.count == 499_998)
        #expect(report.skippedLines == 2)
        #expect(report.firstSkipped?.line == 400_001)
    }
}

@Suite struct DataReaderErrorTests {
    @Test func aLineWithTooFewFieldsNamesTheMissingField() {
        let e = dataError { _ = try RatingReader.read(text: "1\t2\t3\n1\t2\n", name: "u.data", format: .movielens100k) }
        #expect(e == .malformed(file: "u.data", line: 2, field: "rating", reason: "missing: found 2 fields separated by tab, expected 3"))
        #expect(e?.description == "u.data:2: rating: missing: found 2 fields separated by tab, expected 3")
        let e2 = dataError { _ = try RatingReader.read(text: "1 2 3\n5\n", name: "f") }
        #expect(e2 == .malformed(file: "f", line: 2, field: "item", reason: "missing: found 1 field separated by whitespace, expected 3"))
        // A CSV file read as tab-separated says which separator it looked for.
        let e3 = dataError { _ = try RatingReader.read(text: "1,2,3\n", name: "f", format: .movielens100k) }
        #expect(e3 == .malformed(file: "f", line: 1, field: "item", reason: "missing: found 1 field separated by tab, expected 3"))
    }

    @Test func anEmptyIdentifierIsAnError() {
        #expect(dataError { _ = try RatingReader.read(text: "1,2,3\n,2,3\n", name: "f") }
                == .malformed(file: "f", line: 2, field: "user", reason: "empty identifier"))
        #expect(dataError { _ = try RatingReader.read(text: "1,2,3\n1,\"\",3\n", name: "f") }
                == .malformed(file: "f", line: 2, field: "item", reason: "empty identifier"))
    }

    @Test func nonNumericAndNonFiniteRatingsAreErrors() {
        #expect(dataError { _ = try RatingReader.read(text: "1 2 3\n1 3 4\n1 4 five\n", name: "f") }
                == .malformed(file: "f", line: 3, field: "rating", reason: "'five' is not a number"))
        for bad in ["nan", "NaN", "inf", "-inf", "1e40"] {
            #expect(dataError { _ = try RatingReader.read(text: "1 2 3\n1 3 \(bad)\n", name: "f") }
                    == .malformed(file: "f", line: 2, field: "rating", reason: "'\(bad)' is not a finite number"), "\(bad)")
        }
        #expect(dataError { _ = try RatingReader.read(text: "1,2,3\n1,3,\n", name: "f") }
                == .malformed(file: "f", line: 2, field: "rating", reason: "empty, expected a number"))
        #expect(dataError { _ = try RatingReader.read(text: "1 2 4.5.1\n", name: "f") }
                == .malformed(file: "f", line: 1, field: "rating", reason: "'4.5.1' is not a number"))
    }

    @Test func aHeaderReadAsDataGetsAHint() {
        #expect(dataError { _ = try RatingReader.read(text: "\nuser item rating\n1 2 3\n", name: "f", format: .libmf) }
                == .malformed(file: "f", line: 2, field: "rating",
                              reason: "'rating' is not a number (if this line is a header, read with a layout that has one)"))
    }

    @Test func ratingsOutsideAnExplicitScaleAreErrors() throws {
        let options = ReadOptions(ratingScale: 1...5)
        #expect(dataError { _ = try RatingReader.read(text: "1 2 3\n1 3 7\n", name: "f", options: options) }
                == .malformed(file: "f", line: 2, field: "rating", reason: "7 is outside the rating scale 1...5"))
        #expect(dataError { _ = try RatingReader.read(text: "1 2 0.5\n", name: "f", options: ReadOptions(ratingScale: 1...5)) }
                == .malformed(file: "f", line: 1, field: "rating", reason: "0.5 is outside the rating scale 1...5"))
        // The bounds themselves are in the scale, and without a scale any finite rating is accepted.
        #expect(try RatingReader.read(text: "1 2 1\n1 3 5\n", options: options).0.count == 2)
        #expect(try RatingReader.read(text: "1 2 -40\n").0.values == [-40])
    }

    @Test func aBadTimestampIsAnError() {
        #expect(dataError { _ = try RatingReader.read(text: "1\t2\t3\t881250949\n1\t3\t4\tyesterday\n", name: "u.data") }
                == .malformed(file: "u.data", line: 2, field: "timestamp", reason: "'yesterday' is not a whole number"))
    }

    @Test func lineNumbersCountHeaderBlankAndCommentLines() {
        let text = "userId,movieId,rating,timestamp\n\n# note\n1,2,3.5,10\n1,3,x,11\n"
        #expect(dataError { _ = try RatingReader.read(text: text, name: "ratings.csv") }
                == .malformed(file: "ratings.csv", line: 5, field: "rating", reason: "'x' is not a number"))
    }

    @Test func emptyInputsAreErrors() {
        #expect(dataError { _ = try RatingReader.read(text: "", name: "f") } == .empty(file: "f"))
        #expect(dataError { _ = try RatingReader.read(text: "\n\n# nothing\n", name: "f") } == .empty(file: "f"))
        #expect(dataError { _ = try RatingReader.read(text: "userId,movieId,rating,timestamp\n", name: "f") } == .empty(file: "f"))
        #expect(DataError.empty(file: "f").description == "f: the file has no ratings")
    }

    @Test func unreadableFilesAreErrors() throws {
        let dir = TestData.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("missing.data")
        #expect(dataError { _ = try RatingReader.read(missing) } == .unreadable(file: missing.path, reason: "no such file"))
        #expect(dataError { _ = try RatingReader.read(dir) } == .unreadable(file: dir.path, reason: "is a directory, not a file"))
        let empty = dir.appendingPathComponent("empty.data")
        try Data().write(to: empty)
        #expect(dataError { _ = try RatingReader.read(empty) } == .empty(file: empty.path))
    }

    @Test func skipInvalidSkipsAndCountsBadLines() throws {
        let text = "1 2 3\n1 3 x\n\n2\n2 2 nan\n3 3 4\n"
        let (set, report) = try RatingReader.read(text: text, name: "f", options: ReadOptions(skipInvalid: true))
        #expect(triples(set) == ["1 2 3.0", "3 3 4.0"])
        #expect(report.skippedLines == 3)
        #expect(report.firstSkipped == .malformed(file: "f", line: 2, field: "rating", reason: "'x' is not a number"))
        // Skipped lines add no identifiers.
        #expect(set.users.ids == ["1", "3"])
    }

    @Test func skipInvalidWithNothingValidSaysSo() {
        let e = dataError { _ = try RatingReader.read(text: "a b 1x\nd e f\n", name: "f", options: ReadOptions(skipInvalid: true)) }
        let first = DataError.malformed(file: "f", line: 1, field: "rating", reason: "'1x' is not a number")
        #expect(e == .noValidLines(file: "f", skipped: 2, first: first))
        #expect(e?.description == "f: none of the 2 data lines is valid; the first error: f:1: rating: '1x' is not a number")
    }
}

@Suite struct RatingMatrixDuplicateTests {
    let text = "u1 a 1\nu2 a 5\nu1 b 2\nu1 a 3\nu1 a 4\n"

    @Test func keepsTheLastByDefaultAndCountsDuplicates() throws {
        let m = RatingMatrix(try RatingReader.read(text: text).0)
        #expect(m.count == 3)
        #expect(m.duplicateCount == 2)
        let u1 = try #require(m.users.index(of: "u1")), a = try #require(m.items.index(of: "a"))
        let k = try #require(m.byUser.range(of: u1).first { m.byUser.indices[$0] == Int32(a) })
        #expect(m.byUser.values[k] == 4)
    }

    @Test func otherPoliciesFoldAsDocumented() throws {
        let set = try RatingReader.read(text: text).0
        func value(_ policy: DuplicatePolicy) -> Float {
            let m = RatingMatrix(set, duplicates: policy)
            let u = m.users.index(of: "u1")!, i = Int32(m.items.index(of: "a")!)
            return m.byUser.values[m.byUser.range(of: u).first { m.byUser.indices[$0] == i }!]
        }
        #expect(value(.keepFirst) == 1)
        #expect(value(.average) == Float(1 + 3 + 4) / 3)
        #expect(value(.sum) == 8)
        #expect(RatingMatrix(set, duplicates: .sum).duplicateCount == 2)
    }
}

@Suite struct MovieLensReadingTests {
    @Test(.enabled(if: TestData.hasMovieLens, "needs MovieLens 100k in ../shared/data/ml-100k"))
    func readsMovieLens100kUData() throws {
        let (set, report) = try RatingReader.read(TestData.movieLens100k.appendingPathComponent("u.data"))
        #expect(report.format == .movielens100k)
        #expect(set.count == 100_000)
        let m = RatingMatrix(set)
        #expect(m.userCount == 943 && m.itemCount == 1682 && m.count == 100_000 && m.duplicateCount == 0)
        #expect(set.valueRange == 1...5)
        #expect(set.timestamps?.count == 100_000)
    }
}
