/// What a tag does, from the character after its opening delimiter.
enum TagKind: Equatable {
    /// `{{name}}`: the value, HTML-escaped.
    case escaped
    /// `{{{name}}}` or `{{& name}}`: the value as it is.
    case unescaped
    /// `{{#name}}`: a section.
    case section
    /// `{{^name}}`: an inverted section.
    case invertedSection
    /// `{{/name}}`: the end of a section.
    case close
    /// `{{! text}}`: a comment.
    case comment
    /// `{{> name}}`: another template of the library, rendered in place.
    case partial
    /// `{{=<% %>=}}`: new delimiters for the rest of the template.
    case setDelimiters

    /// Whether the tag may stand alone on a line, which then disappears from the output (the specification's standalone rule).
    var canStandAlone: Bool {
        switch self {
        case .escaped, .unescaped: false
        case .section, .invertedSection, .close, .comment, .partial, .setDelimiters: true
        }
    }
}

/// One tag of a template.
struct Tag: Equatable {
    /// What the tag does.
    let kind: TagKind
    /// The name between the delimiters, trimmed; empty for comments and delimiter changes.
    let name: String
    /// The line, counted from 1, on which the tag starts.
    let line: Int
    /// For a partial alone on its line, the whitespace before it, which indents every line of the partial; nil otherwise.
    var indentation: [UInt8]? = nil
}

/// A piece of a template's text: literal bytes or one tag.
enum TemplateToken: Equatable {
    /// Literal text, as UTF-8.
    case text([UInt8])
    /// A tag.
    case tag(Tag)
}
