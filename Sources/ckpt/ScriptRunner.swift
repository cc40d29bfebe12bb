#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs a program that is not typed at a prompt: a file, `-c CODE`, or standard input.
struct ScriptRunner {
    let engine: ScriptEngine
    let watcher: SignalWatcher

    /// Evaluates the whole program; returns the exit status.
    func run(_ program: Options.Program) async -> Int32 {
        if case .file(let path) = program, access(path, R_OK) != 0 {
            Terminal.write("ckpt: cannot read the script '\(path)': \(SystemError(code: errno))\n", to: 2)
            return 2
        }
        // Standard input is read before the program starts, while SIGINT still exits at
        // once: a blocking read would not notice a cancelled task.
        var standardInput = ""
        if program == .standardInput {
            do {
                standardInput = String(decoding: try Terminal.readAll(0), as: UTF8.self)
            } catch {
                Terminal.write("ckpt: cannot read standard input: \(error)\n", to: 2)
                return 2
            }
        }

        let engine = self.engine
        let (outcome, interrupted) = await watcher.runCancellable {
            switch program {
            case .code(let code):
                await engine.evaluate(code, sourceName: "<command line>")
            case .file(let path):
                await engine.run(file: path)
            case .standardInput:
                await engine.evaluate(standardInput, sourceName: "<stdin>")
            }
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
