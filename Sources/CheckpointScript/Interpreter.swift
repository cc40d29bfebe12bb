import CheckpointAPI
import Synchronization

/// Runs CheckpointScript: keeps the variables, the commands and the output settings of
/// one session, and evaluates scripts against a ``PermissionsClient``.
///
/// Every interpreter is independent: two in one process share nothing. All state sits
/// behind a mutex, so the methods may be called from any task. Run one evaluation at a
/// time, because concurrent evaluations interleave their statements.
///
/// ```swift
/// let interpreter = Interpreter(client: PermissionsClient(configuration: .environment()))
/// interpreter.define("ckpt", .string("ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"))
/// interpreter.register("notify") { call in
///     print(call.arguments)
///     return .null
/// }
/// let everyone = try await interpreter.evaluate("permissions.list $ckpt --all")
/// ```
public final class Interpreter: Sendable {
    struct State {
        var variables: [String: Value] = [:]
        var commands: [String: RegisteredCommand] = [:]
        var commandOrder: [String] = []
        var format: OutputFormat = .table
        var dryRun = false
        var arguments: [String] = []
        var sourceName = "<input>"
    }

    /// The client the `permissions.*` commands send requests with.
    public let client: PermissionsClient
    /// The destination of results, `print` text and warnings.
    public let output: any OutputSink
    let state = Mutex(State())
    /// Counts changes to the command table, so an evaluation can keep a copy of the table
    /// and look commands up without taking the lock.
    let commandGeneration = Atomic<Int>(0)

    /// The name of the variable that contains the last printed result.
    static let lastResultName = "_"
    /// The name of the variable that contains ``arguments``.
    static let argumentsName = "args"

    /// Creates an interpreter with the built-in commands and no variables but `args`.
    ///
    /// - Parameters:
    ///   - client: the client for the `permissions.*` commands; use a sandbox transport
    ///     to run without the real API.
    ///   - output: where output goes; the process's standard output and error by default.
    public init(client: PermissionsClient, output: any OutputSink = StandardOutputSink()) {
        self.client = client
        self.output = output
        state.withLock { state in
            for builtin in Builtin.allCases {
                let declaration = builtin.declaration
                state.commands[declaration.name] = RegisteredCommand(declaration: declaration, implementation: .builtin(builtin))
                state.commandOrder.append(declaration.name)
            }
            state.variables[Self.argumentsName] = .list([])
        }
    }

    // MARK: - Variables

    /// Binds `name` to `value`, as `let name = value` would.
    public func define(_ name: String, _ value: Value) {
        state.withLock { $0.variables[name] = value }
    }

    /// Returns the value bound to `name`, or `nil` when it is not defined.
    public func value(of name: String) -> Value? {
        state.withLock { $0.variables[name] }
    }

    /// The names of the defined variables, sorted; `_` (the last result) is left out.
    public var variableNames: [String] {
        state.withLock { $0.variables.keys.filter { $0 != Self.lastResultName }.sorted() }
    }

    // MARK: - Commands

    /// Adds a host command, or replaces the command of the same name (built-ins too).
    ///
    /// A name starts with a letter or `_` and goes on with letters, digits, `_`, `-` and
    /// `.`, as ``CommandDeclaration/isValidName(_:)`` checks. Other names stop the program
    /// with a precondition failure, because no script could call them.
    ///
    /// The interpreter checks the arguments against `declaration` before it calls `body`,
    /// so `body` finds every required argument and each value of the declared type. A
    /// `CommandError` or any other error thrown by `body` fails the statement with a
    /// diagnostic pointing at the call. An `APIError` is reported as the built-ins report
    /// theirs, with its status, type, code, param and request ID.
    ///
    /// - Parameters:
    ///   - declaration: the command's name, parameters, options, summary and example.
    ///   - body: runs the command and returns its result, `.null` for none.
    public func register(
        _ declaration: CommandDeclaration, _ body: @escaping @Sendable (CommandCall) async throws -> Value
    ) {
        precondition(CommandDeclaration.isValidName(declaration.name), "invalid command name '\(declaration.name)'")
        state.withLock { state in
            if state.commands[declaration.name] == nil {
                state.commandOrder.append(declaration.name)
            }
            state.commands[declaration.name] = RegisteredCommand(declaration: declaration, implementation: .host(body))
        }
        commandGeneration.add(1, ordering: .releasing)
    }

    /// Adds a host command that takes any number of positional arguments and no options.
    public func register(
        _ name: String, summary: String = "", _ body: @escaping @Sendable (CommandCall) async throws -> Value
    ) {
        let declaration = CommandDeclaration(
            name: name, summary: summary,
            parameters: [.init("ARGUMENT", .any, .variadic(minimum: 0))])
        register(declaration, body)
    }

    /// The declarations of every command, built-ins first, then host commands in the
    /// order they were registered.
    public var commands: [CommandDeclaration] {
        state.withLock { state in state.commandOrder.compactMap { state.commands[$0]?.declaration } }
    }

