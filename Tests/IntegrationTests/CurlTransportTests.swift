import Foundation
import Synchronization
import Testing
import TestSupport

@testable import CheckpointAPI

/// CurlTransport against a `ckpt-sandbox` process on loopback.
///
/// The suite is serialized so that the timeout and cancellation checks, which compare
/// elapsed time with generous bounds, do not compete for the CPU with each other.
@Suite(.serialized) struct CurlTransportTests {
    static let key = "sk-admin-integration-Vb93kQ1x"
    static let checkpoint = "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"
    static let checkpointPath = "/fine_tuning/checkpoints/ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd/permissions"

    func listRequest(_ server: SandboxProcess, timeout: Duration = .seconds(10)) -> HTTPRequest {
        HTTPRequest(
            method: .get, url: server.baseURL + Self.checkpointPath,
            headers: ["Authorization": "Bearer \(Self.key)", "Accept": "application/json"],
            timeout: timeout)
    }

    func client(
        _ server: SandboxProcess,
        transport: CurlTransport = CurlTransport(),
        timeout: Duration = .seconds(10),
        maxRetries: Int = 0,
        tracer: (@Sendable (TraceEvent) -> Void)? = nil
    ) -> PermissionsClient {
        let configuration = ClientConfiguration(
            apiKey: APIKey(Self.key), baseURL: server.baseURL, timeout: timeout, maxRetries: maxRetries,
            tracer: tracer)
        var policy = RetryPolicy()
        policy.sleep = { _ in }
        return PermissionsClient(
            client: APIClient(configuration: configuration, transport: transport, retryPolicy: policy))
    }

    // MARK: round trips

    @Test func permissionsRoundTrip() async throws {
        let server = try SandboxProcess()
        defer { server.stop(signal: SIGKILL) }
        let permissions = client(server)
        let projects = ["proj_abGMw1llN8IrBb6SvvY5A1iH", "proj_iqGMw1llN8IrBb6SvvY5A1oF"]

        let created = try await permissions.create(checkpoint: Self.checkpoint, projectIDs: projects)
        #expect(Set(created.data.map(\.projectID)) == Set(projects))
        #expect(created.data.allSatisfy { $0.id.hasPrefix("cp_") })

        let listed = try await permissions.list(checkpoint: Self.checkpoint)
        #expect(Set(listed.data.map(\.id)) == Set(created.data.map(\.id)))

        let removed = try #require(created.data.first)
        let deletion = try await permissions.delete(checkpoint: Self.checkpoint, permissionID: removed.id)
        #expect(deletion == DeletedCheckpointPermission(id: removed.id, deleted: true))

        var remaining: [String] = []
        for try await permission in permissions.listAll(checkpoint: Self.checkpoint, limit: 1) {
            remaining.append(permission.id)
        }
        #expect(remaining == created.data.dropFirst().map(\.id))
    }

    @Test func responseCarriesStatusHeadersAndBody() async throws {
        let server = try SandboxProcess()
        defer { server.stop(signal: SIGKILL) }
        let transport = CurlTransport()

        let response = try await transport.send(listRequest(server))

        #expect(response.status == 200)
        #expect(response.headers["x-request-id"]?.isEmpty == false)
        let page = try JSONDecoder().decode(PermissionPage.self, from: response.body)
        #expect(page.object == "list")
    }

    @Test func missingKeyGetsUnauthorized() async throws {
        let server = try SandboxProcess()
        defer { server.stop(signal: SIGKILL) }
        var request = listRequest(server)
        request.headers["Authorization"] = nil

        let response = try await CurlTransport().send(request)

        #expect(response.status == 401)
        #expect(response.headers["x-request-id"]?.isEmpty == false)
    }

    // MARK: connections

    @Test func keepAliveConnectionIsReused() async throws {
        let server = try SandboxProcess()
        defer { server.stop(signal: SIGKILL) }
        let transport = CurlTransport()

        for _ in 0..<20 {
            let response = try await transport.send(listRequest(server))
            #expect(response.status == 200)
        }

        #expect(transport.openedConnectionCount == 1)
    }

    @Test func callingThreadTransfersReuseTheConnection() async throws {
        let server = try SandboxProcess()
        defer { server.stop(signal: SIGKILL) }
        let transport = CurlTransport(runsTransfersOnCallingThread: true)

        for _ in 0..<20 {
            let response = try await transport.send(listRequest(server))
            #expect(response.status == 200)
        }

        #expect(transport.openedConnectionCount == 1)
    }

    @Test func callingThreadTransferIsCancelled() async throws {
        let slowServer = try SandboxProcess(["--latency-ms", "5000"])
        defer { slowServer.stop(signal: SIGKILL) }
        let transport = CurlTransport(maximumConnections: 1, runsTransfersOnCallingThread: true)
        let request = listRequest(slowServer)
        let clock = ContinuousClock()

        let task = Task { try await transport.send(request) }
        try await Task.sleep(for: .milliseconds(300))
        let cancelledAt = clock.now
        task.cancel()
        let result = await task.result

        #expect(clock.now - cancelledAt < .milliseconds(2000))
        #expect(throws: TransportError.cancelled) { try result.get() }
    }

