/// A parsed script: its statements and the source they came from.
struct Script: Sendable {
    var source: SourceFile
    var statements: [Statement]
    var bindingCount = 0
}

/// One statement of a script or a block. Cases are stored inline (not boxed), so a
/// script's statements sit in one array.
enum Statement: Sendable {
    /// `let NAME = VALUE`: binds silently.
    case binding(name: String, nameSpan: Span, value: Expression, span: Span)
    /// `NAME ARGUMENT…`: the result is printed.
    indirect case command(CommandInvocation)
    /// A value on its own, such as `$page.data`: the value is printed.
    case expression(Expression)
    /// `for NAME in VALUE { … }`.
    case loop(variable: String, sequence: Expression, body: [Statement], span: Span)
    /// `if CONDITION { … } else if CONDITION { … } else { … }`.
    case conditional(branches: [ConditionalBranch], otherwise: [Statement]?, span: Span)
    /// `try { … } catch NAME { … }`.
    case attempt(body: [Statement], errorName: String, handler: [Statement], span: Span)
}

struct ConditionalBranch: Sendable {
    var condition: Expression
    var body: [Statement]
}

/// A command call: its name and arguments as written.
struct CommandInvocation: Sendable {
    var name: String
    var nameSpan: Span
    var arguments: [Argument]
    var span: Span
}

/// An argument as written. Options are matched to the declaration when the call runs,
/// because only the declaration states whether an option takes a value.
enum Argument: Sendable {
    case value(Expression)
    /// `--name`, or `--name=VALUE` with the value attached.
    case option(name: String, attachedValue: Expression?, span: Span)
}

/// A value-producing part of a statement. Only the cases that contain expressions
/// directly are boxed, so literals and variables cost no allocation of their own.
enum Expression: Sendable {
    case literal(Value, Span)
    /// A double-quoted string with `$` interpolation.
    case interpolated([StringPart], Span)
    case variable(String, Span)
    /// `BASE.field`, `BASE[index]`, chained.
    indirect case access(Expression, [Accessor], Span)
    case list([Expression], Span)
    case record([(name: String, value: Expression)], Span)
    /// `(command …)`, or the right side of `let`.
    indirect case command(CommandInvocation)
    /// A lone bare word where a command may stand: a call when a command of that name
    /// exists, otherwise the word as a string.
    case commandOrWord(String, Span)
    indirect case comparison(ComparisonOperator, Expression, Expression, Span)
    indirect case and(Expression, Expression, Span)
    indirect case or(Expression, Expression, Span)
    indirect case not(Expression, Span)

    var span: Span {
        switch self {
        case .literal(_, let span), .interpolated(_, let span), .variable(_, let span),
            .access(_, _, let span), .list(_, let span), .record(_, let span),
            .commandOrWord(_, let span), .comparison(_, _, _, let span), .and(_, _, let span),
            .or(_, _, let span), .not(_, let span):
            span
        case .command(let invocation):
            invocation.span
        }
    }
}

enum StringPart: Sendable {
    case text(String)
    case expression(Expression)
}

enum Accessor: Sendable {
    case field(String, Span)
    case index(Expression, Span)
}

enum ComparisonOperator: String, Sendable, CaseIterable {
    case equal = "=="
    case notEqual = "!="
    case less = "<"
    case lessOrEqual = "<="
    case greater = ">"
    case greaterOrEqual = ">="
}
