import CheckpointAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A transport that hands each request to a ``Sandbox`` in the same process, with no
/// network and no real key.
///
/// The scheme and host of the request URL are ignored, and its path and query become the
/// request target. The client's base URL must therefore end in `/v1`, as the API's does.
///
/// ```swift
/// let transport = SandboxTransport(sandbox: Sandbox())
/// let permissions = PermissionsClient(
///     configuration: ClientConfiguration(apiKey: APIKey("sk-sandbox")), transport: transport)
/// ```
public struct SandboxTransport: HTTPTransport {
    public let sandbox: Sandbox

    public init(sandbox: Sandbox) {
        self.sandbox = sandbox
    }

    /// Waits the sandbox's latency, then returns the sandbox's response to `request`.
    ///
    /// - Throws: ``TransportError/cancelled`` when the task is cancelled before the sandbox
    ///   handles the request; ``TransportError/timedOut`` when the latency exceeds the
    ///   request's timeout, after waiting the timeout.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if Task.isCancelled {
            throw TransportError.cancelled
        }
        let latency = sandbox.options.latency
        if latency > .zero {
            do {
                try await Task.sleep(for: min(latency, request.timeout))
            } catch {
                throw TransportError.cancelled
            }
            if latency > request.timeout {
                throw TransportError.timedOut
            }
        }
        let sandboxRequest = SandboxRequest(
            method: request.method.rawValue, target: Self.target(of: request.url),
            headers: request.headers, body: request.body ?? Data())
        return sandbox.handle(sandboxRequest)
    }

    /// Returns the path and query of an absolute URL, `/` when it has no path.
    static func target(of url: String) -> String {
        var rest = Substring(url)
        if let schemeEnd = rest.firstRange(of: "://") {
            rest = rest[schemeEnd.upperBound...]
            guard let pathStart = rest.firstIndex(where: { $0 == "/" || $0 == "?" }) else { return "/" }
            rest = rest[pathStart...]
        }
        if let fragment = rest.firstIndex(of: "#") {
            rest = rest[..<fragment]
        }
        return rest.hasPrefix("/") ? String(rest) : "/" + rest
    }
}
