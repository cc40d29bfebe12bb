import CheckpointAPI
import CheckpointSandbox
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes `text` to a file descriptor at once, unbuffered, so that a parent process that
/// reads the first stdout line receives it immediately.
func writeLine(_ text: String, to fd: Int32) {
    let line = Array((text + "\n").utf8)
    line.withUnsafeBytes { raw in
        var offset = 0
        while offset < raw.count {
            let written = write(fd, raw.baseAddress! + offset, raw.count - offset)
            if written <= 0 { return }
            offset += written
        }
    }
}

func fail(_ message: String) -> Never {
    writeLine("ckpt-sandbox: error: \(message)", to: 2)
    writeLine("run 'ckpt-sandbox --help' for the options", to: 2)
    exit(2)
}

let usage = """
    usage: ckpt-sandbox [--host 127.0.0.1] [--port 0] [--seed-permissions N --checkpoint ID]
                        [--fail-rate R [--fail-status S] [--retry-after SECONDS] [--seed N]]
                        [--latency-ms N] [--log]

    Serves an emulator of the OpenAI checkpoint permissions API over HTTP/1.1. The first
    line on stdout is 'listening on http://HOST:PORT/v1'. Any non-empty bearer key is accepted.

    options:
      --host ADDRESS           address to listen on (default 127.0.0.1)
      --port N                 port to listen on; 0 picks a free port (default 0)
      --seed-permissions N     grant N generated projects access to --checkpoint at start
      --checkpoint ID          the checkpoint that --seed-permissions fills, such as ft:gpt-4o-mini:org:x:abc
      --fail-rate R            answer a fraction R (0 to 1) of authenticated requests with --fail-status
      --fail-status S          status of injected failures, 400 to 599 (default 500)
      --retry-after SECONDS    send 'retry-after: SECONDS' with injected failures
      --seed N                 seed for injected failures and generated IDs, for reproducible runs
      --latency-ms N           delay every response by N milliseconds
      --log                    write one stderr line per request: method, path, status, request ID, microseconds
      --help                   show this help
    """

struct Arguments {
    var host = "127.0.0.1"
    var port: UInt16 = 0
    var seedPermissions = 0
    var checkpoint: String?
    var options = Sandbox.Options()
    var log = false
}

func parseArguments(_ arguments: [String]) -> Arguments {
    var parsed = Arguments()
    var remaining = arguments[...]
    var failStatusGiven = false, retryAfterGiven = false

    func value(for option: String) -> String {
        guard let value = remaining.popFirst() else { fail("\(option) needs a value") }
        return value
    }
    func integer(for option: String, in range: ClosedRange<Int>) -> Int {
        let text = value(for: option)
        guard let number = Int(text), range.contains(number) else {
            fail("invalid \(option) '\(text)'; expected an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    while let argument = remaining.popFirst() {
        switch argument {
        case "--help", "-h":
            writeLine(usage, to: 1)
            exit(0)
        case "--host":
            parsed.host = value(for: argument)
        case "--port":
            parsed.port = UInt16(integer(for: argument, in: 0...65535))
        case "--seed-permissions":
            parsed.seedPermissions = integer(for: argument, in: 0...1_000_000)
        case "--checkpoint":
            parsed.checkpoint = value(for: argument)
        case "--fail-rate":
            let text = value(for: argument)
            guard let rate = Double(text), rate >= 0, rate <= 1 else {
                fail("invalid --fail-rate '\(text)'; expected a number from 0 to 1, such as 0.1")
            }
            parsed.options.failureRate = rate
        case "--fail-status":
            parsed.options.failureStatus = integer(for: argument, in: 400...599)
            failStatusGiven = true
        case "--retry-after":
            parsed.options.retryAfter = integer(for: argument, in: 0...86_400)
            retryAfterGiven = true
        case "--seed":
            let text = value(for: argument)
            guard let seed = UInt64(text) else {
                fail("invalid --seed '\(text)'; expected a non-negative integer")
            }
            parsed.options.seed = seed
        case "--latency-ms":
            parsed.options.latency = .milliseconds(integer(for: argument, in: 0...600_000))
        case "--log":
            parsed.log = true
        default:
            fail("unknown option '\(argument)'")
        }
    }

    if parsed.seedPermissions > 0 && parsed.checkpoint == nil {
        fail("--seed-permissions needs --checkpoint ID to say which checkpoint to fill")
    }
    if let checkpoint = parsed.checkpoint, !Sandbox.isValidCheckpoint(checkpoint) {
        fail("invalid --checkpoint '\(checkpoint)'; expected an ID starting with 'ft:' or 'ft-' without spaces")
    }
    if (failStatusGiven || retryAfterGiven) && parsed.options.failureRate == 0 {
        fail("--fail-status and --retry-after need --fail-rate R greater than 0")
    }
    return parsed
}

let arguments = parseArguments(Array(CommandLine.arguments.dropFirst()))
let sandbox = Sandbox(options: arguments.options)
if let checkpoint = arguments.checkpoint, arguments.seedPermissions > 0 {
    sandbox.seed(checkpoint: checkpoint, count: arguments.seedPermissions)
}

var configuration = SandboxServer.Configuration()
if arguments.log {
    configuration.log = { entry in writeLine(entry.description, to: 2) }
}
let server = SandboxServer(sandbox: sandbox, configuration: configuration)

// SIGINT and SIGTERM are blocked before any server thread starts, so every thread inherits
// the mask and a signal stays pending until the main thread takes it with sigwait below.
// A signal sent as soon as the listening line is read therefore still stops the server
// cleanly.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGINT)
sigaddset(&stopSignals, SIGTERM)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

let port: UInt16
do {
    port = try server.start(host: arguments.host, port: arguments.port)
} catch {
    writeLine("ckpt-sandbox: error: \(error)", to: 2)
    exit(1)
}
let displayHost = arguments.host.contains(":") ? "[\(arguments.host)]" : arguments.host
writeLine("listening on http://\(displayHost):\(port)/v1", to: 1)

var received: Int32 = 0
while sigwait(&stopSignals, &received) != 0 {}
writeLine("ckpt-sandbox: stopping on \(received == SIGINT ? "SIGINT" : "SIGTERM")", to: 2)
exit(server.stop() ? 0 : 1)
