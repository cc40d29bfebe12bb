import Testing
import TestSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Every script in examples/ through the real `ckpt` against `ckpt-sandbox` over HTTP:
/// as written, with `--dry-run`, and with a fifth of the requests answered 429.
@Suite final class ExampleScriptTests {
    /// How a run talks to the server.
    enum Mode: String, CaseIterable, CustomTestStringConvertible, Sendable {
        case plain
        case dryRun
        case rateLimited

        var testDescription: String { rawValue }

        /// The server's options: rate-limited runs get a reproducible 20% of 429s.
        var serverArguments: [String] {
            guard self == .rateLimited else { return [] }
            return ["--fail-rate", "0.2", "--fail-status", "429", "--retry-after", "0", "--seed", "11"]
        }

        /// Enough retries that a run of 429s cannot exhaust them, and a trace to count them.
        var clientArguments: [String] {
            switch self {
            case .plain: []
            case .dryRun: ["--dry-run"]
            case .rateLimited: ["--max-retries", "8", "--trace"]
            }
        }
    }

    /// The trace lines of every run in a rate-limited test, setup included.
    var traceLines: [Substring] = []

    static let checkpoint = "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"
    static let checkpoints = [
        checkpoint,
        "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd:ckpt-step-1000",
        "ft:gpt-4o-2024-08-06:org:support:C3k8PzQe",
    ]
    static let analytics = "proj_abGMw1llN8IrBb6SvvY5A1iH"
    static let support = "proj_iqGMw1llN8IrBb6SvvY5A1oF"

