import CheckpointAPI

/// The built-ins that do not talk to the API.
extension Evaluator {
    func run(
        _ builtin: Builtin, _ call: CommandCall, invocation: CommandInvocation, printing: Bool
    ) async throws(Interruption) -> Value {
        switch builtin {
        case .create: return try await create(call, invocation: invocation)
        case .list: return try await list(call, invocation: invocation, printing: printing)
        case .delete: return try await delete(call, invocation: invocation)
        case .print:
            interpreter.output.write(call.arguments.map(ValueFormatter.displayText).joined(separator: " ") + "\n")
            return .null
        case .help: return try help(call, invocation: invocation)
        case .vars: return variables()
        case .format:
            guard case .string(let name)? = call.argument(0), let format = OutputFormat(rawValue: name) else {
                return .string(interpreter.format.rawValue)
            }
            interpreter.format = format
            return .null
        case .source: return try await runSource(call, invocation: invocation)
        case .len: return try length(call, invocation: invocation)
        case .append: return try append(call, invocation: invocation)
        case .exit:
            guard case .integer(let status)? = call.argument(0) else { throw .exit(0) }
            guard (0...255).contains(status) else {
                throw failure(.invalidArgument, "exit status \(status) is out of range", at: invocation.span,
                              notes: ["give a status from 0 to 255"])
            }
            throw .exit(Int32(status))
        case .client:
            interpreter.output.write(interpreter.client.client.configuration.description + "\n")
            return .null
        }
    }

    private func help(_ call: CommandCall, invocation: CommandInvocation) throws(Interruption) -> Value {
        guard case .string(let name)? = call.argument(0) else {
            interpreter.output.write(HelpText.overview(interpreter.commands))
            return .null
        }
        guard let command = interpreter.command(named: name) else {
            var notes: [String] = []
            if let close = Suggestion.closest(to: name, among: interpreter.commands.map(\.name)) {
                notes.append("did you mean '\(close)'?")
            }
            notes.append("type 'help' to list the commands")
            throw failure(.unknownCommand, "unknown command '\(name)'", at: invocation.span, notes: notes)
        }
        interpreter.output.write(HelpText.details(command.declaration))
        return .null
    }

    private func variables() -> Value {
        let variables = interpreter.state.withLock { $0.variables }
        let fields = variables.filter { $0.key != Interpreter.lastResultName }
            .sorted { $0.key < $1.key }
            .map { (name: $0.key, value: $0.value) }
        return .record(Record(uniqueFields: fields))
    }

    private func length(_ call: CommandCall, invocation: CommandInvocation) throws(Interruption) -> Value {
        switch call.arguments[0] {
        case .list(let elements): return .integer(elements.count)
        case .string(let string): return .integer(string.count)
        case .record(let record):
            if let page = PageView(record) { return .integer(page.data.count) }
            return .integer(record.count)
        case let value:
            throw failure(.typeMismatch, "'len' expects a list, record or string, got \(Describe.value(value))",
                          at: invocation.span)
        }
    }

    private func append(_ call: CommandCall, invocation: CommandInvocation) throws(Interruption) -> Value {
        var elements: [Value]
        switch call.arguments[0] {
        case .list(let list):
            elements = list
        case .record(let record) where PageView(record) != nil:
            elements = PageView(record)!.data
        case let value:
            throw failure(.typeMismatch, "'append' expects a list or a page, got \(Describe.value(value))",
                          at: invocation.span, notes: ["start from an empty list: let items = []"])
        }
        elements.append(contentsOf: call.arguments.dropFirst())
        return .list(elements)
    }

    private func runSource(_ call: CommandCall, invocation: CommandInvocation) async throws(Interruption) -> Value {
        guard case .string(let path) = call.arguments[0] else { return .null }
        guard sourceDepth < Self.maximumSourceDepth else {
            throw failure(.fileError, "'source' is nested more than \(Self.maximumSourceDepth) levels deep",
                          at: invocation.span, notes: ["a file may be sourcing itself"])
        }
        let script: Script
        do {
            let file = try ScriptFile.load(path: path, relativeTo: source.folder, from: (source, invocation.span))
            script = try Parser.parse(file)
        } catch {
            guard let diagnostic = error.diagnostics.first else { throw .cancelled }
            throw .failure(Failure(diagnostic: diagnostic))
        }
        let outer = source
        source = script.source
        sourceDepth += 1
        defer {
            source = outer
            sourceDepth -= 1
        }
        var last = Value.null
        for statement in script.statements {
            if Task.isCancelled { throw .cancelled }
            last = try await execute(statement)
        }
        _ = last
        return .null
    }
}

/// The text of `help`, built from command declarations.
enum HelpText {
    static func overview(_ commands: [CommandDeclaration]) -> String {
        let width = commands.map { $0.name.count }.max() ?? 0
        var text = "Commands:\n"
        for command in commands {
            text += "  " + TableWriter.padded(command.name, to: width) + "  " + command.summary + "\n"
        }
        text += "Type 'help COMMAND' for a command's arguments and options.\n"
        return text
    }

    static func details(_ command: CommandDeclaration) -> String {
        var text = "usage: \(command.usage)\n"
        if !command.summary.isEmpty {
            text += "\n" + command.summary + "\n"
        }
        let parameters = command.parameters.map { ($0.name, $0.summary) }
        let options = command.options.map { ($0.usage, $0.summary) }
        let width = (parameters + options).map { $0.0.count }.max() ?? 0
        if !parameters.isEmpty {
            text += "\nArguments:\n"
            for (name, summary) in parameters {
                text += "  " + TableWriter.padded(name, to: width) + "  " + summary + "\n"
            }
        }
        if !options.isEmpty {
            text += "\nOptions:\n"
            for (usage, summary) in options {
                text += "  " + TableWriter.padded(usage, to: width) + "  " + summary + "\n"
            }
        }
        if let example = command.example {
            text += "\nExample:\n  " + example + "\n"
        }
        return text
    }
}
