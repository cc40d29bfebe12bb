/// One attempt of one request, reported to ``ClientConfiguration/tracer``.
///
/// Events carry no header values, so no key can leak through them.
public struct TraceEvent: Sendable, CustomStringConvertible {
    public var method: HTTPMethod
    /// The request path and query after the base URL, for example
    /// `/fine_tuning/checkpoints/ft:x/permissions?limit=10`.
    public var path: String
    /// The response status; `nil` when no response arrived.
    public var status: Int?
    public var requestID: String?
    public var duration: Duration
    /// 0 for the first attempt, 1 for the first retry, and so on.
    public var retryNumber: Int
    /// The wait before the next attempt, when the client will retry.
    public var retryDelay: Duration?
    /// The reason the attempt failed without a response, if it did.
    public var failure: String?

    public init(
        method: HTTPMethod,
        path: String,
        status: Int?,
        requestID: String?,
        duration: Duration,
        retryNumber: Int,
        retryDelay: Duration? = nil,
        failure: String? = nil
    ) {
        self.method = method
        self.path = path
        self.status = status
        self.requestID = requestID
        self.duration = duration
        self.retryNumber = retryNumber
        self.retryDelay = retryDelay
        self.failure = failure
    }

    /// One line: method, path, status, request ID, milliseconds and retry number.
    public var description: String {
        let milliseconds = (duration.seconds * 1000).rounded() / 1
        var line = "\(method) \(path) \(status.map(String.init) ?? "-")"
        line += " request-id=\(requestID ?? "-") \(Int(milliseconds))ms retry=\(retryNumber)"
        if let failure {
            line += " error=\"\(failure)\""
        }
        if let retryDelay {
            line += " next-retry-in=\(Int((retryDelay.seconds * 1000).rounded()))ms"
        }
        return line
    }
}
