import CheckpointAPI

/// Calling commands: finding them, checking arguments against the declaration and
/// turning what the command throws into diagnostics.
extension Evaluator {
    /// Calls a command.
    ///
    /// - Parameter printing: whether the result will be printed; `permissions.list --all`
    ///   then prints page by page and returns `null`.
    func call(_ invocation: CommandInvocation, printing: Bool) async throws(Interruption) -> Value {
        guard let command = command(named: invocation.name) else {
            var notes: [String] = []
            let names = interpreter.commands.map(\.name)
            if let close = Suggestion.closest(to: invocation.name, among: names) {
                notes.append("did you mean '\(close)'?")
            } else {
                notes.append("type 'help' to list the commands")
            }
            notes.append("quote the word to use it as a string: '\(invocation.name)'")
            throw failure(.unknownCommand, "unknown command '\(invocation.name)'", at: invocation.nameSpan, notes: notes)
        }
        let call = try await bind(invocation, to: command.declaration)
        switch command.implementation {
        case .builtin(let builtin):
            if builtin.sendsRequests {
                // Show what earlier statements of a loop printed before waiting on the API.
                interpreter.output.flush()
            }
            return try await run(builtin, call, invocation: invocation, printing: printing)
        case .host(let body):
            interpreter.output.flush()
            do {
                return try await body(call)
            } catch {
                throw translate(error, from: invocation)
            }
        }
    }

    /// Matches the written arguments to the declaration and evaluates them.
    func bind(_ invocation: CommandInvocation, to declaration: CommandDeclaration) async throws(Interruption) -> CommandCall {
        var positional: [(value: Value, span: Span)] = []
        var options: [String: Value] = [:]
        let arguments = invocation.arguments
        var index = 0
        while index < arguments.count {
            switch arguments[index] {
            case .value(let expression):
                positional.append((try await evaluate(expression), expression.span))
            case .option(let name, let attachedValue, let span):
                guard let option = declaration.options.first(where: { $0.name == name }) else {
                    throw unknownOption(name, at: span, of: declaration)
                }
                if options[name] != nil {
                    throw failure(.invalidArgument, "option '--\(name)' is given twice", at: span)
                }
                guard let type = option.type else {
                    if attachedValue != nil {
                        throw failure(.invalidArgument, "option '--\(name)' of '\(declaration.name)' takes no value",
                                      at: span, notes: ["write '--\(name)' alone"])
                    }
                    options[name] = .boolean(true)
                    break
                }
                let expression: Expression
                if let attachedValue {
                    expression = attachedValue
                } else if index + 1 < arguments.count, case .value(let next) = arguments[index + 1] {
                    expression = next
                    index += 1
                } else {
                    throw failure(.invalidArgument, "option '--\(name)' of '\(declaration.name)' needs a value",
                                  at: span, notes: ["usage: \(option.usage)"])
                }
                let value = try await evaluate(expression)
                guard type.accepts(value) else {
                    throw failure(
                        .invalidArgument,
                        "option '--\(name)' of '\(declaration.name)' expects \(type.expectation), got \(Describe.value(value))",
                        at: expression.span)
                }
                options[name] = value
            }
            index += 1
        }
        try checkPositional(positional, invocation: invocation, declaration: declaration)
        return CommandCall(
            declaration: declaration, arguments: positional.map(\.value), options: options, interpreter: interpreter)
    }

    private func checkPositional(
        _ positional: [(value: Value, span: Span)], invocation: CommandInvocation, declaration: CommandDeclaration
    ) throws(Interruption) {
        let (minimum, maximum) = declaration.argumentCountRange
        let usage = "usage: \(declaration.usage)"
        if positional.count < minimum {
            let missing = Self.parameterName(at: positional.count, of: declaration)
            throw failure(
                .invalidArgument,
                "missing argument \(missing) for '\(declaration.name)': expected \(Self.count(minimum, maximum)), got \(positional.count)",
                at: invocation.span, notes: [usage])
        }
        if let maximum, positional.count > maximum {
            throw failure(
                .invalidArgument,
                "too many arguments for '\(declaration.name)': expected \(Self.count(minimum, maximum)), got \(positional.count)",
                at: positional[maximum].span, notes: [usage])
        }
        for (index, argument) in positional.enumerated() {
            guard let parameter = Self.parameter(at: index, of: declaration) else { continue }
            guard parameter.type.accepts(argument.value) else {
                throw failure(
                    .invalidArgument,
                    "argument \(parameter.name) of '\(declaration.name)' expects \(parameter.type.expectation), got \(Describe.value(argument.value))",
                    at: argument.span, notes: [usage])
            }
        }
    }

