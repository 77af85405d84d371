import ProviderStorage
import ProviderCore

/// The developer portal (the seed's "a client is registered by a user (developer) on your website"): register clients,
/// see them, rotate secrets, edit callbacks and keys, disable and delete. A developer sees and changes only their own clients;
/// a secret is shown once, right after it is made.
struct DeveloperRoutes {
    let application: Application
    let parts: Application.Parts
    let request: GatewayRequest
    let browser: BrowserRoutes

    private var mount: String { request.mountPath }

    func list() throws -> HTTPResponse {
        if let refusal = browser.transportRefusal() { return refusal }
        guard let (session, user) = try browser.signedIn() else { return signInFirst("/developer") }
        let clients = try parts.stores.clients.all(ownerUserID: user.id).map { client -> [String: Any] in
            ["name": client.name, "identifier": client.identifier, "created": isoTime(client.createdAt), "disabled": client.isDisabled,
             "editLink": mount + "/developer/client?client_id=" + PercentEncoding.encode(client.identifier)]
        }
        return application.pages.render("developer", ["title": "Your applications", "username": user.username, "clients": clients,
                                                       "hasClients": !clients.isEmpty, "newLink": mount + "/developer/new"],
                                       navigation: browser.navigation(session))
    }

    func register() throws -> HTTPResponse {
        if let refusal = browser.transportRefusal() { return refusal }
        guard let (session, user) = try browser.signedIn() else { return signInFirst("/developer/new") }
        if request.http.method == "GET" {
            return form(session: session, record: nil, fields: [:], error: nil, status: 200)
        }
        let fields = try browser.formFields()
        guard try browser.csrfValid(fields, session) else { return browser.csrfRefusal() }
        let input = Submitted(fields)
        do {
            try checkCallbacks(input.callbacks)
            let client = try parts.stores.clients.register(name: input.name, description: input.description, ownerUserID: user.id,
                                                           callbackURIs: input.callbacks, rsaPublicKeyPEM: input.rsaPublicKey,
                                                           allowsTwoLegged: input.twoLegged, requiresBodyHash: input.requireBodyHash)
            Log.info("user \(user.id) registered client \(client.identifier)")
            application.audit(.clientRegistered, request, user: user.id, client: client.identifier)
            return secretPage("Application registered", identifier: client.identifier, secret: client.secret, session: session)
        } catch let error as StoreInputError {
            return form(session: session, record: nil, fields: fields, error: Self.sentence(error.message), status: 400)
        }
    }

