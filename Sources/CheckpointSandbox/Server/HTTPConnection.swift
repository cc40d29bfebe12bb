import CheckpointAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One accepted connection, served on its own thread until the client closes it, a
/// request fails to parse, a timeout passes or the server stops.
struct HTTPConnection {
    let fd: Int32
    let sandbox: Sandbox
    let configuration: SandboxServer.Configuration
    let isStopping: @Sendable () -> Bool

    private var buffer: [UInt8] = []
    /// The offset in `buffer` at which the current request starts.
    private var start = 0
    private var scannedUpTo = 0
    /// Whether the connection ends with an error response.
    private var rejected = false
    private let clock = ContinuousClock()
    private let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 1)

    /// How long one blocking receive or send waits before the loop checks for a stop.
    static let pollMilliseconds = 100

    init(
        fd: Int32, sandbox: Sandbox, configuration: SandboxServer.Configuration,
        isStopping: @escaping @Sendable () -> Bool
    ) {
        self.fd = fd
        self.sandbox = sandbox
        self.configuration = configuration
        self.isStopping = isStopping
        buffer.reserveCapacity(16 * 1024)
    }

    /// Serves requests until the connection ends, then closes it.
    mutating func run() {
        defer {
            close(fd)
            scratch.deallocate()
        }
        Socket.setTimeouts(fd, milliseconds: Self.pollMilliseconds)
        Socket.setOption(fd, level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
        while serveOneRequest() {}
        if rejected {
            drainBeforeClose()
        }
    }

    /// Reads and discards what the client still sends, for up to a second, after an
    /// error response. Closing a socket with unread bytes makes the kernel send a reset,
    /// which can destroy the error response before the client reads it.
    private func drainBeforeClose() {
        shutdown(fd, Int32(SHUT_WR))
        let deadline = clock.now + .seconds(1)
        var discarded = 0
        while clock.now < deadline && discarded < 4 * 1024 * 1024 && !isStopping() {
            switch Socket.receive(fd, into: scratch.baseAddress!, count: scratch.count) {
            case .received(let count): discarded += count
            case .timedOut: continue
            case .closed: return
            }
        }
    }

    /// Reads one request, sends its response and logs it. Returns whether the connection stays open.
    private mutating func serveOneRequest() -> Bool {
        var requestStart: ContinuousClock.Instant? = start < buffer.count ? clock.now : nil
        let idleDeadline = clock.now + configuration.idleTimeout

        var parsed: (head: HTTPRequestHead, length: Int)?
        while parsed == nil {
            let result = buffer.withUnsafeBufferPointer { all in
                HTTPRequestParser.parseHead(
                    UnsafeBufferPointer(rebasing: all[start...]), scanFrom: scannedUpTo, limits: configuration.limits)
            }
            switch result {
            case .complete(let head, let length):
                parsed = (head, length)
            case .invalid(let error):
                reject(error)
                return false
            case .incomplete(let scanned):
                scannedUpTo = scanned
                let deadline = requestStart.map { $0 + configuration.requestTimeout } ?? idleDeadline
                switch receive(until: deadline) {
                case .received:
                    requestStart = requestStart ?? clock.now
                case .timedOut:
                    if requestStart != nil {
                        reject(.requestTimedOut(after: configuration.requestTimeout))
                    }
                    return false
                case .closed:
                    return false
                }
            }
        }
        guard let (head, headLength) = parsed, let requestStart else { return false }

        let bodyStart = start + headLength
        if head.expectsContinue && buffer.count < bodyStart + head.contentLength {
            guard write(Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)) else { return false }
        }
        while buffer.count < bodyStart + head.contentLength {
            switch receive(until: requestStart + configuration.requestTimeout) {
            case .received:
                continue
            case .timedOut:
                reject(.requestTimedOut(after: configuration.requestTimeout))
                return false
            case .closed:
                return false
            }
        }
        let body = Data(buffer[bodyStart..<(bodyStart + head.contentLength)])
        consume(upTo: bodyStart + head.contentLength)

        let request = SandboxRequest(method: head.method, target: head.target, headers: head.headers, body: body)
        let latency = sandbox.options.latency
        if latency > .zero {
            sleep(for: latency)
            if isStopping() {
                return false
            }
        }
        let response = sandbox.handle(request)
        // Logging before sending keeps the log line ahead of anything the client does
        // after it has read the response.
        log(head, response: response, started: requestStart)
        let sent = write(Self.serialize(response, keepAlive: head.keepAlive, includeBody: head.method != "HEAD"))
        return sent && head.keepAlive && !isStopping()
    }

    /// Sends the error response to a request that cannot be served; the caller then closes the connection.
    private mutating func reject(_ error: SandboxError) {
        rejected = true
        var response = error.response()
        let requestID = sandbox.makeRequestID()
        response.headers["x-request-id"] = requestID
        configuration.log?(SandboxServer.LogEntry(
            method: "-", path: "-", status: error.status, requestID: requestID, duration: .zero))
        _ = write(Self.serialize(response, keepAlive: false, includeBody: true))
    }

    private func log(_ head: HTTPRequestHead, response: HTTPResponse, started: ContinuousClock.Instant) {
        guard let log = configuration.log else { return }
        let path = head.target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0]
        log(SandboxServer.LogEntry(
            method: head.method, path: String(path), status: response.status,
            requestID: response.headers["x-request-id"] ?? "-", duration: clock.now - started))
    }

    private mutating func consume(upTo end: Int) {
        start = end
        scannedUpTo = 0
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start > 64 * 1024 {
            buffer.removeFirst(start)
            start = 0
        }
    }

    /// Appends what the client sends next to the buffer, waiting at most until `deadline`.
    private mutating func receive(until deadline: ContinuousClock.Instant) -> Socket.ReceiveResult {
        while true {
            if isStopping() {
                return .closed
            }
            let result = Socket.receive(fd, into: scratch.baseAddress!, count: scratch.count)
            switch result {
            case .received(let count):
                buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<count]))
                return result
            case .closed:
                return .closed
            case .timedOut:
                break
            }
            if clock.now >= deadline {
                return .timedOut
            }
        }
    }

    /// Sends all of `bytes`; returns false when the client is gone or stops reading for
    /// longer than the request timeout.
    private func write(_ bytes: [UInt8]) -> Bool {
        let deadline = clock.now + configuration.requestTimeout
        return bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Socket.send(fd, UnsafeRawBufferPointer(rebasing: raw[offset...]))
                if sent < 0 || isStopping() || clock.now >= deadline {
                    return false
                }
                offset += sent
            }
            return true
        }
    }

    /// Sleeps for `duration` in slices of at most ``pollMilliseconds``, returning early
    /// when the server stops.
    private func sleep(for duration: Duration) {
        let deadline = clock.now + duration
        while !isStopping() {
            let remaining = deadline - clock.now
            guard remaining > .zero else { return }
            let slice = min(remaining, .milliseconds(Self.pollMilliseconds))
            let (seconds, attoseconds) = slice.components
            var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
            var unslept = timespec()
            while nanosleep(&request, &unslept) != 0 && errno == EINTR {
                request = unslept
            }
        }
    }

    /// Serializes a complete HTTP/1.1 response.
    static func serialize(_ response: HTTPResponse, keepAlive: Bool, includeBody: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + response.body.count)
        bytes.append(contentsOf: "HTTP/1.1 \(response.status) \(reasonPhrase(response.status))\r\n".utf8)
        for field in response.headers {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(contentsOf: ": ".utf8)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(contentsOf: "\r\n".utf8)
        }
        bytes.append(contentsOf: "content-length: \(response.body.count)\r\n".utf8)
        if !keepAlive {
            bytes.append(contentsOf: "connection: close\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        if includeBody {
            response.body.withUnsafeBytes { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: "Continue"
        case 200: "OK"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 411: "Length Required"
        case 413: "Content Too Large"
        case 429: "Too Many Requests"
        case 431: "Request Header Fields Too Large"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        case 505: "HTTP Version Not Supported"
        default: "Status \(status)"
        }
    }
}

extension Sandbox {
    func makeRequestID() -> String {
        state.withLock { $0.makeRequestID() }
    }
}
