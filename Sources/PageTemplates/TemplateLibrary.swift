/// Named templates, each of which the others may include as a partial with `{{> name}}`.
public struct TemplateLibrary: Sendable {
    /// The templates by name.
    private var templates: [String: Template]

    /// An empty library.
    public init() {
        templates = [:]
    }

    /// A library holding `templates`.
    init(templates: [String: Template]) {
        self.templates = templates
    }

    /// Parses `source` and keeps it as `name`, replacing any template of that name.
    public mutating func register(_ source: String, named name: String) throws(TemplateSyntaxError) {
        templates[name] = try Template(source)
    }

    /// The template `name` rendered with `context`, or nil when the library has no such template.
    public func render(_ context: [String: Any], template name: String) -> String? {
        guard let template = templates[name] else { return nil }
        return render(context, with: template)
    }

    /// `template` rendered with `context`, its partials taken from this library.
    func render(_ context: [String: Any], with template: Template) -> String {
        var renderer = TemplateRenderer(context: TemplateValue(context) ?? .object([:]), partials: templates)
        renderer.render(template.nodes)
        return String(decoding: renderer.output, as: UTF8.self)
    }
}
