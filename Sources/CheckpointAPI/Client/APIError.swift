/// The details of an HTTP error status returned by the API.
public struct HTTPStatusError: Sendable, Equatable {
    public var status: Int
    /// The API's error type, such as `invalid_request_error`; `nil` when the body had none.
    public var type: String?
    public var code: String?
    public var param: String?
    /// The API's message, or the start of a body that was not an API error document.
    public var message: String
    /// The `x-request-id` response header, which the API's support team requests in reports.
    public var requestID: String?
    /// The origin of the key that was sent, used to explain 401 and 403.
    public var keySource: APIKey.Source?
    /// How many times the request was retried before this response; 0 when it was sent once.
    public var retries: Int

    public init(
        status: Int,
        type: String? = nil,
        code: String? = nil,
        param: String? = nil,
        message: String,
        requestID: String? = nil,
        keySource: APIKey.Source? = nil,
        retries: Int = 0
    ) {
        self.status = status
        self.type = type
        self.code = code
        self.param = param
        self.message = message
        self.requestID = requestID
        self.keySource = keySource
        self.retries = retries
    }
}

/// Every failure the client reports.
public enum APIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The API returned an error status.
    case status(HTTPStatusError)
    /// The connection could not be made or broke before the response was complete.
    case connectionFailed(message: String)
    /// An attempt took longer than the configured timeout.
    case timedOut(after: Duration)
    /// The caller's task was cancelled while a request or a retry wait was under way.
    case cancelled
    /// An argument was rejected before any request was sent.
    case invalidArgument(name: String, value: String, reason: String)
    /// No API key is configured.
    case missingAPIKey
    /// A setting such as the base URL is unusable.
    case invalidConfiguration(String)
    /// A success status came with a body that is not the documented shape.
    case undecodableResponse(status: Int, requestID: String?, reason: String, bodyExcerpt: String)
    /// Paging stopped because the server returned a cursor that was already sent, which would loop.
    case cursorDidNotAdvance(lastID: String)

    /// The HTTP status, for errors that have one.
    public var status: Int? {
        switch self {
        case .status(let error): error.status
        case .undecodableResponse(let status, _, _, _): status
        default: nil
        }
    }

    /// The `x-request-id` of the response, for errors that have one.
    public var requestID: String? {
        switch self {
        case .status(let error): error.requestID
        case .undecodableResponse(_, let requestID, _, _): requestID
        default: nil
        }
    }

    /// The sentence that describes the error, without the status or the request ID.
    public var message: String {
        switch self {
        case .status(let error):
            var message = error.message
            if error.status == 401 || error.status == 403 {
                if let last = message.last, !".!?".contains(last) {
                    message += "."
                }
                let source = error.keySource.map { " The key sent came from \($0)." } ?? ""
                message += " These endpoints need an organization admin key"
                message += " (OPENAI_ADMIN_KEY).\(source)"
            }
            return message
        case .connectionFailed(let message):
            return "connection failed: \(message)"
        case .timedOut(let after):
            return "the request timed out after \(after.formattedSeconds)"
        case .cancelled:
            return "the request was cancelled"
        case .invalidArgument(let name, let value, let reason):
            return "invalid \(name) '\(value)': \(reason)"
        case .missingAPIKey:
            return "no API key: set OPENAI_ADMIN_KEY (or OPENAI_API_KEY) to an organization admin key"
        case .invalidConfiguration(let reason):
            return "invalid configuration: \(reason)"
        case .undecodableResponse(_, _, let reason, let excerpt):
            return "the response is not the documented JSON (\(reason)); it starts with: \(excerpt)"
        case .cursorDidNotAdvance(let lastID):
            return "paging stopped: the server returned the cursor '\(lastID)' again, so the list would never end"
        }
    }

    /// The API's error type (`invalid_request_error`, …) for status errors.
    public var type: String? {
        if case .status(let error) = self { return error.type }
        return nil
    }

    /// The API's error code for status errors.
    public var code: String? {
        if case .status(let error) = self { return error.code }
        return nil
    }

    /// The request parameter the API blamed, for status errors.
    public var param: String? {
        if case .status(let error) = self { return error.param }
        return nil
    }

    public var description: String {
        var text = ""
        if let status {
            text += "HTTP \(status)"
            var details: [String] = []
            if let type { details.append(type) }
            if let code { details.append("code \(code)") }
            if let param { details.append("param \(param)") }
            if !details.isEmpty { text += " (\(details.joined(separator: ", ")))" }
            text += ": "
        }
        text += message
        if let requestID {
            text += " [request ID: \(requestID)]"
        }
        return text
    }
}
