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
        let engine = self.engine
        let (outcome, interrupted) = await watcher.runCancellable {
            switch program {
            case .code(let code):
                await engine.evaluate(code, sourceName: "<command line>")
            case .file(let path):
                await engine.run(file: path)
            case .standardInput:
                await Self.evaluateStandardInput(with: engine)
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

    private static func evaluateStandardInput(with engine: ScriptEngine) async -> ScriptEngine.Outcome {
        let source: String
        do {
            source = String(decoding: try Terminal.readAll(0), as: UTF8.self)
        } catch {
            Terminal.write("ckpt: cannot read standard input: \(error)\n", to: 2)
            return .failure(status: 2)
        }
        return await engine.evaluate(source, sourceName: "<stdin>")
    }
}
