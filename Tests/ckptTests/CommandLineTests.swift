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

// MARK: - Running scripts

extension CommandLineTests {
    @Test func pipedScriptPrintsResults() throws {
        let input = "let a = 1\nprint $a\nprint \"a is $a\"\nlen [1, 2, 3]\n"
        let result = try runCkpt([], input: input, environment: environment)
        #expect(result == CommandResult(status: 0, standardOutput: "1\na is 1\n3\n", standardError: ""))
    }

    @Test func pipedScriptStopsAtFirstError() throws {
        let input = "print one\npritn two\nprint three\n"
        let result = try runCkpt([], input: input, environment: environment)
        #expect(result == CommandResult(
            status: 1, standardOutput: "one\n",
            standardError: """
                <stdin>:2:1: error: unknown command 'pritn'
                pritn two
                ^~~~~
                note: did you mean 'print'?
                note: quote the word to use it as a string: 'pritn'

                """))
    }

    @Test func syntaxErrorRunsNothingAndExitsTwo() throws {
        let result = try runCkpt(["-c", "print before\nprint \"open"], environment: environment)
        #expect(result == CommandResult(
            status: 2, standardOutput: "",
            standardError: """
                <command line>:2:7: error: unterminated string: no closing "
                print "open
                      ^

                """))
    }

    @Test func fileReceivesArguments() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.removeFolder(folder) }
        let script = folder + "/arguments.ckpt"
        Fixture.write("print \"first: ${args[0]}\"\nprint (len $args)\n", to: script)
        let result = try runCkpt([script, "proj_a", "proj_b"], environment: environment)
        #expect(result == CommandResult(status: 0, standardOutput: "first: proj_a\n2\n", standardError: ""))
    }

    @Test func fileErrorNamesFileLineAndColumn() throws {
        let folder = Fixture.temporaryFolder()
        defer { Fixture.removeFolder(folder) }
        let script = folder + "/broken.ckpt"
        Fixture.write("print ok\nprint $missing\n", to: script)
        let result = try runCkpt([script], environment: environment)
        #expect(result.status == 1)
        #expect(result.standardOutput == "ok\n")
        #expect(result.standardError.hasPrefix("\(script):2:7: error: undefined variable '$missing'\nprint $missing\n      ^~~~~~~~\n"))
    }

    @Test func dashReadsStandardInputWithArguments() throws {
        let result = try runCkpt(["-", "proj_a", "proj_b"], input: "print $args\n", environment: environment)
        #expect(result == CommandResult(status: 0, standardOutput: "[\"proj_a\",\"proj_b\"]\n", standardError: ""))
    }

    @Test func exitCommandSetsStatus() throws {
        let result = try runCkpt(["-c", "print a\nexit 3\nprint b"], environment: environment)
        #expect(result == CommandResult(status: 3, standardOutput: "a\n", standardError: ""))
    }

    @Test func defaultFormatIsJSONWithoutTerminal() throws {
        let result = try runCkpt(["-c", "format"], environment: environment)
        #expect(result == CommandResult(status: 0, standardOutput: "\"json\"\n", standardError: ""))
    }

    @Test func formatOptionSetsFormat() throws {
        let result = try runCkpt(["--format", "tsv", "-c", "format"], environment: environment)
        #expect(result == CommandResult(status: 0, standardOutput: "tsv\n", standardError: ""))
    }

    @Test func sandboxCreatesAndLists() throws {
        let code = """
            let c = ft:gpt-4o-mini:org:weather:B7R9VjQd
            permissions.create $c proj_one proj_two
            let all = permissions.list $c --all --order ascending
            print (len $all) $all[0].project_id $all[1].project_id
            """
        let result = try runCkpt(["--sandbox", "--format", "tsv", "-c", code], environment: environment)
        #expect(result.status == 0)
        #expect(result.standardError == "")
        let lines = result.standardOutput.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines.first == "object\tid\tcreated_at\tproject_id")
        #expect(lines.last == "2 proj_one proj_two")
    }

    @Test func dryRunSendsNoWrites() throws {
        let code = """
            permissions.create ft:x:y:z proj_a
            print (len (permissions.list ft:x:y:z --all))
            """
        let result = try runCkpt(["--sandbox", "--dry-run", "-c", code], environment: environment)
        #expect(result == CommandResult(
            status: 0,
            standardOutput: "dry run: would send POST /fine_tuning/checkpoints/ft:x:y:z/permissions {\"project_ids\":[\"proj_a\"]}\n0\n",
            standardError: ""))
    }

    @Test func traceWritesOneLinePerAttempt() throws {
        var environment = self.environment
        environment["OPENAI_ADMIN_KEY"] = "sk-admin-trace-secret"
        let result = try runCkpt(
            ["--sandbox", "--trace", "-c", "permissions.list ft:x:y:z --limit 5\nclient"], environment: environment)
        #expect(result.status == 0)
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.hasPrefix("trace: GET /fine_tuning/checkpoints/ft:x:y:z/permissions?limit=5 200 request-id=req_") == true)
        #expect(lines.first?.contains(" retry=0") == true)
        #expect(!result.standardError.contains("sk-admin-trace-secret"))
        #expect(!result.standardOutput.contains("sk-admin-trace-secret"))
    }

    @Test func clientOptionsReachConfiguration() throws {
        let arguments = ["--base-url", "http://127.0.0.1:9/v1", "--org", "org_test", "--project", "proj_test",
                         "--timeout", "2.5", "--max-retries", "0", "-c", "client"]
        let result = try runCkpt(arguments, environment: environment)
        #expect(result.status == 0)
        for line in ["base URL: http://127.0.0.1:9/v1", "organization: org_test", "project: proj_test",
                     "timeout: 2.5 s", "max retries: 0"] {
            #expect(result.standardOutput.contains(line + "\n"), "missing \(line)")
        }
    }

    @Test func sandboxClientShowsNoRealKeyOrURL() throws {
        var keyed = environment
        keyed["OPENAI_ADMIN_KEY"] = "sk-admin-real-secret"
        let result = try runCkpt(["--sandbox", "-c", "client"], environment: keyed)
        #expect(result.status == 0)
        #expect(result.standardOutput.contains("base URL: http://sandbox.invalid/v1\n"))
        #expect(result.standardOutput.contains("API key: set, from a placeholder (the in-process sandbox needs no key)\n"))
        #expect(!result.standardOutput.contains("sk-admin-real-secret"))
    }

    @Test func failedRequestExitsOne() throws {
        let result = try runCkpt(["--sandbox", "-c", "permissions.del ft:x:y:z cp_missing"], environment: environment)
        #expect(result.status == 1)
        #expect(result.standardOutput == "")
        #expect(result.standardError.hasPrefix("<command line>:1:1: error: permissions.del failed: "))
    }

    @Test func hundredThousandLinePipedScript() throws {
        var script = ""
        for number in 0..<100_000 {
            script += "let v\(number % 100) = \(number)\n"
        }
        script += "print $v99 $v0\n"
        let result = try runCkpt([], input: script, environment: environment, timeout: .seconds(120))
        #expect(result == CommandResult(status: 0, standardOutput: "99999 99900\n", standardError: ""))
    }
}