    private static func parameter(at index: Int, of declaration: CommandDeclaration) -> CommandDeclaration.Parameter? {
        if index < declaration.parameters.count { return declaration.parameters[index] }
        if let last = declaration.parameters.last, case .variadic = last.arity { return last }
        return nil
    }

    private static func parameterName(at index: Int, of declaration: CommandDeclaration) -> String {
        parameter(at: index, of: declaration)?.name ?? "ARGUMENT"
    }

    private static func count(_ minimum: Int, _ maximum: Int?) -> String {
        func arguments(_ count: Int) -> String { "\(count) argument\(count == 1 ? "" : "s")" }
        guard let maximum else { return "at least \(arguments(minimum))" }
        if minimum == maximum { return arguments(minimum) }
        return "\(minimum) to \(arguments(maximum))"
    }

    private func unknownOption(_ name: String, at span: Span, of declaration: CommandDeclaration) -> Interruption {
        var notes: [String] = []
        if let close = Suggestion.closest(to: name, among: declaration.options.map(\.name)) {
            notes.append("did you mean '--\(close)'?")
        }
        if declaration.options.isEmpty {
            notes.append("'\(declaration.name)' takes no options")
        } else {
            notes.append("usage: \(declaration.usage)")
        }
        return failure(.invalidArgument, "unknown option '--\(name)' for '\(declaration.name)'", at: span, notes: notes)
    }

    // MARK: - Errors from commands

    /// Turns an error a command threw into an interruption pointing at the command.
    func translate(_ error: any Error, from invocation: CommandInvocation) -> Interruption {
        switch error {
        case let error as APIError:
            return apiFailure(error, from: invocation)
        case let error as CommandError:
            return failure(.commandFailed, "\(invocation.name): \(error.message)", at: invocation.span, notes: error.notes)
        case is CancellationError:
            return .cancelled
        case let error as ScriptError:
            switch error {
            case .exit(let status): return .exit(status)
            case .cancelled: return .cancelled
            case .runtime(let diagnostic), .incomplete(let diagnostic):
                return .failure(Failure(diagnostic: diagnostic))
            case .syntax(let diagnostics):
                guard let first = diagnostics.first else { return .cancelled }
                return .failure(Failure(diagnostic: first))
            }
        default:
            return failure(.commandFailed, "\(invocation.name) failed: \(error)", at: invocation.span)
        }
    }

    /// Turns an API error into a diagnostic: the API's message, then the status, type, code,
    /// param and request ID as notes.
    func apiFailure(_ error: APIError, from invocation: CommandInvocation) -> Interruption {
        if case .cancelled = error { return .cancelled }
        var details: [String] = []
        if let status = error.status { details.append("HTTP \(status)") }
        if let type = error.type { details.append("type \(type)") }
        if let code = error.code { details.append("code \(code)") }
        if let param = error.param { details.append("param \(param)") }
        var notes: [String] = []
        if !details.isEmpty { notes.append(details.joined(separator: ", ")) }
        if let requestID = error.requestID { notes.append("request ID: \(requestID)") }
        if case .status(let statusError) = error, statusError.retries > 0 {
            let times = statusError.retries == 1 ? "once" : "\(statusError.retries) times"
            notes.append("gave up after retrying \(times)")
        }
        let diagnostic = source.diagnostic(
            .apiError, "\(invocation.name) failed: \(error.message)", at: invocation.span, notes: notes)
        return .failure(Failure(diagnostic: diagnostic, apiError: error))
    }
}
