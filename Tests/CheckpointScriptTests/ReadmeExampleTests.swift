import CheckpointAPI
import CheckpointScript
import Testing

/// The embedding example of the README, kept here so that it keeps compiling. Change
/// both together.
@Suite struct ReadmeExampleTests {
    @Test func embeddingExampleReportsAMissingKey() async {
        let output = CapturingOutputSink()
        var rendered = ""

        // From the README, with the client's configuration emptied and the output captured.
        let interpreter = Interpreter(
            client: PermissionsClient(configuration: .environment([:])), output: output)
        interpreter.define("ckpt", .string("ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"))
        interpreter.register("notify", summary: "Posts a message to the team channel.") { call in
            print("notify:", call.arguments)
            return .null
        }
        do {
            // `evaluate` prints each top-level result and returns the last statement's value.
            let everyone = try await interpreter.evaluate("""
                let everyone = permissions.list $ckpt --all
                $everyone
                """)
            print(everyone)
        } catch {
            rendered = DiagnosticRenderer().render(error.diagnostics)
        }

        #expect(rendered.contains("error: permissions.list failed: no API key: set OPENAI_ADMIN_KEY"))
        #expect(interpreter.commands.contains { $0.name == "notify" })
    }
}
