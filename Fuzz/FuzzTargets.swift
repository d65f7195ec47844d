import Foundation

// libFuzzer targets for everything Latent reads from outside: built by `scripts/fuzz` with the library sources into
// one binary (the target is chosen by LATENT_FUZZ_TARGET), never part of `swift test`. Each target must end without
// a crash, a trap or a sanitizer report on any input: errors are fine, they are the readers' answer to bad input.

/// The targets by name.
let fuzzTargets: [String: (Data) -> Void] = [
    // The rating readers: detection and every fixed format, failing on the first bad line or skipping bad lines.
    "ratings": { data in
        let formats = RatingFileFormat.allCases
        let selector = Int(data.first ?? 0)
        let format = formats[selector % formats.count]
        let options = ReadOptions(skipInvalid: selector & 0x80 != 0, ratingScale: selector & 0x40 != 0 ? 1...5 : nil, threads: 1)
        _ = try? RatingReader.read(data: data.dropFirst(), name: "fuzz", format: format, options: options)
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n", maxSplits: 8).map(String.init)
        _ = RatingReader.detectLayout(lines: lines)
    },
    // The item catalogs (u.item, movies.csv, movies.dat) and the item-feature reader.
    "items": { data in
        _ = try? ItemCatalog.read(data: data, name: "fuzz")
        _ = try? ItemFeatures.read(data: data, name: "fuzz")
    },
    // The model file decoder and every model's decoder: the input as a whole file, or (first byte odd) as a body
    // wrapped in a valid header and checksum, so that mutations reach the model decoders.
    "model": { data in
        let bytes = [UInt8](data)
        if let first = bytes.first, first & 1 == 1 {
            let body = Array(bytes.dropFirst())
            var file = ModelFile.magic
            withUnsafeBytes(of: ModelFile.formatVersion.littleEndian) { file.append(contentsOf: $0) }
            withUnsafeBytes(of: UInt64(body.count).littleEndian) { file.append(contentsOf: $0) }
            file.append(contentsOf: body)
            withUnsafeBytes(of: ModelFile.checksum(file).littleEndian) { file.append(contentsOf: $0) }
            exerciseModel(file)
        } else {
            exerciseModel(bytes)
        }
    },
    // The `recommend --ratings` parser.
    "foldin": { data in
        let selector = data.first ?? 0
        let text = String(decoding: data.dropFirst(), as: UTF8.self)
        _ = try? FoldInRatings.parse(text, interactions: selector & 1 == 1, scale: selector & 2 == 2 ? 1...5 : nil)
    },
]

/// Decodes `bytes` as a model file and, when it decodes, uses the model a little: what a loaded model must survive.
func exerciseModel(_ bytes: [UInt8]) {
    guard let archive = try? ModelFile.decode(bytes), let model = try? ModelRegistry.model(from: archive) else { return }
    let domain = model.domain
    if let user = domain.users.ids.first, let item = domain.items.ids.first {
        _ = model.predict(user: user, item: item)
        _ = try? model.recommend(user: user, count: 3)
        _ = model.recommend(foldingIn: [(item: item, value: 3)], count: 3)
        _ = try? model.similarItems(to: item, count: 3)
    }
}

let selectedTarget: (Data) -> Void = {
    let name = ProcessInfo.processInfo.environment["LATENT_FUZZ_TARGET"] ?? ""
    guard let target = fuzzTargets[name] else {
        FileHandle.standardError.write(Data("LATENT_FUZZ_TARGET must be one of: \(fuzzTargets.keys.sorted().joined(separator: ", "))\n".utf8))
        exit(2)
    }
    return target
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    let data = start.map { Data(bytes: $0, count: count) } ?? Data()
    selectedTarget(data)
    return 0
}
