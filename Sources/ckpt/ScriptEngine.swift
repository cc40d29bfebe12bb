/// The interpreter as the prompt and the script runner use it: the only file of `ckpt`
/// that knows the interpreter's API.
///
/// Unchecked `Sendable` because `ckpt` runs one evaluation at a time and reads
/// completions only at the prompt, when no evaluation runs.
final class ScriptEngine: @unchecked Sendable {
    /// How an evaluation ended; errors were already printed to stderr.
    enum Outcome: Equatable {
        case success
        /// A syntax error (status 2) or a command failed (status 1).
        case failure(status: Int32)
        /// The script ran `exit CODE`.
        case exit(status: Int32)
        case cancelled
    }

    /// The API key's secret, so that the prompt can keep lines that contain it out of history.
    let apiKeySecret: String?

    init(options: Options) {
        apiKeySecret = Terminal.environment("OPENAI_ADMIN_KEY") ?? Terminal.environment("OPENAI_API_KEY")
    }

    // TODO: evaluate with CheckpointScript's interpreter; until it is wired, every entry
    // that is not blank or a comment fails.
    func evaluate(_ source: String, sourceName: String) async -> Outcome {
        let statements = source.split(separator: "\n").filter {
            let text = $0.drop { $0 == " " || $0 == "\t" }
            return !text.isEmpty && !text.hasPrefix("#")
        }
        guard !statements.isEmpty else { return .success }
        Terminal.write("\(sourceName):1:1: error: the interpreter is not available\n", to: 2)
        return .failure(status: 1)
    }

    /// True when the source ends inside an open quote, bracket or brace.
    func needsContinuation(_ source: String) -> Bool {
        var depth = 0
        var quote: Character?
        for character in source {
            if let open = quote {
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "\"", "'": quote = character
            case "{", "(", "[": depth += 1
            case "}", ")", "]": depth -= 1
            default: break
            }
        }
        return quote != nil || depth > 0
    }

    /// Command names with their option names (each starting with `--`), for completion.
    var commands: [(name: String, options: [String])] {
        []
    }

    /// The names of the defined variables, without `$`.
    var variableNames: [String] {
        []
    }
}
