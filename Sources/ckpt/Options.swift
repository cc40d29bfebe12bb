/// The parsed command line of `ckpt`.
struct Options: Equatable, Sendable {
    enum Format: String, CaseIterable, Sendable {
        case table, json, tsv, csv
    }

    /// The program to run: the prompt or standard input, a script file, or a one-liner.
    enum Program: Equatable, Sendable {
        case standardInput
        case file(path: String)
        case code(String)
    }

    var program = Program.standardInput
    /// The arguments after FILE or after `-c CODE`, visible to the script.
    var scriptArguments: [String] = []
    var sandbox = false
    var baseURL: String?
    var format: Format?
    var dryRun = false
    var trace = false
    var timeout: Duration?
    var maxRetries: Int?
    var organization: String?
    var project: String?
    var skipStartupFile = false
    var showHelp = false
    var showVersion = false
}

/// A command line that cannot be run; `ckpt` prints it as one line and exits with status 2.
struct UsageError: Error, Equatable, CustomStringConvertible {
    var message: String

    var description: String {
        "ckpt: \(message) (run 'ckpt --help' for usage)"
    }
}

extension Options {
    static let version = "0.1.0"

    static let help = """
        usage: ckpt [OPTION...] [FILE [ARG...]]
               ckpt [OPTION...] -c CODE [ARG...]

        Grant, list and revoke access to fine-tuned model checkpoints of the OpenAI API.
        Without FILE or -c, ckpt shows a prompt when stdin is a terminal and otherwise
        runs the program read from stdin; FILE '-' reads it from stdin too.

        options:
          -c CODE                 run CODE instead of a file
          --sandbox               send requests to an in-process emulator; no key needed
          --base-url URL          the API root (default: $OPENAI_BASE_URL,
                                  else https://api.openai.com/v1)
          --format FORMAT         table, json, tsv or csv (default: table when stdout is
                                  a terminal, else json)
          --dry-run               send reads, print the writes that would be sent, send none
          --trace                 print one line to stderr for each HTTP attempt
          --timeout SECONDS       the limit for one attempt (default: 600)
          --max-retries N         how many times a failed request is retried (default: 2)
          --org ID                the organization header (default: $OPENAI_ORG_ID)
          --project ID            the project header (default: $OPENAI_PROJECT_ID)
          --norc                  skip the startup file (~/.ckptrc, or $CKPT_RC)
          --version               print the version and exit
          --help                  print this help and exit

        The key comes from $OPENAI_ADMIN_KEY, else $OPENAI_API_KEY.
        History: ~/.ckpt_history, or $CKPT_HISTORY.
        Exit status: 0 success, 1 a command failed, 2 usage or syntax error, 130 interrupted.

        """

    private static let valueOptions = [
        "--base-url", "--format", "--timeout", "--max-retries", "--org", "--project",
    ]
    private static let flagOptions = [
        "--sandbox", "--dry-run", "--trace", "--norc", "--version", "--help",
    ]

    /// Parses the arguments after the program name.
    ///
    /// Options come before FILE. Everything after FILE, after `-c CODE` or after `-` (read
    /// the program from stdin) is passed to the script. `--` ends the options, and
    /// `--name=value` equals `--name value`.
    static func parse(_ arguments: [String]) throws(UsageError) -> Options {
        var options = Options()
        var remaining = arguments[...]

        while let argument = remaining.popFirst() {
            if argument == "--" {
                if let path = remaining.popFirst() {
                    options.program = .file(path: path)
                }
                break
            }
            if argument == "-c" {
                guard let code = remaining.popFirst() else {
                    throw UsageError(message: "option '-c' needs a value: the code to run")
                }
                options.program = .code(code)
                break
            }
            if argument == "-" {
                break
            }
            guard argument.hasPrefix("-") else {
                options.program = .file(path: argument)
                break
            }
            try options.apply(option: argument, from: &remaining)
        }

        options.scriptArguments = Array(remaining)
        return options
    }

    private mutating func apply(option argument: String, from remaining: inout ArraySlice<String>) throws(UsageError) {
        var name = argument
        var inlineValue: String?
        if let equals = argument.firstIndex(of: "="), argument.hasPrefix("--") {
            name = String(argument[..<equals])
            inlineValue = String(argument[argument.index(after: equals)...])
        }

        if Self.flagOptions.contains(name) {
            guard inlineValue == nil else {
                throw UsageError(message: "option '\(name)' takes no value")
            }
            setFlag(name)
            return
        }
        guard Self.valueOptions.contains(name) else {
            throw UsageError(message: "unknown option '\(name)'\(Self.suggestion(for: name))")
        }
        guard let value = inlineValue ?? remaining.popFirst() else {
            throw UsageError(message: "option '\(name)' needs a value")
        }
        try setValue(value, for: name)
    }

    private mutating func setFlag(_ name: String) {
        switch name {
        case "--sandbox": sandbox = true
        case "--dry-run": dryRun = true
        case "--trace": trace = true
        case "--norc": skipStartupFile = true
        case "--version": showVersion = true
        default: showHelp = true
        }
    }

    private mutating func setValue(_ value: String, for name: String) throws(UsageError) {
        switch name {
        case "--base-url":
            guard value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw UsageError(message: "invalid base URL '\(value)'; expected an http:// or https:// URL")
            }
            baseURL = value
        case "--format":
            guard let format = Format(rawValue: value) else {
                throw UsageError(message: "invalid format '\(value)'; expected table, json, tsv or csv")
            }
            self.format = format
        case "--timeout":
            guard let seconds = Double(value), seconds > 0, seconds.isFinite else {
                throw UsageError(message: "invalid timeout '\(value)'; expected a number of seconds greater than 0")
            }
            timeout = .milliseconds(Int64((seconds * 1000).rounded()))
        case "--max-retries":
            guard let count = Int(value), count >= 0 else {
                throw UsageError(message: "invalid retry count '\(value)'; expected an integer of 0 or more")
            }
            maxRetries = count
        case "--org":
            guard !value.isEmpty else { throw UsageError(message: "option '--org' needs a non-empty ID") }
            organization = value
        default:
            guard !value.isEmpty else { throw UsageError(message: "option '--project' needs a non-empty ID") }
            project = value
        }
    }

    /// "; did you mean '--format'?" when a known option is one or two edits away.
    private static func suggestion(for name: String) -> String {
        let known = valueOptions + flagOptions
        let closest = known.min { editDistance($0, name) < editDistance($1, name) }
        guard let closest, editDistance(closest, name) <= 2 else { return "" }
        return "; did you mean '\(closest)'?"
    }

    private static func editDistance(_ left: String, _ right: String) -> Int {
        let left = Array(left), right = Array(right)
        var previous = Array(0...right.count)
        for (i, leftCharacter) in left.enumerated() {
            var current = [i + 1]
            for (j, rightCharacter) in right.enumerated() {
                let substitution = previous[j] + (leftCharacter == rightCharacter ? 0 : 1)
                current.append(min(previous[j + 1] + 1, current[j] + 1, substitution))
            }
            previous = current
        }
        return previous[right.count]
    }
}
