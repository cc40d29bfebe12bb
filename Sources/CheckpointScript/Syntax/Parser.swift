/// Builds the syntax tree of a script; each method is named for the grammar rule it reads.
///
/// ```
/// script      = { separator } { statement ( separator | end ) }
/// statement   = binding | loop | conditional | attempt | command | expression
/// binding     = "let" NAME "=" ( command | expression )
/// loop        = "for" NAME "in" expression block
/// conditional = "if" expression block { "else" "if" expression block } [ "else" block ]
/// attempt     = "try" block "catch" [ NAME ] block
/// command     = WORD { operand | "--"OPTION [ "=" VALUE ] }
/// expression  = and { "or" and }        and = not { "and" not }
/// not         = "not" not | comparison  comparison = operand [ ( "==" | "!=" | "<" | … ) operand ]
/// operand     = WORD | 'raw' | "text" | $NAME { access } | ${path} | "(" command | expression ")" { access }
///             | "[" [ expression { "," expression } [ "," ] ] "]" | "{" [ field { "," field } [ "," ] ] "}"
/// ```
struct Parser {
    /// Blocks, brackets and operators nest at most this deep, so evaluation and the
    /// syntax tree's teardown cannot exhaust the stack.
    static let maximumDepth = 100

    let source: SourceFile
    var lexer: Lexer
    var token: Token
    var depth = 0
    var diagnostics: [Diagnostic] = []
    /// How many `let` statements the script has, so the variable table can grow once.
    var bindingCount = 0

    /// Parses a whole script.
    ///
    /// - Throws: ``ScriptError/incomplete(_:)`` when the text ends inside an open quote,
    ///   bracket or brace, otherwise ``ScriptError/syntax(_:)`` with one diagnostic per
    ///   failing statement.
    static func parse(_ source: SourceFile) throws(ScriptError) -> Script {
        if let offset = UTF8Validation.firstInvalidOffset(in: source.bytes) {
            let diagnostic = source.diagnostic(
                .invalidUTF8, "invalid UTF-8 byte 0x\(hex(source.bytes[offset]))",
                at: Span(offset, offset + 1), notes: ["save the script as UTF-8"])
            throw .syntax([diagnostic])
        }
        let result = source.bytes.withUnsafeBufferPointer { buffer in
            var parser = Parser(source: source, buffer: buffer)
            return parser.parseScript()
        }
        return try result.get()
    }

    private init(source: SourceFile, buffer: UnsafeBufferPointer<UInt8>) {
        self.source = source
        self.lexer = Lexer(bytes: buffer)
        self.token = Token(kind: .separator, start: 0, end: 0)
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
    }

    private mutating func parseScript() -> Result<Script, ScriptError> {
        do {
            try advance()
            let statements = try parseStatements(closedBy: nil)
            if !diagnostics.isEmpty {
                return .failure(.syntax(diagnostics))
            }
            return .success(Script(source: source, statements: statements, bindingCount: bindingCount))
        } catch {
            if error.incomplete && diagnostics.isEmpty {
                return .failure(.incomplete(error.diagnostic))
            }
            return .failure(.syntax(diagnostics + [error.diagnostic]))
        }
    }

    // MARK: - Statements

    /// Reads statements up to the closing brace of a block, or to the end of the input.
    mutating func parseStatements(closedBy opening: Span?) throws(ParseFailure) -> [Statement] {
        var statements: [Statement] = []
        let outerDepth = depth
        while true {
            try skipSeparators()
            switch token.kind {
            case .end:
                if let opening {
                    throw incomplete("expected '}' to close the block", at: opening)
                }
                return statements
            case .rightBrace:
                if opening != nil { return statements }
                record(failure("unexpected '}' without a matching '{'", at: token.span))
                try advance()
                continue
            default:
                break
            }
            let statementLexer = lexer
            let statementToken = token
            do {
                statements.append(try parseStatement())
                try expectEndOfStatement()
            } catch {
                if error.incomplete { throw error }
                record(error)
                depth = outerDepth
                lexer = statementLexer
                token = statementToken
                resynchronize(insideBlock: opening != nil)
            }
        }
    }

