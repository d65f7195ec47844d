extension RatingReader {
    /// A whole number with an optional sign, or nil (also on overflow).
    static func parseInt(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Int64? {
        guard !r.isEmpty else { return nil }
        var i = r.lowerBound
        var negative = false
        if b[i] == 0x2D || b[i] == 0x2B { negative = b[i] == 0x2D; i += 1 }
        guard i < r.upperBound else { return nil }
        var v: Int64 = 0
        if r.upperBound - i <= 18 {
            // At most 18 digits cannot overflow.
            while i < r.upperBound {
                let d = b[i] &- 0x30
                guard d < 10 else { return nil }
                v = v &* 10 &+ Int64(d)
                i += 1
            }
            return negative ? -v : v
        }
        while i < r.upperBound {
            let d = b[i] &- 0x30
            guard d < 10 else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(d))
            guard !o1 && !o2 else { return nil }
            v = s
            i += 1
        }
        return negative ? -v : v
    }

    /// Parses a decimal number: an optional sign, digits with an optional fraction, an optional exponent (`4`, `-1`,
    /// `4.5`, `.5`, `1e3`); `nan` and `inf` (any case) are numbers that are not finite, so that the error can say so.
    /// Nil for anything else, such as `0x10` or `1_000`, which `Float(String)` would read. Plain `123`, `4.5` and
    /// `-1` take a fast path.
    @inline(__always)
    static func parseFloat(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Float? {
        guard !r.isEmpty else { return nil }
        var i = r.lowerBound
        var negative = false
        if b[i] == 0x2D { negative = true; i += 1 }
        var whole: Int = 0, digits = 0
        while i < r.upperBound, b[i] &- 0x30 < 10, digits < 9 {
            whole = whole * 10 + Int(b[i] &- 0x30)
            i += 1
            digits += 1
        }
        if digits > 0 && i == r.upperBound { return Float(negative ? -whole : whole) }
        if digits > 0 && b[i] == 0x2E {
            i += 1
            var frac = 0, scale = 1, fd = 0
            while i < r.upperBound, b[i] &- 0x30 < 10, fd < 6 {
                frac = frac * 10 + Int(b[i] &- 0x30)
                scale *= 10
                i += 1
                fd += 1
            }
            if i == r.upperBound && fd > 0 {
                let v = Float(Double(whole) + Double(frac) / Double(scale))
                return negative ? -v : v
            }
        }
        return strictFloat(b, r)
    }

    /// ``parseFloat(_:_:)`` for a string.
    static func parseFloat(_ text: String) -> Float? {
        var text = text
        return text.withUTF8 { parseFloat(UnsafeRawBufferPointer($0), 0..<$0.count) }
    }

    /// The slow path of ``parseFloat(_:_:)``: the syntax is checked here, the value computed by Float(String).
    static func strictFloat(_ b: UnsafeRawBufferPointer, _ r: Range<Int>) -> Float? {
        var i = r.lowerBound
        let n = r.upperBound
        var negative = false
        if i < n && (b[i] == 0x2B || b[i] == 0x2D) { negative = b[i] == 0x2D; i += 1 }
        // nan, inf, infinity in any case.
        var word = ""
        for k in i..<n where b[k] | 0x20 >= 0x61 && b[k] | 0x20 <= 0x7A { word.append(Character(Unicode.Scalar(b[k] | 0x20))) }
        if word.count == n - i && !word.isEmpty {
            switch word {
            case "nan": return .nan
            case "inf", "infinity": return negative ? -.infinity : .infinity
            default: return nil
            }
        }
        var digits = 0
        while i < n && b[i] &- 0x30 < 10 { i += 1; digits += 1 }
        if i < n && b[i] == 0x2E {
            i += 1
            while i < n && b[i] &- 0x30 < 10 { i += 1; digits += 1 }
        }
        guard digits > 0 else { return nil }
        if i < n && b[i] | 0x20 == 0x65 {
            i += 1
            if i < n && (b[i] == 0x2B || b[i] == 0x2D) { i += 1 }
            var exponentDigits = 0
            while i < n && b[i] &- 0x30 < 10 { i += 1; exponentDigits += 1 }
            guard exponentDigits > 0 else { return nil }
        }
        guard i == n else { return nil }
        return Float(String(decoding: UnsafeRawBufferPointer(rebasing: b[r]), as: UTF8.self))
    }
}
