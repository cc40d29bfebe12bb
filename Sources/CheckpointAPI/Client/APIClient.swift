#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The shared API client: builds requests, sends them through a transport with retries,
/// and maps responses to values or to ``APIError``.
///
/// The client knows no endpoint; resources such as ``PermissionsClient`` sit on top.
public struct APIClient: Sendable {
    public var configuration: ClientConfiguration
    public var retryPolicy: RetryPolicy
    public let transport: any HTTPTransport

    /// The `User-Agent` header value.
    public static let userAgent = "ckpt/\(CheckpointAPIVersion.current)"

    public init(
        configuration: ClientConfiguration,
        transport: any HTTPTransport = CurlTransport(),
        retryPolicy: RetryPolicy = RetryPolicy()
    ) {
        self.configuration = configuration
        self.transport = transport
        self.retryPolicy = retryPolicy
    }

    /// Sends a request and decodes its JSON response.
    ///
    /// - Parameters:
    ///   - method: the HTTP method.
    ///   - path: the path after the base URL, starting with `/`, already percent-encoded.
    ///   - query: query parameters in order; they are percent-encoded here.
    ///   - body: a value sent as a JSON body, or `nil` for none.
    /// - Returns: the decoded response body.
    /// - Throws: ``APIError`` for every failure, after the retries the policy allows.
    public func send<Response: Decodable>(
        _ method: HTTPMethod,
        path: String,
        query: [(name: String, value: String)] = [],
        body: (some Encodable & Sendable)? = Optional<Never>.none,
        as responseType: Response.Type = Response.self
    ) async throws(APIError) -> Response {
        let encodedBody = try body.map { body throws(APIError) in try Self.encodeBody(body) }
        return try await send(method, path: path, query: query, encodedBody: encodedBody, as: responseType)
    }

    /// Sends a request whose JSON body is already encoded, and decodes its JSON response.
    func send<Response: Decodable>(
        _ method: HTTPMethod,
        path: String,
        query: [(name: String, value: String)] = [],
        encodedBody: Data?,
        as responseType: Response.Type = Response.self
    ) async throws(APIError) -> Response {
        let pathAndQuery = path + Self.queryString(query)
        let request = try makeRequest(method, pathAndQuery: pathAndQuery, encodedBody: encodedBody)
        let (response, retries) = try await sendWithRetries(request, pathAndQuery: pathAndQuery)
        return try decode(responseType, from: response, retries: retries)
    }

    /// Builds the request, checking the configuration first so that nothing invalid is sent.
    func makeRequest(
        _ method: HTTPMethod,
        pathAndQuery: String,
        encodedBody: Data?
    ) throws(APIError) -> HTTPRequest {
        guard let key = configuration.apiKey else {
            throw .missingAPIKey
        }
        let baseURL = configuration.baseURL
        guard baseURL.hasPrefix("http://") || baseURL.hasPrefix("https://") else {
            throw .invalidConfiguration(
                "base URL '\(baseURL)' must start with http:// or https://")
        }
        try Self.checkHeaderValues(
            key: key, organization: configuration.organization, project: configuration.project)

        var headers = HTTPHeaders()
        headers["Authorization"] = "Bearer \(key.secret)"
        headers["Accept"] = "application/json"
        headers["User-Agent"] = Self.userAgent
        if let organization = configuration.organization {
            headers["OpenAI-Organization"] = organization
        }
        if let project = configuration.project {
            headers["OpenAI-Project"] = project
        }

        if encodedBody != nil {
            headers["Content-Type"] = "application/json"
        }
        return HTTPRequest(
            method: method, url: baseURL + pathAndQuery, headers: headers,
            body: encodedBody, timeout: configuration.timeout)
    }

    /// Encodes a request body as JSON with `JSONEncoder`.
    static func encodeBody(_ body: some Encodable) throws(APIError) -> Data {
        do {
            return try JSONEncoder().encode(body)
        } catch {
            throw .invalidArgument(name: "request body", value: "\(type(of: body))", reason: "\(error)")
        }
    }

    /// Sends `request`, retrying as ``retryPolicy`` and ``ClientConfiguration/maxRetries`` allow.
    ///
    /// - Returns: the last response and how many retries were made before it.
    func sendWithRetries(
        _ request: HTTPRequest,
        pathAndQuery: String
    ) async throws(APIError) -> (response: HTTPResponse, retries: Int) {
        let clock = ContinuousClock()
        var retryNumber = 0
        while true {
            let start = clock.now
            let outcome: Result<HTTPResponse, APIError>
            do {
                outcome = .success(try await transport.send(request))
            } catch {
                outcome = .failure(redacted(mapTransportError(error)))
            }
            let duration = clock.now - start

            let canRetry = retryNumber < configuration.maxRetries
            var retryDelay: Duration?
            switch outcome {
            case .success(let response):
                if canRetry, response.status >= 400,
                    retryPolicy.shouldRetry(status: response.status, headers: response.headers)
                {
                    retryDelay = retryPolicy.delay(afterRetries: retryNumber, headers: response.headers)
                }
            case .failure(let error):
                if canRetry, error.isRetryableFailure {
                    retryDelay = retryPolicy.delay(afterRetries: retryNumber, headers: nil)
                }
            }
            trace(request, pathAndQuery: pathAndQuery, outcome: outcome, duration: duration,
                  retryNumber: retryNumber, retryDelay: retryDelay)

            guard let retryDelay else {
                return (try outcome.get(), retryNumber)
            }
            do {
                try await retryPolicy.sleep(retryDelay)
            } catch {
                throw .cancelled
            }
            if Task.isCancelled {
                throw .cancelled
            }
            retryNumber += 1
        }
    }

