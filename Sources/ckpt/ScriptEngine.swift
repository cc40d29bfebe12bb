import CheckpointAPI
import CheckpointSandbox
import CheckpointScript

/// The interpreter as the prompt and the script runner use it. This is the only file of
/// `ckpt` that calls the interpreter's API.
final class ScriptEngine: Sendable {
    /// The end of an evaluation. Errors were already printed to stderr.
    enum Outcome: Equatable {
        case success
        /// A syntax error (status 2) or a failed command (status 1).
        case failure(status: Int32)
        /// The script ran `exit CODE`.
        case exit(status: Int32)
        case cancelled
    }

    /// The API key's secret, so that the prompt can keep lines that contain it out of history.
    let apiKeySecret: String?
    private let interpreter: Interpreter
    private let output = StandardOutputSink()
    private let colorsAllowed: Bool

    /// Creates the client and the interpreter the command line describes.
    ///
    /// The default format is table when stdout is a terminal and json otherwise.
    /// Diagnostics are coloured only when stderr is a terminal, `NO_COLOR` is unset and
    /// the format is table.
    init(options: Options) {
        var configuration = Self.configuration(options)
        apiKeySecret = configuration.apiKey?.secret
        if options.sandbox {
            // The emulator accepts any bearer key but rejects requests without one. The
            // reserved .invalid domain shows in `client` that nothing leaves the process.
            configuration.apiKey = APIKey("sk-sandbox", source: .placeholder("the in-process sandbox needs no key"))
            configuration.baseURL = "http://sandbox.invalid/v1"
        }
        // A script sends one request at a time, so its transfers may block the thread
        // they run on, which saves two thread wake-ups per request.
        let transport: any HTTPTransport = options.sandbox
            ? SandboxTransport(sandbox: Sandbox()) : CurlTransport(runsTransfersOnCallingThread: true)
        interpreter = Interpreter(
            client: PermissionsClient(configuration: configuration, transport: transport), output: output)
        interpreter.format = options.format.flatMap { OutputFormat(rawValue: $0.rawValue) }
            ?? (Terminal.isTerminal(1) ? .table : .json)
        interpreter.dryRun = options.dryRun
        interpreter.arguments = options.scriptArguments
        colorsAllowed = Terminal.isTerminal(2) && Terminal.environment("NO_COLOR") == nil
    }

    private static func configuration(_ options: Options) -> ClientConfiguration {
        var configuration = ClientConfiguration.environment()
        if let baseURL = options.baseURL {
            configuration.baseURL = baseURL
        }
        if let organization = options.organization {
            configuration.organization = organization
        }
        if let project = options.project {
            configuration.project = project
        }
        if let timeout = options.timeout {
            configuration.timeout = timeout
        }
        if let maxRetries = options.maxRetries {
            configuration.maxRetries = maxRetries
        }
        if options.trace {
            configuration.tracer = { event in
                Terminal.write("trace: \(event)\n", to: 2)
            }
        }
        return configuration
    }

    /// Evaluates a script or one prompt entry, printing its results and its errors.
    func evaluate(_ source: String, sourceName: String) async -> Outcome {
        do {
            _ = try await interpreter.evaluate(source, sourceName: sourceName)
            return .success
        } catch {
            return report(error, source: source)
        }
    }

    /// Reads and evaluates a script file; `source` paths in it resolve against its folder.
    func run(file path: String) async -> Outcome {
        do {
            _ = try await interpreter.run(file: path)
            return .success
        } catch {
            return report(error, source: nil)
        }
    }

    private func report(_ error: ScriptError, source: String?) -> Outcome {
        switch error {
        case .exit(let status):
            return .exit(status: status)
        case .cancelled:
            return .cancelled
        case .syntax, .incomplete, .runtime:
            let renderer = DiagnosticRenderer(colors: colorsAllowed && interpreter.format == .table)
            output.writeError(renderer.render(error.diagnostics, source: source))
            return .failure(status: error.exitStatus)
        }
    }

    /// True when the source ends inside an open quote, bracket or brace.
    func needsContinuation(_ source: String) -> Bool {
        Interpreter.needsContinuation(source)
    }

    /// The commands as completion needs them. `help` takes a command name.
    var commands: [Completer.Command] {
        let declarations = interpreter.commands
        return declarations.map { declaration in
            var command = Completer.Command(name: declaration.name)
            for option in declaration.options {
                let name = "--" + option.name
                command.options.append(name)
                switch option.type {
                case nil: command.flags.insert(name)
                case .choice(let choices)?: command.optionChoices[name] = choices
                default: break
                }
            }
            command.parameterChoices = declaration.parameters.map { parameter in
                if case .choice(let choices) = parameter.type { return choices }
                return []
            }
            if declaration.name == "help" {
                command.parameterChoices = [declarations.map(\.name)]
            }
            return command
        }
    }

    /// The names of the defined variables, without `$`.
    var variableNames: [String] {
        interpreter.variableNames
    }
}
