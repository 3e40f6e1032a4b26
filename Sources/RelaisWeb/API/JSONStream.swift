import Foundation
import RelaisDomain

/// A JSON encoder for the API's `Encodable` bodies that writes bytes as it goes, without the
/// intermediate tree of Foundation's `JSONEncoder` (measured 30 to 90 times slower on a list of
/// 200 participants, which made that list cost more than everything else of its request).
///
/// The output is what the API has always written: dates as `Instant.text` (ISO 8601, UTC, whole
/// seconds), slashes unescaped, non-ASCII as UTF-8, a whole `Double` without a fraction. The
/// keys of a type come in the order it declares them; a dictionary's keys are sorted, so that
/// the same value always gives the same bytes. Non-finite numbers are refused, as Foundation does.
public enum JSONStream {
    public static func encode<T: Encodable>(_ value: T, capacity: Int = 1024) throws -> Data {
        let writer = JSONWriter(capacity: capacity)
        try writer.value(value)
        writer.closeFrames(downTo: 0)
        return writer.data
    }

    /// Through the `Encodable` conformances only, never a `JSONWritable`'s own writing: what the
    /// tests compare the hand-written bodies with.
    static func encodeThroughCodable<T: Encodable>(_ value: T) throws -> Data {
        let writer = JSONWriter(capacity: 1024)
        writer.fastPaths = false
        try writer.value(value)
        writer.closeFrames(downTo: 0)
        return writer.data
    }
}

/// A body of the busiest answers that writes its own JSON, field by field, where the generic
/// `Encodable` path costs too much (its containers, casts and metadata look-ups were most of a
/// 200-participant list's answer). Its `Encodable` conformance stays the definition: a test
/// holds both to the same bytes.
protocol JSONWritable: Encodable {
    func write(to writer: JSONWriter) throws
}

/// The buffer and the stack of open objects and arrays. Encoding is strictly nested, so a
/// container knows it is finished when its parent writes again or when the `encode(to:)` that
/// opened it returns: that is when its closing bracket is written.
final class JSONWriter {
    private struct State {
        /// The bytes written so far: a buffer of our own, grown by doubling, so that appending is
        /// a bounds check and a copy (an `Array`'s generic `append(contentsOf:)` cost more).
        var buffer: UnsafeMutablePointer<UInt8>
        var capacity: Int
        var count = 0
        /// One frame per open object or array: its closing byte, and 0x100 once it holds an element.
        var frames: UnsafeMutablePointer<UInt16>
        var frameCapacity = 16
        var depth = 0
        var fastPaths = true
    }

    /// Behind a pointer: a class's stored properties are checked for exclusive access at run
    /// time on every use, which cost a third of the writing.
    private let state: UnsafeMutablePointer<State>

    init(capacity: Int) {
        state = .allocate(capacity: 1)
        state.initialize(to: State(buffer: .allocate(capacity: max(capacity, 64)), capacity: max(capacity, 64), frames: .allocate(capacity: 16)))
    }

    deinit {
        state.pointee.buffer.deallocate()
        state.pointee.frames.deallocate()
        state.deinitialize(count: 1)
        state.deallocate()
    }

    /// Whether `JSONWritable` values write themselves (false in the tests that check them).
    var fastPaths: Bool {
        get { state.pointee.fastPaths }
        set { state.pointee.fastPaths = newValue }
    }

    var data: Data { Data(bytes: state.pointee.buffer, count: state.pointee.count) }

    @inline(__always)
    private func reserve(_ extra: Int) {
        let needed = state.pointee.count + extra
        guard needed > state.pointee.capacity else { return }
        var grown = state.pointee.capacity * 2
        while grown < needed { grown *= 2 }
        let larger = UnsafeMutablePointer<UInt8>.allocate(capacity: grown)
        larger.update(from: state.pointee.buffer, count: state.pointee.count)
        state.pointee.buffer.deallocate()
        state.pointee.buffer = larger
        state.pointee.capacity = grown
    }

    @inline(__always)
    func append(_ byte: UInt8) {
        reserve(1)
        state.pointee.buffer[state.pointee.count] = byte
        state.pointee.count += 1
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        reserve(bytes.count)
        copy(base, bytes.count)
    }

    /// After `reserve`. Keys, literals and most values are a few bytes: copied in a loop, since
    /// a call to `memcpy` for each cost more than the copy (a 200-row list makes 15,000 of them).
    @inline(__always)
    private func copy(_ base: UnsafePointer<UInt8>, _ count: Int) {
        let target = state.pointee.buffer + state.pointee.count
        if count <= 16 {
            for index in 0..<count { target[index] = base[index] }
        } else {
            target.update(from: base, count: count)
        }
        state.pointee.count += count
    }

