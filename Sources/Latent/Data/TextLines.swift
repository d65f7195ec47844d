import Foundation

/// The text of `data`: UTF-8 when it is valid UTF-8 (a byte order mark is dropped), ISO-8859-1 otherwise.
func decodeText(_ data: Data) -> String { utf8OrLatin1(data.starts(with: [0xEF, 0xBB, 0xBF]) ? data.dropFirst(3) : data) }

/// `bytes` decoded as UTF-8 when they are valid UTF-8, else as ISO-8859-1, which keeps distinct bytes distinct.
func utf8OrLatin1(_ bytes: some Collection<UInt8>) -> String {
    if let s = String(validating: bytes, as: UTF8.self) { return s }
    var latin1 = String.UnicodeScalarView()
    latin1.append(contentsOf: bytes.map { Unicode.Scalar($0) })
    return String(latin1)
}

/// The lines of a text, numbered from 1, without line ends.
struct TextLines: Sequence {
    let lines: [Substring]

    init(_ text: String) {
        // "\r\n" is one Character, so both line ends are looked for.
        lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" })
    }

    func makeIterator() -> some IteratorProtocol<(Int, String)> {
        lines.enumerated().lazy.map { ($0.offset + 1, String($0.element)) }.makeIterator()
    }

    var firstContentLineNumber: Int {
        (lines.firstIndex { !$0.trimmingCharacters(in: .whitespaces).isEmpty } ?? 0) + 1
    }

    var firstContentLine: String? {
        lines.first { !$0.trimmingCharacters(in: .whitespaces).isEmpty }.map(String.init)
    }
}

/// Comma-separated values as RFC 4180 writes them: fields in double quotes may hold separators, newlines and `""`.
enum CSV {
    /// The fields of one line (quotes must close on the line).
    static func fields(_ line: String, separator: Character = ",") throws -> [String] {
        var records = Records(TextLines(line), separator: separator)
        return try records.next(name: "")?.1 ?? []
    }

    /// The records of a text, skipping blank lines; a quoted field may run over several lines.
    struct Records {
        let lines: [Substring]
        let separator: Character
        var index = 0

        init(_ lines: TextLines, separator: Character = ",") {
            self.lines = lines.lines
            self.separator = separator
        }

        /// The next record and the number of the line it starts on, or nil at the end.
        mutating func next(name: String) throws -> (Int, [String])? {
            while index < lines.count && lines[index].trimmingCharacters(in: .whitespaces).isEmpty { index += 1 }
            guard index < lines.count else { return nil }
            let start = index + 1
            var fields: [String] = []
            var field = ""
            var quoted = false, wasQuoted = false
            var line = lines[index]
            index += 1
            var i = line.startIndex
            while true {
                if i == line.endIndex {
                    if quoted {
                        guard index < lines.count else {
                            throw DataError.malformed(file: name, line: start, field: "field \(fields.count + 1)", reason: "a quote is never closed")
                        }
                        field.append("\n")
                        line = lines[index]
                        index += 1
                        i = line.startIndex
                        continue
                    }
                    fields.append(field)
                    return (start, fields)
                }
                let c = line[i]
                if quoted {
                    if c == "\"" {
                        let after = line.index(after: i)
                        if after < line.endIndex && line[after] == "\"" {
                            field.append("\"")
                            i = line.index(after: after)
                            continue
                        }
                        quoted = false
                    } else {
                        field.append(c)
                    }
                } else if c == separator {
                    fields.append(field)
                    field = ""
                    wasQuoted = false
                } else if c == "\"" && field.trimmingCharacters(in: .whitespaces).isEmpty && !wasQuoted {
                    field = ""
                    quoted = true
                    wasQuoted = true
                } else {
                    field.append(c)
                }
                i = line.index(after: i)
            }
        }
    }
}
