import Foundation
import Latent
import NIOCore

/// A response body written as JSON by hand, for the shapes the busy routes answer with: the same bytes as
/// `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` (a test compares them on every shape), without the
/// encoder's per-call set-up, boxing and key sorting.
protocol HandWrittenJSON {
    /// Writes the value's JSON text, keys in sorted order.
    func writeJSON(to out: inout JSONText) throws
}

/// JSON text being written into a byte buffer: strings escaped as `JSONEncoder` escapes them (`\"`, `\\`, `\b`, `\t`,
/// `\n`, `\f`, `\r`, other control characters as `\u00xx`; `/` and non-ASCII text as they are), numbers as
/// `Double.description` without a trailing `.0`.
struct JSONText {
    /// The text so far.
    var buffer: ByteBuffer

    /// Empty text with room for `capacity` bytes.
    init(capacity: Int = 512) {
        buffer = ByteBufferAllocator().buffer(capacity: capacity)
    }

    /// Writes literal JSON (punctuation, a key already quoted).
    mutating func raw(_ text: StaticString) {
        buffer.writeStaticString(text)
    }

    /// Writes `value` as a JSON string.
    mutating func string(_ value: String) {
        buffer.writeInteger(UInt8(ascii: "\""))
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            buffer.writeString(value)
        } else {
            for byte in value.utf8 { escape(byte) }
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }

    private mutating func escape(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
        case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
        case 0x08: buffer.writeStaticString("\\b")
        case 0x09: buffer.writeStaticString("\\t")
        case 0x0A: buffer.writeStaticString("\\n")
        case 0x0C: buffer.writeStaticString("\\f")
        case 0x0D: buffer.writeStaticString("\\r")
        case ..<0x20:
            buffer.writeStaticString("\\u00")
            for nibble in [byte >> 4, byte & 0xF] { buffer.writeInteger(nibble < 10 ? 0x30 + nibble : 0x57 + nibble) }
        default: buffer.writeInteger(byte)
        }
    }

    /// Writes `value` as a JSON number.
    ///
    /// - Throws: `EncodingError.invalidValue` for infinity or NaN, as `JSONEncoder` does.
    mutating func number(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "Unable to encode Double.\(value) directly in JSON."))
        }
        let text = value.description
        buffer.writeString(text.hasSuffix(".0") ? String(text.dropLast(2)) : text)
    }

    /// Writes `value` as a JSON integer.
    mutating func integer(_ value: Int) {
        buffer.writeString(String(value))
    }

    /// Writes `value` as `true` or `false`.
    mutating func bool(_ value: Bool) {
        if value { buffer.writeStaticString("true") } else { buffer.writeStaticString("false") }
    }

    /// Writes `values` as a JSON array, each element by `element`.
    mutating func array<T>(_ values: [T], _ element: (inout JSONText, T) throws -> Void) rethrows {
        raw("[")
        for (n, value) in values.enumerated() {
            if n > 0 { raw(",") }
            try element(&self, value)
        }
        raw("]")
    }
}

extension ItemListReport: HandWrittenJSON {
    // Keys sorted: item, items, user; an entry's: item, score, title. Absent optionals are left out.
    func writeJSON(to out: inout JSONText) throws {
        out.raw("{")
        if let item {
            out.raw("\"item\":")
            out.string(item)
            out.raw(",")
        }
        out.raw("\"items\":")
        try out.array(items) { out, entry in
            out.raw("{\"item\":")
            out.string(entry.item)
            out.raw(",\"score\":")
            try out.number(entry.score)
            if let title = entry.title {
                out.raw(",\"title\":")
                out.string(title)
            }
            out.raw("}")
        }
        if let user {
            out.raw(",\"user\":")
            out.string(user)
        }
        out.raw("}")
    }
}

extension SimilarUsersReport: HandWrittenJSON {
    // Keys sorted: user, users; an entry's: score, user.
    func writeJSON(to out: inout JSONText) throws {
        out.raw("{\"user\":")
        out.string(user)
        out.raw(",\"users\":")
        try out.array(users) { out, entry in
            out.raw("{\"score\":")
            try out.number(entry.score)
            out.raw(",\"user\":")
            out.string(entry.user)
            out.raw("}")
        }
        out.raw("}")
    }
}

extension PredictionReport: HandWrittenJSON {
    // Keys sorted: item, known_item, known_user, prediction, user.
    func writeJSON(to out: inout JSONText) throws {
        out.raw("{\"item\":")
        out.string(item)
        out.raw(",\"known_item\":")
        out.bool(knownItem)
        out.raw(",\"known_user\":")
        out.bool(knownUser)
        out.raw(",\"prediction\":")
        try out.number(prediction)
        out.raw(",\"user\":")
        out.string(user)
        out.raw("}")
    }
}

extension ErrorReport: HandWrittenJSON {
    func writeJSON(to out: inout JSONText) throws {
        out.raw("{\"error\":")
        out.string(error)
        out.raw("}")
    }
}

extension PostReport: HandWrittenJSON {
    // Keys sorted: ratings, stored, user.
    func writeJSON(to out: inout JSONText) throws {
        out.raw("{\"ratings\":")
        out.integer(ratings)
        out.raw(",\"stored\":")
        out.integer(stored)
        out.raw(",\"user\":")
        out.string(user)
        out.raw("}")
    }
}