    func command(named name: String) -> RegisteredCommand? {
        state.withLock { $0.commands[name] }
    }

    /// Copies the command table, with the generation it was taken at.
    func commandTable() -> CommandTable {
        let generation = commandGeneration.load(ordering: .acquiring)
        return CommandTable(generation: generation, commands: state.withLock { $0.commands })
    }

    // MARK: - Settings

    /// The format results are printed in; the `format` command changes it too.
    public var format: OutputFormat {
        get { state.withLock { $0.format } }
        set { state.withLock { $0.format = newValue } }
    }

    /// Whether `permissions.create` and `permissions.del` only report the request they
    /// would send (method, path and body) instead of sending it. Lists still run.
    public var dryRun: Bool {
        get { state.withLock { $0.dryRun } }
        set { state.withLock { $0.dryRun = newValue } }
    }

    /// A script's arguments. Scripts see them as `$args`, a list of strings: `$args[0]`
    /// is the first argument after the script's name. Setting this rebinds `args`.
    public var arguments: [String] {
        get { state.withLock { $0.arguments } }
        set {
            state.withLock { state in
                state.arguments = newValue
                state.variables[Self.argumentsName] = .list(newValue.map(Value.string))
            }
        }
    }

    /// The name diagnostics use for the text passed to ``evaluate(_:sourceName:)`` when
    /// the caller gives none: `<input>` unless set, `<repl>` at a prompt.
    public var sourceName: String {
        get { state.withLock { $0.sourceName } }
        set { state.withLock { $0.sourceName = newValue } }
    }

    // MARK: - Evaluation

    /// Parses and runs a script, printing each command's result in the current format.
    ///
    /// The whole text is parsed first, so a syntax error runs nothing. Statements then
    /// run in order; output is flushed after each top-level statement. Cancelling the
    /// calling task cancels the request in flight and any `--all` paging, and restores
    /// the variables the interrupted statement had changed.
    ///
    /// - Parameters:
    ///   - source: the script text.
    ///   - sourceName: the name diagnostics show; ``sourceName`` when `nil`.
    /// - Returns: the value of the last statement, `.null` for none.
    /// - Throws: ``ScriptError``: `.incomplete` when the text ends inside an open quote,
    ///   bracket or brace, `.syntax`, `.runtime`, `.exit` or `.cancelled`.
    @discardableResult
    public func evaluate(_ source: String, sourceName: String? = nil) async throws(ScriptError) -> Value {
        let file = SourceFile(name: sourceName ?? self.sourceName, text: source)
        return try await run(file)
    }

    /// Reads, parses and runs a script file; relative `source` paths in it resolve
    /// against the file's folder.
    ///
    /// - Throws: ``ScriptError``; a file that cannot be read or is not valid UTF-8 is a
    ///   `.syntax` error naming the file.
    @discardableResult
    public func run(file path: String) async throws(ScriptError) -> Value {
        let file = try ScriptFile.load(path: path, relativeTo: nil, from: nil)
        return try await run(file)
    }

    private func run(_ file: SourceFile) async throws(ScriptError) -> Value {
        let script = try Parser.parse(file)
        state.withLock { $0.variables.reserveCapacity($0.variables.count + script.bindingCount) }
        let evaluator = Evaluator(interpreter: self)
        return try await evaluator.runTopLevel(script)
    }

    /// Whether `source` ends inside an open quote, bracket, brace or `${`, or after a
    /// line-continuing backslash, so a prompt should read another line before evaluating.
    public static func needsContinuation(_ source: String) -> Bool {
        do {
            _ = try Parser.parse(SourceFile(name: "<input>", text: source))
            return false
        } catch {
            if case .incomplete = error { return true }
            return false
        }
    }
}

/// A command as registered: its declaration and what runs it.
struct RegisteredCommand: Sendable {
    enum Implementation: Sendable {
        case builtin(Builtin)
        case host(@Sendable (CommandCall) async throws -> Value)
    }

    var declaration: CommandDeclaration
    var implementation: Implementation
}

/// A copy of an interpreter's commands for lookups without the lock, with a filter that
/// rejects most words that name no command before hashing them.
struct CommandTable {
    let generation: Int
    let commands: [String: RegisteredCommand]
    private let filter: UInt64

    init(generation: Int, commands: [String: RegisteredCommand]) {
        self.generation = generation
        self.commands = commands
        var filter: UInt64 = 0
        for name in commands.keys {
            filter |= Self.filterBit(name)
        }
        self.filter = filter
    }

    subscript(name: String) -> RegisteredCommand? {
        guard filter & Self.filterBit(name) != 0 else { return nil }
        return commands[name]
    }

    /// Picks one of 64 bits from the name's length and its first and last bytes.
    private static func filterBit(_ name: String) -> UInt64 {
        let utf8 = name.utf8
        let first = Int(utf8.first ?? 0)
        let last = Int(utf8.last ?? 0)
        return 1 << UInt64((utf8.count &* 31 &+ first &+ last &* 7) & 63)
    }
}
