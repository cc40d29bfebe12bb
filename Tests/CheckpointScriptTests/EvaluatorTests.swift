import CheckpointAPI
import Synchronization
import Testing

@testable import CheckpointScript

@Suite struct EvaluatorTests {
    @Test func letBindsSilently() async {
        let (interpreter, sink) = makeInterpreter()
        let result = try? await interpreter.evaluate("let ckpt = ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd")
        #expect(sink.output == "")
        #expect(result == .string("ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"))
        #expect(interpreter.value(of: "ckpt") == .string("ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"))
    }

    @Test func printJoinsArgumentsWithSpaces() async {
        #expect(await output(of: "let x = 5; print a $x \"b c\" [1, 2] {k: v} null true") == "a 5 b c [1,2] {\"k\":\"v\"} null true\n")
    }

    @Test(arguments: [
        ("08", Value.integer(8)),
        ("-12", .integer(-12)),
        ("true", .boolean(true)),
        ("false", .boolean(false)),
        ("null", .null),
        ("proj_#1", .string("proj_#1")),
        ("'raw $x \\n'", .string("raw $x \\n")),
        ("\"tab\\tnew\\nline \\u{E9} \\$ \\\\ \\\"\"", .string("tab\tnew\nline é $ \\ \"")),
        ("[a, 1, [true]]", .list([.string("a"), .integer(1), .list([.boolean(true)])])),
        ("{id: cp_1, \"n\": 2}", .record(["id": .string("cp_1"), "n": .integer(2)])),
        ("[\n  a,\n  b,\n]", .list([.string("a"), .string("b")])),
    ])
    func literalValues(source: String, expected: Value) async throws {
        let (interpreter, _) = makeInterpreter()
        #expect(try await interpreter.evaluate("let v = \(source)") == expected)
    }

    @Test func interpolationReadsPathsAndFields() async {
        let source = """
            let page = {data: [{id: cp_1}, {id: cp_2}], has_more: false}
            let err = {message: boom}
            print "first: ${page.data[0].id}, last: ${page.data[-1].id}, more: $page.has_more, $err.message."
            """
        #expect(await output(of: source) == "first: cp_1, last: cp_2, more: false, boom.\n")
    }

    @Test func accessChainsOnVariablesAndCommands() async throws {
        let (interpreter, _) = makeInterpreter()
        try await interpreter.evaluate("let r = {a: [10, {b: x}]}; let i = 1")
        #expect(try await interpreter.evaluate("let v = $r.a[1].b") == .string("x"))
        #expect(try await interpreter.evaluate("let v = $r.a[$i].b") == .string("x"))
        #expect(try await interpreter.evaluate("let v = $r[\"a\"][0]") == .integer(10))
        #expect(try await interpreter.evaluate("let v = (len $r.a)") == .integer(2))
        #expect(try await interpreter.evaluate("let v = (vars).i") == .integer(1))
    }

    @Test func lastResultHoldsThePreviousCommandsValue() async throws {
        let (interpreter, sink) = makeInterpreter()
        try await interpreter.evaluate("len [1, 2, 3]\nlet n = $_")
        #expect(interpreter.value(of: "n") == .integer(3))
        #expect(sink.output == "3\n")
    }

    @Test func comparisonsAndLogic() async throws {
        let (interpreter, _) = makeInterpreter()
        let cases: [(String, Bool)] = [
            ("1 < 2", true), ("2 <= 2", true), ("3 > 4", false), ("b >= a", true),
            ("a == a", true), ("a != a", false), ("1 == \"1\"", false),
            ("[1, 2] == [1, 2]", true), ("not true", false), ("true and false", false),
            ("false or true", true), ("not (1 == 2) and 3 > 2", true),
        ]
        for (source, expected) in cases {
            #expect(try await interpreter.evaluate("let v = \(source)") == .boolean(expected), "\(source)")
        }
    }

    @Test func ifElseChoosesTheFirstTrueBranch() async {
        let source = """
            for n in [1, 2, 3] {
                if $n == 1 { print one } else if $n == 2 {
                    print two
                }
                else { print many }
            }
            """
        #expect(await output(of: source) == "one\ntwo\nmany\n")
    }

