import CheckpointAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An error response in the API's shape, `{"error": {"message", "type", "param", "code"}}`.
public struct SandboxError: Error, Sendable, Equatable {
    public var status: Int
    public var type: String
    public var message: String
    public var param: String?
    public var code: String?
    /// Extra response headers, such as `retry-after` or `allow`.
    public var headers: [(name: String, value: String)] = []

    public init(status: Int, type: String, message: String, param: String? = nil, code: String? = nil) {
        self.status = status
        self.type = type
        self.message = message
        self.param = param
        self.code = code
    }

    public static func == (left: SandboxError, right: SandboxError) -> Bool {
        left.status == right.status && left.type == right.type && left.message == right.message
            && left.param == right.param && left.code == right.code
            && left.headers.elementsEqual(right.headers) { $0 == $1 }
    }

    /// The JSON body of this error.
    public var body: Data {
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("error")
        writer.beginObject()
        writer.key("message")
        writer.string(message)
        writer.key("type")
        writer.string(type)
        writer.key("param")
        writer.optionalString(param)
        writer.key("code")
        writer.optionalString(code)
        writer.endObject()
        writer.endObject()
        return writer.data
    }

    func response() -> HTTPResponse {
        var headers = HTTPHeaders()
        headers["content-type"] = "application/json"
        for header in self.headers {
            headers.add(name: header.name, value: header.value)
        }
        return HTTPResponse(status: status, headers: headers, body: body)
    }
}

extension SandboxError {
    static func invalidRequest(_ message: String, param: String? = nil, code: String? = nil) -> SandboxError {
        SandboxError(status: 400, type: "invalid_request_error", message: message, param: param, code: code)
    }

    static let missingKey = SandboxError(
        status: 401, type: "invalid_request_error",
        message: "You didn't provide an API key. Send it in an Authorization header as "
            + "'Authorization: Bearer YOUR_KEY'.")

    static let invalidKey = SandboxError(
        status: 401, type: "invalid_request_error",
        message: "Incorrect API key provided. This sandbox accepts only the keys it was started with.",
        code: "invalid_api_key")

    static func unknownRoute(method: String, path: String) -> SandboxError {
        SandboxError(
            status: 404, type: "invalid_request_error",
            message: "Invalid URL (\(method) \(path))")
    }

    static func methodNotAllowed(method: String, path: String, allowed: [String]) -> SandboxError {
        var error = SandboxError(
            status: 405, type: "invalid_request_error",
            message: "Invalid method for URL (\(method) \(path)); use \(allowed.joined(separator: " or ")).")
        error.headers = [("allow", allowed.joined(separator: ", "))]
        return error
    }

    static func checkpointNotFound(_ checkpoint: String) -> SandboxError {
        SandboxError(
            status: 404, type: "invalid_request_error",
            message: "The fine-tuned model checkpoint '\(checkpoint)' does not exist. "
                + "Checkpoint IDs start with 'ft:' or 'ft-'.",
            param: "fine_tuned_model_checkpoint", code: "model_not_found")
    }

    static func permissionNotFound(_ id: String, checkpoint: String) -> SandboxError {
        SandboxError(
            status: 404, type: "invalid_request_error",
            message: "No permission with ID '\(id)' exists for the checkpoint '\(checkpoint)'.",
            param: "permission_id", code: "not_found")
    }

    static let malformedJSON = invalidRequest(
        "We could not parse the JSON body of your request. The API expects a JSON object "
            + "such as {\"project_ids\": [\"proj_abc\"]}.")

    static func payloadTooLarge(limit: Int) -> SandboxError {
        SandboxError(
            status: 413, type: "invalid_request_error",
            message: "The request body is larger than \(limit) bytes; send fewer project IDs per request.",
            code: "request_too_large")
    }

    /// Returns the error of an injected failure with `status`.
    static func injected(status: Int, retryAfter: Int?) -> SandboxError {
        var error: SandboxError
        switch status {
        case 429:
            error = SandboxError(
                status: status, type: "requests",
                message: "Rate limit reached for requests (injected by the sandbox). Please try again later.",
                code: "rate_limit_exceeded")
        case 500..<600:
            error = SandboxError(
                status: status, type: "server_error",
                message: "The server had an error while processing your request (injected by the sandbox).")
        default:
            error = SandboxError(
                status: status, type: "invalid_request_error",
                message: "Injected failure with status \(status).")
        }
        if let retryAfter {
            error.headers = [("retry-after", String(retryAfter))]
        }
        return error
    }
}
