/// Splits a template's UTF-8 text into literal text and tags, following `{{=<% %>=}}` delimiter changes.
enum TemplateTokenizer {
    /// The tokens of `source` in order; a tag that is not closed, or whose name is empty or malformed, is an error.
    static func tokens(_ source: [UInt8]) throws(TemplateSyntaxError) -> [TemplateToken] {
        var tokens = [TemplateToken]()
        var open = Array("{{".utf8)
        var close = Array("}}".utf8)
        var cursor = 0
        var line = 1
        while let start = find(open, in: source, from: cursor) {
            if start > cursor { tokens.append(.text(Array(source[cursor..<start]))) }
            line += newlines(in: source[cursor..<start])
            var contentStart = start + open.count
            let sigil = contentStart < source.count ? source[contentStart] : 0
            let kind: TagKind
            var terminator = close
            switch sigil {
            case UInt8(ascii: "{"): kind = .unescaped; terminator = [UInt8(ascii: "}")] + close
            case UInt8(ascii: "&"): kind = .unescaped
            case UInt8(ascii: "#"): kind = .section
            case UInt8(ascii: "^"): kind = .invertedSection
            case UInt8(ascii: "/"): kind = .close
            case UInt8(ascii: "!"): kind = .comment
            case UInt8(ascii: ">"): kind = .partial
            case UInt8(ascii: "="): kind = .setDelimiters; terminator = [UInt8(ascii: "=")] + close
            case UInt8(ascii: "<"), UInt8(ascii: "$"), UInt8(ascii: "%"):
                throw TemplateSyntaxError(line: line, "\(text(open))\(Character(Unicode.Scalar(sigil))) tags (template inheritance, pragmas) are not supported")
            default: kind = .escaped
            }
            if kind != .escaped { contentStart += 1 }
            guard let contentEnd = find(terminator, in: source, from: contentStart) else {
                throw TemplateSyntaxError(line: line, "a tag opened with \(text(open)) is not closed with \(text(terminator))")
            }
            let content = source[contentStart..<contentEnd]
            switch kind {
            case .comment:
                tokens.append(.tag(Tag(kind: kind, name: "", line: line)))
            case .setDelimiters:
                let parts = content.split(whereSeparator: isWhitespace)
                guard parts.count == 2, !parts.contains(where: { $0.contains(UInt8(ascii: "=")) }) else {
                    throw TemplateSyntaxError(line: line, "a delimiter change must be two delimiters without spaces or '=', as in {{=<% %>=}}")
                }
                open = Array(parts[0])
                close = Array(parts[1])
                tokens.append(.tag(Tag(kind: kind, name: "", line: line)))
            default:
                let name = content.drop(while: isWhitespace).reversed().drop(while: isWhitespace).reversed()
                guard !name.isEmpty else { throw TemplateSyntaxError(line: line, "a tag has no name") }
                let written = text(name)
                if name.contains(where: isWhitespace) { throw TemplateSyntaxError(line: line, "the name '\(written)' contains a space") }
                if name.contains(UInt8(ascii: "(")) {
                    throw TemplateSyntaxError(line: line, "the name '\(written)' calls a transform, which is not supported")
                }
                tokens.append(.tag(Tag(kind: kind, name: written, line: line)))
            }
            cursor = contentEnd + terminator.count
            line += newlines(in: source[start..<cursor])
        }
        if cursor < source.count { tokens.append(.text(Array(source[cursor...]))) }
        return tokens
    }

    /// The first index at or after `from` where `needle` starts in `haystack`.
    private static func find(_ needle: [UInt8], in haystack: [UInt8], from: Int) -> Int? {
        guard let first = needle.first, haystack.count >= needle.count else { return nil }
        var index = from
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first {
                var matched = 1
                while matched < needle.count && haystack[index + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return index }
            }
            index += 1
        }
        return nil
    }

    /// How many line feeds `bytes` holds.
    private static func newlines(in bytes: ArraySlice<UInt8>) -> Int {
        bytes.reduce(0) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
    }

    /// Whether `byte` is a space, tab, carriage return or line feed (what may surround a tag's name).
    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r")
    }

    /// Bytes as text, for names and messages.
    private static func text<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}