    @Test func concurrentRequestsShareThePool() async throws {
        let server = try SandboxProcess()
        defer { server.stop(signal: SIGKILL) }
        let transport = CurlTransport(maximumConnections: 4)
        let request = listRequest(server)

        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<8 {
                group.addTask { try await transport.send(request).status }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        let openedByBurst = transport.openedConnectionCount
        for _ in 0..<10 {
            _ = try await transport.send(request)
        }

        #expect(statuses == Array(repeating: 200, count: 8))
        #expect((1...8).contains(openedByBurst))
        #expect(transport.openedConnectionCount == openedByBurst)
    }

    @Test func closedPortIsConnectionFailure() async throws {
        let server = try SandboxProcess()
        let request = listRequest(server)
        let port = server.port
        server.stop(signal: SIGKILL)

        let error = await #expect(throws: TransportError.self) {
            try await CurlTransport().send(request)
        }

        guard case .connectionFailed(let message) = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(message.contains("127.0.0.1"))
        #expect(message.contains("\(port)"))
    }

    @Test func closedPortIsRetriedThroughTheClient() async throws {
        let server = try SandboxProcess()
        server.stop(signal: SIGKILL)
        let attempts = Atomic<Int>(0)
        let permissions = client(server, maxRetries: 2, tracer: { _ in attempts.add(1, ordering: .relaxed) })

        let error = await #expect(throws: APIError.self) {
            try await permissions.list(checkpoint: Self.checkpoint)
        }

        guard case .connectionFailed = error else {
            Issue.record("expected connectionFailed, got \(String(describing: error))")
            return
        }
        #expect(attempts.load(ordering: .relaxed) == 3)
    }

    // MARK: timeout and cancellation

    @Test func slowResponseTimesOut() async throws {
        let server = try SandboxProcess(["--latency-ms", "3000"])
        defer { server.stop(signal: SIGKILL) }
        let clock = ContinuousClock()
        let start = clock.now

        let error = await #expect(throws: TransportError.self) {
            try await CurlTransport().send(listRequest(server, timeout: .milliseconds(200)))
        }

        #expect(error == .timedOut)
        #expect(clock.now - start < .milliseconds(2500))
    }

    @Test func timeoutThroughTheClient() async throws {
        let server = try SandboxProcess(["--latency-ms", "3000"])
        defer { server.stop(signal: SIGKILL) }
        let permissions = client(server, timeout: .milliseconds(200))

        let error = await #expect(throws: APIError.self) {
            try await permissions.list(checkpoint: Self.checkpoint)
        }

        #expect(error == .timedOut(after: .milliseconds(200)))
    }

    @Test func cancellationAbortsTheTransfer() async throws {
        let slowServer = try SandboxProcess(["--latency-ms", "5000"])
        defer { slowServer.stop(signal: SIGKILL) }
        let transport = CurlTransport(maximumConnections: 1)
        let request = listRequest(slowServer)
        let clock = ContinuousClock()

        let task = Task { try await transport.send(request) }
        try await Task.sleep(for: .milliseconds(300))
        let cancelledAt = clock.now
        task.cancel()
        let result = await task.result

        #expect(clock.now - cancelledAt < .milliseconds(2000))
        #expect(throws: TransportError.cancelled) { try result.get() }

        // The handle that served the aborted transfer serves the next one.
        let fastServer = try SandboxProcess()
        defer { fastServer.stop(signal: SIGKILL) }
        let response = try await transport.send(listRequest(fastServer))
        #expect(response.status == 200)
    }

    @Test func cancellationThroughTheClient() async throws {
        let server = try SandboxProcess(["--latency-ms", "5000"])
        defer { server.stop(signal: SIGKILL) }
        let permissions = client(server, maxRetries: 2)
        let clock = ContinuousClock()

        let task = Task { try await permissions.list(checkpoint: Self.checkpoint) }
        try await Task.sleep(for: .milliseconds(300))
        let cancelledAt = clock.now
        task.cancel()
        let result = await task.result

        #expect(clock.now - cancelledAt < .milliseconds(2000))
        #expect(throws: APIError.cancelled) { try result.get() }
    }

    @Test func alreadyCancelledTaskSendsNothing() async throws {
        let server = try SandboxProcess()
        defer { server.stop(signal: SIGKILL) }
        let transport = CurlTransport()
        let request = listRequest(server)

        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await transport.send(request)
        }

        await #expect(throws: TransportError.cancelled) { try await task.value }
        #expect(transport.openedConnectionCount == 0)
    }
}
