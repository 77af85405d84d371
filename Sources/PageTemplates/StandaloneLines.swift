/// The specification's standalone rule: a section, inverted-section, end, comment, partial or delimiter tag that is the
/// only thing on its line, apart from spaces and tabs, takes the whole line with it, its line ending included.
enum StandaloneLines {
    /// `tokens` with every standalone line's whitespace and line ending removed; a standalone partial keeps the whitespace
    /// before it as its indentation.
    static func strip(_ tokens: [TemplateToken]) -> [TemplateToken] {
        var result = tokens
        var dropFront = [Int](repeating: 0, count: tokens.count)
        var dropBack = [Int](repeating: 0, count: tokens.count)
        for index in tokens.indices {
            guard case .tag(var tag) = tokens[index], tag.kind.canStandAlone else { continue }
            var leading = ArraySlice<UInt8>()
            if index > 0 {
                guard case .text(let before) = tokens[index - 1] else { continue }
                let lineFeed = before.lastIndex(of: UInt8(ascii: "\n"))
                // Text with no line feed before the tag is on the tag's line: only the template's start may precede it.
                guard lineFeed != nil || index - 1 == 0 else { continue }
                leading = before[(lineFeed.map { $0 + 1 } ?? 0)...]
                guard leading.allSatisfy(isBlank) else { continue }
            }
            var trailing = 0
            if index + 1 < tokens.count {
                guard case .text(let after) = tokens[index + 1] else { continue }
                var blank = 0
                while blank < after.count && isBlank(after[blank]) { blank += 1 }
                if blank == after.count {
                    // Only whitespace after the tag: standalone if that is the end of the template.
                    guard index + 2 == tokens.count else { continue }
                    trailing = blank
                } else if after[blank] == UInt8(ascii: "\n") {
                    trailing = blank + 1
                } else if after[blank] == UInt8(ascii: "\r"), blank + 1 < after.count, after[blank + 1] == UInt8(ascii: "\n") {
                    trailing = blank + 2
                } else {
                    continue
                }
            }
            if index > 0 { dropBack[index - 1] = leading.count }
            if index + 1 < tokens.count { dropFront[index + 1] = trailing }
            if tag.kind == .partial {
                tag.indentation = Array(leading)
                result[index] = .tag(tag)
            }
        }
        return result.indices.compactMap { index in
            guard case .text(let bytes) = result[index] else { return result[index] }
            let kept = bytes.dropFirst(dropFront[index]).dropLast(dropBack[index])
            return kept.isEmpty ? nil : .text(Array(kept))
        }
    }

    /// A space or a tab.
    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
