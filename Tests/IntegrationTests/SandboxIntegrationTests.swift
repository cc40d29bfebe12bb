import CheckpointAPI
import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

private let checkpoint = "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"

/// The CheckpointAPI client with its default transport against the `ckpt-sandbox` binary.
@Suite struct SandboxIntegrationTests {
    private func client(
        _ server: SandboxProcess, maxRetries: Int = 2, recorder: TraceRecorder? = nil
    ) -> PermissionsClient {
        let configuration = ClientConfiguration(
            apiKey: APIKey("sk-integration"), baseURL: server.baseURL, timeout: .seconds(30),
            maxRetries: maxRetries, tracer: recorder?.tracer)
        return PermissionsClient(configuration: configuration)
    }

    // MARK: Endpoints

    @Test func printsListeningLineWithChosenPort() throws {
        let server = try SandboxProcess()

        #expect(server.baseURL == "http://127.0.0.1:\(server.port)/v1")
        #expect(server.port > 0)
    }

    @Test func createListDeleteRoundTrip() async throws {
        let server = try SandboxProcess()
        let permissions = client(server)
        let created = try await permissions.create(
            checkpoint: checkpoint, projectIDs: ["proj_abGMw1llN8IrBb6SvvY5A1iH", "proj_iqGMw1llN8IrBb6SvvY5A1oF"])
        let listed = try await permissions.list(checkpoint: checkpoint, order: .ascending)
        let deleted = try await permissions.delete(checkpoint: checkpoint, permissionID: created.data[0].id)
        let remaining = try await permissions.list(checkpoint: checkpoint)

        #expect(created.data.map(\.projectID) == ["proj_abGMw1llN8IrBb6SvvY5A1iH", "proj_iqGMw1llN8IrBb6SvvY5A1oF"])
        #expect(created.data.allSatisfy { $0.id.hasPrefix("cp_") })
        #expect(created.data.allSatisfy { $0.id.count == 27 })
        #expect(!created.hasMore)
        #expect(listed.data == created.data)
        #expect(listed.firstID == created.data[0].id)
        #expect(listed.lastID == created.data[1].id)
        #expect(deleted == DeletedCheckpointPermission(id: created.data[0].id, deleted: true))
        #expect(remaining.data == [created.data[1]])
    }

    @Test func checkpointWithSlashIsOneSegment() async throws {
        let server = try SandboxProcess()
        let permissions = client(server)
        let odd = "ft:model:org:name/with/slashes"
        _ = try await permissions.create(checkpoint: odd, projectIDs: ["proj_a"])

        #expect(try await permissions.list(checkpoint: odd).data.map(\.projectID) == ["proj_a"])
        #expect(try await permissions.list(checkpoint: "ft:model:org:name").data.isEmpty)
    }

    @Test func unknownPermissionIsStatusError() async throws {
        let server = try SandboxProcess()
        do {
            _ = try await client(server).delete(checkpoint: checkpoint, permissionID: "cp_zc4Q7MP6XxulcVzj4MZdwsAB")
            Issue.record("deleting an unknown permission succeeded")
        } catch {
            guard case .status(let status) = error else {
                Issue.record("expected a status error, got \(error)")
                return
            }
            #expect(status.status == 404)
            #expect(status.type == "invalid_request_error")
            #expect(status.param == "permission_id")
            #expect(status.code == "not_found")
            #expect(status.requestID?.hasPrefix("req_") == true)
        }
    }

    @Test func invalidLimitIsStatusError() async throws {
        let server = try SandboxProcess()
        do {
            _ = try await client(server).list(checkpoint: checkpoint, limit: 101)
            Issue.record("a limit of 101 was accepted")
        } catch {
            guard case .status(let status) = error else {
                Issue.record("expected a status error, got \(error)")
                return
            }
            #expect(status.status == 400)
            #expect(status.param == "limit")
            #expect(status.code == "integer_above_max_value")
        }
    }

    // MARK: Paging through seeded permissions

    @Test(arguments: [ListOrder.ascending, .descending], [7, 100])
    func pagingVisitsAll250(order: ListOrder, limit: Int) async throws {
        let server = try SandboxProcess(["--seed-permissions", "250", "--checkpoint", checkpoint])
        let recorder = TraceRecorder()
        var seen: [CheckpointPermission] = []
        for try await permission in client(server, recorder: recorder)
            .listAll(checkpoint: checkpoint, limit: limit, order: order)
        {
            seen.append(permission)
        }
        let times = seen.map(\.createdAt)

        #expect(seen.count == 250)
        #expect(Set(seen.map(\.id)).count == 250)
        #expect(times == (order == .ascending ? times.sorted() : times.sorted(by: >)))
        #expect(recorder.all.count == (250 + limit - 1) / limit)
        #expect(recorder.all.allSatisfy { $0.status == 200 })
    }

    @Test func bothOrdersAreReverses() async throws {
        let server = try SandboxProcess(["--seed-permissions", "250", "--checkpoint", checkpoint])
        let permissions = client(server)
        var ascending: [String] = []
        var descending: [String] = []
        for try await permission in permissions.listAll(checkpoint: checkpoint, limit: 30, order: .ascending) {
            ascending.append(permission.id)
        }
        for try await permission in permissions.listAll(checkpoint: checkpoint, limit: 30) {
            descending.append(permission.id)
        }

        #expect(ascending.count == 250)
        #expect(descending == ascending.reversed())
    }

