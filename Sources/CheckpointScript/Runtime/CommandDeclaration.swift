/// The signature of a command: the one description that help text, argument checking
/// and completion are built from. Built-ins and host commands use the same type.
///
/// ```swift
/// let notify = CommandDeclaration(
///     name: "notify", summary: "Sends a message to the team channel.",
///     parameters: [.init("MESSAGE", .string, summary: "the text to send")],
///     options: [.init("urgent", summary: "mark the message as urgent")],
///     example: "notify \"granted $ckpt\" --urgent")
/// ```
public struct CommandDeclaration: Sendable, Equatable {
    /// The name a script calls, such as `permissions.list`.
    public var name: String
    /// One sentence that states what the command does.
    public var summary: String
    /// The positional parameters, in order.
    public var parameters: [Parameter]
    /// The options, written `--name VALUE` or `--name` for flags.
    public var options: [Option]
    /// A line of script that calls the command.
    public var example: String?

    public init(
        name: String, summary: String, parameters: [Parameter] = [], options: [Option] = [],
        example: String? = nil
    ) {
        self.name = name
        self.summary = summary
        self.parameters = parameters
        self.options = options
        self.example = example
    }

    /// A positional parameter.
    public struct Parameter: Sendable, Equatable {
        /// How many arguments a parameter takes.
        public enum Arity: Sendable, Equatable {
            case required
            case optional
            /// Every remaining argument, at least `minimum` of them.
            case variadic(minimum: Int)
        }

        /// The name shown in usage lines, such as `CHECKPOINT`.
        public var name: String
        public var type: ValueType
        public var arity: Arity
        public var summary: String

        public init(_ name: String, _ type: ValueType, _ arity: Arity = .required, summary: String = "") {
            self.name = name
            self.type = type
            self.arity = arity
            self.summary = summary
        }
    }

    /// A named option.
    public struct Option: Sendable, Equatable {
        /// The name without the leading `--`, such as `project-id`.
        public var name: String
        /// The type of the option's value; `nil` for a flag, which takes no value.
        public var type: ValueType?
        public var summary: String

        /// Declares an option that takes a value of `type`.
        public init(_ name: String, _ type: ValueType, summary: String = "") {
            self.name = name
            self.type = type
            self.summary = summary
        }

        /// Declares a flag: an option without a value.
        public init(_ name: String, summary: String = "") {
            self.name = name
            self.type = nil
            self.summary = summary
        }

        /// The option as a usage line shows it, such as `--limit INTEGER` or `--all`.
        public var usage: String {
            guard let type else { return "--\(name)" }
            return "--\(name) \(type.placeholder)"
        }
    }

    /// Returns whether `name` can name a command: a letter or `_`, then letters, digits, `_`,
    /// `-` and `.`, as in `permissions.list`.
    public static func isValidName(_ name: String) -> Bool {
        isValidName(name.utf8)
    }

    static func isValidName<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Bool {
        guard let first = bytes.first, Lexer.isNameStart(first) else { return false }
        return bytes.allSatisfy { Lexer.isNameCharacter($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }
    }

    /// The usage line, such as `permissions.del CHECKPOINT PERMISSION`.
    public var usage: String {
        var parts = [name]
        for parameter in parameters {
            switch parameter.arity {
            case .required: parts.append(parameter.name)
            case .optional: parts.append("[\(parameter.name)]")
            case .variadic(let minimum): parts.append(minimum > 0 ? "\(parameter.name)…" : "[\(parameter.name)…]")
            }
        }
        for option in options {
            parts.append("[\(option.usage)]")
        }
        return parts.joined(separator: " ")
    }

    /// The range of positional argument counts the command accepts; `nil` upper bound
    /// for a variadic parameter.
    var argumentCountRange: (minimum: Int, maximum: Int?) {
        var minimum = 0
        var maximum: Int? = 0
        for parameter in parameters {
            switch parameter.arity {
            case .required:
                minimum += 1
                maximum = maximum.map { $0 + 1 }
            case .optional:
                maximum = maximum.map { $0 + 1 }
            case .variadic(let least):
                minimum += least
                maximum = nil
            }
        }
        return (minimum, maximum)
    }
}

/// The type of value a parameter or option accepts.
public enum ValueType: Sendable, Equatable {
    case any
    case string
    case integer
    case boolean
    case list
    case record
    /// One of these strings.
    case choice([String])
    /// A string or a list of strings.
    case stringOrList
    /// A string or a record with an `id` field.
    case stringOrRecord

    /// The placeholder that usage lines show for a value of this type.
    public var placeholder: String {
        switch self {
        case .any: "VALUE"
        case .string: "STRING"
        case .integer: "INTEGER"
        case .boolean: "BOOLEAN"
        case .list: "LIST"
        case .record: "RECORD"
        case .choice(let choices): choices.joined(separator: "|")
        case .stringOrList: "STRING|LIST"
        case .stringOrRecord: "STRING|RECORD"
        }
    }

    /// The phrase error messages use for the expected value, such as `an integer`.
    var expectation: String {
        switch self {
        case .any: "a value"
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "a boolean"
        case .list: "a list"
        case .record: "a record"
        case .choice(let choices): "one of " + choices.map { "'\($0)'" }.joined(separator: ", ")
        case .stringOrList: "a string or a list of strings"
        case .stringOrRecord: "a string or a record with an 'id' field"
        }
    }

    func accepts(_ value: Value) -> Bool {
        switch (self, value) {
        case (.any, _), (.string, .string), (.integer, .integer), (.boolean, .boolean),
            (.list, .list), (.record, .record), (.stringOrList, .string), (.stringOrRecord, .string):
            return true
        case (.choice(let choices), .string(let string)):
            return choices.contains(string)
        case (.stringOrList, .list(let elements)):
            return elements.allSatisfy { if case .string = $0 { true } else { false } }
        case (.stringOrRecord, .record(let record)):
            if case .string? = record["id"] { return true }
            return false
        default:
            return false
        }
    }
}

/// One call of a command, with its arguments checked against the declaration.
public struct CommandCall: Sendable {
    public let declaration: CommandDeclaration
    /// The positional arguments, in order.
    public let arguments: [Value]
    /// The options given, by name without `--`; a flag that was given is `true`.
    public let options: [String: Value]
    /// The interpreter running the call.
    public let interpreter: Interpreter
    /// The sink the command writes text to: the interpreter's.
    public var output: any OutputSink { interpreter.output }

    public var name: String { declaration.name }

    /// Returns the positional argument at `index`, or `nil` when it was not given.
    public func argument(_ index: Int) -> Value? {
        arguments.indices.contains(index) ? arguments[index] : nil
    }

    /// Returns the value of an option, or `nil` when it was not given.
    public func option(_ name: String) -> Value? {
        options[name]
    }

    /// Returns whether a flag was given.
    public func flag(_ name: String) -> Bool {
        options[name] == .boolean(true)
    }
}

/// An error a host command throws to fail with its own message; the interpreter points
/// the diagnostic at the call.
public struct CommandError: Error, Sendable, Equatable {
    public var message: String
    public var notes: [String]

    public init(_ message: String, notes: [String] = []) {
        self.message = message
        self.notes = notes
    }
}
