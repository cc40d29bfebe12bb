import Foundation
import Testing

@testable import CheckpointAPI

@Suite struct ErrorMappingTests {
    /// Sends one list request without retries and returns the error it throws.
    func listError(
        _ response: HTTPResponse,
        key: APIKey = APIKey(Fixture.key, source: .environment(variable: "OPENAI_ADMIN_KEY"))
    ) async -> APIError? {
        let transport = ScriptedTransport([.respond(response)])
        var configuration = Fixture.configuration(maxRetries: 0)
        configuration.apiKey = key
        let client = Fixture.client(transport, configuration: configuration)
        return await thrownError { try await client.list(checkpoint: Fixture.checkpoint) }
    }

    struct StatusCase: Sendable, CustomTestStringConvertible {
        var status: Int
        var type: String
        var code: String?
        var param: String?
        var message: String

        var testDescription: String { "HTTP \(status)" }

        var body: String {
            let code = self.code.map { "\"\($0)\"" } ?? "null"
            let param = self.param.map { "\"\($0)\"" } ?? "null"
            return #"{"error":{"message":"\#(message)","type":"\#(type)","param":\#(param),"code":\#(code)}}"#
        }
    }

    static let statusCases: [StatusCase] = [
        StatusCase(status: 400, type: "invalid_request_error", code: "invalid_value", param: "limit",
                   message: "Invalid value for limit."),
        StatusCase(status: 404, type: "invalid_request_error", code: nil, param: nil,
                   message: "No permission found with ID cp_missing."),
        StatusCase(status: 409, type: "invalid_request_error", code: "conflict", param: nil,
                   message: "The permission is being changed."),
        StatusCase(status: 422, type: "invalid_request_error", code: nil, param: "project_ids",
                   message: "Unknown project."),
        StatusCase(status: 429, type: "rate_limit_error", code: "rate_limit_exceeded", param: nil,
                   message: "Rate limit reached."),
        StatusCase(status: 500, type: "server_error", code: nil, param: nil,
                   message: "The server had an error."),
    ]

    @Test(arguments: statusCases)
    func statusErrorCarriesTheAPIFields(_ testCase: StatusCase) async throws {
        let response = HTTPResponse.json(testCase.body, status: testCase.status, headers: ["x-request-id": "req_42"])

        let error = try #require(await listError(response))

        #expect(error.status == testCase.status)
        #expect(error.type == testCase.type)
        #expect(error.code == testCase.code)
        #expect(error.param == testCase.param)
        #expect(error.message == testCase.message)
        #expect(error.requestID == "req_42")
    }