    @Test func forIteratesOverAPagesData() async {
        let source = """
            let page = {object: list, data: [{id: a}, {id: b}], has_more: false}
            for p in $page { print $p.id }
            """
        #expect(await output(of: source) == "a\nb\n")
    }

    @Test func tryCatchBindsTheErrorRecord() async throws {
        let (interpreter, sink) = makeInterpreter()
        try await interpreter.evaluate("try { print $missing } catch e { print \"caught: $e.message\" }")
        #expect(sink.output == "caught: undefined variable '$missing'\n")
        #expect(interpreter.value(of: "e") == .record([
            "message": .string("undefined variable '$missing'"), "status": .null, "type": .null,
            "code": .null, "param": .null, "request_id": .null,
        ]))
    }

    @Test func tryCatchCarriesAPIErrorFields() async throws {
        let (interpreter, _) = makeInterpreter()
        try await interpreter.evaluate("try { permissions.list ft:x } catch e { }")
        #expect(interpreter.value(of: "e") == .record([
            "message": .string("no API in this test"), "status": .integer(500), "type": .string("server_error"),
            "code": .null, "param": .null, "request_id": .string("req_test"),
        ]))
    }

    @Test func commentsStartOnlyAtAWord() async {
        let source = """
            # it's a comment with an apostrophe
            print proj_#1 # and 'this' too
            print "# not a comment"
            """
        #expect(await output(of: source) == "proj_#1\n# not a comment\n")
    }

    @Test func loneWordIsACommandOnlyWhenOneExists() async throws {
        let (interpreter, _) = makeInterpreter()
        #expect(try await interpreter.evaluate("let a = hello") == .string("hello"))
        #expect(try await interpreter.evaluate("let b = (format)") == .string("table"))
    }

    @Test func exitStopsWithItsStatus() async {
        let (interpreter, sink) = makeInterpreter()
        await #expect(throws: ScriptError.exit(status: 3)) {
            try await interpreter.evaluate("print before; exit 3; print after")
        }
        #expect(sink.output == "before\n")
    }

    @Test func formatChangesTheOutputFormat() async {
        #expect(await output(of: "format json\n[1, a]\nformat csv\nformat") == "[1,\"a\"]\ncsv\r\n")
    }

    @Test func argumentsAreVisibleAsArgs() async throws {
        let (interpreter, _) = makeInterpreter()
        interpreter.arguments = ["one", "two"]
        #expect(try await interpreter.evaluate("let v = $args[1]") == .string("two"))
        #expect(try await interpreter.evaluate("let v = len $args") == .integer(2))
    }

    @Test func lineContinuationJoinsLines() async {
        #expect(await output(of: "print a \\\n  b") == "a b\n")
    }
}

extension EvaluatorTests {
    @Test func commandsInsideExpressionsRunOnce() async throws {
        let (interpreter, _) = makeInterpreter()
        let calls = Mutex(0)
        interpreter.register("tick") { _ in
            calls.withLock { $0 += 1 }
            return .boolean(true)
        }
        interpreter.define("a", .integer(1))
        #expect(try await interpreter.evaluate("let v = [$a, {t: (tick)}, \"$a\"]")
            == .list([.integer(1), .record(["t": .boolean(true)]), .string("1")]))
        #expect(calls.withLock { $0 } == 1)
        #expect(try await interpreter.evaluate("let v = false and (tick)") == .boolean(false))
        #expect(calls.withLock { $0 } == 1)
        #expect(try await interpreter.evaluate("let v = not (tick) or (tick)") == .boolean(true))
        #expect(calls.withLock { $0 } == 3)
    }

    @Test func errorBeforeACommandStopsIt() async {
        let (interpreter, _) = makeInterpreter()
        let calls = Mutex(0)
        interpreter.register("tick") { _ in
            calls.withLock { $0 += 1 }
            return .null
        }
        await #expect(throws: ScriptError.self) { try await interpreter.evaluate("let v = [$missing, (tick)]") }
        #expect(calls.withLock { $0 } == 0)
    }
}
