import CheckpointAPI
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Serves a ``Sandbox`` over HTTP/1.1 with keep-alive, one thread per connection.
///
/// ```swift
/// let server = SandboxServer(sandbox: Sandbox())
/// let port = try server.start(host: "127.0.0.1", port: 0)
/// // send requests to http://127.0.0.1:\(port)/v1 …
/// server.stop()
/// ```
///
/// Request heads, bodies and header counts are bounded. A request that breaks a limit or
/// is not HTTP/1.x gets an error in the API's shape, and then its connection is closed. A client
/// that sends too slowly gets 408 when ``Configuration/requestTimeout`` passes; it never
/// delays other connections.
public final class SandboxServer: Sendable {
    /// Limits and logging.
    public struct Configuration: Sendable {
        /// The largest request line plus header fields, in bytes; larger heads get 431.
        public var maximumHeaderBytes = 16 * 1024
        /// The maximum number of header fields in one request; more get 431.
        public var maximumHeaderCount = 100
        /// The largest request body, in bytes; larger bodies get 413.
        public var maximumBodyBytes = 1024 * 1024
        /// The time a client has to send a whole request once its first byte arrived;
        /// after it the client gets 408.
        public var requestTimeout: Duration = .seconds(10)
        /// How long a keep-alive connection may stay open without a request.
        public var idleTimeout: Duration = .seconds(120)
        /// The maximum number of connections served at once; a connection beyond it gets 503.
        public var maximumConnections = 512
        /// Called once per response sent, from the connection's thread.
        public var log: (@Sendable (LogEntry) -> Void)?

        public init() {}

        var limits: HTTPLimits {
            HTTPLimits(
                maximumHeaderBytes: maximumHeaderBytes, maximumHeaderCount: maximumHeaderCount,
                maximumBodyBytes: maximumBodyBytes)
        }
    }

    /// One request and its response, for the request log.
    public struct LogEntry: Sendable, CustomStringConvertible {
        /// The method, or `-` when the request could not be parsed.
        public var method: String
        /// The path without the query, or `-` when the request could not be parsed.
        public var path: String
        public var status: Int
        public var requestID: String
        /// From the first byte of the request to the response being ready to send.
        public var duration: Duration

        /// `METHOD PATH STATUS REQUEST-ID MICROSECONDSus`.
        public var description: String {
            let (seconds, attoseconds) = duration.components
            let microseconds = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
            return "\(method) \(path) \(status) \(requestID) \(microseconds)us"
        }
    }

    private struct State {
        /// Whether `start` has begun and `stop` has not finished.
        var isRunning = false
        var port: UInt16?
        var connections = 0
    }

    public let sandbox: Sandbox
    public let configuration: Configuration
    private let state = Mutex(State())
    private let stopping = Atomic<Bool>(false)
    private let threads = DispatchGroup()

    public init(sandbox: Sandbox, configuration: Configuration = Configuration()) {
        self.sandbox = sandbox
        self.configuration = configuration
    }

    /// The bound port while the server runs.
    public var port: UInt16? {
        state.withLock { $0.port }
    }

    /// Binds `host:port`, starts accepting connections on a thread of its own and returns
    /// the bound port.
    ///
    /// - Parameters:
    ///   - host: a numeric IPv4 or IPv6 address or a host name such as `localhost`.
    ///   - port: the port, or 0 for a free port chosen by the system.
    /// - Throws: ``SandboxServerError`` when the address is invalid or cannot be bound.
    @discardableResult
    public func start(host: String = "127.0.0.1", port: UInt16 = 0) throws(SandboxServerError) -> UInt16 {
        let wasRunning = state.withLock { state in
            defer { state.isRunning = true }
            return state.isRunning
        }
        guard !wasRunning else { throw .alreadyStarted }
        let listener: Int32
        do {
            listener = try Listener.open(host: host, port: port)
        } catch {
            state.withLock { $0.isRunning = false }
            throw error
        }
        let boundPort = Listener.boundPort(listener)
        stopping.store(false, ordering: .sequentiallyConsistent)
        threads.enter()
        guard Socket.startThread({ [self] in acceptLoop(listener) }) else {
            threads.leave()
            close(listener)
            state.withLock { $0.isRunning = false }
            throw .threadStartFailed
        }
        state.withLock { $0.port = boundPort }
        return boundPort
    }

    /// Stops accepting, closes every connection and waits up to `timeout` for the
    /// connection threads to finish; returns whether they all did.
    @discardableResult
    public func stop(timeout: Duration = .seconds(5)) -> Bool {
        guard state.withLock({ $0.isRunning && $0.port != nil }) else { return true }
        stopping.store(true, ordering: .sequentiallyConsistent)
        let milliseconds = Int(timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000)
        let finished = threads.wait(timeout: .now() + .milliseconds(milliseconds)) == .success
        state.withLock {
            $0.isRunning = false
            $0.port = nil
        }
        return finished
    }

    private func acceptLoop(_ listener: Int32) {
        defer {
            close(listener)
            threads.leave()
        }
        var pollDescriptor = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
        while !stopping.load(ordering: .relaxed) {
            let ready = poll(&pollDescriptor, 1, Int32(HTTPConnection.pollMilliseconds))
            guard ready > 0 else { continue }
            let connection = accept(listener, nil, nil)
            guard connection >= 0 else {
                // Out of file descriptors, the pending connection stays queued and poll
                // reports it again at once; pausing keeps the loop from spinning.
                if errno == EMFILE || errno == ENFILE || errno == ENOMEM || errno == ENOBUFS {
                    usleep(10_000)
                }
                continue
            }
            serve(connection)
        }
    }

    private func serve(_ fd: Int32) {
        let admitted = state.withLock { state in
            guard state.connections < configuration.maximumConnections else { return false }
            state.connections += 1
            return true
        }
        guard admitted else {
            rejectOverLimit(fd)
            return
        }
        threads.enter()
        let started = Socket.startThread { [self] in
            var connection = HTTPConnection(
                fd: fd, sandbox: sandbox, configuration: configuration,
                isStopping: { [self] in stopping.load(ordering: .relaxed) })
            connection.run()
            state.withLock { $0.connections -= 1 }
            threads.leave()
        }
        if !started {
            state.withLock { $0.connections -= 1 }
            threads.leave()
            rejectOverLimit(fd)
        }
    }

    /// Sends 503 on a connection the server has no room for, then closes it.
    private func rejectOverLimit(_ fd: Int32) {
        var response = SandboxError.tooManyConnections(limit: configuration.maximumConnections).response()
        response.headers["x-request-id"] = sandbox.makeRequestID()
        let bytes = HTTPConnection.serialize(response, keepAlive: false, includeBody: true)
        Socket.setTimeouts(fd, milliseconds: HTTPConnection.pollMilliseconds)
        bytes.withUnsafeBytes { _ = Socket.send(fd, $0) }
        close(fd)
    }
}

/// A failure to start a ``SandboxServer``.
public enum SandboxServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidHost(String, reason: String)
    case bindFailed(host: String, port: UInt16, reason: String)
    case alreadyStarted
    case threadStartFailed

    public var description: String {
        switch self {
        case .invalidHost(let host, let reason):
            "invalid host '\(host)': \(reason); use an address such as 127.0.0.1 or ::1"
        case .bindFailed(let host, let port, let reason):
            "cannot listen on \(host) port \(port): \(reason); choose another port or use --port 0"
        case .alreadyStarted:
            "the server is already running; stop it before starting it again"
        case .threadStartFailed:
            "the system could not start the server's thread"
        }
    }
}
