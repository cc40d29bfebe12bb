import CheckpointAPI
import Testing

@testable import CheckpointScript

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A transport that returns one canned response to every request, for tests that
/// need a client but no API.
struct CannedTransport: HTTPTransport {
    var status = 500
    var body = #"{"error":{"message":"no API in this test","type":"server_error","param":null,"code":null}}"#

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        HTTPResponse(status: status, headers: ["x-request-id": "req_test"], body: Data(body.utf8))
    }
}

/// Creates an interpreter with a capturing sink and a client that needs no API.
func makeInterpreter(transport: any HTTPTransport = CannedTransport()) -> (Interpreter, CapturingOutputSink) {
    let sink = CapturingOutputSink()
    let configuration = ClientConfiguration(apiKey: APIKey("sk-test"), maxRetries: 0)
    let client = PermissionsClient(configuration: configuration, transport: transport)
    return (Interpreter(client: client, output: sink), sink)
}

/// Evaluates `source` and returns what it printed; records an issue if it throws.
func output(
    of source: String, format: OutputFormat = .table, sourceLocation: Testing.SourceLocation = #_sourceLocation
) async -> String {
    let (interpreter, sink) = makeInterpreter()
    interpreter.format = format
    do {
        try await interpreter.evaluate(source)
    } catch {
        Issue.record("evaluation failed: \(error)", sourceLocation: sourceLocation)
    }
    return sink.output
}

/// Evaluates `source`, expects it to fail, and returns the error.
func failure(of source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation) async -> ScriptError? {
    let (interpreter, _) = makeInterpreter()
    do {
        try await interpreter.evaluate(source)
        Issue.record("evaluation succeeded, expected an error", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

/// Parses `source`, returning the statements or the error.
func parse(_ source: String) -> Result<Script, ScriptError> {
    Result { () throws(ScriptError) -> Script in try Parser.parse(SourceFile(name: "<test>", text: source)) }
}
