import Foundation
import Testing

@testable import CheckpointAPI

@Suite struct ConfigurationTests {
    @Test func adminKeyComesFirst() {
        let configuration = ClientConfiguration.environment([
            "OPENAI_API_KEY": "sk-ordinary-key-1234",
            "OPENAI_ADMIN_KEY": "sk-admin-key-5678",
        ])
        #expect(configuration.apiKey?.secret == "sk-admin-key-5678")
        #expect(configuration.apiKey?.source == .environment(variable: "OPENAI_ADMIN_KEY"))
    }

    @Test func apiKeyIsTheFallback() {
        let configuration = ClientConfiguration.environment(["OPENAI_API_KEY": "sk-ordinary-key-1234"])
        #expect(configuration.apiKey?.secret == "sk-ordinary-key-1234")
        #expect(configuration.apiKey?.source == .environment(variable: "OPENAI_API_KEY"))
    }

    @Test(arguments: ["", "   ", "\n\t "])
    func blankAdminKeyCountsAsUnset(blank: String) {
        let configuration = ClientConfiguration.environment([
            "OPENAI_ADMIN_KEY": blank,
            "OPENAI_API_KEY": "sk-ordinary-key-1234",
        ])
        #expect(configuration.apiKey?.secret == "sk-ordinary-key-1234")
        #expect(configuration.apiKey?.source == .environment(variable: "OPENAI_API_KEY"))
    }

    @Test func keysAreTrimmed() {
        let configuration = ClientConfiguration.environment(["OPENAI_ADMIN_KEY": "  sk-admin-key-5678 \n"])
        #expect(configuration.apiKey?.secret == "sk-admin-key-5678")
    }

    @Test func blankKeysLeaveNoKey() {
        let configuration = ClientConfiguration.environment(["OPENAI_ADMIN_KEY": " ", "OPENAI_API_KEY": ""])
        #expect(configuration.apiKey == nil)
    }

    @Test func defaultsWithEmptyEnvironment() {
        let configuration = ClientConfiguration.environment([:])
        #expect(configuration.apiKey == nil)
        #expect(configuration.baseURL == "https://api.openai.com/v1")
        #expect(configuration.organization == nil)
        #expect(configuration.project == nil)
        #expect(configuration.timeout == .seconds(600))
        #expect(configuration.maxRetries == 2)
    }

    @Test func baseURLOrganizationAndProject() {
        let configuration = ClientConfiguration.environment([
            "OPENAI_BASE_URL": " http://127.0.0.1:8080/v1/ ",
            "OPENAI_ORG_ID": "org-abc",
            "OPENAI_PROJECT_ID": " proj_xyz ",
        ])
        #expect(configuration.baseURL == "http://127.0.0.1:8080/v1")
        #expect(configuration.organization == "org-abc")
        #expect(configuration.project == "proj_xyz")
    }

    @Test func emptyBaseURLKeepsDefault() {
        let configuration = ClientConfiguration.environment(["OPENAI_BASE_URL": "  "])
        #expect(configuration.baseURL == ClientConfiguration.defaultBaseURL)
    }

    @Test func organizationAndProjectHeadersAreSent() async throws {
        let transport = ScriptedTransport([.respond(.json(Fixture.emptyPage))])
        var configuration = ClientConfiguration.environment([
            "OPENAI_ADMIN_KEY": Fixture.key,
            "OPENAI_ORG_ID": "org-abc",
            "OPENAI_PROJECT_ID": "proj_xyz",
        ])
        configuration.baseURL = Fixture.baseURL
        _ = try await Fixture.client(transport, configuration: configuration).list(checkpoint: Fixture.checkpoint)

        let request = try #require(transport.requests.first)
        #expect(request.headers["OpenAI-Organization"] == "org-abc")
        #expect(request.headers["OpenAI-Project"] == "proj_xyz")
    }

    @Test func organizationAndProjectHeadersAreOmittedWhenUnset() async throws {
        let transport = ScriptedTransport([.respond(.json(Fixture.emptyPage))])
        _ = try await Fixture.client(transport).list(checkpoint: Fixture.checkpoint)

        let request = try #require(transport.requests.first)
        #expect(request.headers["OpenAI-Organization"] == nil)
        #expect(request.headers["OpenAI-Project"] == nil)
    }

    @Test func timeoutIsPassedToTransport() async throws {
        let transport = ScriptedTransport([.respond(.json(Fixture.emptyPage))])
        var configuration = Fixture.configuration()
        configuration.timeout = .seconds(42)
        _ = try await Fixture.client(transport, configuration: configuration).list(checkpoint: Fixture.checkpoint)

        #expect(transport.requests.first?.timeout == .seconds(42))
    }

    @Test func missingKeyIsReportedWhenSending() async throws {
        // Building the client without a key succeeds; only sending fails.
        let transport = ScriptedTransport()
        let client = Fixture.client(transport, configuration: .environment(["OPENAI_BASE_URL": Fixture.baseURL]))

        let error = await thrownError { try await client.list(checkpoint: Fixture.checkpoint) }

        #expect(error == .missingAPIKey)
        #expect(transport.requests.isEmpty)
        let message = try #require(error?.message)
        #expect(message.contains("OPENAI_ADMIN_KEY"))
        #expect(message.contains("OPENAI_API_KEY"))
    }

    @Test(arguments: ["ftp://example.test/v1", "api.openai.com/v1", ""])
    func invalidBaseURLIsRejectedBeforeSending(baseURL: String) async {
        let transport = ScriptedTransport()
        var configuration = Fixture.configuration()
        configuration.baseURL = baseURL
        let client = Fixture.client(transport, configuration: configuration)

        let error = await thrownError { try await client.list(checkpoint: Fixture.checkpoint) }

        guard case .invalidConfiguration(let reason) = error else {
            Issue.record("expected invalidConfiguration, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("'\(baseURL)'"))
        #expect(transport.requests.isEmpty)
    }
}

extension ConfigurationTests {
    // MARK: header values

    @Test func keyWithLineBreakIsRejectedWithoutShowingIt() async throws {
        let transport = ScriptedTransport()
        var configuration = Fixture.configuration()
        configuration.apiKey = APIKey("sk-admin-line\nbreak-0123", source: .environment(variable: "OPENAI_ADMIN_KEY"))

        let error = await thrownError {
            try await Fixture.client(transport, configuration: configuration).list(checkpoint: Fixture.checkpoint)
        }

        #expect(error == .invalidConfiguration(
            "the API key from the environment variable OPENAI_ADMIN_KEY contains a line break or another control character"))
        #expect(transport.requests.isEmpty)
    }

    @Test func organizationWithLineBreakIsRejected() async throws {
        let transport = ScriptedTransport()
        var configuration = Fixture.configuration()
        configuration.organization = "org-abc\r\nX-Injected: 1"

        let error = await thrownError {
            try await Fixture.client(transport, configuration: configuration).list(checkpoint: Fixture.checkpoint)
        }

        #expect(error?.description
            == #"invalid configuration: organization 'org-abc\r\nX-Injected: 1' contains a control character; check OPENAI_ORG_ID"#)
        #expect(transport.requests.isEmpty)
    }

    @Test func projectWithTabIsRejected() async throws {
        let transport = ScriptedTransport()
        var configuration = Fixture.configuration()
        configuration.project = "proj\tx"

        let error = await thrownError {
            try await Fixture.client(transport, configuration: configuration).list(checkpoint: Fixture.checkpoint)
        }

        #expect(error?.description
            == #"invalid configuration: project 'proj\tx' contains a control character; check OPENAI_PROJECT_ID"#)
        #expect(transport.requests.isEmpty)
    }
}
