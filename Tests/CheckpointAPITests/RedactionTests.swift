import Foundation
import Testing

@testable import CheckpointAPI

@Suite struct RedactionTests {
    static let secret = Fixture.key

    func expectNoSecret(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(!text.contains(Self.secret), "\(text)", sourceLocation: sourceLocation)
    }

    /// Renders an error in every way a person or a log could see it.
    func renderings(of error: APIError) -> [String] {
        var dumped = ""
        dump(error, to: &dumped)
        return [error.description, error.message, String(reflecting: error), "\(error)", dumped]
    }

    @Test func keyRendersRedacted() {
        let key = APIKey(Self.secret, source: .environment(variable: "OPENAI_ADMIN_KEY"))
        var dumped = ""
        dump(key, to: &dumped)

        #expect(key.description == "<redacted>")
        #expect(key.debugDescription == "APIKey(<redacted>, from the environment variable OPENAI_ADMIN_KEY)")
        expectNoSecret("\(key)")
        expectNoSecret(String(reflecting: key))
        expectNoSecret(dumped)
        #expect(dumped.contains("<redacted>"))
    }

    @Test func configurationDescriptionHidesTheKey() {
        var configuration = ClientConfiguration.environment([
            "OPENAI_ADMIN_KEY": Self.secret, "OPENAI_ORG_ID": "org-abc",
        ])
        configuration.timeout = .seconds(30)
        var dumped = ""
        dump(configuration, to: &dumped)

        #expect(configuration.description == """
            base URL: https://api.openai.com/v1
            API key: set, from the environment variable OPENAI_ADMIN_KEY
            organization: org-abc
            project: not set
            timeout: 30 s
            max retries: 2
            """)
        expectNoSecret(String(reflecting: configuration))
        expectNoSecret(dumped)
    }

    @Test func configurationDescriptionWithoutKey() {
        #expect(ClientConfiguration.environment([:]).description.contains("API key: not set"))
    }

    @Test func headersDescriptionHidesAuthorization() {
        let headers: HTTPHeaders = ["authorization": "Bearer \(Self.secret)", "Accept": "application/json"]

        #expect(headers.description == "authorization: <redacted>\nAccept: application/json")
    }

    /// Responses and failures whose text echoes the key, as a careless server or proxy might.
    static let echoingSteps: [(String, ScriptedTransport.Step)] = [
        ("401 message", .respond(.apiError(401, message: "Incorrect API key provided: \(secret)"))),
        ("400 fields", .respond(.json(
            #"{"error":{"message":"bad \#(secret)","type":"t \#(secret)","param":"\#(secret)","code":"\#(secret)"}}"#,
            status: 400))),
        ("HTML page", .respond(HTTPResponse(
            status: 502, body: Data("<html>Authorization: Bearer \(secret)</html>".utf8)))),
        ("request ID", .respond(.apiError(404, headers: ["x-request-id": "req_\(secret)"]))),
        ("undecodable success", .respond(.json(#"{"token":"\#(secret)"}"#))),
        ("connection failure", .fail(.connectionFailed("proxy rejected Bearer \(secret)"))),
        ("timeout", .fail(.timedOut)),
    ]

    @Test(arguments: 0..<echoingSteps.count)
    func errorsNeverShowTheKey(index: Int) async throws {
        let traces = TraceRecorder()
        let transport = ScriptedTransport([Self.echoingSteps[index].1])
        let configuration = Fixture.configuration(maxRetries: 0, tracer: { traces.record($0) })
        let client = Fixture.client(transport, configuration: configuration)

        let error = try #require(await thrownError { try await client.list(checkpoint: Fixture.checkpoint) })

        for text in renderings(of: error) {
            expectNoSecret(text)
        }
        #expect(traces.recorded.count == 1)
        for event in traces.recorded {
            expectNoSecret(event.description)
            expectNoSecret(String(reflecting: event))
        }
        // The key still went out in the request itself.
        #expect(transport.requests.first?.headers["Authorization"] == "Bearer \(Self.secret)")
    }

    @Test func redactedTextKeepsTheRest() async throws {
        let transport = ScriptedTransport([.respond(.apiError(400, message: "key \(Self.secret) is revoked"))])
        let client = Fixture.client(transport, configuration: Fixture.configuration(maxRetries: 0))

        let error = try #require(await thrownError { try await client.list(checkpoint: Fixture.checkpoint) })

        #expect(error.message == "key <redacted> is revoked")
    }

    @Test func traceEventsAcrossRetriesNeverShowTheKey() async throws {
        let traces = TraceRecorder()
        let transport = ScriptedTransport([
            .respond(.apiError(500, message: "upstream saw \(Self.secret)")),
            .fail(.connectionFailed("reset after Bearer \(Self.secret)")),
            .respond(.json(Fixture.emptyPage, headers: ["x-request-id": "req_ok"])),
        ])
        let configuration = Fixture.configuration(tracer: { traces.record($0) })

        _ = try await Fixture.client(transport, configuration: configuration).list(checkpoint: Fixture.checkpoint)

        #expect(traces.recorded.count == 3)
        for event in traces.recorded {
            expectNoSecret(event.description)
            var dumped = ""
            dump(event, to: &dumped)
            expectNoSecret(dumped)
        }
        #expect(traces.recorded[1].failure == "connection failed: reset after Bearer <redacted>")
    }

    @Test func errorsRaisedBeforeSendingNeverShowTheKey() async throws {
        let transport = ScriptedTransport()
        let client = Fixture.client(transport)

        let errors = [
            await thrownError { try await client.list(checkpoint: "..") },
            await thrownError { try await client.create(checkpoint: Fixture.checkpoint, projectIDs: []) },
            await thrownError {
                try await Fixture.client(transport, configuration: Fixture.configuration(key: nil))
                    .list(checkpoint: Fixture.checkpoint)
            },
        ]

        for error in errors {
            let error = try #require(error)
            for text in renderings(of: error) {
                expectNoSecret(text)
            }
        }
        #expect(transport.requests.isEmpty)
    }

    @Test func shortStringsAreNotTreatedAsTheKey() {
        let key = APIKey("abc")

        #expect(key.redact("abc def abc") == "abc def abc")
        #expect(APIKey(Self.secret).redact("x \(Self.secret) y \(Self.secret)") == "x <redacted> y <redacted>")
    }
}
