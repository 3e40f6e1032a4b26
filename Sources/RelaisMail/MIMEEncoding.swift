// Hand-written MIME encoders. No maintained Swift MIME package is mirrored for this build, and
// Relais needs only the writing side of a few well-specified encodings: RFC 2047 encoded words,
// RFC 2045 quoted-printable and base64, RFC 2231 parameter values, and RFC 5322 header folding.
// The tests check every one of them against Python's independent `email` parser.
//
// Performance: rendering runs once per outgoing message inside the sweep, so everything here
// appends UTF-8 bytes to one `[UInt8]` buffer. Foundation's string searching and replacing
// (CFString/NSString underneath on Linux) and per-byte temporary strings or arrays cost over
// ten times the encoding itself; they are only used where a rare input needs their exact
// Unicode semantics (e.g. a non-ASCII attachment filename holding a "/").
import Foundation

enum MIME {
    static let crlf = "\r\n"

    /// RFC 5322 §2.1.1: lines SHOULD be at most 78 characters (excluding CRLF).
    static let recommendedLineLength = 78
    /// RFC 2047 §2: a line holding an encoded word is at most 76 characters.
    static let encodedWordLineLength = 76
    /// RFC 2047 §2: an encoded word is at most 75 characters.
    static let maxEncodedWordLength = 75

    static let cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n"), space = UInt8(ascii: " ")

    static func appendCRLF(to out: inout [UInt8]) {
        out.append(cr)
        out.append(lf)
    }

    // MARK: - Header text hygiene

    /// Replaces every control character (CR and LF above all) with a space. Header values come
    /// from participants' names and free text: a raw CR or LF there would let anyone append
    /// headers (header injection), so no value ever reaches the output unsanitised.
    /// The controls are C0, DEL, C1 (U+0080–U+009F, which includes NEL) and U+2028/U+2029.
    static func sanitizeHeaderText(_ text: String) -> String {
        // Most values hold no control at all: scan the bytes and hand the string back as is.
        guard let bytes = sanitizedHeaderBytes(text) else { return text }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The UTF-8 of `text` with controls replaced by spaces, or nil when there is none.
    /// Works on bytes: a String is valid UTF-8, so C1 controls are exactly C2 80…C2 9F and
    /// U+2028/U+2029 exactly E2 80 A8/A9, and each such scalar becomes one space.
    private static func sanitizedHeaderBytes(_ text: String) -> [UInt8]? {
        let utf8 = text.utf8
        func controlLength(_ bytes: UnsafeBufferPointer<UInt8>, _ i: Int) -> Int {
            let byte = bytes[i]
            if byte < 0x20 || byte == 0x7F { return 1 }
            if byte == 0xC2, i + 1 < bytes.count, bytes[i + 1] >= 0x80, bytes[i + 1] < 0xA0 { return 2 }
            if byte == 0xE2, i + 2 < bytes.count, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 { return 3 }
            return 0
        }
        return withUTF8(text) { bytes -> [UInt8]? in
            guard let first = (0..<bytes.count).first(where: { controlLength(bytes, $0) > 0 }) else { return nil }
            var out = [UInt8]()
            out.reserveCapacity(utf8.count)
            out += bytes[..<first]
            var i = first
            while i < bytes.count {
                let length = controlLength(bytes, i)
                if length > 0 {
                    out.append(space)
                    i += length
                } else {
                    out.append(bytes[i])
                    i += 1
                }
            }
            return out
        }
    }

    /// Runs `body` on the contiguous UTF-8 of `text` (native strings already are; others get
    /// one copy).
    static func withUTF8<R>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> R) rethrows -> R {
        if let result = try text.utf8.withContiguousStorageIfAvailable(body) { return result }
        var copy = text
        return try copy.withUTF8(body)
    }

