import ProviderStorage
import PageTemplates
import ProviderCore
import Synchronization

/// The HTML pages: the shipped Mustache templates compiled into the binary, each replaceable by a file of the same name in
/// `OAUTH1_TEMPLATES`; parsed once per process, on the first page rendered, by PageTemplates. HTML escaping is on for every
/// `{{value}}`.
final class Pages: Sendable {
    private let overrideDirectory: String?
    private let siteName: String
    /// The parsed templates, once a page has been rendered.
    private let library = Mutex<TemplateLibrary?>(nil)

    /// The shipped templates by name.
    static let shipped: [String: [UInt8]] = [
        "header": PackageResources.header_mustache,
        "footer": PackageResources.footer_mustache,
        "login": PackageResources.login_mustache,
        "authorize": PackageResources.authorize_mustache,
        "verifier": PackageResources.verifier_mustache,
        "denied": PackageResources.denied_mustache,
        "error": PackageResources.error_mustache,
        "signed-out": PackageResources.signed_out_mustache,
        "home": PackageResources.home_mustache,
        "applications": PackageResources.applications_mustache,
        "developer": PackageResources.developer_mustache,
        "signup": PackageResources.signup_mustache,
        "client-form": PackageResources.client_form_mustache,
        "client-secret": PackageResources.client_secret_mustache,
        "password": PackageResources.password_mustache,
        "password-changed": PackageResources.password_changed_mustache,
    ]

    init(overrideDirectory: String?, siteName: String) {
        self.overrideDirectory = overrideDirectory
        self.siteName = siteName
    }

    /// Parses every template; a broken override is reported with its file name.
    func load() throws -> TemplateLibrary {
        try library.withLock { parsed in
            if let parsed { return parsed }
            var library = TemplateLibrary()
            for (name, bytes) in Self.shipped {
                var text = String(decoding: bytes, as: UTF8.self)
                var origin = "shipped template \(name).mustache"
                if let directory = overrideDirectory,
                   let override = ConfigurationSource.readTextFile(directory + "/" + name + ".mustache") {
                    text = override
                    origin = directory + "/" + name + ".mustache"
                }
                do {
                    try library.register(text, named: name)
                } catch {
                    throw TemplateError(message: "\(origin) does not parse: \(error)")
                }
            }
            parsed = library
            return library
        }
    }

    /// Renders a page; `values` are HTML-escaped where the template interpolates them with `{{name}}`.
    func render(_ name: String, _ values: [String: Any], status: Int = 200) -> HTTPResponse {
        var context = values
        context["siteName"] = siteName
        do {
            let library = try load()
            guard let html = library.render(context, template: name) else {
                throw TemplateError(message: "no template named \(name)")
            }
            return .page(html, status: status)
        } catch {
            Log.error("page \(name) could not be rendered: \(error)")
            return .text("This page could not be rendered; the site's templates are broken. The administrator has been told in the log.", status: 503)
        }
    }

    /// The error page with a heading, a sentence, and an optional problem code.
    func error(_ status: Int, heading: String, message: String, code: String? = nil) -> HTTPResponse {
        var values: [String: Any] = ["title": heading, "heading": heading, "message": message]
        if let code { values["code"] = code }
        return render("error", values, status: status)
    }
}

struct TemplateError: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