    /// The repository folder, three levels above this file.
    static let repository: String = {
        var path = Substring(#filePath)
        for _ in 0..<3 {
            path = path[..<(path.lastIndex(of: "/") ?? path.startIndex)]
        }
        return String(path)
    }()

    // MARK: - Examples

    @Test(arguments: Mode.allCases)
    func tour(_ mode: Mode) throws {
        let server = try SandboxProcess(mode.serverArguments)
        let before = try permissionsSnapshot(server, mode)
        let result = try runExample("tour.ckpt", mode: mode, server: server)

        let granting = "Granting two projects access to \(Self.checkpoint):\n"
        let expected: String
        if mode == .dryRun {
            expected = granting + """
                dry run: would send POST /fine_tuning/checkpoints/\(Self.checkpoint)/permissions {"project_ids":["\(Self.analytics)","\(Self.support)"]}

                Who has access now, oldest first:
                (empty list)

                Who has access now:
                (empty list)

                """
            #expect(try permissionsSnapshot(server, mode) == before)
        } else {
            let header = "id                           created_at            project_id\n"
            let analyticsRow = "cp_\(Self.idPlaceholder)  \(Self.timePlaceholder)  \(Self.analytics)\n"
            let supportRow = "cp_\(Self.idPlaceholder)  \(Self.timePlaceholder)  \(Self.support)\n"
            expected = granting + header + analyticsRow + supportRow
                + "\nWho has access now, oldest first:\n" + header + analyticsRow + supportRow
                + "\nRevoked \(Self.support): true\n"
                + "\nWho has access now:\n" + header + analyticsRow
        }
        #expect(Self.normalized(result.standardOutput) == expected)
        try expectCleanErrorOutput(result, mode)
        #expect(result.status == 0)
    }

    @Test(arguments: Mode.allCases)
    func shareWithProjects(_ mode: Mode) throws {
        let server = try SandboxProcess(mode.serverArguments)
        try grant(server, [Self.support], mode: mode)
        let before = try permissionsSnapshot(server, mode)

        let result = try runExample("share-with-projects.ckpt", mode: mode, server: server)

        if mode == .dryRun {
            let project = "proj_abGMw1llN8IrBb6SvvY5A1iH"
            let third = "proj_Zr4mT8xQw2LbN6cVd1FhK9sP"
            let path = "/fine_tuning/checkpoints/\(Self.checkpoint)/permissions"
            #expect(result.standardOutput == """
                dry run: would send POST \(path) {"project_ids":["\(project)"]}
                dry run: would send POST \(path) {"project_ids":["\(third)"]}
                would grant: 2 already had access: 1 failed: 0

                """)
            #expect(try permissionsSnapshot(server, mode) == before)
        } else {
            #expect(result.standardOutput == "granted: 2 already had access: 1 failed: 0\n")
            let again = try runExample("share-with-projects.ckpt", mode: mode, server: server)
            #expect(again.standardOutput == "granted: 0 already had access: 3 failed: 0\n")
            #expect(again.status == 0)
        }
        try expectCleanErrorOutput(result, mode)
        #expect(result.status == 0)
    }

    @Test(arguments: Mode.allCases)
    func shareWithProjectsReportsFailures(_ mode: Mode) throws {
        let server = try SandboxProcess(mode.serverArguments)
        let result = try runExample(
            "share-with-projects.ckpt", ["proj_new", ""], format: "json", mode: mode, server: server)

        let failure = #"[{"project_id":"","error":"Invalid 'project_id': empty string. Expected a project ID such as 'proj_abc', or leave it out."}]"#
        var expected = "granted: 1 already had access: 0 failed: 1\n\(failure)\n"
        if mode == .dryRun {
            let path = "/fine_tuning/checkpoints/\(Self.checkpoint)/permissions"
            expected = "dry run: would send POST \(path) {\"project_ids\":[\"proj_new\"]}\n"
                + "would grant: 1 already had access: 0 failed: 1\n\(failure)\n"
        }
        #expect(result.standardOutput == expected)
        try expectCleanErrorOutput(result, mode)
        #expect(result.status == 1)
    }

    @Test(arguments: Mode.allCases)
    func audit(_ mode: Mode) throws {
        let server = try SandboxProcess(mode.serverArguments)
        try grant(server, [Self.analytics, Self.support], mode: mode)
        try grant(server, [Self.support], checkpoint: Self.checkpoints[2], mode: mode)

        let result = try runExample("audit.ckpt", mode: mode, server: server)

        let first = Self.checkpoints[0], third = Self.checkpoints[2]
        let id = "cp_\(Self.idPlaceholder)", time = Self.timePlaceholder
        let table = """
            permissions: 3 across 3 checkpoints
            checkpoint                                      project_id                     id                           created_at
            \(first)  \(Self.analytics)  \(id)  \(time)
            \(first)  \(Self.support)  \(id)  \(time)
            \(third)       \(Self.support)  \(id)  \(time)

            """
        let json = [(first, Self.analytics), (first, Self.support), (third, Self.support)].map { row in
            #"{"checkpoint":"\#(row.0)","project_id":"\#(row.1)","id":"\#(id)","created_at":<unix-time>}"#
        }
        #expect(Self.normalized(result.standardOutput) == table + "[" + json.joined(separator: ",") + "]\n")
        try expectCleanErrorOutput(result, mode)
        #expect(result.status == 0)
    }

    @Test(arguments: Mode.allCases)
    func revokeProject(_ mode: Mode) throws {
        let server = try SandboxProcess(mode.serverArguments)
        for checkpoint in Self.checkpoints {
            try grant(server, [Self.analytics, Self.support], checkpoint: checkpoint, mode: mode)
        }
        let before = try permissionsSnapshot(server, mode)

        let result = try runExample("revoke-project.ckpt", [Self.support], mode: mode, server: server)

        if mode == .dryRun {
            let deletes = Self.checkpoints.map {
                "dry run: would send DELETE /fine_tuning/checkpoints/\($0)/permissions/cp_\(Self.idPlaceholder)\n"
            }
            #expect(Self.normalized(result.standardOutput) == deletes.joined() + "would revoke 3 permissions of \(Self.support)\n")
            #expect(try permissionsSnapshot(server, mode) == before)
        } else {
            #expect(result.standardOutput == "revoked 3 permissions of \(Self.support)\n")
            let after = try permissionsSnapshot(server, mode)
            #expect(!after.contains(Self.support))
            #expect(after.components(separatedBy: Self.analytics) == 4)
        }
        try expectCleanErrorOutput(result, mode)
        #expect(result.status == 0)
    }

    @Test func revokeProjectWithoutProjectPrintsUsage() throws {
        let server = try SandboxProcess([])
        let result = try runExample("revoke-project.ckpt", mode: .plain, server: server)
        #expect(result == CommandResult(status: 2, standardOutput: "usage: ckpt examples/revoke-project.ckpt PROJECT\n", standardError: ""))
    }

    // MARK: - Helpers

    static let idPlaceholder = String(repeating: "x", count: 24)
    static let timePlaceholder = "YYYY-MM-DDThh:mm:ssZ"

    /// Replaces what differs between runs, permission IDs and times, by placeholders
    /// of the same width, so tables stay aligned.
    static func normalized(_ text: String) -> String {
        var text = text
        text.replace(try! Regex("cp_[A-Za-z0-9]{24}"), with: "cp_" + idPlaceholder)
        text.replace(try! Regex("[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z"), with: timePlaceholder)
        text.replace(try! Regex(#""created_at":[0-9]+"#), with: #""created_at":<unix-time>"#)
        return text
    }

    func environment() -> [String: String] {
        Fixture.environment(home: "/nonexistent", ["OPENAI_ADMIN_KEY": "sk-example-tests"])
    }

    func runExample(
        _ name: String, _ arguments: [String] = [], format: String = "table", mode: Mode, server: SandboxProcess
    ) throws -> CommandResult {
        let options = ["--norc", "--format", format, "--base-url", server.baseURL] + mode.clientArguments
        let script = Self.repository + "/examples/" + name
        return try runCkpt(options + [script] + arguments, environment: environment())
    }

    /// Grants projects access as a setup step; never a dry run.
    func grant(_ server: SandboxProcess, _ projects: [String], checkpoint: String = checkpoint, mode: Mode) throws {
        let code = "let granted = permissions.create \(checkpoint) " + projects.joined(separator: " ")
        let result = try runCkpt(
            ["--norc", "--base-url", server.baseURL] + retryArguments(mode) + ["-c", code], environment: environment())
        try #require(result.status == 0, "setup failed: \(result)")
        traceLines += result.standardError.split(separator: "\n")
    }

    /// Lists every permission of the example checkpoints as JSON, to compare server state.
    func permissionsSnapshot(_ server: SandboxProcess, _ mode: Mode) throws -> String {
        let code = Self.checkpoints.map { "permissions.list \($0) --all --order ascending" }.joined(separator: "\n")
        let result = try runCkpt(
            ["--norc", "--format", "json", "--base-url", server.baseURL] + retryArguments(mode) + ["-c", code],
            environment: environment())
        try #require(result.status == 0, "listing failed: \(result)")
        traceLines += result.standardError.split(separator: "\n")
        return result.standardOutput
    }

    /// Setup and snapshot runs retry like the example and trace when it does.
    func retryArguments(_ mode: Mode) -> [String] {
        mode == .rateLimited ? mode.clientArguments : ["--max-retries", "8"]
    }

    /// Expects no error output, except in rate-limited runs: there every line is a trace
    /// line, and across the test's runs some responses were 429 and some requests retried.
    func expectCleanErrorOutput(_ result: CommandResult, _ mode: Mode) throws {
        guard mode == .rateLimited else {
            #expect(result.standardError == "")
            return
        }
        let lines = result.standardError.split(separator: "\n")
        #expect(lines.allSatisfy { $0.contains(" retry=") }, "unexpected error output: \(result.standardError)")
        let allLines = traceLines + lines
        #expect(allLines.contains { $0.contains(" 429 ") }, "no request was answered 429")
        #expect(allLines.contains { $0.contains(" retry=1") }, "no request was retried")
    }
}

extension String {
    /// Counts the pieces that `separator` cuts the string into.
    fileprivate func components(separatedBy separator: String) -> Int {
        split(separator: separator, omittingEmptySubsequences: false).count
    }
}