    mutating func parseStatement() throws(ParseFailure) -> Statement {
        guard token.kind == .word else {
            return .expression(try parseExpression())
        }
        if isWord("let") { return try parseBinding() }
        if isWord("for") { return try parseLoop() }
        if isWord("if") { return try parseConditional() }
        if isWord("try") { return try parseAttempt() }
        if isWord("else") || isWord("catch") {
            let keyword = text(of: token)
            let construct = keyword == "else" ? "'if'" : "'try'"
            throw failure(
                "'\(keyword)' without a matching \(construct)", at: token.span,
                notes: ["'\(keyword)' must follow the closing brace of the \(construct) block, in the same entry at a prompt"])
        }
        if isWord("not") || isLiteralWord(token) {
            return .expression(try parseExpression())
        }
        return .command(try parseCommand())
    }

    mutating func parseBinding() throws(ParseFailure) -> Statement {
        let start = token.start
        try advance()
        let (name, nameSpan) = try parseName(after: "let")
        guard isWord("=") else {
            throw failure("expected '=' after 'let \(name)'", at: token.span)
        }
        try advance()
        let value = try parseCommandOrExpression()
        bindingCount += 1
        return .binding(name: name, nameSpan: nameSpan, value: value, span: Span(start, value.span.end))
    }

    mutating func parseLoop() throws(ParseFailure) -> Statement {
        let start = token.start
        try advance()
        let (name, _) = try parseName(after: "for")
        guard isWord("in") else {
            throw failure("expected 'in' after 'for \(name)'", at: token.span)
        }
        try advance()
        let sequence = try parseExpression()
        let body = try parseBlock(after: "the loop's list")
        return .loop(variable: name, sequence: sequence, body: body, span: Span(start, sequence.span.end))
    }

    mutating func parseConditional() throws(ParseFailure) -> Statement {
        let start = token.start
        var branches: [ConditionalBranch] = []
        var otherwise: [Statement]?
        var end = start
        repeat {
            try advance()
            let condition = try parseExpression()
            end = max(end, condition.span.end)
            branches.append(ConditionalBranch(condition: condition, body: try parseBlock(after: "the condition")))
            guard try skipSeparators(toWord: "else") else { break }
            try advance()
            if !isWord("if") {
                otherwise = try parseBlock(after: "'else'")
                break
            }
        } while true
        return .conditional(branches: branches, otherwise: otherwise, span: Span(start, end))
    }

    mutating func parseAttempt() throws(ParseFailure) -> Statement {
        let start = token.span
        try advance()
        let body = try parseBlock(after: "'try'")
        guard try skipSeparators(toWord: "catch") else {
            throw failure("expected 'catch' after the 'try' block", at: token.span)
        }
        try advance()
        var errorName = ""
        if token.kind == .word {
            (errorName, _) = try parseName(after: "catch")
        }
        let handler = try parseBlock(after: "'catch'")
        return .attempt(body: body, errorName: errorName, handler: handler, span: start)
    }

    mutating func parseBlock(after construct: String) throws(ParseFailure) -> [Statement] {
        guard token.kind == .leftBrace else {
            throw failure("expected '{' after \(construct)", at: token.span)
        }
        let opening = token.span
        try enterNesting(at: opening)
        try advance()
        let statements = try parseStatements(closedBy: opening)
        try advance()
        depth -= 1
        return statements
    }

    mutating func parseCommand() throws(ParseFailure) -> CommandInvocation {
        let name = text(of: token)
        let nameSpan = token.span
        var arguments: [Argument] = []
        var end = nameSpan.end
        var optionsEnded = false
        try advance()
        while !endsCommand(token) {
            if !optionsEnded && token.kind == .word && startsOption(token) {
                if token.end - token.start == 2 {
                    optionsEnded = true
                    end = token.end
                    try advance()
                    continue
                }
                arguments.append(parseOption())
                end = token.end
                try advance()
                continue
            }
            let operand = try parseOperand()
            end = operand.span.end
            arguments.append(.value(operand))
        }
        return CommandInvocation(name: name, nameSpan: nameSpan, arguments: arguments, span: Span(nameSpan.start, end))
    }

