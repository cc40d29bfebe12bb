/// Words, literals, strings and `${…}` paths.
extension Parser {
    func string(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: lexer.bytes[start..<end]), as: UTF8.self)
    }

    func text(of token: Token) -> String {
        token.kind == .end ? "end of input" : token.kind == .separator && lexer.bytes[token.start] == 10
            ? "line break" : string(token.start, token.end)
    }

    func text(of span: Span) -> String {
        string(span.start, span.end)
    }

    /// Returns whether the current token is the bare word `word`, compared byte by byte.
    func isWord(_ word: StaticString) -> Bool {
        isWord(token, word)
    }

    func isWord(_ token: Token, _ word: StaticString) -> Bool {
        guard token.kind == .word, token.end - token.start == word.utf8CodeUnitCount else { return false }
        let expected = word.utf8Start
        for index in 0..<word.utf8CodeUnitCount where lexer.bytes[token.start + index] != expected[index] {
            return false
        }
        return true
    }

    func isLiteralWord(_ token: Token) -> Bool {
        isWord(token, "true") || isWord(token, "false") || isWord(token, "null") || isIntegerWord(token.span)
    }

    func isOperatorWord(_ token: Token) -> Bool {
        isWord(token, "and") || isWord(token, "or") || comparisonOperator(token) != nil
    }

    func comparisonOperator(_ token: Token) -> ComparisonOperator? {
        guard token.end - token.start <= 2 else { return nil }
        return ComparisonOperator.allCases.first { isWord(token, $0.staticText) }
    }

    func isName(_ token: Token) -> Bool {
        guard Lexer.isNameStart(lexer.bytes[token.start]) else { return false }
        for index in token.start..<token.end where !Lexer.isNameCharacter(lexer.bytes[index]) {
            return false
        }
        return true
    }

    /// Returns whether a word has the shape of a command name: a letter or `_`, then letters,
    /// digits, `_`, `-` and `.`. Other words, such as checkpoint IDs with colons, are
    /// never looked up as commands.
    func isCommandName(_ token: Token) -> Bool {
        CommandDeclaration.isValidName(lexer.bytes[token.start..<token.end])
    }

    func startsOption(_ token: Token) -> Bool {
        token.end - token.start >= 2 && lexer.bytes[token.start] == UInt8(ascii: "-")
            && lexer.bytes[token.start + 1] == UInt8(ascii: "-")
    }

    func endsCommand(_ token: Token) -> Bool {
        switch token.kind {
        case .separator, .end, .rightParenthesis, .rightBrace, .rightBracket: true
        default: false
        }
    }

    func isIntegerWord(_ span: Span) -> Bool {
        var index = span.start
        if index < span.end && lexer.bytes[index] == UInt8(ascii: "-") { index += 1 }
        guard index < span.end else { return false }
        while index < span.end {
            let byte = lexer.bytes[index]
            guard byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") else { return false }
            index += 1
        }
        return true
    }

    /// Returns the value of a bare word: `true`, `false`, `null`, a decimal integer or a string.
    /// Leading zeros do not make an integer octal.
    func literal(ofWord span: Span) throws(ParseFailure) -> Value {
        let token = Token(kind: .word, start: span.start, end: span.end)
        if isWord(token, "true") { return .boolean(true) }
        if isWord(token, "false") { return .boolean(false) }
        if isWord(token, "null") { return .null }
        guard isIntegerWord(span) else { return .string(string(span.start, span.end)) }
        let negative = lexer.bytes[span.start] == UInt8(ascii: "-")
        var value = 0
        for index in (negative ? span.start + 1 : span.start)..<span.end {
            let digit = Int(lexer.bytes[index] - UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative
                ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflowA || overflowB {
                throw failure(
                    "integer '\(string(span.start, span.end))' is out of range", at: span, id: .integerOverflow,
                    notes: ["integers range from \(Int.min) to \(Int.max); quote the word to keep it as a string"])
            }
            value = next
        }
        return .integer(value)
    }

    // MARK: - Double-quoted strings

    /// Reads the inside of a double-quoted string: escapes and `$name.field` or `${path}`
    /// interpolation.
    func parseInterpolation(_ content: Span) throws(ParseFailure) -> Expression {
        let bytes = lexer.bytes
        let whole = Span(content.start - 1, content.end + 1)
        var parts: [StringPart] = []
        var text: [UInt8] = []
        var index = content.start
        while index < content.end {
            let byte = bytes[index]
            let runStart = index
            while index < content.end && bytes[index] != UInt8(ascii: "\\") && bytes[index] != UInt8(ascii: "$") {
                index += 1
            }
            if runStart == content.start && index == content.end {
                return .literal(.string(string(runStart, index)), whole)
            }
            if index > runStart {
                text.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
                continue
            }
            if byte == UInt8(ascii: "\\") {
                index = try parseEscape(at: index, end: content.end, into: &text)
            } else if byte == UInt8(ascii: "$") {
                if !text.isEmpty {
                    parts.append(.text(String(decoding: text, as: UTF8.self)))
                    text.removeAll(keepingCapacity: true)
                }
                let (expression, next) = try parseInterpolatedVariable(at: index, end: content.end)
                parts.append(.expression(expression))
                index = next
            }
        }
        if parts.isEmpty {
            return .literal(.string(String(decoding: text, as: UTF8.self)), whole)
        }
        if !text.isEmpty {
            parts.append(.text(String(decoding: text, as: UTF8.self)))
        }
        return .interpolated(parts, whole)
    }

    /// Appends the character of the escape at `index` and returns the offset after it.
    private func parseEscape(at index: Int, end: Int, into text: inout [UInt8]) throws(ParseFailure) -> Int {
        let bytes = lexer.bytes
        guard index + 1 < end else {
            throw failure("unfinished escape '\\' at the end of the string", at: Span(index, index + 1), id: .invalidEscape)
        }
        let replacement: UInt8
        switch bytes[index + 1] {
        case UInt8(ascii: "n"): replacement = 10
        case UInt8(ascii: "t"): replacement = 9
        case UInt8(ascii: "r"): replacement = 13
        case UInt8(ascii: "0"): replacement = 0
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "$"), UInt8(ascii: "'"):
            replacement = bytes[index + 1]
        case UInt8(ascii: "\n"):
            return index + 2
        case UInt8(ascii: "u"):
            return try parseUnicodeEscape(at: index, end: end, into: &text)
        default:
            let escape = string(index, min(end, index + 2))
            throw failure(
                "invalid escape '\(escape)' in a string", at: Span(index, index + 2), id: .invalidEscape,
                notes: ["valid escapes are \\n \\t \\r \\0 \\\" \\\\ \\$ \\' and \\u{1F600}"])
        }
        text.append(replacement)
        return index + 2
    }

    private func parseUnicodeEscape(at index: Int, end: Int, into text: inout [UInt8]) throws(ParseFailure) -> Int {
        let bytes = lexer.bytes
        var cursor = index + 2
        guard cursor < end, bytes[cursor] == UInt8(ascii: "{") else {
            throw failure("expected '{' after '\\u', as in \\u{1F600}", at: Span(index, min(end, index + 3)), id: .invalidEscape)
        }
        cursor += 1
        var scalarValue: UInt32 = 0
        var digits = 0
        while cursor < end, bytes[cursor] != UInt8(ascii: "}") {
            guard let digit = Self.hexDigit(bytes[cursor]), digits < 8 else {
                throw failure("invalid Unicode escape '\(string(index, min(end, cursor + 1)))'",
                              at: Span(index, min(end, cursor + 1)), id: .invalidEscape,
                              notes: ["write 1 to 8 hexadecimal digits between the braces, as in \\u{E9}"])
            }
            scalarValue = scalarValue &* 16 &+ UInt32(digit)
            digits += 1
            cursor += 1
        }
        guard cursor < end, digits > 0, let scalar = Unicode.Scalar(scalarValue) else {
            throw failure("invalid Unicode escape '\(string(index, min(end, cursor + 1)))'",
                          at: Span(index, min(end, cursor + 1)), id: .invalidEscape,
                          notes: ["write a Unicode scalar value in hexadecimal, as in \\u{E9}; surrogates are not scalars"])
        }
        text.append(contentsOf: String(Character(scalar)).utf8)
        return cursor + 1
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Reads `$name.field…` or `${path}` inside a string; returns the expression and the
    /// offset after it.
    private func parseInterpolatedVariable(at index: Int, end: Int) throws(ParseFailure) -> (Expression, Int) {
        let bytes = lexer.bytes
        if index + 1 < end && bytes[index + 1] == UInt8(ascii: "{") {
            var close = index + 2
            while close < end && bytes[close] != UInt8(ascii: "}") {
                close += 1
            }
            guard close < end else {
                throw failure("expected '}' to close '${' in the string", at: Span(index, index + 2), id: .unclosedBracket)
            }
            return (try parsePath(Span(index + 2, close), whole: Span(index, close + 1)), close + 1)
        }
        guard index + 1 < end, Lexer.isNameStart(bytes[index + 1]) else {
            throw failure(
                "expected a variable name after '$' in the string", at: Span(index, index + 1),
                notes: ["write '\\$' for a dollar sign"])
        }
        var cursor = index + 1
        while cursor < end && Lexer.isNameCharacter(bytes[cursor]) {
            cursor += 1
        }
        let variable = Expression.variable(string(index + 1, cursor), Span(index, cursor))
        var accessors: [Accessor] = []
        while cursor + 1 < end && bytes[cursor] == UInt8(ascii: ".") && Lexer.isNameStart(bytes[cursor + 1]) {
            let start = cursor + 1
            cursor = start
            while cursor < end && Lexer.isNameCharacter(bytes[cursor]) {
                cursor += 1
            }
            accessors.append(.field(string(start, cursor), Span(start - 1, cursor)))
        }
        if accessors.isEmpty { return (variable, cursor) }
        return (.access(variable, accessors, Span(index, cursor)), cursor)
    }

    /// Reads the path inside `${…}`: `name`, then `.field`, `[integer]` or `[$name]`.
    func parsePath(_ content: Span, whole: Span) throws(ParseFailure) -> Expression {
        let bytes = lexer.bytes
        var cursor = content.start
        func invalid() -> ParseFailure {
            failure(
                "invalid variable path '\(string(whole.start, whole.end))'", at: whole,
                notes: ["write a path such as ${page.data[0].id} or ${list[$i]}"])
        }
        func name() -> Span? {
            guard cursor < content.end, Lexer.isNameStart(bytes[cursor]) else { return nil }
            let start = cursor
            while cursor < content.end && Lexer.isNameCharacter(bytes[cursor]) {
                cursor += 1
            }
            return Span(start, cursor)
        }
        guard let root = name() else { throw invalid() }
        let variable = Expression.variable(string(root.start, root.end), Span(whole.start, root.end))
        var accessors: [Accessor] = []
        while cursor < content.end {
            let start = cursor
            if bytes[cursor] == UInt8(ascii: ".") {
                cursor += 1
                guard let field = name() else { throw invalid() }
                accessors.append(.field(string(field.start, field.end), Span(start, field.end)))
            } else if bytes[cursor] == UInt8(ascii: "[") {
                cursor += 1
                let indexStart = cursor
                while cursor < content.end && bytes[cursor] != UInt8(ascii: "]") {
                    cursor += 1
                }
                guard cursor < content.end else { throw invalid() }
                let indexSpan = Span(indexStart, cursor)
                cursor += 1
                let index: Expression
                if indexSpan.end > indexSpan.start && bytes[indexSpan.start] == UInt8(ascii: "$") {
                    let variableName = Span(indexSpan.start + 1, indexSpan.end)
                    let nameToken = Token(kind: .word, start: variableName.start, end: variableName.end)
                    guard variableName.end > variableName.start, isName(nameToken) else { throw invalid() }
                    index = .variable(string(variableName.start, variableName.end), indexSpan)
                } else if isIntegerWord(indexSpan) {
                    index = .literal(try literal(ofWord: indexSpan), indexSpan)
                } else {
                    throw invalid()
                }
                accessors.append(.index(index, Span(start, cursor)))
            } else {
                throw invalid()
            }
        }
        if accessors.isEmpty { return variable }
        return .access(variable, accessors, whole)
    }

    // MARK: - Errors

    func failure(
        _ message: String, at span: Span, id: DiagnosticID = .unexpectedToken, notes: [String] = []
    ) -> ParseFailure {
        ParseFailure(diagnostic: source.diagnostic(id, message, at: span, notes: notes), incomplete: false)
    }

    func incomplete(_ message: String, at span: Span) -> ParseFailure {
        ParseFailure(diagnostic: source.diagnostic(.unclosedBracket, message, at: span), incomplete: true)
    }

    mutating func record(_ failure: ParseFailure) {
        diagnostics.append(failure.diagnostic)
    }
}

extension ComparisonOperator {
    var staticText: StaticString {
        switch self {
        case .equal: "=="
        case .notEqual: "!="
        case .less: "<"
        case .lessOrEqual: "<="
        case .greater: ">"
        case .greaterOrEqual: ">="
        }
    }
}

/// Finds the first byte that is not part of well-formed UTF-8.
enum UTF8Validation {
    static func firstInvalidOffset(in bytes: [UInt8]) -> Int? {
        var index = 0
        let count = bytes.count
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                index = skipASCII(bytes, from: index)
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: length = 3; low = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: length = 3; high = 0x9F
            case 0xF0: length = 4; low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4: length = 4; high = 0x8F
            default: return index
            }
            guard index + length <= count else { return index }
            let second = bytes[index + 1]
            guard second >= low && second <= high else { return index }
            for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 {
                return index
            }
            index += length
        }
        return nil
    }

    /// Skips eight bytes at a time while none has its high bit set.
    private static func skipASCII(_ bytes: [UInt8], from start: Int) -> Int {
        bytes.withUnsafeBytes { raw in
            var index = start
            while index + 8 <= raw.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                if word & 0x8080_8080_8080_8080 != 0 { break }
                index += 8
            }
            return index
        }
    }
}