    private func mapTransportError(_ error: any Error) -> APIError {
        switch error {
        case TransportError.cancelled, is CancellationError:
            .cancelled
        case TransportError.timedOut:
            .timedOut(after: configuration.timeout)
        case TransportError.connectionFailed(let message):
            .connectionFailed(message: message)
        default:
            .connectionFailed(message: "\(error)")
        }
    }

    /// Replaces the configured key in text that came from outside the client.
    private func redact(_ text: String) -> String {
        configuration.apiKey?.redact(text) ?? text
    }

    private func redacted(_ error: APIError) -> APIError {
        switch error {
        case .connectionFailed(let message):
            .connectionFailed(message: redact(message))
        default:
            error
        }
    }

    private func trace(
        _ request: HTTPRequest,
        pathAndQuery: String,
        outcome: Result<HTTPResponse, APIError>,
        duration: Duration,
        retryNumber: Int,
        retryDelay: Duration?
    ) {
        guard let tracer = configuration.tracer else { return }
        var event = TraceEvent(
            method: request.method, path: redact(pathAndQuery), status: nil, requestID: nil,
            duration: duration, retryNumber: retryNumber, retryDelay: retryDelay)
        switch outcome {
        case .success(let response):
            event.status = response.status
            event.requestID = response.headers["x-request-id"].map(redact)
        case .failure(let error):
            event.failure = error.message
        }
        tracer(event)
    }

    func decode<Response: Decodable>(
        _ type: Response.Type,
        from response: HTTPResponse,
        retries: Int = 0
    ) throws(APIError) -> Response {
        let requestID = response.headers["x-request-id"].map(redact)
        guard (200..<300).contains(response.status) else {
            var error = statusError(from: response, requestID: requestID)
            error.retries = retries
            throw .status(error)
        }
        if type == PermissionPage.self, let page = PermissionPageParser.parse(response.body) {
            return page as! Response
        }
        do {
            return try JSONDecoder().decode(type, from: response.body)
        } catch {
            throw .undecodableResponse(
                status: response.status, requestID: requestID,
                reason: Self.describeDecodingError(error), bodyExcerpt: redact(Self.excerpt(response.body)))
        }
    }

    private func statusError(from response: HTTPResponse, requestID: String?) -> HTTPStatusError {
        let keySource = configuration.apiKey?.source
        if let document = try? JSONDecoder().decode(ErrorDocument.self, from: response.body) {
            let detail = document.error
            return HTTPStatusError(
                status: response.status, type: detail.type.map(redact), code: detail.code.map { redact($0.text) },
                param: detail.param.map(redact), message: redact(detail.message ?? "no message"),
                requestID: requestID, keySource: keySource)
        }
        let excerpt = redact(Self.excerpt(response.body))
        let message = excerpt.isEmpty ? "the response had no body" : "the response body starts with: \(excerpt)"
        return HTTPStatusError(
            status: response.status, message: message, requestID: requestID, keySource: keySource)
    }

    /// Rejects settings that cannot be sent as a header value because they contain
    /// control characters such as a line break. The key itself is never shown.
    static func checkHeaderValues(key: APIKey, organization: String?, project: String?) throws(APIError) {
        let hasControlCharacter: (String) -> Bool = { text in
            text.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }
        if hasControlCharacter(key.secret) {
            throw .invalidConfiguration(
                "the API key from \(key.source) contains a line break or another control character")
        }
        if let organization, hasControlCharacter(organization) {
            throw .invalidConfiguration(
                "organization '\(organization.debugDescription.dropFirst().dropLast())' contains a control character; check OPENAI_ORG_ID")
        }
        if let project, hasControlCharacter(project) {
            throw .invalidConfiguration(
                "project '\(project.debugDescription.dropFirst().dropLast())' contains a control character; check OPENAI_PROJECT_ID")
        }
    }

    static func queryString(_ query: [(name: String, value: String)]) -> String {
        guard !query.isEmpty else { return "" }
        let pairs = query.map {
            PercentEncoding.queryComponent($0.name) + "=" + PercentEncoding.queryComponent($0.value)
        }
        return "?" + pairs.joined(separator: "&")
    }

    /// Returns the first 200 characters of a body on one line, for error messages.
    static func excerpt(_ body: Data) -> String {
        let text = String(decoding: body.prefix(600), as: UTF8.self)
        let words = text.split(whereSeparator: { $0.isWhitespace || $0.isNewline })
        let line = words.joined(separator: " ")
        return line.count > 200 ? String(line.prefix(200)) + "…" : line
    }

    private static func describeDecodingError(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        func pathText(_ path: [any CodingKey]) -> String {
            let text = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return text.isEmpty ? "the document" : String(text.drop(while: { $0 == "." }))
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(pathText(context.codingPath + [key]))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "unexpected value at '\(pathText(context.codingPath))'"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty
                ? "invalid JSON" : "invalid value at '\(pathText(context.codingPath))'"
        @unknown default:
            return "\(error)"
        }
    }
}

extension APIError {
    /// Whether a failure without a response may be retried.
    var isRetryableFailure: Bool {
        switch self {
        case .connectionFailed, .timedOut: true
        default: false
        }
    }
}

/// The API's error body, `{"error": {"message", "type", "param", "code"}}`.
struct ErrorDocument: Decodable {
    struct Detail: Decodable {
        var message: String?
        var type: String?
        var param: String?
        var code: FlexibleCode?
    }

    var error: Detail
}

/// An error `code`, which the API sends as a string but some servers send as a number.
struct FlexibleCode: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else {
            text = String(try container.decode(Int.self))
        }
    }
}

/// The version of the ckpt package.
public enum CheckpointAPIVersion {
    public static let current = "0.1.0"
}
