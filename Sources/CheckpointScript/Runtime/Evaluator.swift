import CheckpointAPI

/// Runs the statements of one evaluation; created for each ``Interpreter/evaluate(_:sourceName:)``.
///
/// Variables live in the interpreter's state. Every change a top-level statement makes
/// is logged, so a cancelled statement can restore the variables it changed.
final class Evaluator {
    let interpreter: Interpreter
    var source: SourceFile
    /// The previous values of the variables the current top-level statement assigned,
    /// oldest first; `nil` for a variable that did not exist.
    var undoLog: [(name: String, previous: Value?)] = []
    var sourceDepth = 0
    private var commandTable: CommandTable?

    /// `source` commands nest at most this deep, so a file that sources itself fails
    /// instead of recursing without end.
    static let maximumSourceDepth = 32

    /// Looks a command up in a copy of the interpreter's table, taken again whenever a
    /// command has been registered since.
    func command(named name: String) -> RegisteredCommand? {
        let generation = interpreter.commandGeneration.load(ordering: .acquiring)
        if commandTable?.generation != generation {
            commandTable = interpreter.commandTable()
        }
        return commandTable?[name]
    }

    init(interpreter: Interpreter) {
        self.interpreter = interpreter
        self.source = SourceFile(name: "", bytes: [])
    }

    /// Runs a parsed script statement by statement, flushing output after each one.
    func runTopLevel(_ script: Script) async throws(ScriptError) -> Value {
        source = script.source
        var last = Value.null
        let statements = script.statements
        for index in statements.indices {
            // A top-level binding assigns as its last step, so nothing needs undoing when
            // it is cancelled; binding a literal needs no evaluation at all.
            if case .binding(let name, _, .literal(let value, _), _) = statements[index] {
                if Task.isCancelled { throw .cancelled }
                interpreter.state.withLock { $0.variables[name] = value }
                if index == statements.count - 1 { last = value }
                continue
            }
            let statement = statements[index]
            undoLog.removeAll(keepingCapacity: true)
            do throws(Interruption) {
                if Task.isCancelled { throw Interruption.cancelled }
                if case .binding(let name, _, let expression, _) = statement,
                    let value = try evaluateImmediately(expression)
                {
                    interpreter.state.withLock { $0.variables[name] = value }
                    last = value
                    continue
                }
                last = try await execute(statement)
            } catch {
                interpreter.output.flush()
                switch error {
                case .cancelled:
                    rollBack()
                    throw .cancelled
                case .exit(let status):
                    throw .exit(status: status)
                case .failure(let failure):
                    throw .runtime(failure.diagnostic)
                }
            }
            interpreter.output.flush()
        }
        return last
    }

    private func rollBack() {
        let log = undoLog
        interpreter.state.withLock { state in
            for entry in log.reversed() {
                state.variables[entry.name] = entry.previous
            }
        }
        undoLog.removeAll()
    }

    // MARK: - Statements

    func execute(_ statement: Statement) async throws(Interruption) -> Value {
        switch statement {
        case .binding(let name, _, let expression, _):
            let value = try await evaluate(expression)
            assign(name, value)
            return value
        case .command(let invocation):
            let value = try await call(invocation, printing: true)
            show(value)
            return value
        case .expression(let expression):
            let value = try await evaluate(expression)
            show(value)
            return value
        case .loop(let name, let sequence, let body, let span):
            let elements = try iterable(try await evaluate(sequence), at: sequence.span, loop: span)
            for element in elements {
                if Task.isCancelled { throw .cancelled }
                assign(name, element)
                try await executeBlock(body)
            }
            return .null
        case .conditional(let branches, let otherwise, _):
            for branch in branches where try await condition(branch.condition, construct: "if") {
                try await executeBlock(branch.body)
                return .null
            }
            if let otherwise {
                try await executeBlock(otherwise)
            }
            return .null
        case .attempt(let body, let errorName, let handler, _):
            do {
                try await executeBlock(body)
            } catch {
                guard case .failure(let failure) = error else { throw error }
                if !errorName.isEmpty {
                    assign(errorName, failure.record)
                }
                try await executeBlock(handler)
            }
            return .null
        }
    }

    func executeBlock(_ statements: [Statement]) async throws(Interruption) {
        for statement in statements {
            _ = try await execute(statement)
        }
    }

    /// Prints a statement's result and keeps it as `$_`; `null` is neither printed nor kept.
    private func show(_ value: Value) {
        if case .null = value { return }
        assign(Interpreter.lastResultName, value)
        interpreter.output.write(ValueFormatter(format: interpreter.format).format(value))
    }

    func assign(_ name: String, _ value: Value) {
        let previous = interpreter.state.withLock { $0.variables.updateValue(value, forKey: name) }
        undoLog.append((name, previous))
    }

