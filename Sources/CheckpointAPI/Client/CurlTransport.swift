import CCurl

/// The default transport, on libcurl's easy interface.
public final class CurlTransport: HTTPTransport {
    public init(maximumConnections: Int = 4) {}

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        throw TransportError.connectionFailed("not implemented yet")
    }
}
