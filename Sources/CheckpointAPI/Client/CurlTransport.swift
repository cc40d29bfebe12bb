import CCurl
import Synchronization

/// The default transport, on libcurl's easy interface.
///
/// Each transfer borrows an easy handle from a small pool and returns it afterwards, so
/// the connection the handle keeps alive serves the next request to the same host.
/// The blocking transfer runs on the handle's own dispatch queue, never on Swift's
/// cooperative thread pool. Cancelling the calling task aborts the transfer.
///
/// ```swift
/// let transport = CurlTransport()
/// let response = try await transport.send(HTTPRequest(method: .get, url: "http://127.0.0.1:8080/v1/models"))
/// print(response.status)
/// ```
public final class CurlTransport: HTTPTransport {
    /// The maximum number of idle handles kept for reuse. Each keeps its connections alive.
    public let maximumConnections: Int
    private let idleHandles = Mutex<[CurlEasyHandle]>([])
    private let openedConnections = Atomic<Int>(0)

    /// The number of connections opened so far; it stays put while keep-alive connections are reused.
    var openedConnectionCount: Int {
        openedConnections.load(ordering: .relaxed)
    }

    /// Creates a transport.
    ///
    /// - Parameter maximumConnections: how many idle handles, and so keep-alive
    ///   connections, are kept between requests. More requests than this can run at
    ///   once; the extra handles are closed when their transfer ends.
    public init(maximumConnections: Int = 4) {
        self.maximumConnections = max(maximumConnections, 1)
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
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
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

/// The process-wide libcurl initialization, run once before the first handle is made.
enum CurlLibrary {
    /// libcurl's message when `curl_global_init` failed; `nil` when it succeeded.
    ///
    /// A static `let` is initialized exactly once, under a lock, on first use.
    static let initializationFailure: String? = {
        let code = ckpt_curl_global_init()
        return code == CURLE_OK ? nil : String(cString: curl_easy_strerror(code))
    }()
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
