/// The contexts the pages are rendered with in the golden-output fixtures (Fixtures/pages), shaped as the routes build
/// them (BrowserRoutes, AccountRoutes, AccountPasswordRoutes, DeveloperRoutes, Pages.error), plus values that test escaping.
enum PageFixtureCases {
    /// One page rendered with one context; its fixture is Fixtures/pages/<page>--<name>.html.
    struct Case {
        let page: String
        let name: String
        let values: [String: Any]
        var fileName: String { "\(page)--\(name).html" }

        /// A case of a page for a signed-in user, whose context also holds the navigation.
        static func signedIn(page: String, name: String, values: [String: Any]) -> Case {
            var values = values
            values["nav"] = PageFixtureCases.navigation
            return Case(page: page, name: name, values: values)
        }
    }

    /// The site name every fixture is rendered with (Pages adds it to every context as `siteName`).
    static let siteName = "Example & <Photos>"

    /// What SignedInNavigation gives header.mustache as `nav` on a signed-in page mounted at /oauth.
    static let navigation = ["developerLink": "/oauth/developer", "applicationsLink": "/oauth/account/applications",
                             "accountLink": "/oauth/", "logoutAction": "/oauth/logout", "csrfToken": "c3Nu"]

    /// Text that HTML escaping must change: markup, both quotes, an ampersand, and non-ASCII.
    static let hostile = "<script>alert('x')</script> & \"quoted\" caf\u{E9} \u{1F600}"

