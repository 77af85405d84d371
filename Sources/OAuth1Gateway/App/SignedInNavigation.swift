import ProviderCore

/// The navigation every page for a signed-in user carries (header.mustache's `nav`): the developer portal, connected
/// applications, the account page, and a sign-out form with the session's CSRF token.
struct SignedInNavigation {
    let mountPath: String
    let csrfToken: String

    /// The navigation for a session's pages under `mountPath`.
    init(mountPath: String, session: Sessions.Current) {
        self.mountPath = mountPath
        csrfToken = session.record.csrfToken
    }

    /// The values header.mustache renders inside `{{#nav}}`.
    var values: [String: Any] {
        ["developerLink": mountPath + "/developer", "applicationsLink": mountPath + "/account/applications",
         "accountLink": mountPath + "/", "logoutAction": mountPath + "/logout", "csrfToken": csrfToken]
    }
}

extension Pages {
    /// Renders a page for a signed-in user: `values` plus the navigation every such page carries.
    func render(_ name: String, _ values: [String: Any], navigation: SignedInNavigation, status: Int = 200) -> HTTPResponse {
        var values = values
        values["nav"] = navigation.values
        return render(name, values, status: status)
    }
}
