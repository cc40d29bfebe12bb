#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
import TestSupport

/// The prompt evaluating entries: commands, completion, cancellation and the startup file.
@Suite(.serialized)
struct InterpreterPromptTests {
    let home = Fixture.temporaryFolder()

    func startPrompt(_ arguments: [String] = ["--sandbox"], environment extra: [String: String] = [:]) throws -> PseudoTerminal {
        try PseudoTerminal(
            executable: Fixture.ckpt, arguments: arguments,
            environment: Fixture.environment(home: home, extra))
    }

    /// Types `line` and Enter, then waits for the next primary prompt.
    @discardableResult
    func enter(_ line: String, in terminal: PseudoTerminal) throws -> String {
        terminal.send(line + "\r")
        return try terminal.expect("ckpt> ")
    }

    func quit(_ terminal: PseudoTerminal) throws {
        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func commandRunsAgainstSandbox() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        try enter("let c = ft:gpt-4o-mini:org:weather:B7R9VjQd", in: terminal)
        let created = try enter("permissions.create $c proj_abc", in: terminal)
        #expect(created.contains("project_id"))
        #expect(created.contains("proj_abc"))
        let counted = try enter("print (len (permissions.list $c --all))", in: terminal)
        #expect(counted.contains("\r\n1\r\n"))
        try quit(terminal)
    }