    func edit() throws -> HTTPResponse {
        if let refusal = browser.transportRefusal() { return refusal }
        guard let (session, user) = try browser.signedIn() else { return signInFirst("/developer") }
        let fields: [String: String]
        if request.http.method == "GET" {
            fields = Dictionary(try browser.query().map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        } else {
            fields = try browser.formFields()
            guard try browser.csrfValid(fields, session) else { return browser.csrfRefusal() }
        }
        guard var record = try ownClient(fields["client_id"], of: user) else { return notYours() }
        if request.http.method == "GET" {
            return form(session: session, record: record, fields: [:], error: nil, status: 200)
        }
        let input = Submitted(fields)
        do {
            try checkCallbacks(input.callbacks)
            record.name = input.name
            record.description = input.description
            record.callbackURIs = input.callbacks
            record.rsaPublicKeyPEM = input.rsaPublicKey
            record.allowsTwoLegged = input.twoLegged
            record.requiresBodyHash = input.requireBodyHash
            _ = try parts.stores.clients.update(record)
            return .seeOther(mount + "/developer")
        } catch let error as StoreInputError {
            return form(session: session, record: record, fields: fields, error: Self.sentence(error.message), status: 400)
        }
    }

    /// POST rotate, toggle (disable or enable) and delete, each for one of the developer's own clients.
    func act(_ action: String) throws -> HTTPResponse {
        guard let (session, user) = try browser.signedIn() else { return signInFirst("/developer") }
        let fields = try browser.formFields()
        guard try browser.csrfValid(fields, session) else { return browser.csrfRefusal() }
        guard var record = try ownClient(fields["client_id"], of: user) else { return notYours() }
        switch action {
        case "rotate":
            guard let secret = try parts.stores.clients.rotateSecret(identifier: record.identifier) else { return notYours() }
            Log.info("user \(user.id) rotated the secret of client \(record.identifier)")
            application.audit(.clientSecretRotated, request, user: user.id, client: record.identifier)
            return secretPage("New secret", identifier: record.identifier, secret: secret, session: session)
        case "toggle":
            record.isDisabled.toggle()
            _ = try parts.stores.clients.update(record)
            return .seeOther(mount + "/developer")
        case "delete":
            _ = try parts.stores.tokenCredentials.revokeAll(clientIdentifier: record.identifier)
            _ = try parts.stores.clients.remove(identifier: record.identifier)
            Log.info("user \(user.id) deleted client \(record.identifier)")
            application.audit(.clientDeleted, request, user: user.id, client: record.identifier)
            return .seeOther(mount + "/developer")
        default:
            return .text("There is no developer action \(action).", status: 404)
        }
    }

    // MARK: Helpers

    /// What a developer typed into the client form.
    struct Submitted {
        let name: String
        let description: String
        let callbacks: [String]
        let rsaPublicKey: String?
        let twoLegged: Bool
        let requireBodyHash: Bool

        init(_ fields: [String: String]) {
            name = (fields["name"] ?? "").trimming(" \t\r\n")
            description = (fields["description"] ?? "").trimming(" \t\r\n")
            callbacks = (fields["callbacks"] ?? "").split(whereSeparator: \.isNewline).map { $0.trimming(" \t") }.filter { !$0.isEmpty }
            let pem = (fields["rsa_public_key"] ?? "").trimming(" \t\r\n")
            rsaPublicKey = pem.isEmpty ? nil : pem
            twoLegged = fields["two_legged"] != nil
            requireBodyHash = fields["require_body_hash"] != nil
        }
    }

    /// At least one callback; https unless insecure transport is on (the store checks the rest).
    private func checkCallbacks(_ callbacks: [String]) throws {
        guard !callbacks.isEmpty else { throw StoreInputError(message: "give at least one callback URI, or oob") }
        if !application.configuration.allowsInsecureTransport {
            for callback in callbacks where callback != Callback.outOfBand && !callback.lowercased().hasPrefix("https://") {
                throw StoreInputError(message: "the callback '\(callback)' must use https")
            }
        }
    }

    private func ownClient(_ identifier: String?, of user: UserRecord) throws -> ClientRecord? {
        guard let identifier, let record = try parts.stores.clients.record(identifier: identifier), record.ownerUserID == user.id else { return nil }
        return record
    }

    private func form(session: Sessions.Current, record: ClientRecord?, fields: [String: String], error: String?, status: Int) -> HTTPResponse {
        var values: [String: Any] = [
            "title": record == nil ? "Register an application" : "Manage \(record?.name ?? "")",
            "heading": record == nil ? "Register an application" : "Manage \(record?.name ?? "")",
            "csrfToken": session.record.csrfToken, "backLink": mount + "/developer",
            "action": mount + (record == nil ? "/developer/new" : "/developer/client"),
            "submitLabel": record == nil ? "Register" : "Save",
            "name": fields["name"] ?? record?.name ?? "",
            "description": fields["description"] ?? record?.description ?? "",
            "callbacks": fields["callbacks"] ?? record?.callbackURIs.joined(separator: "\n") ?? "",
            "rsaPublicKey": fields["rsa_public_key"] ?? record?.rsaPublicKeyPEM ?? "",
            "twoLegged": fields.isEmpty ? (record?.allowsTwoLegged ?? false) : fields["two_legged"] != nil,
            "requireBodyHash": fields.isEmpty ? (record?.requiresBodyHash ?? false) : fields["require_body_hash"] != nil,
            "httpsOnly": !application.configuration.allowsInsecureTransport,
        ]
        if let record {
            values["identifier"] = record.identifier
            values["disabled"] = record.isDisabled
            values["rotateAction"] = mount + "/developer/client/rotate"
            values["toggleAction"] = mount + "/developer/client/toggle"
            values["deleteAction"] = mount + "/developer/client/delete"
        }
        if let error { values["error"] = error }
        return application.pages.render("client-form", values, navigation: browser.navigation(session), status: status)
    }

    private func secretPage(_ heading: String, identifier: String, secret: String, session: Sessions.Current) -> HTTPResponse {
        application.pages.render("client-secret", ["title": heading, "heading": heading, "identifier": identifier, "secret": secret,
                                                   "backLink": mount + "/developer"], navigation: browser.navigation(session))
    }

    private func signInFirst(_ route: String) -> HTTPResponse {
        .seeOther(mount + "/login?next=" + PercentEncoding.encode(mount + route))
    }

    private func notYours() -> HTTPResponse {
        application.pages.error(404, heading: "No such application", message: "You have no application with that client ID.")
    }

    /// A store message as a sentence: capitalized, ending with a period.
    static func sentence(_ message: String) -> String {
        let trimmed = message.hasSuffix(".") ? message : message + "."
        return trimmed.prefix(1).uppercased() + trimmed.dropFirst()
    }
}
