import CheckpointAPI
import CheckpointSandbox
import Testing

@testable import CheckpointScript

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Runs each `*.ckpt` file of the Golden folder against a fresh sandbox and compares
/// standard output, standard error and the exit status with the comments at its end.
///
/// A case file is a script, then the expected results as comments:
///
/// ```
/// #! format json              (optional settings, at the top: format, dry-run,
/// #! seed ft:x:y:z 5           seed CHECKPOINT COUNT, args A B…)
/// print hello
/// # --- stdout
/// # hello
/// # --- stderr
/// # --- status 0
/// ```
///
/// Generated values are replaced before comparing, keeping their length so tables
/// stay aligned: permission IDs become `cp_000…1`, `cp_000…2` in order of appearance,
/// 24-character project IDs `proj_000…1`, request IDs `req_000…0`, and times
/// `2000-01-01T00:00:00Z` or `946684800`.
@Suite struct GoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    static var cases: [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".ckpt") }.sorted()
    }

    @Test(arguments: cases)
    func golden(name: String) async throws {
        let path = Self.folder.appendingPathComponent(name).path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let golden = try #require(GoldenCase(text: text), "\(name) has no '# --- stdout' section")

        let sandbox = Sandbox(options: .init(seed: 7))
        for (checkpoint, count) in golden.seeds {
            sandbox.seed(checkpoint: checkpoint, count: count)
        }
        let sink = CapturingOutputSink()
        let client = PermissionsClient(
            configuration: ClientConfiguration(apiKey: APIKey("sk-test"), maxRetries: 0),
            transport: SandboxTransport(sandbox: sandbox))
        let interpreter = Interpreter(client: client, output: sink)
        interpreter.format = golden.format
        interpreter.dryRun = golden.dryRun
        interpreter.arguments = golden.arguments

        var status: Int32 = 0
        var errorOutput = ""
        do {
            try await interpreter.run(file: path)
        } catch {
            status = error.exitStatus
            errorOutput = DiagnosticRenderer().render(error.diagnostics)
        }
        let prefix = Self.folder.path + "/"
        var normalizer = Normalizer()
        let output = normalizer.normalize(sink.output)
        let errors = normalizer.normalize((sink.errorOutput + errorOutput).replacingOccurrences(of: prefix, with: ""))
        if ProcessInfo.processInfo.environment["CKPT_GOLDEN_UPDATE"] == "1" {
            try GoldenCase.rewrite(text: text, stdout: output, stderr: errors, status: status)
                .write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        #expect(output == golden.stdout, "stdout of \(name)")
        #expect(errors == golden.stderr, "stderr of \(name)")
        #expect(status == golden.status, "exit status of \(name)")
    }
}

/// The settings and expectations of one golden script.
struct GoldenCase {
    /// Returns the case text with its expectations replaced. Run the tests with
    /// `CKPT_GOLDEN_UPDATE=1` to write them, then review the difference.
    static func rewrite(text: String, stdout: String, stderr: String, status: Int32) -> String {
        let script = text.components(separatedBy: "\n# --- stdout")[0]
        func commented(_ output: String) -> String {
            output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
                .map { $0.isEmpty ? "#\n" : "# \($0)\n" }.joined()
        }
        return script + "\n# --- stdout\n" + commented(stdout) + "# --- stderr\n" + commented(stderr)
            + "# --- status \(status)\n"
    }

    var format = OutputFormat.table
    var dryRun = false
    var seeds: [(String, Int)] = []
    var arguments: [String] = []
    var stdout = ""
    var stderr = ""
    var status: Int32 = 0

    init?(text: String) {
        var section: String?
        var sawStdout = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("#! ") {
                let words = line.dropFirst(3).split(separator: " ").map(String.init)
                switch words.first {
                case "format": format = OutputFormat(rawValue: words[1]) ?? .table
                case "dry-run": dryRun = true
                case "seed": seeds.append((words[1], Int(words[2]) ?? 0))
                case "args": arguments = Array(words.dropFirst())
                default: return nil
                }
                continue
            }
            if line.hasPrefix("# --- ") {
                let words = line.dropFirst(6).split(separator: " ")
                section = String(words.first ?? "")
                if section == "stdout" { sawStdout = true }
                if section == "status" { status = Int32(words.last ?? "") ?? -1 }
                continue
            }
            guard let current = section else { continue }
            let content = line == "#" ? "" : String(line.dropFirst(2))
            switch current {
            case "stdout": stdout += content + "\n"
            case "stderr": stderr += content + "\n"
            default: break
            }
        }
        guard sawStdout else { return nil }
    }
}

/// Replaces generated IDs and times with stable text of the same length.
struct Normalizer {
    private var permissionIDs: [String: String] = [:]
    private var projectIDs: [String: String] = [:]

    mutating func normalize(_ text: String) -> String {
        var result = text
        var permissions = permissionIDs
        var projects = projectIDs
        result = Self.replace(in: result, pattern: /cp_[A-Za-z0-9]{24}/) { match in
            Self.numbered(match, prefix: "cp_", table: &permissions)
        }
        result = Self.replace(in: result, pattern: /proj_[A-Za-z0-9]{24}/) { match in
            Self.numbered(match, prefix: "proj_", table: &projects)
        }
        permissionIDs = permissions
        projectIDs = projects
        result = Self.replace(in: result, pattern: /req_[0-9a-f]{32}/) { _ in "req_" + String(repeating: "0", count: 32) }
        result = Self.replace(in: result, pattern: /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/) { _ in "2000-01-01T00:00:00Z" }
        result = Self.replace(in: result, pattern: /\b1[6-9]\d{8}\b/) { _ in "946684800" }
        return result
    }

    private static func numbered(_ id: String, prefix: String, table: inout [String: String]) -> String {
        if let known = table[id] { return known }
        let number = String(table.count + 1)
        let length = id.count - prefix.count
        let replacement = prefix + String(repeating: "0", count: length - number.count) + number
        table[id] = replacement
        return replacement
    }

    private static func replace(
        in text: String, pattern: some RegexComponent, with transform: (String) -> String
    ) -> String {
        var result = ""
        var rest = text[...]
        while let match = rest.firstMatch(of: pattern) {
            result += rest[..<match.range.lowerBound]
            result += transform(String(rest[match.range]))
            rest = rest[match.range.upperBound...]
        }
        return result + rest
    }
}