    @inline(__always)
    func append(_ text: StaticString) {
        reserve(text.utf8CodeUnitCount)
        copy(text.utf8Start, text.utf8CodeUnitCount)
    }

    var depth: Int { state.pointee.depth }

    func open(_ opener: UInt8, _ closer: UInt8) {
        append(opener)
        if state.pointee.depth == state.pointee.frameCapacity {
            let larger = UnsafeMutablePointer<UInt16>.allocate(capacity: state.pointee.frameCapacity * 2)
            larger.update(from: state.pointee.frames, count: state.pointee.depth)
            state.pointee.frames.deallocate()
            state.pointee.frames = larger
            state.pointee.frameCapacity *= 2
        }
        state.pointee.frames[state.pointee.depth] = UInt16(closer)
        state.pointee.depth += 1
    }

    func closeFrames(downTo level: Int) {
        while state.pointee.depth > level {
            state.pointee.depth -= 1
            append(UInt8(truncatingIfNeeded: state.pointee.frames[state.pointee.depth]))
        }
    }

    /// Before an element of the frame at `level` (1-based depth): closes what was nested in the
    /// previous element, and writes the comma.
    @inline(__always)
    func beginElement(at level: Int) {
        if state.pointee.depth > level { closeFrames(downTo: level) }
        let frame = state.pointee.frames[level - 1]
        if frame & 0x100 != 0 { append(UInt8(ascii: ",")) } else { state.pointee.frames[level - 1] = frame | 0x100 }
    }

    func key(_ key: String, at level: Int) {
        beginElement(at: level)
        string(key)
        append(UInt8(ascii: ":"))
    }

    // MARK: Hand-written bodies

    /// `{`, then what `fields` writes, then `}`.
    func object(_ fields: () throws -> Void) rethrows {
        open(UInt8(ascii: "{"), UInt8(ascii: "}"))
        let level = depth
        try fields()
        closeFrames(downTo: level - 1)
    }

    /// `[`, each item as `element` writes it, `]`.
    func array<S: Sequence>(_ items: S, _ element: (S.Element) throws -> Void) rethrows {
        open(UInt8(ascii: "["), UInt8(ascii: "]"))
        let level = depth
        for item in items {
            beginElement(at: level)
            try element(item)
        }
        closeFrames(downTo: level - 1)
    }

    /// A key of the object being written: a literal that needs no escaping.
    func key(_ key: StaticString) {
        beginElement(at: depth)
        reserve(key.utf8CodeUnitCount + 3)
        state.pointee.buffer[state.pointee.count] = UInt8(ascii: "\"")
        state.pointee.count += 1
        copy(key.utf8Start, key.utf8CodeUnitCount)
        state.pointee.buffer[state.pointee.count] = UInt8(ascii: "\"")
        state.pointee.buffer[state.pointee.count + 1] = UInt8(ascii: ":")
        state.pointee.count += 2
    }

    func field(_ name: StaticString, _ value: String) { key(name); string(value) }
    func field(_ name: StaticString, _ value: Bool) { key(name); bool(value) }
    func field(_ name: StaticString, _ value: Int) { key(name); integer(value) }
    func field(_ name: StaticString, _ value: Date) { key(name); date(value) }
    /// A field written `null` when absent (`Nullable`).
    func field(_ name: StaticString, _ value: String?) { key(name); if let value { string(value) } else { null() } }
    func field(_ name: StaticString, _ value: Int?) { key(name); if let value { integer(value) } else { null() } }
    func field(_ name: StaticString, _ value: Date?) { key(name); if let value { date(value) } else { null() } }
    func field<T: RawRepresentable>(_ name: StaticString, _ value: T) where T.RawValue == String { key(name); string(value.rawValue) }
    func field<T: RawRepresentable>(_ name: StaticString, _ value: T?) where T.RawValue == String {
        key(name)
        if let value { string(value.rawValue) } else { null() }
    }
    /// Any other value, through its `Encodable` conformance.
    func field<T: Encodable>(_ name: StaticString, encoding value: T) throws { key(name); try self.value(value) }

    // MARK: Scalars

    func null() { append("null") }

    func bool(_ value: Bool) { if value { append("true") } else { append("false") } }