    @Test func statusErrorDescription() async throws {
        let response = HTTPResponse.json(
            Self.statusCases[0].body, status: 400, headers: ["x-request-id": "req_42"])

        let error = try #require(await listError(response))

        #expect(error.description
            == "HTTP 400 (invalid_request_error, code invalid_value, param limit): Invalid value for limit. [request ID: req_42]")
    }

    @Test func numericCodeIsKeptAsText() async throws {
        let body = #"{"error":{"message":"Busy.","type":"server_error","param":null,"code":503}}"#

        let error = try #require(await listError(.json(body, status: 503)))

        #expect(error.code == "503")
    }

    @Test func errorWithoutMessage() async throws {
        let error = try #require(await listError(.json(#"{"error":{"type":"server_error"}}"#, status: 500)))

        #expect(error.message == "no message")
        #expect(error.type == "server_error")
    }

    // MARK: 401 and 403

    @Test(arguments: [401, 403])
    func authorizationErrorExplainsTheAdminKey(status: Int) async throws {
        let response = HTTPResponse.apiError(status, message: "Incorrect API key provided")

        let error = try #require(
            await listError(response, key: APIKey(Fixture.key, source: .environment(variable: "OPENAI_API_KEY"))))

        #expect(error.status == status)
        #expect(error.message == "Incorrect API key provided. These endpoints need an organization admin key"
            + " (OPENAI_ADMIN_KEY). The key sent came from the environment variable OPENAI_API_KEY.")
    }

    @Test func authorizationErrorNamesAKeyFromCode() async throws {
        let response = HTTPResponse.apiError(401, message: "Missing scope.")

        let error = try #require(await listError(response, key: APIKey(Fixture.key)))

        #expect(error.message == "Missing scope. These endpoints need an organization admin key"
            + " (OPENAI_ADMIN_KEY). The key sent came from the client configuration.")
    }

    @Test func otherStatusesGetNoKeyHint() async throws {
        let error = try #require(await listError(.apiError(404, message: "Not found.")))

        #expect(error.message == "Not found.")
    }

    // MARK: bodies that are not API errors

    @Test func htmlErrorPageGivesStatusAndStartOfBody() async throws {
        let html = """
            <html>
            <head><title>502 Bad Gateway</title></head>
            <body><center><h1>502 Bad Gateway</h1></center></body>
            </html>
            """
        let response = HTTPResponse(
            status: 502, headers: ["Content-Type": "text/html", "x-request-id": "req_gw"], body: Data(html.utf8))

        let error = try #require(await listError(response))

        #expect(error.status == 502)
        #expect(error.type == nil)
        #expect(error.requestID == "req_gw")
        #expect(error.message == "the response body starts with: <html> <head><title>502 Bad Gateway</title></head>"
            + " <body><center><h1>502 Bad Gateway</h1></center></body> </html>")
        #expect(!error.description.contains("DecodingError"))
        #expect(error.description.hasPrefix("HTTP 502: the response body starts with: <html>"))
        #expect(error.description.hasSuffix("[request ID: req_gw]"))
    }

    @Test func longBodyIsShortened() async throws {
        let body = String(repeating: "x", count: 1000)

        let error = try #require(await listError(HTTPResponse(status: 500, body: Data(body.utf8))))

        #expect(error.message == "the response body starts with: " + String(repeating: "x", count: 200) + "…")
    }

    @Test func emptyErrorBody() async throws {
        let error = try #require(await listError(HTTPResponse(status: 503)))

        #expect(error.status == 503)
        #expect(error.message == "the response had no body")
    }

    @Test func successWithMissingFieldIsUndecodable() async throws {
        let response = HTTPResponse.json(#"{"object":"list","has_more":false}"#, headers: ["x-request-id": "req_7"])

        let error = try #require(await listError(response))

        #expect(error == .undecodableResponse(
            status: 200, requestID: "req_7", reason: "missing field 'data'",
            bodyExcerpt: #"{"object":"list","has_more":false}"#))
        #expect(error.status == 200)
        #expect(error.requestID == "req_7")
    }

    @Test func successWithWrongTypeIsUndecodable() async throws {
        let body = #"{"object":"list","data":[{"object":"checkpoint.permission","id":"cp_1","created_at":"yesterday","project_id":"p"}],"has_more":false}"#

        let error = try #require(await listError(.json(body)))

        guard case .undecodableResponse(_, _, let reason, _) = error else {
            Issue.record("expected undecodableResponse, got \(error)")
            return
        }
        #expect(reason == "unexpected value at 'data[0].created_at'")
    }

    @Test func successWithHTMLIsUndecodable() async throws {
        let response = HTTPResponse(status: 200, body: Data("<html>maintenance</html>".utf8))

        let error = try #require(await listError(response))

        #expect(error == .undecodableResponse(
            status: 200, requestID: nil, reason: "invalid JSON", bodyExcerpt: "<html>maintenance</html>"))
        #expect(error.description
            == "HTTP 200: the response is not the documented JSON (invalid JSON); it starts with: <html>maintenance</html>")
    }

    // MARK: failures without a response

    @Test func transportFailuresMapToTheirCases() async throws {
        let cases: [(TransportError, APIError)] = [
            (.connectionFailed("Failed to connect to 127.0.0.1 port 9"),
             .connectionFailed(message: "Failed to connect to 127.0.0.1 port 9")),
            (.timedOut, .timedOut(after: .seconds(600))),
            (.cancelled, .cancelled),
        ]
        for (transportError, expected) in cases {
            let transport = ScriptedTransport([.fail(transportError)])
            let client = Fixture.client(transport, configuration: Fixture.configuration(maxRetries: 0))

            let error = await thrownError { try await client.list(checkpoint: Fixture.checkpoint) }

            #expect(error == expected)
            #expect(error?.status == nil)
        }
    }

    @Test func otherTransportErrorsAreConnectionFailures() async throws {
        struct SocketClosed: Error, CustomStringConvertible {
            var description: String { "socket closed" }
        }
        let transport = ScriptedTransport([.run { _ in throw SocketClosed() }])
        let client = Fixture.client(transport, configuration: Fixture.configuration(maxRetries: 0))

        let error = await thrownError { try await client.list(checkpoint: Fixture.checkpoint) }

        #expect(error == .connectionFailed(message: "socket closed"))
    }

    @Test func failureDescriptions() {
        #expect(APIError.connectionFailed(message: "Connection refused").description
            == "connection failed: Connection refused")
        #expect(APIError.timedOut(after: .seconds(30)).description == "the request timed out after 30 s")
        #expect(APIError.cancelled.description == "the request was cancelled")
        #expect(APIError.cursorDidNotAdvance(lastID: "cp_1").description
            == "paging stopped: the server returned the cursor 'cp_1' again, so the list would never end")
    }
}