    static var all: [Case] { [
        Case(page: "login", name: "plain", values: ["title": "Sign in", "action": "/oauth/login", "next": "/oauth/", "username": "",
                                                   "csrfToken": "Zm9ybS10b2tlbg"]),
        Case(page: "login", name: "error-signup", values: ["title": "Sign in", "action": "/oauth/login", "next": "/oauth/authorize?oauth_token=t&x=1",
                                                          "username": hostile, "csrfToken": "Zm9ybS10b2tlbg",
                                                          "error": "Too many failed sign-ins. Try again in 30 seconds.",
                                                          "signupLink": "/oauth/signup"]),
        Case(page: "login", name: "empty-error", values: ["title": "Sign in", "action": "/login", "next": "/", "username": "bob",
                                                         "csrfToken": "t", "error": ""]),
        Case(page: "signup", name: "plain", values: ["title": "Create an account", "action": "/oauth/signup", "next": "/oauth/",
                                                    "username": "", "csrfToken": "dG9rZW4", "loginLink": "/oauth/login"]),
        Case(page: "signup", name: "error", values: ["title": "Create an account", "action": "/oauth/signup", "next": "/oauth/",
                                                    "username": hostile, "csrfToken": "dG9rZW4", "loginLink": "/oauth/login",
                                                    "error": "The two passwords differ; type the same one twice."]),
        Case.signedIn(page: "home", name: "plain", values: ["title": "Signed in", "username": "alice", "csrfToken": "c3Nu",
                                                  "logoutAction": "/oauth/logout", "passwordLink": "/oauth/account/password",
                                                  "everywhereAction": "/oauth/account/sessions/revoke",
                                                  "applicationsLink": "/oauth/account/applications", "developerLink": "/oauth/developer"]),
        Case.signedIn(page: "home", name: "hostile", values: ["title": hostile, "username": hostile, "csrfToken": "c3Nu",
                                                    "logoutAction": "/logout", "passwordLink": "/account/password",
                                                    "everywhereAction": "/account/sessions/revoke",
                                                    "applicationsLink": "/account/applications", "developerLink": "/developer"]),
        Case.signedIn(page: "authorize", name: "scopes-callback-lifetime", values: [
            "title": "Authorize Printer", "clientName": "Printer", "username": "alice", "token": "tok", "csrfToken": "c3Nu",
            "action": "/oauth/authorize", "logoutAction": "/oauth/logout", "hasScopes": true, "callbackHost": "printer.example",
            "lifetime": "30 days",
            "scopes": [["name": "photos.read", "description": "See your photos"], ["name": "photos.write", "description": "Upload & <delete>"]],
        ]),
        Case.signedIn(page: "authorize", name: "out-of-band", values: [
            "title": "Authorize \(hostile)", "clientName": hostile, "username": "alice", "token": "tok", "csrfToken": "c3Nu",
            "action": "/authorize", "logoutAction": "/logout", "scopes": [[String: String]](), "hasScopes": false,
        ]),
        Case.signedIn(page: "verifier", name: "plain", values: ["title": "Access allowed", "clientName": "Printer", "verifier": "4821-9917"]),
        Case.signedIn(page: "verifier", name: "hostile", values: ["title": "Access allowed", "clientName": hostile, "verifier": "<v>"]),
        Case.signedIn(page: "denied", name: "plain", values: ["title": "Access denied", "clientName": "Printer"]),
        Case(page: "error", name: "with-code", values: ["title": "This link is incomplete", "heading": "This link is incomplete",
                                                       "message": "The request did not carry oauth_token.", "code": "parameter_absent"]),
        Case(page: "error", name: "without-code", values: ["title": "Please sign in again", "heading": "Please sign in again",
                                                          "message": hostile]),
        Case(page: "signed-out", name: "here", values: ["title": "Signed out"]),
        Case(page: "signed-out", name: "everywhere", values: ["title": "Signed out", "everywhere": true]),
        Case.signedIn(page: "applications", name: "none", values: ["title": "Connected applications", "username": "alice",
                                                         "applications": [[String: Any]](), "hasApplications": false, "revoked": false]),
        Case.signedIn(page: "applications", name: "two-revoked", values: [
            "title": "Connected applications", "username": "alice", "hasApplications": true, "revoked": true,
            "applications": [
                ["clientName": "Printer", "granted": "2026-01-02", "lastUsed": "never", "handle": "aGFuZGxl", "hasScopes": true,
                 "scopeList": "See your photos, Upload & <delete>", "csrfToken": "c3Nu", "revokeAction": "/oauth/account/applications/revoke",
                 "grantCount": "3", "expires": "2026-03-04"] as [String: Any],
                ["clientName": hostile, "granted": "2025-12-31", "lastUsed": "2026-01-01", "handle": "b3RoZXI", "hasScopes": false,
                 "scopeList": "", "csrfToken": "c3Nu", "revokeAction": "/oauth/account/applications/revoke"],
            ],
        ]),
        Case.signedIn(page: "developer", name: "none", values: ["title": "Your applications", "username": "alice", "clients": [[String: Any]](),
                                                      "hasClients": false, "newLink": "/oauth/developer/new"]),
        Case.signedIn(page: "developer", name: "two", values: [
            "title": "Your applications", "username": "alice", "hasClients": true, "newLink": "/oauth/developer/new",
            "clients": [
                ["name": "Printer", "identifier": "cGVyc29uYWw", "created": "2026-01-02T03:04:05Z", "disabled": false,
                 "editLink": "/oauth/developer/client?client_id=cGVyc29uYWw"] as [String: Any],
                ["name": hostile, "identifier": "b3RoZXI", "created": "2026-02-03T04:05:06Z", "disabled": true,
                 "editLink": "/oauth/developer/client?client_id=b3RoZXI&x=<y>"],
            ],
        ]),
        Case.signedIn(page: "client-form", name: "register", values: [
            "title": "Register an application", "heading": "Register an application", "csrfToken": "c3Nu", "backLink": "/oauth/developer",
            "action": "/oauth/developer/new", "submitLabel": "Register", "name": "", "description": "", "callbacks": "", "rsaPublicKey": "",
            "twoLegged": false, "requireBodyHash": false, "httpsOnly": true,
        ]),
        Case.signedIn(page: "client-form", name: "manage-disabled-error", values: [
            "title": "Manage \(hostile)", "heading": "Manage \(hostile)", "csrfToken": "c3Nu", "backLink": "/oauth/developer",
            "action": "/oauth/developer/client", "submitLabel": "Save", "name": hostile, "description": "Prints\nphotos",
            "callbacks": "https://printer.example/cb\noob", "rsaPublicKey": "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
            "twoLegged": true, "requireBodyHash": true, "httpsOnly": false, "identifier": "cGVyc29uYWw", "disabled": true,
            "rotateAction": "/oauth/developer/client/rotate", "toggleAction": "/oauth/developer/client/toggle",
            "deleteAction": "/oauth/developer/client/delete", "error": "the callback 'http://x' must use https",
        ]),
        Case.signedIn(page: "client-form", name: "manage-enabled", values: [
            "title": "Manage Printer", "heading": "Manage Printer", "csrfToken": "c3Nu", "backLink": "/developer",
            "action": "/developer/client", "submitLabel": "Save", "name": "Printer", "description": "", "callbacks": "oob",
            "rsaPublicKey": "", "twoLegged": false, "requireBodyHash": false, "httpsOnly": true, "identifier": "cGVyc29uYWw",
            "disabled": false, "rotateAction": "/developer/client/rotate", "toggleAction": "/developer/client/toggle",
            "deleteAction": "/developer/client/delete",
        ]),
        Case.signedIn(page: "client-secret", name: "plain", values: ["title": "Application registered", "heading": "Application registered",
                                                           "identifier": "cGVyc29uYWw", "secret": "c2VjcmV0&<>", "backLink": "/oauth/developer"]),
        Case.signedIn(page: "password", name: "plain", values: ["title": "Change your password", "username": "alice", "csrfToken": "c3Nu",
                                                      "action": "/oauth/account/password", "homeLink": "/oauth/"]),
        Case.signedIn(page: "password", name: "error", values: ["title": "Change your password", "username": hostile, "csrfToken": "c3Nu",
                                                      "action": "/account/password", "homeLink": "/",
                                                      "error": "The two new passwords differ; type the same one twice."]),
        Case.signedIn(page: "password-changed", name: "plain", values: ["title": "Password changed", "homeLink": "/oauth/"]),
    ] }
}
