import Foundation
import Testing
@testable import Latent

@Suite struct ModelFileTests {
    @Test func archiveRoundTripsThroughBytes() throws {
        var a = ModelArchive(kind: "k", model: "m", parameters: ["x": "1", "é": "ü"])
        a.strings["s"] = ["a", "", "ü"]
        a.floats["f"] = [1.5, -2, .pi]
        a.int32s["i"] = [1, -7, Int32.max]
        a.int64s["l"] = [0, Int64.min]
        let decoded = try ModelFile.decode(ModelFile.encode(a))
        #expect(decoded == a)
    }

    @Test func factorModelRoundTripsThroughAFile() throws {
        let model = CoreModelTests.handModel()
        let dir = TestData.temporaryDirectory()
        let url = dir.appendingPathComponent("hand.latent")
        try model.save(to: url)
        let loaded = try ModelRegistry.load(from: url)
        #expect(loaded.name == "hand")
        for (u, i) in [("u1", "a"), ("u2", "d"), ("x", "b")] {
            #expect(loaded.predict(user: u, item: i) == model.predict(user: u, item: i))
        }
        #expect(try loaded.recommend(user: "u1").map(\.id) == ["b", "d"])
        // Written atomically: nothing else is left in the folder.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["hand.latent"])
    }

    @Test func everyTruncationIsRefused() throws {
        let bytes = ModelFile.encode(CoreModelTests.handModel().archive())
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 97)) {
            #expect(throws: ModelFileError.self) { try ModelFile.decode(Array(bytes[0..<cut])) }
        }
    }

    @Test func aFlippedByteIsReportedAsCorruption() {
        var bytes = ModelFile.encode(CoreModelTests.handModel().archive())
        bytes[bytes.count / 2] ^= 0x40
        #expect(throws: ModelFileError.checksumMismatch(path: "model")) { try ModelFile.decode(bytes) }
    }

    @Test func aNewerVersionAndAForeignFileAreRefused() {
        var bytes = ModelFile.encode(CoreModelTests.handModel().archive())
        bytes[8] = 99
        #expect(throws: ModelFileError.unsupportedVersion(path: "model", found: 99, supported: ModelFile.formatVersion)) {
            try ModelFile.decode(bytes)
        }
        #expect(throws: ModelFileError.notAModelFile(path: "model")) { try ModelFile.decode(Array("196\t242\t3\n".utf8)) }
    }

    @Test func anInconsistentArchiveIsRefusedNotCrashed() throws {
        var a = CoreModelTests.handModel().archive()
        a.floats["item_bias"] = [1, 2] // four items
        #expect(throws: ModelFileError.self) { try ModelRegistry.model(from: a) }
        var b = CoreModelTests.handModel().archive()
        b.int32s["domain.seen.items"] = [0, 1, 2, 99]
        #expect(throws: ModelFileError.self) { try ModelRegistry.model(from: b) }
        var c = CoreModelTests.handModel().archive()
        c.kind = "quantum"
        #expect(throws: ModelFileError.unknownKind("quantum")) { try ModelRegistry.model(from: c) }
    }

    /// Files written before hyperparameters were renamed (`sweeps`, `lambda`) and before the task was stored: an
    /// `als` model (2 sweeps, 1 factor) and an `ease` model (lambda 2) trained by that build on a 2-user, 3-item file.
    static let oldALS = """
        TEFURU5UTUYBAAAA3wIAAAAAAAAHAAAAZmFjdG9ycwMAAABhbHMIAAAAEwAAAGJpYXMtcmVndWxhcml6YXRpb24DAAAAMC4zBwAA
        AGZhY3RvcnMBAAAAMQoAAABpbml0LXNjYWxlAwAAADAuMQ4AAAByZWd1bGFyaXphdGlvbgMAAAAxLjIGAAAAc29sdmVyCAAAAGNo
        b2xlc2t5BgAAAHN3ZWVwcwEAAAAyDwAAAHdlaWdodC1leHBvbmVudAMAAAAwLjUIAAAAd2VpZ2h0ZWQEAAAAdHJ1ZQ4AAAABDAAA
        AGRvbWFpbi5pdGVtcwMAAAAAAAAAAQAAAHgBAAAAeQEAAAB6AQwAAABkb21haW4udXNlcnMCAAAAAAAAAAEAAABhAQAAAGICDAAA
        AGRvbWFpbi5zY2FsZQIAAAAAAAAAAACAPwAAoEACEgAAAGRvbWFpbi5zZWVuLnZhbHVlcwQAAAAAAAAAAACAQAAAAEAAAKBAAACA
        PwINAAAAZm9sZF9pbi5yaWRnZQEAAAAAAAAAkML1PQIJAAAAaXRlbV9iaWFzAwAAAAAAAAAfoqI/pssdv2mL0L8CDAAAAGl0ZW1f
        ZmFjdG9ycwMAAAAAAAAA+DoSPD2AFDkRuyS8AgIAAABtdQEAAAAAAAAAMII9QAIJAAAAdXNlcl9iaWFzAgAAAAAAAACZmSO+KPsg
        PgIMAAAAdXNlcl9mYWN0b3JzAgAAAAAAAADA63C6UzfKPAMRAAAAZG9tYWluLnNlZW4uaXRlbXMEAAAAAAAAAAAAAAABAAAAAAAA
        AAIAAAAEEwAAAGRvbWFpbi5zZWVuLm9mZnNldHMDAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAAEAAAAAAAAAAQSAAAAaXRlbV9mYWN0
        b3JzLnNoYXBlAgAAAAAAAAADAAAAAAAAAAEAAAAAAAAABBIAAAB1c2VyX2ZhY3RvcnMuc2hhcGUCAAAAAAAAAAIAAAAAAAAAAQAA
        AAAAAABr9SS2hlGHUA==
        """.filter { !$0.isWhitespace }
    static let oldEASE = """
        TEFURU5UTUYBAAAAlwEAAAAAAAAEAAAAZWFzZQQAAABlYXNlAgAAAAYAAABsYW1iZGEDAAAAMi4wCAAAAHdlaWdodGVkBQAAAGZh
        bHNlCAAAAAEMAAAAZG9tYWluLml0ZW1zAwAAAAAAAAABAAAAeAEAAAB5AQAAAHoBDAAAAGRvbWFpbi51c2VycwIAAAAAAAAAAQAA
        AGEBAAAAYgIBAAAAYgkAAAAAAAAAAAAAAOmiiz7poos+q6qqPgAAAACMLrq9q6qqPowuur0AAAAAAhIAAABkb21haW4uc2Vlbi52
        YWx1ZXMEAAAAAAAAAAAAgD8AAIA/AACAPwAAgD8CCgAAAHBvcHVsYXJpdHkDAAAAAAAAAAAAgD8AAAA/AAAAPwMRAAAAZG9tYWlu
        LnNlZW4uaXRlbXMEAAAAAAAAAAAAAAABAAAAAAAAAAIAAAAEBwAAAGIuc2hhcGUCAAAAAAAAAAMAAAAAAAAAAwAAAAAAAAAEEwAA
        AGRvbWFpbi5zZWVuLm9mZnNldHMDAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAAEAAAAAAAAAM4n7SUKBl4D
        """.filter { !$0.isWhitespace }

    /// item-knn with `shrink` 1, as the build before `shrink` became `shrinkage` wrote it (`latent train --set shrink=1`
    /// on a, x; a, y; b, x; b, z; c, y).
    static let oldItemKNN = """
        TEFURU5UTUYBAAAAEQIAAAAAAAAKAAAAaXRlbS1ncmFwaAgAAABpdGVtLWtubgMAAAAFAAAAYWxwaGEDAAAAMC4wCQAAAG5laWdo
        Ym9ycwMAAAAxMDAGAAAAc2hyaW5rAwAAADEuMAoAAAABDAAAAGRvbWFpbi5pdGVtcwMAAAAAAAAAAQAAAHgBAAAAeQEAAAB6AQsA
        AABkb21haW4udGFzawEAAAAAAAAABwAAAHJhbmtpbmcBDAAAAGRvbWFpbi51c2VycwMAAAAAAAAAAQAAAGEBAAAAYgEAAABjAhIA
        AABkb21haW4uc2Vlbi52YWx1ZXMFAAAAAAAAAAAAgD8AAIA/AACAPwAAgD8AAIA/AgoAAABwb3B1bGFyaXR5AwAAAAAAAACrqio/
        q6oqP6uqqj4CCAAAAHcudmFsdWVzBAAAAAAAAACrqqo+q6qqPquqqj4AAAA/AxEAAABkb21haW4uc2Vlbi5pdGVtcwUAAAAAAAAA
        AAAAAAEAAAAAAAAAAgAAAAEAAAADBwAAAHcuaXRlbXMEAAAAAAAAAAEAAAACAAAAAAAAAAAAAAAEEwAAAGRvbWFpbi5zZWVuLm9m
        ZnNldHMEAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAAEAAAAAAAAAAUAAAAAAAAABAkAAAB3Lm9mZnNldHMEAAAAAAAAAAAAAAAAAAAA
        AgAAAAAAAAADAAAAAAAAAAQAAAAAAAAAPUXmyHvITyc=
        """.filter { !$0.isWhitespace }

    @Test func filesWrittenBeforeTheRenamesStillLoad() throws {
        let als = try ModelRegistry.model(from: ModelFile.decode([UInt8](try #require(Data(base64Encoded: Self.oldALS)))))
        #expect(als.hyperparameters.values["iterations"] == "2")
        #expect(als.hyperparameters.values["sweeps"] == nil)
        #expect(als.predict(user: "a", item: "z") == 1.1720601)  // what the old build predicted
        let ease = try ModelRegistry.model(from: ModelFile.decode([UInt8](try #require(Data(base64Encoded: Self.oldEASE)))))
        #expect(ease.hyperparameters.values["regularization"] == "2.0")
        #expect(ease.predict(user: "a", item: "z") == 0.18181819)
        let knn = try ModelRegistry.model(from: ModelFile.decode([UInt8](try #require(Data(base64Encoded: Self.oldItemKNN)))))
        #expect(knn.hyperparameters.values["shrinkage"] == "1.0" && knn.hyperparameters.values["shrink"] == nil)
        #expect(knn.predict(user: "c", item: "x") == 1 / Float(3))  // c_xy / (n_y + shrinkage) = 1 / (2 + 1)
        // The task, not stored then, is the model's.
        #expect(als.domain.task == .rating && ease.domain.task == .ranking)
    }

    /// cofi and biased-mf as the build before cofi's `optimizer` became `solver` and `optimizer` and `decay` became
    /// `schedule` wrote them: `latent train --factors 2 --seed 1 --threads 1 --set init-scale=0.5` on a, x, 4;
    /// a, y, 2; b, x, 5; b, z, 1; c, y, 3; c, z, 2 with `--model cofi --set optimizer=adam` (or `=cg`) `--iterations 30
    /// --set regularization=0.1`, and `--model biased-mf --set decay=0.8 --learning-rate 0.1 --iterations 30 --set
    /// regularization=0.01`.
    static let oldCofiAdam = """
        TEFURU5UTUYBAAAAOwMAAAAAAAAHAAAAZmFjdG9ycwQAAABjb2ZpCAAAAAcAAABmYWN0b3JzAQAAADIKAAAAaW5pdC1zY2FsZQMA
        AAAwLjUKAAAAaXRlcmF0aW9ucwIAAAAzMA0AAABsZWFybmluZy1yYXRlBQAAADAuMDAyEgAAAG1lYW4tbm9ybWFsaXphdGlvbgQA
        AAB0cnVlCQAAAG9wdGltaXplcgQAAABhZGFtDgAAAHJlZ3VsYXJpemF0aW9uAwAAADAuMQgAAABzY2hlZHVsZQgAAABjb25zdGFu
        dA8AAAABDAAAAGRvbWFpbi5pdGVtcwMAAAAAAAAAAQAAAHgBAAAAeQEAAAB6AQsAAABkb21haW4udGFzawEAAAAAAAAABgAAAHJh
        dGluZwEMAAAAZG9tYWluLnVzZXJzAwAAAAAAAAABAAAAYQEAAABiAQAAAGMCDAAAAGRvbWFpbi5zY2FsZQIAAAAAAAAAAACAPwAA
        oEACEgAAAGRvbWFpbi5zZWVuLnZhbHVlcwYAAAAAAAAAAACAQAAAAEAAAKBAAACAPwAAQEAAAABAAg0AAABmb2xkX2luLnJpZGdl
        AQAAAAAAAAAK1yM8AgkAAABpdGVtX2JpYXMDAAAAAAAAAFZV1T+oqqq+qqqqvwIMAAAAaXRlbV9mYWN0b3JzBgAAAAAAAAAL+fK+
        TtKzvs8gUj65z2a/DSdHviu79z0CAgAAAG11AQAAAAAAAABVVTVAAgkAAAB1c2VyX2JpYXMAAAAAAAAAAAIMAAAAdXNlcl9mYWN0
        b3JzBgAAAAAAAACxefS8Iq/lPjMmiL/y5oo/PG8QvxUGs74DEQAAAGRvbWFpbi5zZWVuLml0ZW1zBgAAAAAAAAAAAAAAAQAAAAAA
        AAACAAAAAQAAAAIAAAAEEwAAAGRvbWFpbi5zZWVuLm9mZnNldHMEAAAAAAAAAAAAAAAAAAAAAgAAAAAAAAAEAAAAAAAAAAYAAAAA
        AAAABBIAAABpdGVtX2ZhY3RvcnMuc2hhcGUCAAAAAAAAAAMAAAAAAAAAAgAAAAAAAAAEEgAAAHVzZXJfZmFjdG9ycy5zaGFwZQIA
        AAAAAAAAAwAAAAAAAAACAAAAAAAAAM1bgJMK4QAq
        """.filter { !$0.isWhitespace }
    static let oldCofiCG = """
        TEFURU5UTUYBAAAAHwMAAAAAAAAHAAAAZmFjdG9ycwQAAABjb2ZpBwAAAAcAAABmYWN0b3JzAQAAADIKAAAAaW5pdC1zY2FsZQMA
        AAAwLjUKAAAAaXRlcmF0aW9ucwIAAAAzMBIAAABtZWFuLW5vcm1hbGl6YXRpb24EAAAAdHJ1ZQkAAABvcHRpbWl6ZXICAAAAY2cO
        AAAAcmVndWxhcml6YXRpb24DAAAAMC4xCAAAAHNjaGVkdWxlCAAAAGNvbnN0YW50DwAAAAEMAAAAZG9tYWluLml0ZW1zAwAAAAAA
        AAABAAAAeAEAAAB5AQAAAHoBCwAAAGRvbWFpbi50YXNrAQAAAAAAAAAGAAAAcmF0aW5nAQwAAABkb21haW4udXNlcnMDAAAAAAAA
        AAEAAABhAQAAAGIBAAAAYwIMAAAAZG9tYWluLnNjYWxlAgAAAAAAAAAAAIA/AACgQAISAAAAZG9tYWluLnNlZW4udmFsdWVzBgAA
        AAAAAAAAAIBAAAAAQAAAoEAAAIA/AABAQAAAAEACDQAAAGZvbGRfaW4ucmlkZ2UBAAAAAAAAAArXIzwCCQAAAGl0ZW1fYmlhcwMA
        AAAAAAAAVlXVP6iqqr6qqqq/AgwAAABpdGVtX2ZhY3RvcnMGAAAAAAAAANvBNr/83AO9rXuovoxkIr+/B8U+JCcavwICAAAAbXUB
        AAAAAAAAAFVVNUACCQAAAHVzZXJfYmlhcwAAAAAAAAAAAgwAAAB1c2VyX2ZhY3RvcnMGAAAAAAAAAOAmGj9MCMU+q2Qiv9p7qD66
        1wM9zcE2vwMRAAAAZG9tYWluLnNlZW4uaXRlbXMGAAAAAAAAAAAAAAABAAAAAAAAAAIAAAABAAAAAgAAAAQTAAAAZG9tYWluLnNl
        ZW4ub2Zmc2V0cwQAAAAAAAAAAAAAAAAAAAACAAAAAAAAAAQAAAAAAAAABgAAAAAAAAAEEgAAAGl0ZW1fZmFjdG9ycy5zaGFwZQIA
        AAAAAAAAAwAAAAAAAAACAAAAAAAAAAQSAAAAdXNlcl9mYWN0b3JzLnNoYXBlAgAAAAAAAAADAAAAAAAAAAIAAAAAAAAANalssnd0
        +t8=
        """.filter { !$0.isWhitespace }
    static let oldBiasedMF = """
        TEFURU5UTUYBAAAAoQMAAAAAAAAHAAAAZmFjdG9ycwkAAABiaWFzZWQtbWYLAAAABQAAAGRlY2F5AwAAADAuOAcAAABmYWN0b3Jz
        AQAAADIKAAAAaW5pdC1zY2FsZQMAAAAwLjUYAAAAaXRlbS1iaWFzLXJlZ3VsYXJpemF0aW9uBAAAADAuMDETAAAAaXRlbS1yZWd1
        bGFyaXphdGlvbgQAAAAwLjAxCgAAAGl0ZXJhdGlvbnMCAAAAMzANAAAAbGVhcm5pbmctcmF0ZQMAAAAwLjEJAAAAb3B0aW1pemVy
        AwAAAHNnZAYAAABzb2x2ZXIDAAAAc2dkGAAAAHVzZXItYmlhcy1yZWd1bGFyaXphdGlvbgQAAAAwLjAxEwAAAHVzZXItcmVndWxh
        cml6YXRpb24EAAAAMC4wMQ8AAAABDAAAAGRvbWFpbi5pdGVtcwMAAAAAAAAAAQAAAHgBAAAAeQEAAAB6AQsAAABkb21haW4udGFz
        awEAAAAAAAAABgAAAHJhdGluZwEMAAAAZG9tYWluLnVzZXJzAwAAAAAAAAABAAAAYQEAAABiAQAAAGMCDAAAAGRvbWFpbi5zY2Fs
        ZQIAAAAAAAAAAACAPwAAoEACEgAAAGRvbWFpbi5zZWVuLnZhbHVlcwYAAAAAAAAAAACAQAAAAEAAAKBAAACAPwAAQEAAAABAAg0A
        AABmb2xkX2luLnJpZGdlAQAAAAAAAAAK1yM8AgkAAABpdGVtX2JpYXMDAAAAAAAAAMolgT8DdlK+cPZIvwIMAAAAaXRlbV9mYWN0
        b3JzBgAAAAAAAAD5lgg+uriPvsw6hL81+50/6xRRv4uG9T0CAgAAAG11AQAAAAAAAABVVTVAAgkAAAB1c2VyX2JpYXMDAAAAAAAA
        ADiJCT0pUQs+aUQbvgIMAAAAdXNlcl9mYWN0b3JzBgAAAAAAAAA1gkG+X4QcvwylIj/MkjW/iR0cvkg4Zz4DEQAAAGRvbWFpbi5z
        ZWVuLml0ZW1zBgAAAAAAAAAAAAAAAQAAAAAAAAACAAAAAQAAAAIAAAAEEwAAAGRvbWFpbi5zZWVuLm9mZnNldHMEAAAAAAAAAAAA
        AAAAAAAAAgAAAAAAAAAEAAAAAAAAAAYAAAAAAAAABBIAAABpdGVtX2ZhY3RvcnMuc2hhcGUCAAAAAAAAAAMAAAAAAAAAAgAAAAAA
        AAAEEgAAAHVzZXJfZmFjdG9ycy5zaGFwZQIAAAAAAAAAAwAAAAAAAAACAAAAAAAAAETNu5bkHqll
        """.filter { !$0.isWhitespace }

    @Test func filesWrittenBeforeSolverAndScheduleLoadAndPredictAsTrainingUnderTheNewNames() throws {
        let data = RatingMatrix(RatingSet([("a", "x", 4), ("a", "y", 2), ("b", "x", 5), ("b", "z", 1), ("c", "y", 3), ("c", "z", 2)]))
        let cofi = ["factors": "2", "init-scale": "0.5", "iterations": "30", "regularization": "0.1"]
        let cases: [(String, ModelDescriptor, [String: String], [String: String?], Float)] = [
            (Self.oldCofiAdam, .cofi, cofi.merging(["solver": "gd", "optimizer": "adam"]) { $1 },
             ["optimizer": "adam", "learning-rate": "0.002"], 4.8905473),
            (Self.oldCofiCG, .cofi, cofi.merging(["solver": "cg"]) { $1 }, ["solver": "cg", "optimizer": nil], 4.5000033),
            (Self.oldBiasedMF, .biasedMF, ["factors": "2", "init-scale": "0.5", "iterations": "30", "regularization": "0.01",
                                           "learning-rate": "0.1", "schedule": "exponential:0.8"],
             ["schedule": "exponential:0.8", "decay": nil], 3.6069512),
        ]
        for (file, descriptor, now, stored, old) in cases {
            let loaded = try ModelRegistry.model(from: ModelFile.decode([UInt8](try #require(Data(base64Encoded: file)))))
            for (name, value) in stored { #expect(loaded.hyperparameters.values[name] == value, "\(descriptor.name) \(name)") }
            #expect(loaded.predict(user: "c", item: "x") == old)  // what the old build predicted (`latent predict --json`)
            let trained = try descriptor.fit(data, hyperparameters: Hyperparameters(now), context: TrainingContext(seed: 1, ratingScale: 1...5))
            for u in ["a", "b", "c"] {
                for i in ["x", "y", "z"] { #expect(loaded.predict(user: u, item: i) == trained.predict(user: u, item: i), "\(descriptor.name)") }
            }
        }
    }

    @Test func theTaskIsStoredInTheModel() throws {
        let data = RatingMatrix(RatingSet([("a", "x", 4), ("a", "y", 2), ("b", "x", 5), ("b", "z", 1)]))
        for (descriptor, task) in [(ModelDescriptor.baseline, ModelTask.rating), (.ease, .ranking), (.bpr, .ranking)] {
            let model = try descriptor.fit(data)
            #expect(model.domain.task == task)
            #expect(try ModelRegistry.model(from: ModelFile.decode(ModelFile.encode(model.archive()))).domain.task == task)
        }
        let ratings = try ModelDescriptor.neural.fit(data, hyperparameters: Hyperparameters(["loss": "mse", "iterations": "1"]))
        #expect(ratings.domain.task == .rating)
    }
}
