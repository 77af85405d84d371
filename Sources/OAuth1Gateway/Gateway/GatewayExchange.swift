import ProviderCore

/// One request/response exchange, shared by the FastCGI and CGI gateways: check the announced length, read exactly that
/// many body bytes, decode, let the application answer, count the answer for `/status`, and encode the response. Bad
/// input becomes a 4xx with a sentence.
enum GatewayExchange {
    /// - Parameter readBody: reads up to the given number of body bytes; fewer means the body ended early.
    static func respond(environment: GatewayEnvironment, application: Application, decoder: GatewayRequestDecoder,
                        readBody: (Int) -> [UInt8]) -> [UInt8] {
        var output = [UInt8]()
        respond(environment: environment, application: application, decoder: decoder, readBody: readBody, into: &output)
        return output
    }

    /// The same, written over what `output` held (a FastCGI worker's one buffer).
    static func respond(environment: GatewayEnvironment, application: Application, decoder: GatewayRequestDecoder,
                        readBody: (Int) -> [UInt8], into output: inout [UInt8]) {
        let response: HTTPResponse
        var route = StatusRoute.other
        do {
            let length = try decoder.contentLength(environment)
            let body = length > 0 ? readBody(length) : []
            guard body.count == length else {
                throw GatewayError(status: 400, message: "The request body ended after \(body.count) of \(length) bytes.")
            }
            let request = try decoder.decode(environment: environment, body: body)
            let answer = application.handle(request)
            if case .authorizer = request.role, answer.status == 200 {
                application.countForStatus(route: StatusRoute.authorizer, answer)
                // Apache adds an authorizer's other 200 headers to the final response: send the Variable-* ones alone.
                return ResponseEncoder.encode(HTTPResponse(status: 200, headers: HTTPHeaders(answer.headers.filter { $0.name.hasPrefix("Variable-") }
                                                                                    .map { ($0.name, $0.value) })),
                                              includeBody: false, contentLength: false, into: &output)
            }
            if application.statusSegment != nil {
                if case .authorizer = request.role { route = StatusRoute.authorizer } else { route = StatusRoute.index(of: request.route) }
            }
            response = answer
        } catch let error as GatewayError {
            response = .text(error.message, status: error.status)
        } catch {
            response = .text("The request could not be read.", status: 400)
        }
        application.countForStatus(route: route, response)
        ResponseEncoder.encode(response, includeBody: !environment.value(.requestMethod, is: "HEAD"), into: &output)
    }
}