    @Test func projectFilterFindsEachSeededProject() async throws {
        let server = try SandboxProcess(["--seed-permissions", "250", "--checkpoint", checkpoint])
        let permissions = client(server)
        let firstPage = try await permissions.list(checkpoint: checkpoint, limit: 100, order: .ascending)
        for target in [firstPage.data[0], firstPage.data[41], firstPage.data[99]] {
            var found: [CheckpointPermission] = []
            for try await permission in permissions.listAll(
                checkpoint: checkpoint, limit: 1, order: .ascending, projectID: target.projectID)
            {
                found.append(permission)
            }
            #expect(found == [target])
        }
        let none = try await permissions.list(checkpoint: checkpoint, projectID: "proj_nobody")

        #expect(none.data.isEmpty)
        #expect(!none.hasMore)
    }

    // MARK: Retries under injected failures

    @Test func retriesInjected429WithZeroRetryAfter() async throws {
        let server = try SandboxProcess([
            "--fail-rate", "0.3", "--fail-status", "429", "--retry-after", "0", "--seed", "11",
        ])
        let recorder = TraceRecorder()
        let permissions = client(server, maxRetries: 8, recorder: recorder)
        for _ in 0..<40 {
            _ = try await permissions.list(checkpoint: checkpoint)
        }
        let events = recorder.all
        let failed = events.filter { $0.status == 429 }

        #expect(events.filter { $0.status == 200 }.count == 40)
        #expect(!failed.isEmpty)
        #expect(failed.allSatisfy { $0.retryDelay == .zero })
        #expect(events.count == 40 + failed.count)
    }

    @Test func retriesInjected500WithRetryAfter() async throws {
        let server = try SandboxProcess([
            "--fail-rate", "0.5", "--fail-status", "500", "--retry-after", "1", "--seed", "4",
        ])
        let recorder = TraceRecorder()
        let permissions = client(server, maxRetries: 6, recorder: recorder)
        _ = try await permissions.create(checkpoint: checkpoint, projectIDs: ["proj_a"])
        let page = try await permissions.list(checkpoint: checkpoint)
        let failed = recorder.all.filter { $0.status == 500 }

        #expect(page.data.map(\.projectID) == ["proj_a"])
        #expect(!failed.isEmpty)
        #expect(failed.allSatisfy { $0.retryDelay == .seconds(1) })
        #expect(recorder.all.filter { $0.status == 200 }.count == 2)
    }

    @Test func exhaustedRetriesReportLastFailure() async throws {
        let server = try SandboxProcess(["--fail-rate", "1", "--fail-status", "500", "--retry-after", "0"])
        let recorder = TraceRecorder()
        do {
            _ = try await client(server, maxRetries: 2, recorder: recorder).list(checkpoint: checkpoint)
            Issue.record("a request succeeded with every request failing")
        } catch {
            guard case .status(let status) = error else {
                Issue.record("expected a status error, got \(error)")
                return
            }
            #expect(status.status == 500)
            #expect(status.type == "server_error")
        }

        #expect(recorder.all.map(\.retryNumber) == [0, 1, 2])
    }

    @Test func sameSeedGivesSameFailuresAcrossRuns() async throws {
        func statuses() async throws -> [Int?] {
            let server = try SandboxProcess(["--fail-rate", "0.4", "--fail-status", "429", "--seed", "21"])
            let recorder = TraceRecorder()
            let permissions = client(server, maxRetries: 0, recorder: recorder)
            for _ in 0..<30 {
                _ = try? await permissions.list(checkpoint: checkpoint)
            }
            return recorder.all.map(\.status)
        }
        let first = try await statuses()
        let second = try await statuses()

        #expect(first.count == 30)
        #expect(first == second)
        #expect(first.contains(429))
    }

    // MARK: The executable

    @Test func logWritesOneLinePerRequest() async throws {
        let server = try SandboxProcess(["--log"])
        _ = try await client(server).list(checkpoint: checkpoint, limit: 5)
        let (status, standardError) = server.stop(signal: SIGINT)
        let lines = standardError.split(separator: "\n")

        #expect(status == 0)
        #expect(lines.count == 2)
        let fields = lines.first?.split(separator: " ") ?? []
        #expect(fields.count == 5)
        #expect(fields.first == "GET")
        #expect(fields.dropFirst().first == "/v1/fine_tuning/checkpoints/\(checkpoint)/permissions")
        #expect(fields.dropFirst(2).first == "200")
        #expect(fields.dropFirst(3).first?.hasPrefix("req_") == true)
        #expect(fields.last?.hasSuffix("us") == true)
        #expect(lines.last == "ckpt-sandbox: stopping on SIGINT")
    }

    @Test func terminateStopsCleanly() throws {
        let server = try SandboxProcess()
        let (status, standardError) = server.stop(signal: SIGTERM)

        #expect(status == 0)
        #expect(standardError == "ckpt-sandbox: stopping on SIGTERM\n")
    }

    @Test(arguments: [
        ["--port", "70000"],
        ["--fail-rate", "2"],
        ["--seed-permissions", "5"],
        ["--retry-after", "1"],
        ["--seed-permissions", "5", "--checkpoint", "gpt-4o"],
        ["--bogus"],
    ])
    func invalidOptionsExitWithUsageError(arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: SandboxProcess.binaryPath())
        process.arguments = arguments
        let standardError = Pipe()
        process.standardError = standardError
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: standardError.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        #expect(process.terminationStatus == 2)
        #expect(message.hasPrefix("ckpt-sandbox: error: "))
    }
}
