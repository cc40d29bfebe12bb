import Foundation
import Synchronization
import Testing

@testable import CheckpointAPI

/// An in-memory transport that records every request and returns scripted responses.
final class ScriptedTransport: HTTPTransport {
    enum Step: Sendable {
        case respond(HTTPResponse)
        case fail(TransportError)
        case run(@Sendable (HTTPRequest) async throws -> HTTPResponse)
    }

    private let state: Mutex<(steps: [Step], requests: [HTTPRequest])>

    init(_ steps: [Step] = []) {
        state = Mutex((steps: steps, requests: []))
    }

    /// The requests sent so far, in order.
    var requests: [HTTPRequest] {
        state.withLock { $0.requests }
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let step: Step? = state.withLock { state in
            state.requests.append(request)
            return state.steps.isEmpty ? nil : state.steps.removeFirst()
        }
        switch step {
        case .respond(let response):
            return response
        case .fail(let error):
            throw error
        case .run(let body):
            return try await body(request)
        case nil:
            Issue.record("unexpected request \(request.method) \(request.url)")
            throw TransportError.connectionFailed("the script has no response left")
        }
    }
}

/// Records the waits a ``RetryPolicy`` requests instead of sleeping.
final class WaitRecorder: Sendable {
    private let waits = Mutex<[Duration]>([])

    var recorded: [Duration] {
        waits.withLock { $0 }
    }

    func record(_ wait: Duration) {
        waits.withLock { $0.append(wait) }
    }
}

/// Collects trace events.
final class TraceRecorder: Sendable {
    private let events = Mutex<[TraceEvent]>([])

    var recorded: [TraceEvent] {
        events.withLock { $0 }
    }

    func record(_ event: TraceEvent) {
        events.withLock { $0.append(event) }
    }
}

enum Fixture {
    static let key = "sk-admin-test-Zq81xYv0Lm2Nw4"
    static let baseURL = "https://api.example.test/v1"
    static let checkpoint = "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"
    static let checkpointPath = "/fine_tuning/checkpoints/ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd/permissions"
    /// The jitter draw every test policy uses: a backoff is shortened by 0.25 × 0.2 = 5%.
    static let random = 0.2
    /// The current time of every test policy: Fri, 04 Dec 2026 20:00:00 GMT.
    static let now = Date(timeIntervalSince1970: 1_796_414_400)

    static func configuration(
        key: String? = Fixture.key,
        maxRetries: Int = 2,
        tracer: (@Sendable (TraceEvent) -> Void)? = nil
    ) -> ClientConfiguration {
        ClientConfiguration(
            apiKey: key.map { APIKey($0, source: .environment(variable: "OPENAI_ADMIN_KEY")) },
            baseURL: baseURL, maxRetries: maxRetries, tracer: tracer)
    }

    static func policy(waits: WaitRecorder) -> RetryPolicy {
        var policy = RetryPolicy()
        policy.sleep = { waits.record($0) }
        policy.random = { Fixture.random }
        policy.now = { Fixture.now }
        return policy
    }

    static func client(
        _ transport: ScriptedTransport,
        configuration: ClientConfiguration = Fixture.configuration(),
        waits: WaitRecorder = WaitRecorder()
    ) -> PermissionsClient {
        PermissionsClient(
            client: APIClient(
                configuration: configuration, transport: transport, retryPolicy: policy(waits: waits)))
    }

    static func permissionJSON(_ id: String, project: String = "proj_abGMw1llN8IrBb6SvvY5A1iH") -> String {
        #"{"object":"checkpoint.permission","id":"\#(id)","created_at":1721764800,"project_id":"\#(project)"}"#
    }

    static func pageJSON(ids: [String], hasMore: Bool, lastID: String?? = .none) -> String {
        let data = ids.map { permissionJSON($0) }.joined(separator: ",")
        let last: String? = lastID ?? ids.last
        let first = ids.first.map { "\"\($0)\"" } ?? "null"
        let lastText = last.map { "\"\($0)\"" } ?? "null"
        return #"{"object":"list","data":[\#(data)],"first_id":\#(first),"last_id":\#(lastText),"has_more":\#(hasMore)}"#
    }

    static let emptyPage = #"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#
}

extension HTTPResponse {
    static func json(_ body: String, status: Int = 200, headers: HTTPHeaders = [:]) -> HTTPResponse {
        var headers = headers
        if headers["Content-Type"] == nil {
            headers["Content-Type"] = "application/json"
        }
        return HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
    }

    static func apiError(
        _ status: Int,
        message: String = "something failed",
        type: String = "invalid_request_error",
        headers: HTTPHeaders = [:]
    ) -> HTTPResponse {
        json(
            #"{"error":{"message":"\#(message)","type":"\#(type)","param":null,"code":null}}"#,
            status: status, headers: headers)
    }
}

extension HTTPRequest {
    /// The URL's query string without `?`, or `nil` when there is none.
    var query: String? {
        guard let mark = url.firstIndex(of: "?") else { return nil }
        return String(url[url.index(after: mark)...])
    }

    /// The URL without the base URL and query.
    var path: String {
        let withoutBase = url.hasPrefix(Fixture.baseURL) ? String(url.dropFirst(Fixture.baseURL.count)) : url
        return String(withoutBase.prefix { $0 != "?" })
    }
}

/// Runs `operation` and returns the error it throws, recording an issue when it returns.
func thrownError<T>(
    sourceLocation: SourceLocation = #_sourceLocation,
    _ operation: () async throws -> T
) async -> APIError? {
    do {
        let value = try await operation()
        Issue.record("expected an error, got \(value)", sourceLocation: sourceLocation)
        return nil
    } catch let error as APIError {
        return error
    } catch {
        Issue.record("expected an APIError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}
