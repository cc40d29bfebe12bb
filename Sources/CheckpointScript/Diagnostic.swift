/// A position in a script: 1-based line and column, and the byte offset from the start.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    /// The column, counted in Unicode scalars from 1.
    public var column: Int
    /// The offset in UTF-8 bytes from the start of the script.
    public var offset: Int

    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }

    public var description: String { "\(line):\(column)" }
}

/// The part of a script a diagnostic is about: from `start` up to, not including, `end`.
public struct SourceRange: Sendable, Hashable {
    public var start: SourceLocation
    public var end: SourceLocation

    public init(start: SourceLocation, end: SourceLocation) {
        self.start = start
        self.end = end
    }
}

/// The stable identifier of a kind of diagnostic, for tests and tools that must not match
/// message text, such as `syntax.unterminated-string` or `runtime.unknown-command`.
public struct DiagnosticID: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public var description: String { rawValue }

    // Syntax errors: the script is not run.
    public static let unexpectedToken = DiagnosticID(rawValue: "syntax.unexpected-token")
    public static let unterminatedString = DiagnosticID(rawValue: "syntax.unterminated-string")
    public static let unclosedBracket = DiagnosticID(rawValue: "syntax.unclosed-bracket")
    public static let invalidEscape = DiagnosticID(rawValue: "syntax.invalid-escape")
    public static let integerOverflow = DiagnosticID(rawValue: "syntax.integer-overflow")
    public static let nestingTooDeep = DiagnosticID(rawValue: "syntax.nesting-too-deep")
    public static let invalidUTF8 = DiagnosticID(rawValue: "syntax.invalid-utf8")

    // Runtime errors: a statement failed.
    public static let unknownCommand = DiagnosticID(rawValue: "runtime.unknown-command")
    public static let undefinedVariable = DiagnosticID(rawValue: "runtime.undefined-variable")
    public static let invalidArgument = DiagnosticID(rawValue: "runtime.invalid-argument")
    public static let typeMismatch = DiagnosticID(rawValue: "runtime.type-mismatch")
    public static let missingField = DiagnosticID(rawValue: "runtime.missing-field")
    public static let indexOutOfRange = DiagnosticID(rawValue: "runtime.index-out-of-range")
    public static let apiError = DiagnosticID(rawValue: "runtime.api-error")
    public static let commandFailed = DiagnosticID(rawValue: "runtime.command-failed")
    public static let fileError = DiagnosticID(rawValue: "runtime.file-error")
}

/// A message about a script, with where it applies. Rendering is separate; see
/// ``DiagnosticRenderer``.
public struct Diagnostic: Sendable, Hashable, Error {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
        case note
    }

    public var severity: Severity
    public var id: DiagnosticID
    /// A lowercase sentence without a final period, such as `unknown command 'pritn'`.
    public var message: String
    /// The script's name: a file path, `<input>` or `<repl>`.
    public var sourceName: String
    public var range: SourceRange
    /// Further lines shown after the source excerpt, such as `did you mean 'print'?`.
    public var notes: [String]
    /// The text of the line where the range starts, or a window of it when the line is
    /// very long. It is `nil` when the diagnostic has no source text.
    public var sourceLine: String?
    /// The column of the first character of ``sourceLine``; 1 unless the line was cut.
    public var sourceLineFirstColumn: Int

    public init(
        severity: Severity = .error, id: DiagnosticID, message: String, sourceName: String,
        range: SourceRange, notes: [String] = [], sourceLine: String? = nil,
        sourceLineFirstColumn: Int = 1
    ) {
        self.severity = severity
        self.id = id
        self.message = message
        self.sourceName = sourceName
        self.range = range
        self.notes = notes
        self.sourceLine = sourceLine
        self.sourceLineFirstColumn = sourceLineFirstColumn
    }
}

/// Every way evaluating a script can fail.
///
/// A prompt tests ``incomplete`` to ask for a continuation line; a script runner maps
/// each case to an exit status with ``exitStatus``.
public enum ScriptError: Error, Sendable, Equatable {
    /// The script is not valid; nothing of it ran. One diagnostic per failing statement.
    case syntax([Diagnostic])
    /// The input ended inside an open quote, bracket or brace; more input may complete it.
    case incomplete(Diagnostic)
    /// A statement failed while running: a runtime error or an API error.
    case runtime(Diagnostic)
    /// The `exit` command ended the script with this status.
    case exit(status: Int32)
    /// The task running the script was cancelled.
    case cancelled