    func integer<I: BinaryInteger>(_ value: I) {
        if value == 0 { append(UInt8(ascii: "0")); return }
        var magnitude = value.magnitude
        if value < 0 { append(UInt8(ascii: "-")) }
        // At most 20 digits for 64 bits: written backwards into a small stack buffer.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 40) { digits in
            var index = 40
            while magnitude > 0 {
                index -= 1
                digits[index] = UInt8(ascii: "0") + UInt8(truncatingIfNeeded: magnitude % 10)
                magnitude /= 10
            }
            append(UnsafeBufferPointer(rebasing: digits[index...]))
        }
    }

    func double(_ value: Double) throws {
        guard value.isFinite else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "a number must be finite"))
        }
        // Foundation writes a whole value without its fraction: 2, not 2.0.
        if value.rounded() == value && abs(value) < 9_007_199_254_740_992 {
            integer(Int64(value))
        } else {
            var text = value.description
            text.withUTF8 { append($0) }
        }
    }

    /// A string with JSON's escapes: the quote, the backslash and control characters only.
    func string(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            reserve(utf8.count + 2)
            append(UInt8(ascii: "\""))
            var start = 0
            for index in utf8.indices {
                let byte = utf8[index]
                guard byte < 0x20 || byte == 0x22 || byte == 0x5C else { continue }
                append(UnsafeBufferPointer(rebasing: utf8[start..<index]))
                start = index + 1
                escape(byte)
            }
            append(UnsafeBufferPointer(rebasing: utf8[start...]))
            append(UInt8(ascii: "\""))
        }
    }

    private func escape(_ byte: UInt8) {
        switch byte {
        case 0x22: append("\\\"")
        case 0x5C: append("\\\\")
        case 0x0A: append("\\n")
        case 0x0D: append("\\r")
        case 0x09: append("\\t")
        case 0x08: append("\\b")
        case 0x0C: append("\\f")
        default:
            let hex: StaticString = "0123456789abcdef"
            append("\\u00")
            append(hex.utf8Start[Int(byte >> 4)])
            append(hex.utf8Start[Int(byte & 0xF)])
        }
    }

    // MARK: Values

    /// Any value: the common scalars directly, a dictionary with its keys sorted, anything else
    /// through its own `encode(to:)`, its containers closed when it returns.
    func value<T: Encodable>(_ value: T) throws {
        // Metatype comparisons, not casts: a dynamic cast per value cost a fifth of the encoding.
        if T.self == String.self {
            string(unsafeBitCast(value, to: String.self))
        } else if T.self == Int.self {
            integer(unsafeBitCast(value, to: Int.self))
        } else if T.self == Bool.self {
            bool(unsafeBitCast(value, to: Bool.self))
        } else if T.self == Double.self {
            try double(unsafeBitCast(value, to: Double.self))
        } else if T.self == Date.self {
            date(unsafeBitCast(value, to: Date.self))
        } else if fastPaths, T.self is any JSONWritable.Type, let writable = value as? any JSONWritable {
            try writable.write(to: self)
        } else if T.self is any SortedKeysEncodable.Type, let dictionary = value as? any SortedKeysEncodable {
            // Asking the type first spares the other values the cast's boxing.
            try dictionary.encodeSorted(into: self)
        } else {
            let level = depth
            try value.encode(to: StreamEncoder(writer: self, level: level))
            closeFrames(downTo: level)
        }
    }

    /// `Instant.text`, written in place.
    func date(_ date: Date) {
        reserve(34)
        append(UInt8(ascii: "\""))
        state.pointee.count += Instant.write(date, to: state.pointee.buffer + state.pointee.count)
        append(UInt8(ascii: "\""))
    }
}

/// A dictionary keyed by strings, written with its keys in order.
protocol SortedKeysEncodable {
    func encodeSorted(into writer: JSONWriter) throws
}

extension Dictionary: SortedKeysEncodable where Key == String, Value: Encodable {
    func encodeSorted(into writer: JSONWriter) throws {
        writer.open(UInt8(ascii: "{"), UInt8(ascii: "}"))
        let level = writer.depth
        for key in keys.sorted() {
            writer.key(key, at: level)
            try writer.value(self[key]!)
        }
        writer.closeFrames(downTo: level - 1)
    }
}

/// The `Encoder` a value's `encode(to:)` is given. `level` is the depth of the stack when it was
/// made: its container, once opened, is the frame just above.
struct StreamEncoder: Encoder {
    let writer: JSONWriter
    let level: Int
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        // Asked again (a superclass, a wrapper): the same object goes on.
        if writer.depth <= level { writer.open(UInt8(ascii: "{"), UInt8(ascii: "}")) }
        return KeyedEncodingContainer(StreamKeyedContainer<Key>(writer: writer, level: level + 1))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        if writer.depth <= level { writer.open(UInt8(ascii: "["), UInt8(ascii: "]")) }
        return StreamUnkeyedContainer(writer: writer, level: level + 1)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        StreamSingleValueContainer(writer: writer)
    }
}

