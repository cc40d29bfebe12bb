// EmbedDemo: a small Swift tool that embeds CheckpointScript.
//
// It binds a checkpoint variable, registers a host command `notify` that collects
// messages, runs a script that grants and lists access, and reads the script's
// result back as a value. It runs against the in-process sandbox, so it needs no key:
//
//   swift run EmbedDemo
//
// Against the real API, build the client from the environment instead:
//   PermissionsClient(configuration: .environment())

import CheckpointAPI
import CheckpointSandbox
import CheckpointScript
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let client = PermissionsClient(
    configuration: ClientConfiguration(apiKey: APIKey("sk-sandbox")),
    transport: SandboxTransport(sandbox: Sandbox()))
let interpreter = Interpreter(client: client)
interpreter.define("ckpt", .string("ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"))

// A host command is declared like a built-in: the interpreter checks its arguments,
// and `help notify` describes it.
let notifications = Mutex<[String]>([])
interpreter.register(
    CommandDeclaration(
        name: "notify",
        summary: "Records a message for the team channel.",
        parameters: [.init("MESSAGE", .string, summary: "the text to send")],
        example: "notify \"granted $ckpt\"")
) { call in
    guard case .string(let message)? = call.argument(0) else { return .null }
    notifications.withLock { $0.append(message) }
    return .null
}

let script = """
    let granted = permissions.create $ckpt proj_abGMw1llN8IrBb6SvvY5A1iH proj_iqGMw1llN8IrBb6SvvY5A1oF
    for p in $granted { notify "granted $p.project_id access to $ckpt" }
    let everyone = permissions.list $ckpt --all
    $everyone
    """

do {
    // `evaluate` prints top-level results (here the last line) in the current format
    // and returns the value of the last statement.
    interpreter.format = .table
    let everyone = try await interpreter.evaluate(script, sourceName: "demo.ckpt")
    guard case .list(let permissions) = everyone else {
        fatalError("expected a list of permissions, got \(everyone.typeName)")
    }
    print("the script returned \(permissions.count) permissions")
    for message in notifications.withLock({ $0 }) {
        print("notify: \(message)")
    }
} catch {
    // Diagnostics render as FILE:LINE:COL: error: …, the source line and a caret.
    print(DiagnosticRenderer().render(error.diagnostics, source: script), terminator: "")
    exit(error.exitStatus)
}
