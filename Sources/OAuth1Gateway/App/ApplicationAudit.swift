import ProviderCore

extension Application {
    /// Records an event of `request` in the audit trail, with the request's client address and the current time.
    func audit(_ event: AuditEvent, _ request: GatewayRequest, user: Int64? = nil, client: String? = nil, token: String? = nil) {
        configuration.auditLog.record(event, at: clock.now(), user: user.map { String($0) }, client: client,
                                      address: request.http.remoteAddress, token: token)
    }
}

extension Application {
    /// Records a token credential the token endpoint just issued (its response's `oauth_token`), with its client and user.
    func auditTokenIssued(_ request: GatewayRequest, _ response: HTTPResponse, _ parts: Parts) {
        guard response.status == 200, let issued = try? FormURLEncoding.parse(response.bodyText),
              let token = issued.first(where: { $0.name == "oauth_token" })?.value else { return }
        let credential = try? parts.stores.tokenCredentials.tokenCredential(token: token)
        audit(.tokenIssued, request, user: credential.flatMap { Int64($0.userID) }, client: credential?.clientIdentifier, token: token)
    }
}