    static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy(isPrintableASCII)
    }

    static func isPrintableASCII(_ byte: UInt8) -> Bool {
        byte >= 0x20 && byte < 0x7F
    }

    /// RFC 5322 §3.2.3 atext: what may appear in an atom without quoting.
    static func isAtext(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
             UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
             UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    /// Whether `bytes` holds "=?", which a receiver would take for the start of an encoded word.
    /// Only asked of ASCII text, where a byte search is exactly String's search.
    static func containsEncodedWordMarker<C: Collection<UInt8>>(_ bytes: C) -> Bool {
        var previous: UInt8 = 0
        for byte in bytes {
            if previous == UInt8(ascii: "="), byte == UInt8(ascii: "?") { return true }
            previous = byte
        }
        return false
    }

    /// Appends `text` (printable ASCII) as the content of a quoted string, with "\" and '"'
    /// escaped (RFC 5322 §3.2.4).
    static func appendQuotedStringContent<C: Collection<UInt8>>(_ text: C, to out: inout [UInt8]) {
        for byte in text {
            if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { out.append(UInt8(ascii: "\\")) }
            out.append(byte)
        }
    }

    /// Removes whitespace scalars (Foundation's `CharacterSet.whitespaces`: space separators
    /// and tab) from both ends, as `trimmingCharacters(in: .whitespaces)` does.
    static func trimmingWhitespace(_ text: String) -> String {
        // Fast path: ASCII non-space at both ends (the usual name) needs no trimming at all.
        if let first = text.utf8.first, let last = text.utf8.last,
           first > 0x20, first < 0x80, last > 0x20, last < 0x80 {
            return text
        }
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !CharacterSet.whitespaces.contains($0) }),
              let last = scalars.lastIndex(where: { !CharacterSet.whitespaces.contains($0) }) else { return "" }
        return String(scalars[start...last])
    }

    // MARK: - Characters on bytes

    /// The UTF-8 byte ranges of the Characters (extended grapheme clusters) of a string, in
    /// order, over `bytes`. Why not `for character in text { String(character).utf8 }`: that
    /// builds strings per character. Between two scalars below U+0300 (ASCII, Latin-1 and Latin
    /// Extended letters: no combining mark, joiner, prepend or regional indicator among them)
    /// there is always a cluster boundary except in CR LF, the quick check the stdlib uses too;
    /// so French text is split by bytes, and only other scalars go through the stdlib's
    /// grapheme breaking, which keeps the exact Character semantics.
    struct CharacterByteRanges: IteratorProtocol {
        private let string: String
        let bytes: [UInt8]
        private var offset = 0

        init(_ text: String) {
            string = text
            bytes = Array(text.utf8)
        }

        /// The length of the UTF-8 sequence of a scalar below U+0300 starting at `i`, or nil
        /// for any other scalar (lead bytes C2…CB encode U+0080…U+02FF).
        private func lowScalarLength(at i: Int) -> Int? {
            let byte = bytes[i]
            if byte < 0x80 { return 1 }
            if byte >= 0xC2 && byte <= 0xCB { return 2 }
            return nil
        }

        mutating func next() -> Range<Int>? {
            guard offset < bytes.count else { return nil }
            let start = offset
            let end: Int
            if let length = lowScalarLength(at: start),
               start + length == bytes.count
                || (lowScalarLength(at: start + length) != nil && !(bytes[start] == cr && bytes[start + 1] == lf)) {
                end = start + length
            } else {
                let utf8 = string.utf8
                let index = utf8.index(utf8.startIndex, offsetBy: start)
                end = utf8.distance(from: utf8.startIndex, to: string.index(after: index))
            }
            offset = end
            return start..<end
        }
    }

    // MARK: - Writing through a pointer

    /// Lets `body` write at most `maxCount` bytes at the end of `out` through a raw pointer and
    /// keeps the count it returns. Why: `Array.append` re-checks uniqueness and capacity on each
    /// byte, which costs more than the encoding itself in the body encoders.
    static func appendUnsafe(to out: inout [UInt8], maxCount: Int, _ body: (UnsafeMutablePointer<UInt8>) -> Int) {
        guard maxCount > 0 else { return }
        let start = out.count
        out.append(contentsOf: repeatElement(0, count: maxCount))
        let written = out.withUnsafeMutableBufferPointer { body($0.baseAddress! + start) }
        precondition(written <= maxCount, "MIME encoder overran its buffer")
        out.removeLast(maxCount - written)
    }

    // MARK: - Base64

    /// A plain pointer, like `hexDigits`.
    private static var base64Alphabet: UnsafePointer<UInt8> {
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" as StaticString).utf8Start
    }

    /// Standard base64 with "=" padding (RFC 4648 §4), as `Data.base64EncodedString()` writes
    /// it, to `output`. Returns the number of characters written: 4 per started 3 octets.
    static func writeBase64(_ input: UnsafeBufferPointer<UInt8>, to output: UnsafeMutablePointer<UInt8>) -> Int {
        let alphabet = base64Alphabet
        var i = 0, o = 0
        while i + 3 <= input.count {
            let n = UInt32(input[i]) << 16 | UInt32(input[i + 1]) << 8 | UInt32(input[i + 2])
            output[o] = alphabet[Int(n >> 18)]
            output[o + 1] = alphabet[Int(n >> 12 & 0x3F)]
            output[o + 2] = alphabet[Int(n >> 6 & 0x3F)]
            output[o + 3] = alphabet[Int(n & 0x3F)]
            i += 3
            o += 4
        }
        let rest = input.count - i
        if rest > 0 {
            let n = UInt32(input[i]) << 16 | (rest == 2 ? UInt32(input[i + 1]) << 8 : 0)
            output[o] = alphabet[Int(n >> 18)]
            output[o + 1] = alphabet[Int(n >> 12 & 0x3F)]
            output[o + 2] = rest == 2 ? alphabet[Int(n >> 6 & 0x3F)] : UInt8(ascii: "=")
            output[o + 3] = UInt8(ascii: "=")
            o += 4
        }
        return o
    }

    static func base64Length(_ count: Int) -> Int { (count + 2) / 3 * 4 }

    static func appendBase64(_ input: [UInt8], to out: inout [UInt8]) {
        input.withUnsafeBufferPointer { input in
            appendUnsafe(to: &out, maxCount: base64Length(input.count)) { writeBase64(input, to: $0) }
        }
    }

    /// Base64 in lines of 76 characters (RFC 2045 §6.8), CRLF-separated, final CRLF included.
    static func appendBase64Lines(_ data: Data, to out: inout [UInt8]) {
        // 57 input octets give exactly 76 characters, so lines are encoded chunk by chunk.
        let lineCount = (data.count + 56) / 57
        data.withUnsafeBytes { raw in
            let bytes = raw.bindMemory(to: UInt8.self)
            appendUnsafe(to: &out, maxCount: base64Length(bytes.count) + 2 * lineCount) { output in
                var written = 0
                var start = 0
                while start < bytes.count {
                    let end = min(start + 57, bytes.count)
                    written += writeBase64(UnsafeBufferPointer(rebasing: bytes[start..<end]), to: output + written)
                    output[written] = cr
                    output[written + 1] = lf
                    written += 2
                    start = end
                }
                return written
            }
        }
    }

    static func base64Lines(_ data: Data) -> String {
        var out: [UInt8] = []
        appendBase64Lines(data, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: - RFC 2047 encoded words

    /// Splits `text` into `=?UTF-8?B?…?=` encoded words. The first word fits in `firstBudget`
    /// characters, the others in 75 (RFC 2047 §2). Words end on character boundaries (§5: "a
    /// multi-octet character may not be split across adjacent encoded-words"): on grapheme
    /// clusters where possible, on Unicode scalars for a cluster too long for one word.
    static func encodedWords(_ text: String, firstBudget: Int = maxEncodedWordLength) -> [[UInt8]] {
        var splitter = EncodedWordSplitter(firstBudget: firstBudget)
        var characters = CharacterByteRanges(text)
        while let character = characters.next() {
            splitter.appendCharacter(characters.bytes[character])
        }
        splitter.flush()
        return splitter.words
    }

    /// Collects octets into encoded words of at most `limit` octets each.
    private struct EncodedWordSplitter {
        static let overhead = "=?UTF-8?B??=".utf8.count
        static func capacity(_ budget: Int) -> Int { max(1, (budget - overhead) / 4) * 3 }  // octets per word
        static let fullCapacity = capacity(maxEncodedWordLength)

        var words: [[UInt8]] = []
        var current: [UInt8] = []
        var limit: Int

        init(firstBudget: Int) {
            limit = Self.capacity(min(firstBudget, maxEncodedWordLength))
            current.reserveCapacity(Self.fullCapacity)
        }

        /// One Character's UTF-8. Kept whole in one word when it fits in a word at all.
        mutating func appendCharacter(_ bytes: ArraySlice<UInt8>) {
            if bytes.count <= Self.fullCapacity {
                append(bytes)
                return
            }
            // A pathological cluster (e.g. a long run of combining marks): fall back to
            // scalars, whose UTF-8 sequences start at every non-continuation byte.
            var start = bytes.startIndex
            while start < bytes.endIndex {
                var end = start + 1
                while end < bytes.endIndex, bytes[end] & 0xC0 == 0x80 { end += 1 }
                append(bytes[start..<end])
                start = end
            }
        }

        private mutating func append(_ bytes: ArraySlice<UInt8>) {
            if current.count + bytes.count > limit { flush() }
            current += bytes
        }

        mutating func flush() {
            // With an empty word the first line's budget was too small for even one character:
            // the word simply gets the full size (the line stays far below 998 octets).
            if !current.isEmpty {
                var word: [UInt8] = []
                word.reserveCapacity(Self.overhead + base64Length(current.count))
                word += "=?UTF-8?B?".utf8
                appendBase64(current, to: &word)
                word += "?=".utf8
                words.append(word)
            }
            current.removeAll(keepingCapacity: true)
            limit = Self.fullCapacity
        }
    }

    // MARK: - Header folding

    /// An unstructured header (Subject, extra headers), folded per RFC 5322 §2.2.3.
    /// Printable ASCII that does not look like an encoded word is kept readable and folded at
    /// spaces; anything else (non-ASCII, "=?", a word too long to fold) becomes encoded words,
    /// one per line, which decoders join without the folding whitespace (RFC 2047 §6.2).
    static func appendUnstructuredHeader(_ name: String, _ value: String, to out: inout [UInt8]) {
        let clean = sanitizeHeaderText(value)
        let prefixLength = name.utf8.count + 2
        let plain = withUTF8(clean) { bytes -> Bool in
            // Byte tests are exact here: each one only matters for printable ASCII text.
            guard bytes.allSatisfy(isPrintableASCII), !containsEncodedWordMarker(bytes) else { return false }
            guard bytes.first != space, bytes.last != space else { return false }  // folding would eat edge spaces
            let words = bytes.split(separator: space, omittingEmptySubsequences: false)
            guard prefixLength + (words.map(\.count).max() ?? 0) <= recommendedLineLength else { return false }
            appendFolded(name: name, tokens: words, limit: recommendedLineLength, to: &out)
            return true
        }
        if plain { return }
        out += name.utf8
        out += ": ".utf8
        let encoded = encodedWords(clean, firstBudget: encodedWordLineLength - prefixLength)
        for (index, word) in encoded.enumerated() {
            if index > 0 {
                appendCRLF(to: &out)
                out.append(space)
            }
            out += word
        }
        appendCRLF(to: &out)
    }

    /// Writes `name: ` and the tokens joined with single spaces, starting a continuation line
    /// (CRLF + space) before a token that would push the line past `limit`; then the final CRLF.
    static func appendFolded<Tokens: Sequence>(name: String, tokens: Tokens, limit: Int, to out: inout [UInt8])
    where Tokens.Element: Collection<UInt8> {
        out += name.utf8
        out += ": ".utf8
        var lineLength = name.utf8.count + 2
        var first = true
        for token in tokens {
            let length = token.count
            if first {
                lineLength += length
                first = false
            } else if lineLength + 1 + length > limit {
                appendCRLF(to: &out)
                out.append(space)
                lineLength = 1 + length
            } else {
                out.append(space)
                lineLength += 1 + length
            }
            out += token
        }
        appendCRLF(to: &out)
    }

    // MARK: - Addresses

    /// The tokens of an RFC 5322 name-addr: the display name as atoms, a quoted string or encoded
    /// words, then `<address>`. Returns tokens so the caller folds them together.
    static func addressTokens(_ address: MailAddress, prefixLength: Int) -> (tokens: [[UInt8]], hasEncodedWords: Bool) {
        var addr: [UInt8] = []
        addr.reserveCapacity(address.address.utf8.count + 2)
        addr.append(UInt8(ascii: "<"))
        for byte in address.address.utf8 where MailAddress.isRenderedAddressByte(byte) { addr.append(byte) }
        addr.append(UInt8(ascii: ">"))
        guard let rawName = address.displayName else { return ([addr], false) }
        let name = trimmingWhitespace(sanitizeHeaderText(rawName))
        if name.isEmpty { return ([addr], false) }
        if isPrintableASCII(name) && !containsEncodedWordMarker(name.utf8) {
            let words = name.utf8.split(separator: space)
            if words.allSatisfy({ $0.allSatisfy(isAtext) }) {
                return (words.map(Array.init) + [addr], false)
            }
            // RFC 5322 §3.2.4: specials such as "," or "." need a quoted string.
            var quoted: [UInt8] = [UInt8(ascii: "\"")]
            appendQuotedStringContent(name.utf8, to: &quoted)
            quoted.append(UInt8(ascii: "\""))
            return ([quoted, addr], false)
        }
        return (phraseTokens(name, firstBudget: encodedWordLineLength - prefixLength) + [addr], true)
    }

    /// A non-ASCII display name as a phrase (RFC 2047 §5(3)): plain atoms stay readable and
    /// each run of words needing encoding becomes encoded words, as Python's generator does.
    /// Keeping runs whole matters: decoders drop the space between two adjacent encoded words
    /// (§6.2), so a space is only ever inside an encoded word or between an atom and a word.
    /// The base64 alphabet is safe in a phrase ("=", "/" and "+" are not specials).
    static func phraseTokens(_ name: String, firstBudget: Int) -> [[UInt8]] {
        // The words are what `name.split(separator: " ")` gives: runs of Characters between
        // Characters that are exactly " " (a space followed by a combining mark is one Character
        // and separates nothing), kept as the byte ranges of their Characters.
        var characters = CharacterByteRanges(name)
        let bytes = characters.bytes
        var wordCharacters: [Range<Int>] = []  // byte ranges of the words' Characters, in order
        var words: [Range<Int>] = []           // each word as a range of `wordCharacters`
        var wordStart = 0
        while let character = characters.next() {
            if character.count == 1 && bytes[character.lowerBound] == space {
                if wordCharacters.count > wordStart { words.append(wordStart..<wordCharacters.count) }
                wordStart = wordCharacters.count
            } else {
                wordCharacters.append(character)
            }
        }
        if wordCharacters.count > wordStart { words.append(wordStart..<wordCharacters.count) }

        var tokens: [[UInt8]] = []
        // The run of words being encoded, joined by single spaces. Around a lone " " Character
        // the clusters of the joined text are those of the words, so they are fed as they are.
        var run: EncodedWordSplitter?
        func flushRun() {
            guard var finished = run else { return }
            finished.flush()
            tokens += finished.words
            run = nil
        }
        for word in words {
            let wordBytes = bytes[wordCharacters[word.lowerBound].lowerBound..<wordCharacters[word.upperBound - 1].upperBound]
            // "=?" in an atom would be taken for an encoded word by the receiver.
            if wordBytes.allSatisfy(isAtext) && !containsEncodedWordMarker(wordBytes) {
                flushRun()
                tokens.append(Array(wordBytes))
                continue
            }
            if run == nil {
                run = EncodedWordSplitter(firstBudget: tokens.isEmpty ? firstBudget : maxEncodedWordLength)
            } else {
                run!.appendCharacter([space][...])
            }
            for character in wordCharacters[word] { run!.appendCharacter(bytes[character]) }
        }
        flushRun()
        return tokens
    }

    static func appendAddressHeader(_ name: String, _ address: MailAddress, to out: inout [UInt8]) {
        let (tokens, encoded) = addressTokens(address, prefixLength: name.utf8.count + 2)
        appendFolded(name: name, tokens: tokens, limit: encoded ? encodedWordLineLength : recommendedLineLength, to: &out)
    }

    // MARK: - Quoted-printable (RFC 2045 §6.7)

    /// Encodes text as quoted-printable with CRLF hard line breaks. Any of CRLF, LF or CR in the
    /// input is a line break. Encoded lines are at most 76 characters (rule 5), a trailing space
    /// or tab is encoded (rule 3), and UTF-8 is encoded octet by octet (rule 1).
    /// Two extra safety encodings: a "." starting a line (some sendmail programs end the message
    /// on a lone "." line, and SMTP relies on dot-stuffing) and "From " starting a line (mbox
    /// readers would split the message there) are written as =2E and =46.
    /// No final line break is added after the last line.
    static func appendQuotedPrintable(_ text: String, to out: inout [UInt8]) {
        withUTF8(text) { bytes in
            // At most 4 output bytes per input byte: "=XX" plus its share of soft breaks (an
            // encoded line holds at least 73 characters before one), or CR/LF becoming CRLF;
            // and 3 spare bytes for the branch-free writes of the line encoder.
            appendUnsafe(to: &out, maxCount: 4 * bytes.count + 3) { output in
                var written = 0
                // Line breaks are found on bytes: CR and LF never occur inside a UTF-8 sequence.
                var lineStart = 0
                while true {
                    var lineEnd = lineStart
                    while lineEnd < bytes.count, bytes[lineEnd] != lf, bytes[lineEnd] != cr { lineEnd += 1 }
                    writeQuotedPrintableLine(UnsafeBufferPointer(rebasing: bytes[lineStart..<lineEnd]), to: output, at: &written)
                    guard lineEnd < bytes.count else { break }
                    output[written] = cr
                    output[written + 1] = lf
                    written += 2
                    let isCRLF = bytes[lineEnd] == cr && lineEnd + 1 < bytes.count && bytes[lineEnd + 1] == lf
                    lineStart = lineEnd + (isCRLF ? 2 : 1)
                }
                return written
            }
        }
    }

    static func quotedPrintable(_ text: String) -> String {
        var out: [UInt8] = []
        appendQuotedPrintable(text, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Upper-case hex digits. A StaticString's bytes are a plain pointer: no lazy global or
    /// array bounds check per encoded byte.
    static var hexDigits: UnsafePointer<UInt8> { ("0123456789ABCDEF" as StaticString).utf8Start }

    /// Rule 2: printable ASCII but "=" is written as is; rule 3: so are space and tab, except at
    /// the end of a line. Arithmetic rather than a switch, whose branches mispredict on every
    /// accented letter.
    @inline(__always)
    private static func isLiteralInsideLine(_ byte: UInt8) -> Bool {
        (byte &- 33 < 94 && byte != UInt8(ascii: "=")) || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }

    /// One input line (without its line break), with soft line breaks ("=" CRLF) so no encoded
    /// line exceeds 76 characters: 75 plus the "=", or 76 for the line's last piece.
    private static func writeQuotedPrintableLine(_ line: UnsafeBufferPointer<UInt8>,
                                                 to output: UnsafeMutablePointer<UInt8>, at written: inout Int) {
        let startsWithFrom = line.starts(with: "From ".utf8)
        let hex = hexDigits
        let last = line.count - 1
        var o = written
        var lineLength = 0
        var index = 0
        while index < line.count {
            // Fast path: between the line's first and last byte (which have rules of their
            // own), a run of bytes written as they are is copied at once, as far as the encoded
            // line has room (75 characters before a soft break).
            if index > 0 {
                let runLimit = min(last, index + 75 - lineLength)
                var runEnd = index
                while runEnd < runLimit && isLiteralInsideLine(line[runEnd]) { runEnd += 1 }
                if runEnd > index {
                    let count = runEnd - index
                    (output + o).update(from: line.baseAddress! + index, count: count)
                    o += count
                    lineLength += count
                    index = runEnd
                    continue
                }
            }
            let byte = line[index]
            var literal = isLiteralInsideLine(byte)
            if index == last && (byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")) {
                literal = false  // rule 3: trailing whitespace would be lost in transport
            }
            if index == 0 && (byte == UInt8(ascii: ".") || (byte == UInt8(ascii: "F") && startsWithFrom)) {
                literal = false
            }
            let width = literal ? 1 : 3
            if lineLength + width > (index == last ? 76 : 75) {
                output[o] = UInt8(ascii: "=")
                output[o + 1] = cr
                output[o + 2] = lf
                o += 3
                lineLength = 0
            }
            // Branch-free: write "=XX" or the byte followed by two bytes that the next write
            // overwrites (the buffer has 3 spare bytes for the last one), and keep `width`.
            output[o] = literal ? byte : UInt8(ascii: "=")
            output[o + 1] = hex[Int(byte >> 4)]
            output[o + 2] = hex[Int(byte & 0x0F)]
            o += width
            lineLength += width
            index += 1
        }
        written = o
    }

    // MARK: - Parameters (RFC 2045 §5.1, RFC 2231)

    /// `; name="value"` for printable ASCII, or RFC 2231 `name*0*=utf-8''…` continuations for
    /// anything else or anything long, each on its own folded line so none gets too long.
    static func appendParameter(_ name: String, _ value: String, to out: inout [UInt8]) {
        let clean = sanitizeHeaderText(value)
        if isPrintableASCII(clean) && clean.utf8.count + name.utf8.count <= 60 {
            out += ";\r\n ".utf8
            out += name.utf8
            out += "=\"".utf8
            appendQuotedStringContent(clean.utf8, to: &out)
            out.append(UInt8(ascii: "\""))
            return
        }
        // RFC 2231 §7 attribute-char: everything else is percent-encoded. Segments end on
        // character boundaries so each one stays readable on its own.
        func isAttributeChar(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "+"), UInt8(ascii: "-"),
                 UInt8(ascii: "."), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
                return true
            default:
                return false
            }
        }
        // Each segment goes straight to `out`; a new one starts before a character that would
        // take the current one past 60 characters, unless it is the first with no character yet.
        func startSegment(_ index: Int) {
            out += ";\r\n ".utf8
            out += name.utf8
            out += "*\(index)*=".utf8
        }
        let hex = hexDigits
        startSegment(0)
        out += "utf-8''".utf8
        var segmentIndex = 0
        var segmentLength = "utf-8''".utf8.count
        var characters = CharacterByteRanges(clean)
        let bytes = characters.bytes
        while let character = characters.next() {
            let pieceLength = bytes[character].reduce(0) { $0 + (isAttributeChar($1) ? 1 : 3) }
            if segmentLength + pieceLength > 60, segmentIndex > 0 || character.lowerBound > 0 {
                segmentIndex += 1
                startSegment(segmentIndex)
                segmentLength = 0
            }
            for byte in bytes[character] {
                if isAttributeChar(byte) {
                    out.append(byte)
                } else {
                    out.append(UInt8(ascii: "%"))
                    out.append(hex[Int(byte >> 4)])
                    out.append(hex[Int(byte & 0x0F)])
                }
            }
            segmentLength += pieceLength
        }
    }

    /// A MIME type and its parameters as given by the caller (e.g. `text/calendar; method=PUBLISH`),
    /// reduced to printable ASCII on one line: it is emitted as-is, so it must not break out.
    static func appendContentType(_ value: String, to out: inout [UInt8]) {
        // After the filter only printable ASCII is left, where whitespace trimming is trimming
        // spaces and a Character is a byte.
        let kept = sanitizeHeaderText(value).utf8.filter(isPrintableASCII)
        guard let first = kept.firstIndex(where: { $0 != space }), let last = kept.lastIndex(where: { $0 != space }) else {
            out += "application/octet-stream".utf8
            return
        }
        out += kept[first...min(last, first + 899)]
    }

    // MARK: - Date (RFC 5322 §3.3)

    private static let dayNames = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
    private static let monthNames = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// "Mon, 23 Nov 2026 17:33:50 +0000". Written by hand in UTC so neither the locale nor the
    /// process time zone can change it.
    static func appendDate(_ date: Date, to out: inout [UInt8]) {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        // 1970…9999, every date Relais ever writes: plain arithmetic on the proleptic Gregorian
        // calendar (which Foundation's also is after 1582), far cheaper than Calendar.
        guard seconds >= 0, seconds < 253_402_300_800 else {
            out += calendarDate(date).utf8
            return
        }
        let total = Int(seconds)
        let days = total / 86_400, secondOfDay = total % 86_400
        // Days to civil date: Howard Hinnant's `civil_from_days` (days ≥ 0 here, so era ≥ 0).
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153  // 0 = March
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)

        func two(_ n: Int) {
            out.append(UInt8(ascii: "0") + UInt8(n / 10))
            out.append(UInt8(ascii: "0") + UInt8(n % 10))
        }
        out += dayNames[(days + 4) % 7].utf8  // 1 January 1970 was a Thursday
        out += ", ".utf8
        two(day)
        out.append(space)
        out += monthNames[month - 1].utf8
        out.append(space)
        out += String(year).utf8
        out.append(space)
        two(secondOfDay / 3600)
        out.append(UInt8(ascii: ":"))
        two(secondOfDay / 60 % 60)
        out.append(UInt8(ascii: ":"))
        two(secondOfDay % 60)
        out += " +0000".utf8
    }

    static func date(_ date: Date) -> String {
        var out: [UInt8] = []
        appendDate(date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// The general case through Foundation's Gregorian calendar, for dates outside 1970…9999.
    private static func calendarDate(_ date: Date) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = .gmt
        calendar.locale = Locale(identifier: "en_US_POSIX")
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        func two(_ n: Int?) -> String { let v = n ?? 0; return v < 10 ? "0\(v)" : "\(v)" }
        let weekday = dayNames[((c.weekday ?? 1) + 6) % 7]
        return "\(weekday), \(two(c.day)) \(monthNames[(c.month ?? 1) - 1]) \(c.year ?? 1970) "
            + "\(two(c.hour)):\(two(c.minute)):\(two(c.second)) +0000"
    }

    /// Random lowercase hex, from the system's cryptographic generator.
    static func randomHex(bytes count: Int) -> String {
        var generator = SystemRandomNumberGenerator()
        let digits = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(count * 2)
        for _ in 0..<count {
            let byte = UInt8.random(in: 0...255, using: &generator)
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
