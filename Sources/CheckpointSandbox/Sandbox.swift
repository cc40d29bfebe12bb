import CheckpointAPI
import Synchronization
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One HTTP request as the emulator sees it.
public struct SandboxRequest: Sendable {
    public var method: String
    /// The request target as on the request line: path and query, such as
    /// `/v1/fine_tuning/checkpoints/ft:x/permissions?limit=10`.
    public var target: String
    public var headers: HTTPHeaders
    public var body: Data

    public init(method: String, target: String, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
    }
}

/// An emulator of the checkpoint permissions API, holding its permissions in memory.
///
/// Every instance has its own state; two sandboxes never share permissions. ``handle(_:)``
/// is synchronous and safe to call from many threads at once. Serve a sandbox over HTTP
/// with ``SandboxServer`` or hand it to the client with ``SandboxTransport``:
///
/// ```swift
/// let sandbox = Sandbox()
/// sandbox.seed(checkpoint: "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd", count: 25)
/// let permissions = PermissionsClient(
///     configuration: ClientConfiguration(apiKey: APIKey("sk-sandbox")),
///     transport: SandboxTransport(sandbox: sandbox))
/// ```
public final class Sandbox: Sendable {
    /// Failure injection, latency and accepted keys.
    public struct Options: Sendable {
        /// The fraction of authenticated requests, from 0 to 1, that get `failureStatus`
        /// instead of being processed. A failed request changes no state.
        public var failureRate: Double
        /// The status of an injected failure, such as 429 or 500.
        public var failureStatus: Int
        /// The `retry-after` header of an injected failure, in seconds; `nil` sends none.
        public var retryAfter: Int?
        /// The seed of the generators behind injected failures, permission IDs and request
        /// IDs. The same seed and the same sequence of requests give the same responses.
        /// `nil` seeds from the system's random source.
        public var seed: UInt64?
        /// The delay before each response, applied by the transport or the server.
        public var latency: Duration
        /// The bearer keys accepted; `nil` accepts any non-empty key.
        public var acceptedKeys: Set<String>?

        public init(
            failureRate: Double = 0,
            failureStatus: Int = 500,
            retryAfter: Int? = nil,
            seed: UInt64? = nil,
            latency: Duration = .zero,
            acceptedKeys: Set<String>? = nil
        ) {
            self.failureRate = failureRate
            self.failureStatus = failureStatus
            self.retryAfter = retryAfter
            self.seed = seed
            self.latency = latency
            self.acceptedKeys = acceptedKeys
        }
    }

    public let options: Options
    let state: Mutex<SandboxState>

    public init(options: Options = .init()) {
        self.options = options
        let seed = options.seed ?? UInt64.random(in: .min ... .max)
        self.state = Mutex(SandboxState(seed: seed))
    }

    /// Handles one request and returns its response; safe to call from many threads at once.
    ///
    /// Every response carries `x-request-id` and a JSON body: the API's documented shape on
    /// success, `{"error": {"message", "type", "param", "code"}}` on failure.
    public func handle(_ request: SandboxRequest) -> HTTPResponse {
        let requestID = state.withLock { $0.makeRequestID() }
        var response: HTTPResponse
        do {
            response = try process(request)
        } catch {
            response = error.response()
        }
        response.headers.add(name: "x-request-id", value: requestID)
        return response
    }

    /// Grants `count` new projects access to `checkpoint`, as if each had been created
    /// one second after the other, ending now. Project IDs are `proj_` and 24 letters and digits.
    public func seed(checkpoint: String, count: Int) {
        guard count > 0 else { return }
        let now = Self.currentUnixTime()
        state.withLock { state in
            for index in 0..<count {
                let projectID = "proj_" + state.makeRandomAlphanumerics(24)
                _ = state.grant(
                    checkpoint: checkpoint, projectID: projectID,
                    createdAt: now - (count - 1) + index)
            }
        }
    }

    /// Returns every live permission of `checkpoint`, oldest first.
    public func permissions(checkpoint: String) -> [CheckpointPermission] {
        state.withLock { $0.checkpoints[checkpoint]?.entries.map(\.permission) ?? [] }
    }

    static func currentUnixTime() -> Int {
        Int(Date().timeIntervalSince1970)
    }
}
