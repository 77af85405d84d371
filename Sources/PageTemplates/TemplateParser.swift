/// Builds the node tree of a template from its tokens, matching each section with its end.
enum TemplateParser {
    /// The nodes of `source`; an end tag that closes no section or another one, or a section left open, is an error.
    static func parse(_ source: String) throws(TemplateSyntaxError) -> [TemplateNode] {
        let tokens = StandaloneLines.strip(try TemplateTokenizer.tokens(Array(source.utf8)))
        var open = [(tag: Tag, outer: [TemplateNode])]()
        var nodes = [TemplateNode]()
        for token in tokens {
            switch token {
            case .text(let bytes):
                nodes.append(.text(bytes))
            case .tag(let tag):
                switch tag.kind {
                case .escaped, .unescaped:
                    nodes.append(.variable(VariableName(tag.name), escaped: tag.kind == .escaped))
                case .section, .invertedSection:
                    open.append((tag, nodes))
                    nodes = []
                case .close:
                    guard let section = open.popLast() else {
                        throw TemplateSyntaxError(line: tag.line, "{{/\(tag.name)}} closes no section")
                    }
                    guard section.tag.name == tag.name else {
                        throw TemplateSyntaxError(line: tag.line, "{{/\(tag.name)}} does not close the section '\(section.tag.name)' opened on line \(section.tag.line)")
                    }
                    let node = TemplateNode.section(VariableName(tag.name), inverted: section.tag.kind == .invertedSection, children: nodes)
                    nodes = section.outer + [node]
                case .comment, .setDelimiters:
                    break
                case .partial:
                    nodes.append(.partial(tag.name, indentation: tag.indentation))
                }
            }
        }
        if let section = open.last {
            throw TemplateSyntaxError(line: section.tag.line, "the section '\(section.tag.name)' is never closed")
        }
        return nodes
    }
}
