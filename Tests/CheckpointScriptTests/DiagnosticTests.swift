import Testing

@testable import CheckpointScript

@Suite struct DiagnosticTests {
    func rendered(_ source: String, name: String = "greet.ckpt") async -> String {
        let (interpreter, _) = makeInterpreter()
        do {
            try await interpreter.evaluate(source, sourceName: name)
            return "no error"
        } catch {
            let text = DiagnosticRenderer().render(error.diagnostics)
            return text
        }
    }

    @Test func unknownCommandSuggestsAClosName() async {
        #expect(await rendered("let x = 1\n  pritn \"hello\"") == """
            greet.ckpt:2:3: error: unknown command 'pritn'
              pritn "hello"
              ^~~~~
            note: did you mean 'print'?
            note: quote the word to use it as a string: 'pritn'

            """)
    }

    @Test func undefinedVariableSuggestsAClosName() async {
        #expect(await rendered("let checkpoint = a\nprint $checkpont") == """
            greet.ckpt:2:7: error: undefined variable '$checkpont'
            print $checkpont
                  ^~~~~~~~~~
            note: did you mean '$checkpoint'?

            """)
    }

    @Test func unterminatedStringIsIncomplete() async {
        let error = await failure(of: "print \"abc")
        guard case .incomplete(let diagnostic)? = error else {
            Issue.record("expected incomplete input, got \(String(describing: error))")
            return
        }
        #expect(diagnostic.id == .unterminatedString)
        #expect(diagnostic.range.start == SourceLocation(line: 1, column: 7, offset: 6))
    }

    @Test(arguments: ["print \"abc", "print 'a", "let x = [1,", "if true {", "let r = {a: 1", "print (len", "print a \\", "print \"${a"])
    func openConstructsNeedContinuation(source: String) {
        #expect(Interpreter.needsContinuation(source))
    }

    @Test(arguments: ["print a", "# it's fine", "print ]", "let x = ", "print 'a' # \"", "if true { }"])
    func completeInputNeedsNoContinuation(source: String) {
        #expect(!Interpreter.needsContinuation(source))
    }

    @Test func syntaxErrorsAreReportedOncePerStatement() async {
        let error = await failure(of: "print )\nprint ok\nlet = 3\nprint ]")
        guard case .syntax(let diagnostics)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(diagnostics.map(\.range.start.line) == [1, 3, 4])
        #expect(diagnostics.map(\.id) == [.unexpectedToken, .unexpectedToken, .unexpectedToken])
    }

    @Test func syntaxErrorRunsNothing() async {
        let (interpreter, sink) = makeInterpreter()
        await #expect(throws: ScriptError.self) { try await interpreter.evaluate("print first\nprint )") }
        #expect(sink.output == "")
    }

    @Test func integerOverflowIsAnError() async {
        let error = await failure(of: "let x = 9223372036854775808")
        #expect(error?.diagnostics.first?.id == .integerOverflow)
        #expect(error?.diagnostics.first?.message == "integer '9223372036854775808' is out of range")
    }

    @Test func deepNestingIsAnErrorNotACrash() async {
        let source = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let error = await failure(of: "let x = " + source)
        #expect(error?.diagnostics.first?.id == .nestingTooDeep)
        let blocks = String(repeating: "if true { ", count: 500) + String(repeating: "} ", count: 500)
        #expect(await failure(of: blocks)?.diagnostics.first?.id == .nestingTooDeep)
    }

    @Test func invalidUTF8PointsAtTheByte() throws {
        let file = SourceFile(name: "bad.ckpt", bytes: Array("print ok\nprint a".utf8) + [0xC3, 0x28])
        #expect(throws: ScriptError.self) { try Parser.parse(file) }
        do {
            _ = try Parser.parse(file)
        } catch {
            let diagnostic = error.diagnostics.first
            #expect(diagnostic?.id == .invalidUTF8)
            #expect(diagnostic?.range.start.line == 2)
            #expect(diagnostic?.range.start.column == 8)
        }
    }

    @Test func runtimeErrorPointsAtTheCommand() async {
        #expect(await rendered("len 1 2", name: "x.ckpt") == """
            x.ckpt:1:7: error: too many arguments for 'len': expected 1 argument, got 2
            len 1 2
                  ^
            note: usage: len VALUE

            """)
    }

    @Test func colorsAreOffByDefaultAndOptional() async {
        let (interpreter, _) = makeInterpreter()
        do {
            try await interpreter.evaluate("nope")
        } catch {
            let colored = DiagnosticRenderer(colors: true).render(error.diagnostics[0])
            #expect(colored.contains("\u{1B}[1;31merror: \u{1B}[0m"))
            #expect(!DiagnosticRenderer().render(error.diagnostics[0]).contains("\u{1B}"))
        }
    }

    @Test func megabyteLineIsCutAroundTheColumn() async {
        let long = String(repeating: "a", count: 1_000_000)
        let error = await failure(of: "print \(long) $nope")
        let text = DiagnosticRenderer().render(error?.diagnostics ?? [])
        #expect(text.hasPrefix("<input>:1:1000008: error: undefined variable '$nope'\n"))
        #expect(text.utf8.count < 1000)
    }
}

extension DiagnosticTests {
    @Test func rendererReadsSourceOnlyWithoutAStoredLine() {
        let start = SourceLocation(line: 2, column: 3, offset: 8)
        let end = SourceLocation(line: 2, column: 6, offset: 11)
        var diagnostic = Diagnostic(
            id: .unknownCommand, message: "unknown command 'abc'", sourceName: "host",
            range: SourceRange(start: start, end: end))
        #expect(DiagnosticRenderer().render(diagnostic, source: "let x =\n  abc\n")
            == "host:2:3: error: unknown command 'abc'\n  abc\n  ^~~\n")
        #expect(DiagnosticRenderer().render(diagnostic) == "host:2:3: error: unknown command 'abc'\n")
        diagnostic.sourceLine = "  abc stored"
        #expect(DiagnosticRenderer().render(diagnostic, source: "other\ntext")
            == "host:2:3: error: unknown command 'abc'\n  abc stored\n  ^~~\n")
    }
}

extension DiagnosticTests {
    @Test func resynchronizingSkipsBracketsOfTheFailingStatement() async {
        let error = await failure(of: "let x = [1,\n  2 3]\nprint ok\nif true {\n  print (a b\n  )) \n}\nprint )")
        guard case .syntax(let diagnostics)? = error else {
            Issue.record("expected a syntax error, got \(String(describing: error))")
            return
        }
        #expect(diagnostics.map(\.range.start.line) == [2, 6, 8])
    }
}
