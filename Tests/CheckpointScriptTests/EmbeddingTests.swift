import CheckpointAPI
import CheckpointSandbox
import Synchronization
import Testing

@testable import CheckpointScript

/// Passes the first `openRequests` requests to a sandbox and blocks every later request
/// until its task is cancelled, signalling `heldSignal` when one blocks.
final class GateTransport: HTTPTransport {
    let inner: SandboxTransport
    let openRequests: Int
    let sent = Mutex(0)
    let held: AsyncStream<Void>.Continuation
    let heldSignal: AsyncStream<Void>

    init(sandbox: Sandbox, openRequests: Int) {
        self.inner = SandboxTransport(sandbox: sandbox)
        self.openRequests = openRequests
        (heldSignal, held) = AsyncStream.makeStream()
    }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let number = sent.withLock { count in
            count += 1
            return count
        }
        if number > openRequests {
            held.yield()
            do {
                try await Task.sleep(for: .seconds(600))
            } catch {
                throw TransportError.cancelled
            }
        }
        return try await inner.send(request)
    }
}

func sandboxInterpreter(
    transport: any HTTPTransport, output: CapturingOutputSink = CapturingOutputSink()
) -> Interpreter {
    let client = PermissionsClient(
        configuration: ClientConfiguration(apiKey: APIKey("sk-test"), maxRetries: 0), transport: transport)
    return Interpreter(client: client, output: output)
}

@Suite struct EmbeddingTests {
    static let checkpoint = "ft:gpt-4o-mini:org:demo:abc"

