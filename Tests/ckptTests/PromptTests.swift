#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing

/// The interactive prompt, driven through a pseudo-terminal.
@Suite(.serialized)
struct PromptTests {
    let home = Fixture.temporaryFolder()

    var historyPath: String { home + "/.ckpt_history" }

    func startPrompt(_ arguments: [String] = [], environment extra: [String: String] = [:]) throws -> PseudoTerminal {
        try PseudoTerminal(
            executable: Fixture.ckpt, arguments: arguments,
            environment: Fixture.environment(home: home, extra))
    }

    @Test func promptAppearsAndCtrlDExitsZero() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)
    }

    @Test func terminalModesRestoredAfterExit() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        let editing = terminal.modes()
        #expect(editing.c_lflag & tcflag_t(ECHO) == 0)
        #expect(editing.c_lflag & tcflag_t(ICANON) == 0)

        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)
        let after = terminal.modes()
        #expect(after.c_lflag & tcflag_t(ECHO) != 0)
        #expect(after.c_lflag & tcflag_t(ICANON) != 0)
    }

    @Test func sigtermAtPromptRestoresTerminal() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("# half typed")
        try terminal.expect("half typed")
        kill(terminal.pid, SIGTERM)
        #expect(try terminal.waitForExit() == 128 + SIGTERM)
        let after = terminal.modes()
        #expect(after.c_lflag & tcflag_t(ECHO) != 0)
        #expect(after.c_lflag & tcflag_t(ICANON) != 0)
    }

    @Test func ctrlCOnContinuationLineShowsFreshPrompt() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("{\r")
        try terminal.expect("....> ")
        terminal.send("# inside\u{03}")
        try terminal.expect("ckpt> ")
        terminal.send("# after\r")
        try terminal.expect("ckpt> ")
        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)
        #expect(Fixture.read(historyPath)?.contains("inside") == false)
    }

    @Test func upRecallsEntryAfterRestart() throws {
        defer { Fixture.removeFolder(home) }
        let first = try startPrompt()
        try first.expect("ckpt> ")
        first.send("# remembered entry\r")
        try first.expect("ckpt> ")
        first.send("\u{04}")
        #expect(try first.waitForExit() == 0)

        let second = try startPrompt()
        try second.expect("ckpt> ")
        second.send("\u{1B}[A")
        try second.expect("# remembered entry")
        second.send("\r")
        try second.expect("ckpt> ")
        second.send("\u{04}")
        #expect(try second.waitForExit() == 0)
    }

    @Test func historyFileRules() throws {
        defer { Fixture.removeFolder(home) }
        let terminal = try startPrompt(environment: ["OPENAI_ADMIN_KEY": "sk-admin-secret-123"])
        try terminal.expect("ckpt> ")
        for line in ["# kept", "# kept", " # starts with a space", "# has sk-admin-secret-123 in it", "# last"] {
            terminal.send(line + "\r")
            try terminal.expect("ckpt> ")
        }
        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)

        let contents = try #require(Fixture.read(historyPath))
        #expect(contents == "_HiStOrY_V2_\n#\\040kept\n#\\040last\n")
        var status = stat()
        #expect(stat(historyPath, &status) == 0)
        #expect(status.st_mode & 0o777 == 0o600)
    }

    @Test func historyKeepsThousandEntries() throws {
        defer { Fixture.removeFolder(home) }
        var lines = ["_HiStOrY_V2_"]
        for number in 1...1005 {
            lines.append("#\\040entry\\040\(number)")
        }
        Fixture.write(lines.joined(separator: "\n") + "\n", to: historyPath, mode: 0o600)

        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("# newest\r")
        try terminal.expect("ckpt> ")
        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)

        let saved = try #require(Fixture.read(historyPath)).split(separator: "\n")
        #expect(saved.count == 1001)
        #expect(saved[1] == "#\\040entry\\0407")
        #expect(saved.last == "#\\040newest")
    }

    @Test func historySymlinkStaysLink() throws {
        defer { Fixture.removeFolder(home) }
        let target = home + "/history-target"
        Fixture.write("_HiStOrY_V2_\n#\\040old\n", to: target, mode: 0o600)
        #expect(symlink(target, historyPath) == 0)

        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("# new\r")
        try terminal.expect("ckpt> ")
        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)

        var status = stat()
        #expect(lstat(historyPath, &status) == 0)
        #expect(status.st_mode & S_IFMT == S_IFLNK)
        #expect(Fixture.read(target) == "_HiStOrY_V2_\n#\\040old\n#\\040new\n")
    }

    @Test func foreignHistoryFileWarnsAndStaysUnchanged() throws {
        defer { Fixture.removeFolder(home) }
        let foreign = "ls -la\ncd /tmp\n"
        Fixture.write(foreign, to: historyPath)

        let terminal = try startPrompt()
        try terminal.expect("is not a ckpt history file")
        try terminal.expect("ckpt> ")
        terminal.send("# typed\r")
        try terminal.expect("ckpt> ")
        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)
        #expect(Fixture.read(historyPath) == foreign)
    }

    @Test func nonASCIIRoundTripsWithoutLANG() throws {
        defer { Fixture.removeFolder(home) }
        let first = try startPrompt()
        try first.expect("ckpt> ")
        first.send("# Zoë\r")
        try first.expect("ckpt> ")
        first.send("\u{04}")
        #expect(try first.waitForExit() == 0)
        #expect(Fixture.read(historyPath) == "_HiStOrY_V2_\n#\\040Zoë\n")
    }

    @Test func promptOnStandardErrorWhenStandardOutputIsNotTerminal() throws {
        defer { Fixture.removeFolder(home) }
        let outputPath = home + "/stdout"
        let terminal = try PseudoTerminal(
            executable: Fixture.ckpt, environment: Fixture.environment(home: home),
            standardOutputPath: outputPath)
        try terminal.expect("ckpt> ")
        terminal.send("# typed on the terminal")
        try terminal.expect("typed on the terminal")
        terminal.send("\r")
        try terminal.expect("ckpt> ")
        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)
        #expect(Fixture.read(outputPath) == "")
    }
}

// MARK: - Completion

extension PromptTests {
    @Test func tabCompletesFileNameAfterSource() throws {
        defer { Fixture.removeFolder(home) }
        Fixture.write("# setup\n", to: home + "/setup-script.ckpt")
        let terminal = try startPrompt()
        try terminal.expect("ckpt> ")
        terminal.send("source \(home)/setup-s\t")
        try terminal.expect("setup-s")
        // libedit redraws the completed word after moving the cursor, so only the added
        // characters follow the typed ones.
        try terminal.expect("cript.ckpt ")
        terminal.send("\u{03}")
        try terminal.expect("ckpt> ")
        terminal.send("\u{04}")
        #expect(try terminal.waitForExit() == 0)
    }
}