    private func iterable(_ value: Value, at span: Span, loop: Span) throws(Interruption) -> [Value] {
        switch value {
        case .list(let elements):
            return elements
        case .record(let record):
            if let page = PageView(record) { return page.data }
        default:
            break
        }
        throw failure(
            .typeMismatch, "'for' expects a list, got \(Describe.value(value))", at: span,
            notes: ["a page of results (a record whose object is 'list') iterates over its data"])
    }

    private func condition(_ expression: Expression, construct: String) async throws(Interruption) -> Bool {
        try requireBoolean(try await evaluate(expression), of: expression, construct: construct)
    }

    func requireBoolean(_ value: Value, of expression: Expression, construct: String) throws(Interruption) -> Bool {
        guard case .boolean(let result) = value else {
            throw failure(
                .typeMismatch, "'\(construct)' expects a boolean condition, got \(Describe.value(value))",
                at: expression.span, notes: ["compare with ==, !=, <, <=, > or >= to get a boolean"])
        }
        return result
    }

    // MARK: - Expressions

    func evaluate(_ expression: Expression) async throws(Interruption) -> Value {
        if let value = try evaluateImmediately(expression) {
            return value
        }
        switch expression {
        case .literal(let value, _):
            return value
        case .interpolated(let parts, _):
            var text = ""
            for part in parts {
                switch part {
                case .text(let literal): text += literal
                case .expression(let inner): text += ValueFormatter.displayText(try await evaluate(inner))
                }
            }
            return .string(text)
        case .variable(let name, let span):
            return try lookUp(name, at: span)
        case .access(let base, let accessors, _):
            var value = try await evaluate(base)
            for accessor in accessors {
                value = try await access(value, accessor, base: base)
            }
            return value
        case .list(let elements, _):
            // NOTE: only the syntax nesting is limited. A loop such as `let a = [$a]` can
            // build values nested deeper than 100, and printing, comparing or freeing one
            // nested tens of thousands deep recurses that deep.
            var values: [Value] = []
            values.reserveCapacity(elements.count)
            for element in elements {
                values.append(try await evaluate(element))
            }
            return .list(values)
        case .record(let fields, _):
            var values: [(name: String, value: Value)] = []
            values.reserveCapacity(fields.count)
            for field in fields {
                values.append((field.name, try await evaluate(field.value)))
            }
            return .record(Record(uniqueFields: values))
        case .command(let invocation):
            return try await call(invocation, printing: false)
        case .commandOrWord(let name, let span):
            guard command(named: name) != nil else { return .string(name) }
            let invocation = CommandInvocation(name: name, nameSpan: span, arguments: [], span: span)
            return try await call(invocation, printing: false)
        case .comparison(let comparison, let left, let right, let span):
            return .boolean(try compare(comparison, try await evaluate(left), try await evaluate(right), at: span))
        case .and(let left, let right, _):
            guard try await condition(left, construct: "and") else { return .boolean(false) }
            return .boolean(try await condition(right, construct: "and"))
        case .or(let left, let right, _):
            if try await condition(left, construct: "or") { return .boolean(true) }
            return .boolean(try await condition(right, construct: "or"))
        case .not(let operand, _):
            return .boolean(!(try await condition(operand, construct: "not")))
        }
    }

    func lookUp(_ name: String, at span: Span) throws(Interruption) -> Value {
        if let value = interpreter.state.withLock({ $0.variables[name] }) {
            return value
        }
        if name == Interpreter.lastResultName {
            throw failure(.undefinedVariable, "'$_' is not defined: no command has returned a value yet", at: span)
        }
        var notes: [String] = []
        if let close = Suggestion.closest(to: name, among: interpreter.variableNames) {
            notes.append("did you mean '$\(close)'?")
        } else {
            notes.append("define it first with 'let \(name) = …'")
        }
        throw failure(.undefinedVariable, "undefined variable '$\(name)'", at: span, notes: notes)
    }

    private func access(_ value: Value, _ accessor: Accessor, base: Expression) async throws(Interruption) -> Value {
        switch accessor {
        case .field(let name, let span):
            return try readField(name, of: value, at: span)
        case .index(let indexExpression, let span):
            return try read(value, at: try await evaluate(indexExpression), span: span)
        }
    }

    func readField(_ name: String, of value: Value, at span: Span) throws(Interruption) -> Value {
        guard case .record(let record) = value else {
            throw failure(.typeMismatch, "cannot read field '\(name)' of \(Describe.value(value))", at: span,
                          notes: ["fields exist only on records"])
        }
        return try field(name, of: record, at: span)
    }

    /// Reads `value[index]`: a list item by position, a record field by name, or an item of a page's data.
    func read(_ value: Value, at index: Value, span: Span) throws(Interruption) -> Value {
        switch (value, index) {
            case (.list(let elements), .integer(let position)):
                return try element(at: position, of: elements, at: span)
            case (.record(let record), .string(let name)):
                return try field(name, of: record, at: span)
            case (.record(let record), .integer(let position)):
                if let page = PageView(record) {
                    return try element(at: position, of: page.data, at: span)
                }
                fallthrough
            default:
                throw failure(.typeMismatch, "cannot index \(Describe.value(value)) with \(Describe.value(index))", at: span,
                              notes: ["index a list with an integer, a record with a field name"])
            }
    }

