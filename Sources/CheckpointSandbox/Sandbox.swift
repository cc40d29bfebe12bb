import CheckpointAPI
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

/// The emulator of the checkpoint permissions API. Placeholder until the emulator lands.
public final class Sandbox: Sendable {
    public init() {}

    /// Answers one request; safe to call from many threads at once.
    public func handle(_ request: SandboxRequest) -> HTTPResponse {
        HTTPResponse(status: 501)
    }
}
