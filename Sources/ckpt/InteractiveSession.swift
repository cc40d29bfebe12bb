/// The prompt: reads entries with the line editor and evaluates each as it completes.
final class InteractiveSession {
    static let primaryPrompt = "ckpt> "
    static let continuationPrompt = "....> "

    private let engine: ScriptEngine
    private let watcher: SignalWatcher
    private let editor: LineEditor
    private var historyFile: HistoryFile?

    init(engine: ScriptEngine, watcher: SignalWatcher) {
        self.engine = engine
        self.watcher = watcher
        self.editor = LineEditor(watcher: watcher, outputDescriptor: LineEditor.terminalOutputDescriptor())
        self.historyFile = HistoryFile.defaultPath().map(HistoryFile.init(path:))
        editor.completer = { [engine] text in
            Completer(commands: engine.commands, variableNames: engine.variableNames).complete(text)
        }
    }

    /// Runs the startup file, then the prompt until end of input or `exit`.
    ///
    /// - Returns: the exit status.
    func run(startupFile: String?) async -> Int32 {
        if !Terminal.hasUTF8Locale {
            Terminal.write("warning: no UTF-8 locale is available, so non-ASCII input may be lost\n", to: 2)
        }
        if let warning = historyFile?.load(into: editor) {
            Terminal.write(warning + "\n", to: 2)
        }
        if let startupFile, case .exit(let status) = await evaluateStartupFile(startupFile) {
            return status
        }

        var lines: [String] = []
        while true {
            let prompt = lines.isEmpty ? Self.primaryPrompt : Self.continuationPrompt
            switch editor.readLine(prompt: prompt) {
            case .line(let line):
                lines.append(line)
                let entry = lines.joined(separator: "\n")
                if engine.needsContinuation(entry) { continue }
                lines = []
                if case .exit(let status) = await evaluate(entry) {
                    return status
                }
            case .interrupted:
                lines = []
            case .endOfInput:
                return 0
            case .terminated(let signal):
                return 128 + signal
            }
        }
    }

    private func evaluate(_ entry: String) async -> ScriptEngine.Outcome {
        guard entry.contains(where: { !$0.isWhitespace }) else { return .success }
        remember(entry)

        let engine = self.engine
        return await runCancellable {
            await engine.evaluate(entry, sourceName: "<repl>")
        }
    }

    /// Runs an evaluation that Ctrl-C cancels, and prints `interrupted` when it was cancelled.
    private func runCancellable(
        _ evaluation: sending @escaping @isolated(any) () async -> ScriptEngine.Outcome
    ) async -> ScriptEngine.Outcome {
        let (outcome, interrupted) = await watcher.runCancellable(evaluation)
        if interrupted || outcome == .cancelled {
            // The terminal has echoed ^C where the cursor was.
            Terminal.write("\ninterrupted\n", to: 2)
        }
        return outcome
    }

    /// Adds the entry to the history and saves the file, except for entries that start
    /// with a space and entries that contain the API key.
    private func remember(_ entry: String) {
        if entry.hasPrefix(" ") { return }
        if let secret = engine.apiKeySecret, entry.contains(secret) { return }
        editor.addHistory(entry)
        if let warning = historyFile?.save(from: editor) {
            Terminal.write(warning + "\n", to: 2)
            historyFile = nil
        }
    }

    private func evaluateStartupFile(_ path: String) async -> ScriptEngine.Outcome {
        let engine = self.engine
        return await runCancellable {
            await engine.run(file: path)
        }
    }
}
