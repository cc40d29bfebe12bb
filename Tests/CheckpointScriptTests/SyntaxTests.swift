import Testing

@testable import CheckpointScript

@Suite struct LexerTests {
    func kinds(_ source: String) throws -> [Token.Kind] {
        let bytes = Array(source.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            var lexer = Lexer(bytes: buffer)
            var kinds: [Token.Kind] = []
            while true {
                let token = try lexer.next()
                kinds.append(token.kind)
                if token.kind == .end { return kinds }
            }
        }
    }

    func words(_ source: String) throws -> [String] {
        let bytes = Array(source.utf8)
        return try bytes.withUnsafeBufferPointer { buffer in
            var lexer = Lexer(bytes: buffer)
            var words: [String] = []
            while true {
                let token = try lexer.next()
                if token.kind == .end { return words }
                words.append(String(decoding: bytes[token.start..<token.end], as: UTF8.self))
            }
        }
    }

    @Test func splitsACommandLine() throws {
        #expect(try kinds("permissions.list $ckpt --limit 20; print \"a\" 'b' (x) [y, z] {k: v}\n") == [
            .word, .variable, .word, .word, .separator, .word, .doubleQuoted, .singleQuoted,
            .leftParenthesis, .word, .rightParenthesis, .leftBracket, .word, .comma, .word, .rightBracket,
            .leftBrace, .word, .word, .rightBrace, .separator, .end,
        ])
    }

    @Test func bareWordsKeepColonsHashesAndQuotes() throws {
        #expect(try words("ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd proj_#1 it's a$b") == [
            "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd", "proj_#1", "it's", "a$b",
        ])
    }

    @Test func commentsRunToTheEndOfTheLine() throws {
        #expect(try words("a # it's \"open\nb") == ["a", "\n", "b"])
    }

    @Test func unterminatedQuotePointsAtTheQuote() {
        #expect(throws: LexerError.unterminatedString(at: 6, quote: "\"")) { try kinds("print \"abc") }
        #expect(throws: LexerError.unterminatedString(at: 2, quote: "'")) { try kinds("a 'abc") }
    }

    @Test func dollarNeedsAName() {
        #expect(throws: LexerError.invalidVariable(at: 0, end: 2)) { try kinds("$1") }
    }

    @Test func megabyteWordIsOneToken() throws {
        let long = String(repeating: "x", count: 1 << 20)
        #expect(try words("print \(long)").last?.utf8.count == 1 << 20)
    }
}

@Suite struct ParserTests {
    func statements(_ source: String) throws -> [Statement] {
        try parse(source).get().statements
    }

    @Test func letWithWordsIsACommand() throws {
        let parsed = try statements("let page = permissions.list $ckpt --limit 20")
        guard case .binding(let name, _, .command(let invocation), _) = parsed.first else {
            Issue.record("expected a binding of a command, got \(parsed)")
            return
        }
        #expect(name == "page")
        #expect(invocation.name == "permissions.list")
        #expect(invocation.arguments.count == 3)
    }

    @Test func letWithOneIDIsAString() throws {
        let parsed = try statements("let ckpt = ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd")
        guard case .binding(_, _, .literal(.string(let value), _), _) = parsed.first else {
            Issue.record("expected a string literal, got \(parsed)")
            return
        }
        #expect(value == "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd")
    }

    @Test func optionWithAttachedValue() throws {
        let parsed = try statements("permissions.list x --limit=20 -- --all")
        guard case .command(let invocation) = parsed.first else {
            Issue.record("expected a command")
            return
        }
        guard case .option("limit", .literal(.integer(20), _)?, _) = invocation.arguments[1] else {
            Issue.record("expected --limit=20, got \(invocation.arguments[1])")
            return
        }
        guard case .value(.literal(.string("--all"), _)) = invocation.arguments[2] else {
            Issue.record("expected '--all' after '--' to be a plain word, got \(invocation.arguments[2])")
            return
        }
    }

    @Test func statementsEndAtLineBreaksAndSemicolons() throws {
        #expect(try statements("print a; print b\n\nprint c;").count == 3)
    }

    @Test func elseAndCatchMayStartANewLine() throws {
        #expect(try statements("if true {\n}\nelse {\n}\ntry {\n}\ncatch e {\n}").count == 2)
    }

    @Test func spansCoverTheWholeCommand() throws {
        guard case .command(let invocation) = try statements("  print a  $b ").first else {
            Issue.record("expected a command")
            return
        }
        #expect(invocation.span == Span(2, 13))
        #expect(invocation.nameSpan == Span(2, 7))
    }
}
