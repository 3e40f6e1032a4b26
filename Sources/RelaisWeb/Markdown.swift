import CCMark
import Foundation

/// The facilitator guides are Markdown (GitHub flavour, for their tables); cmark-gfm renders
/// them, dropping any raw HTML.
enum Markdown {
    static func html(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, let rendered = base.withMemoryRebound(to: CChar.self, capacity: bytes.count, {
                relais_markdown_to_html($0, bytes.count)
            }) else { return "" }
            defer { free(rendered) }
            return String(decoding: UnsafeRawBufferPointer(start: rendered, count: strlen(rendered)), as: UTF8.self)
        }
    }
}
