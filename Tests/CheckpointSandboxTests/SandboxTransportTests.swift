import CheckpointAPI
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@testable import CheckpointSandbox

@Suite struct SandboxTransportTests {
    private func client(_ sandbox: Sandbox, maxRetries: Int = 0) -> PermissionsClient {
        let configuration = ClientConfiguration(
            apiKey: APIKey("sk-sandbox"), baseURL: "https://api.openai.com/v1", maxRetries: maxRetries)
        return PermissionsClient(configuration: configuration, transport: SandboxTransport(sandbox: sandbox))
    }

    @Test(arguments: zip(
        [
            "https://api.openai.com/v1/fine_tuning/checkpoints/ft:x/permissions?limit=2",
            "http://127.0.0.1:8080/v1/a",
            "http://host",
            "http://host?x=1",
            "/v1/a#fragment",
        ],
        ["/v1/fine_tuning/checkpoints/ft:x/permissions?limit=2", "/v1/a", "/", "/?x=1", "/v1/a"]))
    func targetIsPathAndQuery(url: String, target: String) {
        #expect(SandboxTransport.target(of: url) == target)
    }

    @Test func clientCreatesListsAndDeletes() async throws {
        let sandbox = Sandbox()
        let permissions = client(sandbox)
        let created = try await permissions.create(checkpoint: checkpoint, projectIDs: ["proj_a", "proj_b"])
        let page = try await permissions.list(checkpoint: checkpoint, order: .ascending)
        let deleted = try await permissions.delete(checkpoint: checkpoint, permissionID: created.data[0].id)
        let remaining = try await permissions.list(checkpoint: checkpoint)

        #expect(page.data == created.data)
        #expect(deleted == DeletedCheckpointPermission(id: created.data[0].id))
        #expect(remaining.data == [created.data[1]])
    }

    @Test func clientPagesThroughEverything() async throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 57)
        var ids: [String] = []
        for try await permission in client(sandbox).listAll(checkpoint: checkpoint, limit: 10, order: .ascending) {
            ids.append(permission.id)
        }

        #expect(ids == sandbox.permissions(checkpoint: checkpoint).map(\.id))
    }

    @Test func clientSeesAPIErrors() async throws {
        let sandbox = Sandbox()
        do {
            _ = try await client(sandbox).delete(checkpoint: checkpoint, permissionID: "cp_missing")
            Issue.record("delete of a missing permission succeeded")
        } catch {
            guard case .status(let status) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(status.status == 404)
            #expect(status.param == "permission_id")
            #expect(status.requestID?.hasPrefix("req_") == true)
        }
    }

    @Test func clientRetriesInjectedFailures() async throws {
        // With seed 3 and rate 0.5 the first request fails and a later attempt succeeds.
        let sandbox = Sandbox(options: .init(failureRate: 0.5, failureStatus: 429, retryAfter: 0, seed: 3))
        var failures = 0
        let probe = Sandbox(options: .init(failureRate: 0.5, failureStatus: 429, retryAfter: 0, seed: 3))
        while probe.send("GET", permissionsPath).status == 429 {
            failures += 1
        }
        try #require(failures >= 1 && failures <= 2, "seed 3 gave \(failures) failures first")
        let page = try await client(sandbox, maxRetries: 2).list(checkpoint: checkpoint)

        #expect(page.data.isEmpty)
    }

    @Test func cancellationStopsLatencyWait() async throws {
        let sandbox = Sandbox(options: .init(latency: .seconds(600)))
        let transport = SandboxTransport(sandbox: sandbox)
        let request = HTTPRequest(method: .get, url: "http://sandbox/v1/x")
        let task = Task { try await transport.send(request) }
        task.cancel()

        await #expect(throws: TransportError.cancelled) {
            try await task.value
        }
    }

    @Test func latencyBeyondTimeoutTimesOut() async throws {
        let sandbox = Sandbox(options: .init(latency: .seconds(600)))
        let transport = SandboxTransport(sandbox: sandbox)
        let request = HTTPRequest(method: .get, url: "http://sandbox/v1/x", timeout: .milliseconds(5))

        await #expect(throws: TransportError.timedOut) {
            try await transport.send(request)
        }
    }

    @Test func latencyWithinTimeoutAnswers() async throws {
        let sandbox = Sandbox(options: .init(latency: .milliseconds(1)))
        var headers = HTTPHeaders()
        headers["Authorization"] = "Bearer sk-test"
        let request = HTTPRequest(method: .get, url: "http://sandbox" + permissionsPath, headers: headers)
        let response = try await SandboxTransport(sandbox: sandbox).send(request)

        #expect(response.status == 200)
    }
}