    /// Reads `--name` or `--name=value` from the current word token.
    private func parseOption() -> Argument {
        let bytes = lexer.bytes
        var equals = token.start + 2
        while equals < token.end && bytes[equals] != UInt8(ascii: "=") {
            equals += 1
        }
        let name = string(token.start + 2, equals)
        guard equals < token.end else {
            return .option(name: name, attachedValue: nil, span: token.span)
        }
        let valueSpan = Span(equals + 1, token.end)
        let value = (try? literal(ofWord: valueSpan)) ?? .string(string(valueSpan.start, valueSpan.end))
        return .option(name: name, attachedValue: .literal(value, valueSpan), span: token.span)
    }

    // MARK: - Expressions

    /// Reads the right side of `let` or the inside of `( )`: a command when it starts
    /// with a bare word followed by arguments, otherwise an expression.
    mutating func parseCommandOrExpression() throws(ParseFailure) -> Expression {
        guard token.kind == .word, !isWord("not"), !isLiteralWord(token) else {
            return try parseExpression()
        }
        var lookahead = lexer
        let next = try Self.scan(&lookahead, source: source)
        if next.kind == .word && isOperatorWord(next) {
            return try parseExpression()
        }
        if endsCommand(next) {
            let word: Expression = isCommandName(token)
                ? .commandOrWord(text(of: token), token.span)
                : .literal(.string(text(of: token)), token.span)
            try advance()
            return word
        }
        return .command(try parseCommand())
    }

    mutating func parseExpression() throws(ParseFailure) -> Expression {
        var left = try parseAnd()
        while token.kind == .word && isWord("or") {
            try advance()
            let right = try parseAnd()
            left = .or(left, right, left.span.through(right.span))
        }
        return left
    }

    mutating func parseAnd() throws(ParseFailure) -> Expression {
        var left = try parseNot()
        while token.kind == .word && isWord("and") {
            try advance()
            let right = try parseNot()
            left = .and(left, right, left.span.through(right.span))
        }
        return left
    }

    mutating func parseNot() throws(ParseFailure) -> Expression {
        guard token.kind == .word && isWord("not") else {
            return try parseComparison()
        }
        let start = token.span
        try enterNesting(at: start)
        try advance()
        let operand = try parseNot()
        depth -= 1
        return .not(operand, start.through(operand.span))
    }

    mutating func parseComparison() throws(ParseFailure) -> Expression {
        let left = try parseOperand()
        guard token.kind == .word, let comparison = comparisonOperator(token) else {
            return left
        }
        try advance()
        let right = try parseOperand()
        return .comparison(comparison, left, right, left.span.through(right.span))
    }

    mutating func parseOperand() throws(ParseFailure) -> Expression {
        let start = token.span
        switch token.kind {
        case .word:
            let value = try literal(ofWord: start)
            try advance()
            return .literal(value, start)
        case .singleQuoted:
            let value = string(start.start + 1, start.end - 1)
            try advance()
            return .literal(.string(value), start)
        case .doubleQuoted:
            let value = try parseInterpolation(Span(start.start + 1, start.end - 1))
            try advance()
            return value
        case .variable:
            let variable = Expression.variable(string(start.start + 1, start.end), start)
            return try parseAccessors(of: variable)
        case .bracedVariable:
            let path = try parsePath(Span(start.start + 2, start.end - 1), whole: start)
            try advance()
            return path
        case .leftParenthesis:
            return try parseParenthesized()
        case .leftBracket:
            return try parseList()
        case .leftBrace:
            return try parseRecord()
        case .end:
            throw failure("expected a value at the end of the input", at: start)
        case .separator:
            throw failure("expected a value before the end of the line", at: start)
        case .rightParenthesis, .rightBracket, .rightBrace, .comma:
            throw failure("expected a value, found '\(text(of: token))'", at: start)
        }
    }

    mutating func parseParenthesized() throws(ParseFailure) -> Expression {
        let opening = token.span
        try enterNesting(at: opening)
        try advance()
        try skipSeparators()
        let inner = try parseCommandOrExpression()
        try skipSeparators()
        try expectClosing(.rightParenthesis, ")", opening: opening)
        depth -= 1
        let grouped: Expression
        if case .command(var invocation) = inner {
            invocation.span = Span(opening.start, token.end)
            grouped = .command(invocation)
        } else {
            grouped = inner
        }
        return try parseAccessors(of: grouped)
    }

