import CCurl
import Synchronization

/// The default transport, on libcurl's easy interface.
///
/// Each transfer borrows an easy handle from a small pool and returns it afterwards, so
/// the connection the handle keeps alive serves the next request to the same host.
/// By default the blocking transfer runs on the handle's own dispatch queue, never on
/// Swift's cooperative thread pool; ``runsTransfersOnCallingThread`` trades that for
/// speed. Cancelling the calling task aborts the transfer either way.
///
/// ```swift
/// let transport = CurlTransport()
/// let response = try await transport.send(HTTPRequest(method: .get, url: "http://127.0.0.1:8080/v1/models"))
/// print(response.status)
/// ```
public final class CurlTransport: HTTPTransport {
    /// The maximum number of idle handles kept for reuse. Each keeps its connections alive.
    public let maximumConnections: Int
    /// Whether a transfer blocks the calling task's thread instead of running on a
    /// dispatch queue. Handing each transfer to a queue and back costs two thread wake-ups:
    /// 1,000 sequential create calls on loopback took 0.26 s with them and 0.22 s without.
    /// A blocked thread is one of the cooperative pool's few, so this suits a program
    /// that sends one request at a time, such as the `ckpt` command.
    public let runsTransfersOnCallingThread: Bool
    private let idleHandles = Mutex<[CurlEasyHandle]>([])
    private let openedConnections = Atomic<Int>(0)

    /// The number of connections opened so far; it stays put while keep-alive connections are reused.
    var openedConnectionCount: Int {
        openedConnections.load(ordering: .relaxed)
    }

    /// Creates a transport.
    ///
    /// - Parameters:
    ///   - maximumConnections: how many idle handles, and so keep-alive connections, are
    ///     kept between requests. More requests than this can run at once; the extra
    ///     handles are closed when their transfer ends.
    ///   - runsTransfersOnCallingThread: whether a transfer blocks the calling task's
    ///     thread rather than running on a dispatch queue; see
    ///     ``runsTransfersOnCallingThread``.
    public init(maximumConnections: Int = 4, runsTransfersOnCallingThread: Bool = false) {
        self.maximumConnections = max(maximumConnections, 1)
        self.runsTransfersOnCallingThread = runsTransfersOnCallingThread
    }

    /// Sends `request` and returns the response, whatever its status.
    ///
    /// - Throws: ``TransportError/timedOut`` when the request's timeout passes,
    ///   ``TransportError/cancelled`` when the calling task is cancelled, and
    ///   ``TransportError/connectionFailed(_:)`` with libcurl's message for every other
    ///   failure, such as a refused or reset connection.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        if let failure = CurlLibrary.initializationFailure {
            throw TransportError.connectionFailed("libcurl could not be initialized: \(failure)")
        }
        if Task.isCancelled {
            throw TransportError.cancelled
        }
        guard let handle = checkOutHandle() else {
            throw TransportError.connectionFailed("libcurl could not create an easy handle")
        }

        let cancellation = CurlCancellation()
        let onCallingThread = runsTransfersOnCallingThread
        let result = await withTaskCancellationHandler {
            if onCallingThread {
                // The cancellation handler runs on the cancelling thread and wakes the
                // poll that this thread waits in.
                return handle.perform(request, cancellation: cancellation)
            }
            return await withCheckedContinuation { continuation in
                handle.queue.async {
                    continuation.resume(returning: handle.perform(request, cancellation: cancellation))
                }
            }
        } onCancel: {
            cancellation.cancel()
            handle.wakeUp()
        }

        openedConnections.add(handle.lastOpenedConnections, ordering: .relaxed)
        checkIn(handle)
        return try result.get()
    }

    private func checkOutHandle() -> CurlEasyHandle? {
        let idle = idleHandles.withLock { $0.popLast() }
        return idle ?? CurlEasyHandle()
    }

    private func checkIn(_ handle: CurlEasyHandle) {
        let surplus: CurlEasyHandle? = idleHandles.withLock { idle in
            guard idle.count < maximumConnections else { return handle }
            idle.append(handle)
            return nil
        }
        // A surplus handle is released here, outside the lock, which closes its connection.
        _ = surplus
    }
}

/// libcurl, loaded with dlopen and initialized once per process before the first handle
/// is made, so that a program that sends no request does not pay for loading it.
enum CurlLibrary {
    /// The function table and the outcome of loading. A static `let` is initialized
    /// exactly once, under a lock, on first use. The table is written only in `init`, is
    /// read-only afterwards and is never freed, which makes sharing it safe.
    private final class LoadedLibrary: @unchecked Sendable {
        let functions: ckpt_curl_t
        let failure: String?

        init() {
            let table = UnsafeMutablePointer<ckpt_curl_functions>.allocate(capacity: 1)
            table.initialize(to: ckpt_curl_functions())
            var message = [CChar](repeating: 0, count: 512)
            if ckpt_curl_load(table, &message, message.count) != 0 {
                failure = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
            } else {
                let code = ckpt_curl_global_init(table)
                failure = code == CURLE_OK ? nil : String(cString: ckpt_curl_easy_strerror(table, code))
            }
            functions = UnsafePointer(table)
        }
    }

    private static let library = LoadedLibrary()

    /// The reason libcurl could not be loaded or initialized; `nil` when it is ready.
    static var initializationFailure: String? {
        library.failure
    }

    /// The table every `ckpt_curl_*` call takes; valid only when ``initializationFailure`` is `nil`.
    static var functions: ckpt_curl_t {
        library.functions
    }
}

/// The flag that stops a running transfer, set from the task's cancellation handler.
final class CurlCancellation: Sendable {
    private let flag = Atomic<Bool>(false)

    var isCancelled: Bool {
        flag.load(ordering: .relaxed)
    }

    func cancel() {
        flag.store(true, ordering: .relaxed)
    }
}
