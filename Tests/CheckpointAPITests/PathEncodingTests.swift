import Foundation
import Testing

@testable import CheckpointAPI

@Suite struct PathEncodingTests {
    @Test(arguments: [
        ("ft:gpt-4o-mini-2024-07-18:org:weather:ckpt-step-7", "ft:gpt-4o-mini-2024-07-18:org:weather:ckpt-step-7"),
        ("a/b?c#d", "a%2Fb%3Fc%23d"),
        ("100%", "100%25"),
        ("a b", "a%20b"),
        ("café", "caf%C3%A9"),
        ("...", "..."),
        (".hidden", ".hidden"),
        ("a@b!$&'()*+,;=", "a@b!$&'()*+,;="),
        ("[x]{y}\\", "%5Bx%5D%7By%7D%5C"),
    ])
    func checkpointIsOneSegment(checkpoint: String, encoded: String) async throws {
        let transport = ScriptedTransport([.respond(.json(Fixture.emptyPage))])

        _ = try await Fixture.client(transport).list(checkpoint: checkpoint)

        #expect(transport.requests.first?.url == "\(Fixture.baseURL)/fine_tuning/checkpoints/\(encoded)/permissions")
    }

    @Test func permissionIDIsOneSegment() async throws {
        let transport = ScriptedTransport([
            .respond(.json(#"{"object":"checkpoint.permission","id":"cp_1","deleted":true}"#))
        ])

        try await Fixture.client(transport).delete(checkpoint: "ft:x:y", permissionID: "cp 1/#")

        #expect(transport.requests.first?.url == "\(Fixture.baseURL)/fine_tuning/checkpoints/ft:x:y/permissions/cp%201%2F%23")
    }

    static let rejected = ["", ".", "..", "../../x", "a/../b", "./x", "x/.", "x/.."]

    @Test(arguments: rejected)
    func invalidCheckpointIsRejectedBeforeSending(checkpoint: String) async {
        let transport = ScriptedTransport()
        let client = Fixture.client(transport)

        let errors = [
            await thrownError { try await client.list(checkpoint: checkpoint) },
            await thrownError { try await client.create(checkpoint: checkpoint, projectIDs: ["proj_1"]) },
            await thrownError { try await client.delete(checkpoint: checkpoint, permissionID: "cp_1") },
            await thrownError { for try await _ in client.listAll(checkpoint: checkpoint) {} },
        ]

        for error in errors {
            guard case .invalidArgument(let name, let value, _) = error else {
                Issue.record("expected invalidArgument, got \(String(describing: error))")
                continue
            }
            #expect(name == "checkpoint")
            #expect(value == checkpoint)
        }
        #expect(transport.requests.isEmpty)
    }

    @Test(arguments: rejected)
    func invalidPermissionIDIsRejectedBeforeSending(permissionID: String) async {
        let transport = ScriptedTransport()

        let error = await thrownError {
            try await Fixture.client(transport).delete(checkpoint: Fixture.checkpoint, permissionID: permissionID)
        }

        guard case .invalidArgument(let name, let value, _) = error else {
            Issue.record("expected invalidArgument, got \(String(describing: error))")
            return
        }
        #expect(name == "permission ID")
        #expect(value == permissionID)
        #expect(transport.requests.isEmpty)
    }

    @Test func rejectionMessages() async {
        let transport = ScriptedTransport()
        let client = Fixture.client(transport)

        let empty = await thrownError { try await client.list(checkpoint: "") }
        let dots = await thrownError { try await client.list(checkpoint: "..") }
        let traversal = await thrownError { try await client.list(checkpoint: "../../x") }

        #expect(empty?.description == "invalid checkpoint '': must not be empty")
        #expect(dots?.description == "invalid checkpoint '..': '.' and '..' are not valid path segments")
        #expect(traversal?.description == "invalid checkpoint '../../x': must not contain '.' or '..' between slashes")
    }

    @Test(arguments: [
        ("plain", "plain"),
        ("a&b=c+d", "a%26b%3Dc%2Bd"),
        ("x y#z", "x%20y%23z"),
        ("ft:a@b", "ft:a@b"),
        ("é/?", "%C3%A9%2F%3F"),
    ])
    func queryComponentEncoding(value: String, encoded: String) {
        #expect(PercentEncoding.queryComponent(value) == encoded)
    }
}