    mutating func parseList() throws(ParseFailure) -> Expression {
        let opening = token.span
        try enterNesting(at: opening)
        try advance()
        var elements: [Expression] = []
        try skipSeparators()
        while token.kind != .rightBracket {
            if token.kind == .end {
                throw incomplete("expected ']' to close '['", at: opening)
            }
            elements.append(try parseExpression())
            try skipSeparators()
            if token.kind == .comma {
                try advance()
                try skipSeparators()
            } else if token.kind != .rightBracket {
                try expectClosing(.rightBracket, "]", opening: opening, orComma: true)
            }
        }
        depth -= 1
        let list = Expression.list(elements, Span(opening.start, token.end))
        return try parseAccessors(of: list)
    }

    mutating func parseRecord() throws(ParseFailure) -> Expression {
        let opening = token.span
        try enterNesting(at: opening)
        try advance()
        var fields: [(name: String, value: Expression)] = []
        var names: Set<String> = []
        try skipSeparators()
        while token.kind != .rightBrace {
            let nameSpan = token.span
            let name = try parseFieldName(opening: opening)
            guard names.insert(name).inserted else {
                throw failure("duplicate field '\(name)' in the record", at: nameSpan)
            }
            fields.append((name, try parseExpression()))
            try skipSeparators()
            if token.kind == .comma {
                try advance()
                try skipSeparators()
            } else if token.kind != .rightBrace {
                try expectClosing(.rightBrace, "}", opening: opening, orComma: true)
            }
        }
        depth -= 1
        let record = Expression.record(fields, Span(opening.start, token.end))
        return try parseAccessors(of: record)
    }

    /// Reads `name:`, `name :` or `"name":` and leaves the token on the value.
    mutating func parseFieldName(opening: Span) throws(ParseFailure) -> String {
        let name: String
        switch token.kind {
        case .word:
            let word = text(of: token)
            if word.utf8.count > 1 && word.utf8.last == UInt8(ascii: ":") {
                try advance()
                return String(word.dropLast())
            }
            name = word
        case .singleQuoted, .doubleQuoted:
            name = string(token.start + 1, token.end - 1)
        case .end:
            throw incomplete("expected '}' to close the record", at: opening)
        default:
            throw failure("expected a field name, found '\(text(of: token))'", at: token.span)
        }
        let nameSpan = token.span
        try advance()
        guard token.kind == .word && isWord(":") else {
            throw failure(
                "expected ':' after the field name '\(name)'", at: nameSpan,
                notes: ["write fields as {name: value}, with a space after ':'"])
        }
        try advance()
        return name
    }

    /// Reads `.field` and `[index]` written right after an operand, with no space between.
    mutating func parseAccessors(of base: Expression) throws(ParseFailure) -> Expression {
        var accessors: [Accessor] = []
        let bytes = lexer.bytes
        while lexer.position < bytes.count {
            let byte = bytes[lexer.position]
            if byte == UInt8(ascii: "."), lexer.position + 1 < bytes.count,
                Lexer.isNameStart(bytes[lexer.position + 1])
            {
                let start = lexer.position + 1
                var end = start
                while end < bytes.count && Lexer.isNameCharacter(bytes[end]) {
                    end += 1
                }
                accessors.append(.field(string(start, end), Span(start - 1, end)))
                lexer.position = end
            } else if byte == UInt8(ascii: "[") {
                let opening = Span(lexer.position, lexer.position + 1)
                try enterNesting(at: opening)
                lexer.position += 1
                try advance()
                let index = try parseExpression()
                try expectClosing(.rightBracket, "]", opening: opening)
                depth -= 1
                accessors.append(.index(index, Span(opening.start, token.end)))
            } else {
                break
            }
        }
        let end = max(token.end, lexer.position)
        try advance()
        guard !accessors.isEmpty else { return base }
        return .access(base, accessors, Span(base.span.start, end))
    }

    // MARK: - Tokens

    mutating func advance() throws(ParseFailure) {
        token = try Self.scan(&lexer, source: source)
    }