    @Test func nonASCIIStringRoundTrips() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        try enter("let name = \"Zoë\"", in: terminal)
        let printed = try enter("print \"name: $name\"", in: terminal)
        #expect(printed.contains("\r\nname: Zoë\r\n"))
        try quit(terminal)
    }

    @Test func tabCompletesCommandName() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("permissions.l\t")
        try terminal.expect("ist ")
        terminal.send("\u{03}")
        try terminal.expect("ckpt> ")
        terminal.send("let page = permissions.c\t")
        try terminal.expect("reate ")
        terminal.send("\u{03}")
        try terminal.expect("ckpt> ")
        try quit(terminal)
    }

    @Test func tabCompletesFixedValues() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("format j\t")
        try terminal.expect("son ")
        terminal.send("\u{03}")
        try terminal.expect("ckpt> ")
        terminal.send("permissions.list ft:x:y:z --limit 5 --order a\t")
        try terminal.expect("scending ")
        terminal.send("\u{03}")
        try terminal.expect("ckpt> ")
        terminal.send("help permissions.d\t")
        try terminal.expect("el ")
        terminal.send("\u{03}")
        try terminal.expect("ckpt> ")
        try quit(terminal)
    }

    @Test func tabCompletesVariableAndOption() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        try enter("let checkpoint_under_test = ft:x:y:z", in: terminal)
        terminal.send("permissions.list $checkpoint_u\t")
        try terminal.expect("nder_test ")
        terminal.send("--proj\t")
        try terminal.expect("ect-id ")
        terminal.send("proj_a\r")
        try terminal.expect("ckpt> ")
        terminal.send("print \"${checkpoint_u\t")
        try terminal.expect("nder_test ")
        terminal.send("\u{03}")
        try terminal.expect("ckpt> ")
        try quit(terminal)
    }

    @Test func ctrlCOnContinuationDefinesNothing() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("let half = [1,\r")
        try terminal.expect("....> ")
        terminal.send("2,\r")
        try terminal.expect("....> ")
        terminal.send("\u{03}")
        try terminal.expect("ckpt> ")
        let printed = try enter("print $half", in: terminal)
        #expect(printed.contains("undefined variable '$half'"))
        try quit(terminal)
    }

    @Test func multiLineEntryEntersHistoryOnce() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("for n in [1, 2] {\r")
        try terminal.expect("....> ")
        terminal.send("print \"n=$n\"\r")
        try terminal.expect("....> ")
        let printed = try enter("}", in: terminal)
        #expect(printed.contains("n=1\r\nn=2\r\n"))
        terminal.send("\u{1B}[A")
        try terminal.expect("}")
        let repeated = try enter("", in: terminal)
        #expect(repeated.contains("n=1\r\nn=2\r\n"))
        try quit(terminal)
        #expect(Fixture.read(home + "/.ckpt_history")
            == "_HiStOrY_V2_\nfor\\040n\\040in\\040[1,\\0402]\\040{\\012print\\040\"n=$n\"\\012}\n")
    }

    @Test func ctrlCCancelsSlowRequest() throws {
        defer { Fixture.removeFolder(home) }
        let server = try SandboxProcess(["--latency-ms", "5000"])
        let terminal = try startPrompt(
            ["--base-url", server.baseURL], environment: ["OPENAI_ADMIN_KEY": "sk-test-key"])
        try terminal.expect("ckpt> ")
        try enter("let kept = ft:x:y:z", in: terminal)
        terminal.send("permissions.list $kept\r")
        terminal.collectOutput(for: .milliseconds(300))
        terminal.send("\u{03}")
        // The sandbox answers after 5 s, so a prompt within 1 s shows the request was cancelled.
        try terminal.expect("interrupted", timeout: .seconds(1))
        try terminal.expect("ckpt> ", timeout: .seconds(1))
        let printed = try enter("print $kept", in: terminal)
        #expect(printed.contains("\r\nft:x:y:z\r\n"))
        try quit(terminal)
    }

    @Test func ctrlCInScriptExits130() throws {
        defer { Fixture.removeFolder(home) }
        let server = try SandboxProcess(["--latency-ms", "5000"])
        let script = home + "/slow.ckpt"
        Fixture.write("print started\npermissions.list ft:x:y:z\nprint finished\n", to: script)
        let terminal = try startPrompt(
            ["--base-url", server.baseURL, script], environment: ["OPENAI_ADMIN_KEY": "sk-test-key"])
        try terminal.expect("started")
        terminal.collectOutput(for: .milliseconds(300))
        terminal.send("\u{03}")
        #expect(try terminal.waitForExit(timeout: .seconds(2)) == 130)
        #expect(!terminal.unreadOutput.contains("finished"))
        let after = terminal.modes()
        #expect(after.c_lflag & tcflag_t(ECHO) != 0)
        #expect(after.c_lflag & tcflag_t(ICANON) != 0)
    }

    @Test func startupFileDefinesVariables() throws {
        defer { Fixture.removeFolder(home) }
        Fixture.write("let team = proj_team_rc\n", to: home + "/.ckptrc")
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        let printed = try enter("print $team", in: terminal)
        #expect(printed.contains("\r\nproj_team_rc\r\n"))
        try quit(terminal)
    }

    @Test func startupFileErrorNamesItsPath() throws {
        defer { Fixture.removeFolder(home) }
        let startup = home + "/custom-rc"
        Fixture.write("let ok = 1\npritn oops\n", to: startup)
        let terminal = try startPrompt(environment: ["CKPT_RC": startup, "NO_COLOR": "1"])
        try terminal.expect("\(startup):2:1: error: unknown command 'pritn'")
        try terminal.expect("ckpt> ")
        try quit(terminal)
    }

    @Test func norcSkipsStartupFile() throws {
        defer { Fixture.removeFolder(home) }
        Fixture.write("print from-startup-file\n", to: home + "/.ckptrc")
        let terminal = try startPrompt(["--sandbox", "--norc"])
        let shown = try terminal.expect("ckpt> ")
        #expect(!shown.contains("from-startup-file"))
        try quit(terminal)
    }

    @Test func exitCommandEndsPromptWithStatus() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("exit 4\r")
        #expect(try terminal.waitForExit() == 4)
        let after = terminal.modes()
        #expect(after.c_lflag & tcflag_t(ECHO) != 0)
        #expect(after.c_lflag & tcflag_t(ICANON) != 0)
    }

    @Test func sigtermDuringCommandExits143() throws {
        defer { Fixture.removeFolder(home) }
        let server = try SandboxProcess(["--latency-ms", "5000"])
        let terminal = try startPrompt(
            ["--base-url", server.baseURL], environment: ["OPENAI_ADMIN_KEY": "sk-test-key"])
        try terminal.expect("ckpt> ")
        terminal.send("permissions.list ft:x:y:z\r")
        terminal.collectOutput(for: .milliseconds(300))
        kill(terminal.pid, SIGTERM)
        #expect(try terminal.waitForExit(timeout: .seconds(2)) == 128 + SIGTERM)
        let after = terminal.modes()
        #expect(after.c_lflag & tcflag_t(ECHO) != 0)
        #expect(after.c_lflag & tcflag_t(ICANON) != 0)
    }

    @Test func tabListsSeveralCandidates() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("permissions.\t")
        try terminal.expect("permissions.create  permissions.del     permissions.list\r\n")
        try terminal.expect("ckpt> permissions.")
        terminal.send("\u{03}")
        try terminal.expect("ckpt> ")
        try quit(terminal)
    }

    @Test func resultsGoToRedirectedStandardOutputAsJSON() throws {
        defer { Fixture.removeFolder(home) }
        let outputPath = home + "/stdout"
        let terminal = try PseudoTerminal(
            executable: Fixture.ckpt, arguments: ["--sandbox"],
            environment: Fixture.environment(home: home), standardOutputPath: outputPath)
        try terminal.expect("ckpt> ")
        terminal.send("format\r")
        try terminal.expect("ckpt> ")
        terminal.send("print plain\r")
        try terminal.expect("ckpt> ")
        try quit(terminal)
        #expect(Fixture.read(outputPath) == "\"json\"\nplain\n")
    }

    @Test func diagnosticsColouredOnlyWhenAllowed() throws {
        defer { Fixture.removeFolder(home) }
        let cases: [(arguments: [String], environment: [String: String], coloured: Bool)] = [
            (["--sandbox"], [:], true),
            (["--sandbox"], ["NO_COLOR": "1"], false),
            (["--sandbox", "--format", "json"], [:], false),
        ]
        for (arguments, environment, coloured) in cases {
            let terminal = try startPrompt(arguments, environment: environment)
            try terminal.expect("ckpt> ")
            let shown = try enter("pritn x", in: terminal)
            #expect(shown.contains("\u{1B}[1;31merror: ") == coloured, "\(arguments) \(environment)")
            if !coloured {
                #expect(shown.contains("<repl>:1:1: error: unknown command 'pritn'\r\n"))
            }
            try quit(terminal)
        }
    }

    @Test func promptOnTerminalWhenBothStreamsRedirected() throws {
        defer { Fixture.removeFolder(home) }
        let outputPath = home + "/stdout", errorPath = home + "/stderr"
        let terminal = try PseudoTerminal(
            executable: Fixture.ckpt, arguments: ["--sandbox"], environment: Fixture.environment(home: home),
            standardOutputPath: outputPath, standardErrorPath: errorPath)
        try terminal.expect("ckpt> ")
        try enter("print to-stdout", in: terminal)
        try enter("pritn to-stderr", in: terminal)
        try quit(terminal)
        #expect(Fixture.read(outputPath) == "to-stdout\n")
        #expect(Fixture.read(errorPath)?.hasPrefix("<repl>:1:1: error: unknown command 'pritn'\n") == true)
    }

    @Test func resizeKeepsTypedText() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("print abc")
        try terminal.expect("abc")
        for columns: UInt16 in [40, 120, 60] {
            terminal.resize(rows: 30, columns: columns)
            terminal.collectOutput(for: .milliseconds(100))
        }
        let printed = try enter("def", in: terminal)
        #expect(printed.contains("\r\nabcdef\r\n"))
        try quit(terminal)
    }
}
