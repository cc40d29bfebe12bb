import Testing

/// `ckpt` without a terminal: options, usage errors and exit statuses.
@Suite struct CommandLineTests {
    let environment = Fixture.environment(home: "/nonexistent")

    @Test func versionPrintsOneLine() throws {
        let result = try runCkpt(["--version"], environment: environment)
        #expect(result == CommandResult(status: 0, standardOutput: "ckpt 0.1.0\n", standardError: ""))
    }

    @Test func helpListsEveryOption() throws {
        let result = try runCkpt(["--help"], environment: environment)
        #expect(result.status == 0)
        #expect(result.standardError == "")
        for option in ["-c CODE", "--sandbox", "--base-url URL", "--format FORMAT", "--dry-run", "--trace",
                       "--timeout SECONDS", "--max-retries N", "--org ID", "--project ID", "--norc",
                       "--version", "--help"] {
            #expect(result.standardOutput.contains("  \(option) "), "missing \(option)")
        }
    }

    struct UsageCase: CustomTestStringConvertible, Sendable {
        var arguments: [String]
        var message: String
        var testDescription: String { arguments.joined(separator: " ") }
    }

    @Test(arguments: [
        UsageCase(arguments: ["--frmat", "json"], message: "unknown option '--frmat'; did you mean '--format'?"),
        UsageCase(arguments: ["--bogus"], message: "unknown option '--bogus'"),
        UsageCase(arguments: ["--format", "xml"], message: "invalid format 'xml'; expected table, json, tsv or csv"),
        UsageCase(arguments: ["--format"], message: "option '--format' needs a value"),
        UsageCase(arguments: ["--timeout=0"], message: "invalid timeout '0'; expected a number of seconds greater than 0"),
        UsageCase(arguments: ["--max-retries", "-1"], message: "invalid retry count '-1'; expected an integer of 0 or more"),
        UsageCase(arguments: ["--base-url", "ftp://x"], message: "invalid base URL 'ftp://x'; expected an http:// or https:// URL"),
        UsageCase(arguments: ["--trace=yes"], message: "option '--trace' takes no value"),
        UsageCase(arguments: ["-c"], message: "option '-c' needs a value: the code to run"),
        UsageCase(arguments: ["--org", ""], message: "option '--org' needs a non-empty ID"),
    ])
    func usageErrorExitsTwo(_ usage: UsageCase) throws {
        let result = try runCkpt(usage.arguments, environment: environment)
        #expect(result == CommandResult(
            status: 2, standardOutput: "",
            standardError: "ckpt: \(usage.message) (run 'ckpt --help' for usage)\n"))
    }

    @Test func missingScriptFileExitsTwo() throws {
        let result = try runCkpt(["/nonexistent/script.ckpt"], environment: environment)
        #expect(result == CommandResult(
            status: 2, standardOutput: "",
            standardError: "ckpt: cannot read the script '/nonexistent/script.ckpt': no such file or directory\n"))
    }

    @Test func emptyStandardInputExitsZero() throws {
        let result = try runCkpt([], input: "", environment: environment)
        #expect(result == CommandResult(status: 0, standardOutput: "", standardError: ""))
    }

    @Test func pipedCommentsPrintNothing() throws {
        let result = try runCkpt([], input: "# one\n\n# two\n", environment: environment)
        #expect(result == CommandResult(status: 0, standardOutput: "", standardError: ""))
    }
}
