/// A value a template can show or branch on, converted once from the `[String: Any]` context the application passes.
indirect enum TemplateValue: Sendable {
    /// Text, shown as it is (escaped or not); any value that is not one of the other cases becomes its description.
    case text(String)
    /// A boolean: a section shows for true, an inverted one for false; interpolated, it reads `true` or `false`.
    case bool(Bool)
    /// A list: a section shows once per element, an inverted one when it is empty.
    case list([TemplateValue])
    /// Named values: a section shows once with them on top of the context stack.
    case object([String: TemplateValue])

    /// The value `any` holds; nil for an optional that holds nothing, which templates treat as absent.
    init?(_ any: Any) {
        switch any {
        case let value as TemplateValue: self = value
        case let optional as any OptionalTemplateValue:
            guard let wrapped = optional.wrappedValue, let value = TemplateValue(wrapped) else { return nil }
            self = value
        case let text as String: self = .text(text)
        case let bool as Bool: self = .bool(bool)
        case let object as [String: Any]: self = .object(object.compactMapValues { TemplateValue($0) })
        case let list as [Any]: self = .list(list.compactMap { TemplateValue($0) })
        default: self = .text(String(describing: any))
        }
    }

    /// The value named `name` in this one, if it is an object that has it.
    func member(_ name: String) -> TemplateValue? {
        guard case .object(let members) = self else { return nil }
        return members[name]
    }
}

/// An optional seen through `Any`, so that a nil in a context counts as absent.
protocol OptionalTemplateValue {
    /// The wrapped value, if any.
    var wrappedValue: Any? { get }
}

extension Optional: OptionalTemplateValue {
    var wrappedValue: Any? { self.map { $0 as Any } }
}