    /// The diagnostics to show; empty for `exit` and cancellation.
    public var diagnostics: [Diagnostic] {
        switch self {
        case .syntax(let diagnostics): diagnostics
        case .incomplete(let diagnostic), .runtime(let diagnostic): [diagnostic]
        case .exit, .cancelled: []
        }
    }

    /// The process exit status for the error: 2 for syntax errors and incomplete input,
    /// 1 for runtime and API errors, the given status for `exit` and 130 for cancellation.
    public var exitStatus: Int32 {
        switch self {
        case .syntax, .incomplete: 2
        case .runtime: 1
        case .exit(let status): status
        case .cancelled: 130
        }
    }
}

/// Renders diagnostics as `FILE:LINE:COL: error: message`, the source line, a caret
/// under the range and the notes.
///
/// ```
/// greet.ckpt:3:1: error: unknown command 'pritn'
/// pritn "hello"
/// ^~~~~
/// note: did you mean 'print'?
/// ```
public struct DiagnosticRenderer: Sendable {
    /// Whether to colour the output with ANSI escape sequences.
    public var colors: Bool

    public init(colors: Bool = false) {
        self.colors = colors
    }

    /// Renders one diagnostic, ending with a newline.
    ///
    /// - Parameters:
    ///   - diagnostic: the diagnostic to show.
    ///   - source: the script's text, read only when the diagnostic carries no source line.
    ///     Diagnostics made by the interpreter always carry theirs, which is right even
    ///     for an error inside a file run with `source`.
    public func render(_ diagnostic: Diagnostic, source: String? = nil) -> String {
        let start = diagnostic.range.start
        var text = bold("\(diagnostic.sourceName):\(start.line):\(start.column): ")
        text += severityLabel(diagnostic.severity) + bold(diagnostic.message) + "\n"
        if let (line, firstColumn) = sourceLine(of: diagnostic, source: source) {
            text += line + "\n"
            text += caret(for: diagnostic.range, line: line, firstColumn: firstColumn) + "\n"
        }
        for note in diagnostic.notes {
            text += colored("note: ", code: "1;36") + note + "\n"
        }
        return text
    }

    /// Renders several diagnostics one after another.
    public func render(_ diagnostics: [Diagnostic], source: String? = nil) -> String {
        diagnostics.map { render($0, source: source) }.joined()
    }

    private func sourceLine(of diagnostic: Diagnostic, source: String?) -> (String, Int)? {
        if let line = diagnostic.sourceLine {
            return (line, diagnostic.sourceLineFirstColumn)
        }
        guard let source else { return nil }
        let file = SourceFile(name: diagnostic.sourceName, text: source)
        let offset = min(diagnostic.range.start.offset, file.bytes.count)
        let line = file.lineRange(containing: offset)
        return SourceExcerpt(bytes: file.bytes[line], startColumn: 1)
            .text(around: diagnostic.range.start.column)
    }

    private func caret(for range: SourceRange, line: String, firstColumn: Int) -> String {
        let scalars = Array(line.unicodeScalars)
        let startIndex = max(0, range.start.column - firstColumn)
        var underline = ""
        for scalar in scalars.prefix(startIndex) {
            underline.unicodeScalars.append(scalar == "\t" ? "\t" : " ")
        }
        var width = 1
        if range.end.line == range.start.line {
            width = max(1, range.end.column - range.start.column)
        } else {
            width = max(1, scalars.count - startIndex)
        }
        width = min(width, max(1, scalars.count - startIndex))
        return underline + colored("^" + String(repeating: "~", count: width - 1), code: "1;32")
    }

    private func severityLabel(_ severity: Diagnostic.Severity) -> String {
        switch severity {
        case .error: colored("error: ", code: "1;31")
        case .warning: colored("warning: ", code: "1;35")
        case .note: colored("note: ", code: "1;36")
        }
    }

    private func bold(_ text: String) -> String {
        colored(text, code: "1")
    }

    private func colored(_ text: String, code: String) -> String {
        colors ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }
}