    @Test func hostCommandGetsCheckedArguments() async throws {
        let (interpreter, sink) = makeInterpreter()
        let calls = Mutex<[String]>([])
        let declaration = CommandDeclaration(
            name: "notify", summary: "Sends a message.",
            parameters: [.init("MESSAGE", .string, summary: "the text"), .init("COUNT", .integer, .optional)],
            options: [.init("channel", .string), .init("urgent")],
            example: "notify hello --urgent")
        interpreter.register(declaration) { call in
            let entry = "\(call.arguments) \(call.option("channel") ?? .null) \(call.flag("urgent"))"
            calls.withLock { $0.append(entry) }
            return .record(["sent": .boolean(true)])
        }
        try await interpreter.evaluate("notify \"hi there\" 2 --channel ops --urgent\nlet r = notify bye")
        #expect(calls.withLock { $0 } == [
            "[CheckpointScript.Value.string(\"hi there\"), CheckpointScript.Value.integer(2)] string(\"ops\") true",
            "[CheckpointScript.Value.string(\"bye\")] null false",
        ])
        #expect(sink.output == "sent  true\n")
        #expect(interpreter.value(of: "r") == .record(["sent": .boolean(true)]))
        #expect(interpreter.commands.last == declaration)
    }

    @Test func hostCommandArgumentErrorsUseTheDeclaration() async {
        let (interpreter, _) = makeInterpreter()
        interpreter.register(CommandDeclaration(name: "notify", summary: "", parameters: [.init("MESSAGE", .string)])) { _ in .null }
        do {
            try await interpreter.evaluate("notify 5")
            Issue.record("expected an argument error")
        } catch {
            #expect(error.diagnostics.first?.message == "argument MESSAGE of 'notify' expects a string, got the integer 5")
            #expect(error.diagnostics.first?.notes == ["usage: notify MESSAGE"])
        }
    }

    @Test func hostCommandErrorPointsAtTheCall() async {
        let (interpreter, _) = makeInterpreter()
        interpreter.register("fail") { _ in throw CommandError("the channel is closed", notes: ["try later"]) }
        do {
            try await interpreter.evaluate("print ok\n  fail now")
            Issue.record("expected the host command to fail")
        } catch {
            guard case .runtime(let diagnostic) = error else {
                Issue.record("expected a runtime error, got \(error)")
                return
            }
            #expect(diagnostic.message == "fail: the channel is closed")
            #expect(diagnostic.notes == ["try later"])
            #expect(diagnostic.range.start == SourceLocation(line: 2, column: 3, offset: 11))
            #expect(diagnostic.id == .commandFailed)
        }
    }

    @Test func twoInterpretersAreIndependent() async throws {
        let (first, firstSink) = makeInterpreter()
        let (second, secondSink) = makeInterpreter()
        first.define("x", .integer(1))
        second.format = .json
        second.register("only_second") { _ in .string("here") }
        async let a: Value = first.evaluate("let x = (len [1, 2, 3]); [a]")
        async let b: Value = second.evaluate("let x = only_second; [a]")
        _ = try await (a, b)
        #expect(first.value(of: "x") == .integer(3))
        #expect(second.value(of: "x") == .string("here"))
        #expect(firstSink.output == "a\n")
        #expect(secondSink.output == "[\"a\"]\n")
        #expect(!first.commands.contains { $0.name == "only_second" })
        #expect(first.variableNames == ["args", "x"])
    }

    @Test func builtinsRunAgainstTheSandbox() async throws {
        let sandbox = Sandbox(options: .init(seed: 1))
        let sink = CapturingOutputSink()
        let interpreter = sandboxInterpreter(transport: SandboxTransport(sandbox: sandbox), output: sink)
        interpreter.define("ckpt", .string(Self.checkpoint))
        try await interpreter.evaluate("let created = permissions.create $ckpt proj_a proj_b")
        #expect(sandbox.permissions(checkpoint: Self.checkpoint).map(\.projectID) == ["proj_a", "proj_b"])
        let count = try await interpreter.evaluate("permissions.del $ckpt $created.data[0]; let n = len (permissions.list $ckpt --all)")
        #expect(count == .integer(1))
        #expect(sandbox.permissions(checkpoint: Self.checkpoint).map(\.projectID) == ["proj_b"])
    }

    @Test func exhaustedRetriesAreNamedInTheDiagnostic() async throws {
        let sandbox = Sandbox(options: .init(failureRate: 1, failureStatus: 429, retryAfter: 0, seed: 1))
        let client = PermissionsClient(
            configuration: ClientConfiguration(apiKey: APIKey("sk-test"), maxRetries: 2),
            transport: SandboxTransport(sandbox: sandbox))
        let interpreter = Interpreter(client: client, output: CapturingOutputSink())

        do {
            try await interpreter.evaluate("permissions.list \(Self.checkpoint)")
            Issue.record("a list answered 429 every time succeeded")
        } catch {
            let diagnostic = try #require(error.diagnostics.first)
            #expect(diagnostic.notes.first == "HTTP 429, type requests, code rate_limit_exceeded")
            #expect(diagnostic.notes.last == "gave up after retrying 2 times")
        }
    }

    @Test func dryRunSendsNoWrites() async throws {
        let sandbox = Sandbox(options: .init(seed: 1))
        sandbox.seed(checkpoint: Self.checkpoint, count: 2)
        let sink = CapturingOutputSink()
        let interpreter = sandboxInterpreter(transport: SandboxTransport(sandbox: sandbox), output: sink)
        interpreter.dryRun = true
        interpreter.define("ckpt", .string(Self.checkpoint))
        let before = sandbox.permissions(checkpoint: Self.checkpoint)
        try await interpreter.evaluate("""
            permissions.create $ckpt proj_new
            for p in (permissions.list $ckpt --all) { permissions.del $ckpt $p }
            """)
        #expect(sandbox.permissions(checkpoint: Self.checkpoint) == before)
        let lines = sink.output.split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0] == "dry run: would send POST /fine_tuning/checkpoints/ft:gpt-4o-mini:org:demo:abc/permissions {\"project_ids\":[\"proj_new\"]}")
        let newestFirst = before.reversed().map {
            "dry run: would send DELETE /fine_tuning/checkpoints/ft:gpt-4o-mini:org:demo:abc/permissions/\($0.id)"
        }
        #expect(lines[1...].map(String.init) == newestFirst)
    }

    @Test func cancellationMidPagingRestoresVariables() async throws {
        let sandbox = Sandbox(options: .init(seed: 1))
        sandbox.seed(checkpoint: Self.checkpoint, count: 50)
        let transport = GateTransport(sandbox: sandbox, openRequests: 2)
        let interpreter = sandboxInterpreter(transport: transport)
        interpreter.define("ckpt", .string(Self.checkpoint))
        interpreter.define("x", .integer(1))
        let task = Task {
            try await interpreter.evaluate("""
                let before = done
                for round in [1] {
                    let x = 2
                    let everyone = permissions.list $ckpt --all --limit 10
                }
                """)
        }
        var signals = transport.heldSignal.makeAsyncIterator()
        _ = await signals.next()
        task.cancel()
        let result = await task.result
        #expect(throws: ScriptError.cancelled) { try result.get() }
        #expect(transport.sent.withLock { $0 } == 3)
        #expect(interpreter.value(of: "before") == .string("done"))
        #expect(interpreter.value(of: "x") == .integer(1))
        #expect(interpreter.value(of: "round") == nil)
        #expect(interpreter.value(of: "everyone") == nil)
    }

    @Test func cancellationStopsStreamingAfterThePrintedPages() async throws {
        let sandbox = Sandbox(options: .init(seed: 1))
        sandbox.seed(checkpoint: Self.checkpoint, count: 50)
        let transport = GateTransport(sandbox: sandbox, openRequests: 2)
        let sink = CapturingOutputSink()
        let interpreter = sandboxInterpreter(transport: transport, output: sink)
        interpreter.format = .csv
        let task = Task {
            try await interpreter.evaluate("permissions.list \(Self.checkpoint) --all --limit 10")
        }
        var signals = transport.heldSignal.makeAsyncIterator()
        _ = await signals.next()
        task.cancel()
        let result = await task.result
        #expect(throws: ScriptError.cancelled) { try result.get() }
        #expect(sink.output.split(separator: "\r\n").count == 21)
    }
}

extension EmbeddingTests {
    @Test func commandRegisteredMidScriptIsCallable() async throws {
        let (interpreter, sink) = makeInterpreter()
        interpreter.register("install") { call in
            call.interpreter.register("later") { _ in .string("installed") }
            return .null
        }
        try await interpreter.evaluate("let before = later\ninstall\nlet after = later\nlater")
        #expect(interpreter.value(of: "before") == .string("later"))
        #expect(interpreter.value(of: "after") == .string("installed"))
        #expect(sink.output == "installed\n")
    }
}
