/// Runs a program that is not typed at a prompt: a file, `-c CODE`, or standard input.
struct ScriptRunner {
    let engine: ScriptEngine
    let watcher: SignalWatcher

    /// Evaluates the whole program; returns the exit status.
    func run(_ program: Options.Program) async -> Int32 {
        let source: String
        let sourceName: String
        switch program {
        case .code(let code):
            source = code
            sourceName = "<command line>"
        case .file(let path):
            do {
                source = try Terminal.readFile(path)
            } catch {
                Terminal.write("ckpt: cannot read the script '\(path)': \(error)\n", to: 2)
                return 2
            }
            sourceName = path
        case .standardInput:
            do {
                source = String(decoding: try Terminal.readAll(0), as: UTF8.self)
            } catch {
                Terminal.write("ckpt: cannot read standard input: \(error)\n", to: 2)
                return 2
            }
            sourceName = "<stdin>"
        }

        let engine = self.engine
        let (outcome, interrupted) = await watcher.runCancellable {
            await engine.evaluate(source, sourceName: sourceName)
        }
        if interrupted {
            return 130
        }
        switch outcome {
        case .success: return 0
        case .failure(let status), .exit(let status): return status
        case .cancelled: return 130
        }
    }
}