struct StreamKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let writer: JSONWriter
    /// The depth of this object's frame.
    let level: Int
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil(forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.null() }
    mutating func encode(_ value: Bool, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.bool(value) }
    mutating func encode(_ value: String, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.string(value) }
    mutating func encode(_ value: Double, forKey key: Key) throws { writer.key(key.stringValue, at: level); try writer.double(value) }
    mutating func encode(_ value: Float, forKey key: Key) throws { writer.key(key.stringValue, at: level); try writer.double(Double(value)) }
    mutating func encode(_ value: Int, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode(_ value: Int8, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode(_ value: Int32, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { writer.key(key.stringValue, at: level); writer.integer(value) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws { writer.key(key.stringValue, at: level); try writer.value(value) }
    // The standard library's defaults for optionals look up `Optional<T>`'s metadata on every call.
    mutating func encodeIfPresent(_ value: String?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent(_ value: Int?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent(_ value: Double?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }
    mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) throws { if let value { try encode(value, forKey: key) } }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type, forKey key: Key) -> KeyedEncodingContainer<NestedKey> {
        writer.key(key.stringValue, at: level)
        writer.open(UInt8(ascii: "{"), UInt8(ascii: "}"))
        return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(writer: writer, level: level + 1))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        writer.key(key.stringValue, at: level)
        writer.open(UInt8(ascii: "["), UInt8(ascii: "]"))
        return StreamUnkeyedContainer(writer: writer, level: level + 1)
    }

    mutating func superEncoder() -> any Encoder { superEncoder(forKey: Key(stringValue: "super")!) }

    mutating func superEncoder(forKey key: Key) -> any Encoder {
        writer.key(key.stringValue, at: level)
        return StreamEncoder(writer: writer, level: level)
    }
}

struct StreamUnkeyedContainer: UnkeyedEncodingContainer {
    let writer: JSONWriter
    let level: Int
    private(set) var count = 0
    var codingPath: [any CodingKey] { [] }

    init(writer: JSONWriter, level: Int) {
        self.writer = writer
        self.level = level
    }

    mutating func encodeNil() throws { writer.beginElement(at: level); writer.null(); count += 1 }
    mutating func encode(_ value: Bool) throws { writer.beginElement(at: level); writer.bool(value); count += 1 }
    mutating func encode(_ value: String) throws { writer.beginElement(at: level); writer.string(value); count += 1 }
    mutating func encode(_ value: Double) throws { writer.beginElement(at: level); try writer.double(value); count += 1 }
    mutating func encode(_ value: Int) throws { writer.beginElement(at: level); writer.integer(value); count += 1 }
    mutating func encode<T: Encodable>(_ value: T) throws { writer.beginElement(at: level); try writer.value(value); count += 1 }

    mutating func nestedContainer<NestedKey: CodingKey>(keyedBy keyType: NestedKey.Type) -> KeyedEncodingContainer<NestedKey> {
        writer.beginElement(at: level)
        writer.open(UInt8(ascii: "{"), UInt8(ascii: "}"))
        count += 1
        return KeyedEncodingContainer(StreamKeyedContainer<NestedKey>(writer: writer, level: level + 1))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        writer.beginElement(at: level)
        writer.open(UInt8(ascii: "["), UInt8(ascii: "]"))
        count += 1
        return StreamUnkeyedContainer(writer: writer, level: level + 1)
    }

    mutating func superEncoder() -> any Encoder {
        writer.beginElement(at: level)
        count += 1
        return StreamEncoder(writer: writer, level: level)
    }
}

struct StreamSingleValueContainer: SingleValueEncodingContainer {
    let writer: JSONWriter
    var codingPath: [any CodingKey] { [] }

    mutating func encodeNil() throws { writer.null() }
    mutating func encode(_ value: Bool) throws { writer.bool(value) }
    mutating func encode(_ value: String) throws { writer.string(value) }
    mutating func encode(_ value: Double) throws { try writer.double(value) }
    mutating func encode(_ value: Float) throws { try writer.double(Double(value)) }
    mutating func encode(_ value: Int) throws { writer.integer(value) }
    mutating func encode(_ value: Int8) throws { writer.integer(value) }
    mutating func encode(_ value: Int16) throws { writer.integer(value) }
    mutating func encode(_ value: Int32) throws { writer.integer(value) }
    mutating func encode(_ value: Int64) throws { writer.integer(value) }
    mutating func encode(_ value: UInt) throws { writer.integer(value) }
    mutating func encode(_ value: UInt8) throws { writer.integer(value) }
    mutating func encode(_ value: UInt16) throws { writer.integer(value) }
    mutating func encode(_ value: UInt32) throws { writer.integer(value) }
    mutating func encode(_ value: UInt64) throws { writer.integer(value) }
    mutating func encode<T: Encodable>(_ value: T) throws { try writer.value(value) }
}