    private func field(_ name: String, of record: Record, at span: Span) throws(Interruption) -> Value {
        if let value = record[name] { return value }
        var notes: [String] = []
        if let close = Suggestion.closest(to: name, among: record.names) {
            notes.append("did you mean '\(close)'?")
        }
        let names = record.names.map { "'\($0)'" }.joined(separator: ", ")
        notes.append(record.isEmpty ? "the record has no fields" : "the record's fields are \(names)")
        throw failure(.missingField, "no field '\(name)' in the record", at: span, notes: notes)
    }

    private func element(at position: Int, of elements: [Value], at span: Span) throws(Interruption) -> Value {
        let resolved = position < 0 ? elements.count + position : position
        guard elements.indices.contains(resolved) else {
            let bounds = elements.isEmpty ? "the list is empty" : "valid indexes are 0 to \(elements.count - 1), or -1 to -\(elements.count) from the end"
            throw failure(.indexOutOfRange, "index \(position) is out of range for a list of \(elements.count)", at: span,
                          notes: [bounds])
        }
        return elements[resolved]
    }

    func compare(
        _ comparison: ComparisonOperator, _ left: Value, _ right: Value, at span: Span
    ) throws(Interruption) -> Bool {
        switch comparison {
        case .equal: return left == right
        case .notEqual: return left != right
        default: break
        }
        let order: Int
        switch (left, right) {
        case (.integer(let a), .integer(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a), .string(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
        default:
            throw failure(
                .typeMismatch,
                "cannot compare \(Describe.value(left)) with \(Describe.value(right)) using '\(comparison.rawValue)'",
                at: span, notes: ["'<', '<=', '>' and '>=' compare two integers or two strings"])
        }
        switch comparison {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        case .equal, .notEqual: return false
        }
    }

    // MARK: - Errors

    func failure(
        _ id: DiagnosticID, _ message: String, at span: Span, notes: [String] = []
    ) -> Interruption {
        .failure(Failure(diagnostic: source.diagnostic(id, message, at: span, notes: notes)))
    }
}

/// The reason a statement stopped early.
enum Interruption: Error {
    /// A runtime or API error; `try … catch` handles these.
    case failure(Failure)
    case exit(Int32)
    case cancelled
}

/// A runtime or API error with its diagnostic.
struct Failure {
    var diagnostic: Diagnostic
    var apiError: APIError?

    /// The record a `catch` variable holds: message, status, type, code, param and
    /// request_id, `null` where the error has none.
    var record: Value {
        func optional(_ string: String?) -> Value { string.map(Value.string) ?? .null }
        return .record([
            "message": .string(apiError?.message ?? diagnostic.message),
            "status": apiError?.status.map(Value.integer) ?? .null,
            "type": optional(apiError?.type),
            "code": optional(apiError?.code),
            "param": optional(apiError?.param),
            "request_id": optional(apiError?.requestID),
        ])
    }
}

/// How messages name values: `the string 'abc'`, `the integer 5`, `a list of 3 items`.
enum Describe {
    static func value(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .boolean(let boolean): return "the boolean \(boolean)"
        case .integer(let integer): return "the integer \(integer)"
        case .string(let string):
            let shown = string.unicodeScalars.count > 60 ? String(string.prefix(57)) + "…" : string
            return "the string '\(shown)'"
        case .list(let elements): return "a list of \(elements.count) item\(elements.count == 1 ? "" : "s")"
        case .record(let record):
            if PageView(record) != nil { return "a page of results" }
            return "a record"
        }
    }
}

/// Finds the known name closest to a misspelt one.
enum Suggestion {
    /// Returns the candidate with the smallest edit distance to `name`, if that distance is
    /// at most a third of the name's length, or 1 for short names.
    static func closest(to name: String, among candidates: [String]) -> String? {
        let limit = max(1, name.count / 3)
        var best: (name: String, distance: Int)?
        for candidate in candidates where candidate != name {
            let distance = editDistance(Array(name.utf8), Array(candidate.utf8))
            if distance <= limit && distance < (best?.distance ?? Int.max) {
                best = (candidate, distance)
            }
        }
        return best?.name
    }

    /// Computes the optimal string alignment distance: insertions, deletions, substitutions and
    /// swaps of two neighbouring characters each count 1, so `pritn` is 1 from `print`.
    static func editDistance(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var beforePrevious = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)
                current[j] = min(previous[j] + 1, current[j - 1] + 1, substitution)
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    current[j] = min(current[j], beforePrevious[j - 2] + 1)
                }
            }
            (beforePrevious, previous, current) = (previous, current, beforePrevious)
        }
        return previous[b.count]
    }
}
