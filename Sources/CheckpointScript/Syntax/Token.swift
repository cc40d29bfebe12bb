/// One token of a script: its kind and the bytes it covers.
struct Token: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A bare word: a string, an integer, `true`, `false`, `null`, a keyword, an
        /// operator or an option such as `--limit`.
        case word
        /// `'raw text'`; the token covers the quotes.
        case singleQuoted
        /// `"text with \n escapes and $interpolation"`; the token covers the quotes.
        case doubleQuoted
        /// `$name`; the token covers the dollar sign.
        case variable
        /// `${path}`; the token covers the dollar sign and the braces.
        case bracedVariable
        case leftParenthesis
        case rightParenthesis
        case leftBracket
        case rightBracket
        case leftBrace
        case rightBrace
        case comma
        /// A statement separator: a line break or `;`.
        case separator
        case end
    }

    var kind: Kind
    var start: Int
    var end: Int

    var span: Span { Span(start, end) }
}