    static func scan(_ lexer: inout Lexer, source: SourceFile) throws(ParseFailure) -> Token {
        do {
            return try lexer.next()
        } catch {
            switch error {
            case .unterminatedString(let start, let quote):
                throw ParseFailure(
                    diagnostic: source.diagnostic(
                        .unterminatedString, "unterminated string: no closing \(quote)",
                        at: Span(start, start + 1)),
                    incomplete: true)
            case .unterminatedBrace(let start):
                throw ParseFailure(
                    diagnostic: source.diagnostic(
                        .unclosedBracket, "expected '}' to close '${'", at: Span(start, start + 2)),
                    incomplete: true)
            case .continuationAtEnd(let start):
                throw ParseFailure(
                    diagnostic: source.diagnostic(
                        .unclosedBracket, "expected a line after the '\\' line continuation",
                        at: Span(max(0, start - 1), start)),
                    incomplete: true)
            case .invalidVariable(let start, let end):
                throw ParseFailure(
                    diagnostic: source.diagnostic(
                        .unexpectedToken, "expected a variable name after '$'",
                        at: Span(start, end),
                        notes: ["names start with a letter or '_'; write '\\$' in a double-quoted string for a dollar sign"]),
                    incomplete: false)
            }
        }
    }

    mutating func skipSeparators() throws(ParseFailure) {
        while token.kind == .separator {
            try advance()
        }
    }

    /// Skips line breaks when `word` follows them; otherwise leaves the position as it was.
    mutating func skipSeparators(toWord word: StaticString) throws(ParseFailure) -> Bool {
        let savedLexer = lexer
        let savedToken = token
        try skipSeparators()
        if token.kind == .word && isWord(word) {
            return true
        }
        lexer = savedLexer
        token = savedToken
        return false
    }

    mutating func expectEndOfStatement() throws(ParseFailure) {
        switch token.kind {
        case .separator, .end, .rightBrace:
            return
        default:
            throw failure("expected the end of the statement, found '\(text(of: token))'", at: token.span,
                          notes: ["separate statements with a line break or ';'"])
        }
    }

    mutating func expectClosing(
        _ kind: Token.Kind, _ symbol: String, opening: Span, orComma: Bool = false
    ) throws(ParseFailure) {
        if token.kind == kind { return }
        if token.kind == .end {
            throw incomplete("expected '\(symbol)' to close '\(text(of: opening))'", at: opening)
        }
        let expected = orComma ? "',' or '\(symbol)'" : "'\(symbol)'"
        throw failure("expected \(expected), found '\(text(of: token))'", at: token.span)
    }

    mutating func parseName(after keyword: String) throws(ParseFailure) -> (String, Span) {
        guard token.kind == .word, isName(token) else {
            throw failure(
                "expected a variable name after '\(keyword)', found '\(text(of: token))'", at: token.span,
                notes: ["names start with a letter or '_' and contain letters, digits and '_'"])
        }
        let name = text(of: token)
        let span = token.span
        try advance()
        return (name, span)
    }

    mutating func enterNesting(at span: Span) throws(ParseFailure) {
        depth += 1
        if depth > Self.maximumDepth {
            throw failure("nesting is deeper than \(Self.maximumDepth) levels", at: span, id: .nestingTooDeep)
        }
    }

    /// Skips the failing statement from its first token to the line break or `;` that ends
    /// it, counting brackets so that separators inside them do not count. Stops before the
    /// `}` that closes the enclosing block, and skips stray closing brackets.
    mutating func resynchronize(insideBlock: Bool) {
        var level = 0
        while true {
            switch token.kind {
            case .end:
                return
            case .separator where level == 0:
                return
            case .rightBrace where level == 0:
                if insideBlock { return }
            case .rightParenthesis where level == 0, .rightBracket where level == 0:
                break
            case .rightBrace, .rightParenthesis, .rightBracket:
                level -= 1
            case .leftBrace, .leftParenthesis, .leftBracket:
                level += 1
            default:
                break
            }
            do {
                token = try lexer.next()
            } catch {
                if case .invalidVariable = error { continue }
                token = Token(kind: .end, start: lexer.bytes.count, end: lexer.bytes.count)
            }
        }
    }
}

/// A statement that could not be parsed.
struct ParseFailure: Error {
    var diagnostic: Diagnostic
    /// Whether the input ended inside an open construct.
    var incomplete: Bool
}
