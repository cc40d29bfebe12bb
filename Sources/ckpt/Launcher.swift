import Dispatch
import Synchronization

/// Turns the command line into a running program.
struct Launcher: Sendable {
    /// The result of ``prepare(arguments:)``.
    enum Preparation {
        /// Help, version or a usage error was printed; exit with this status.
        case finished(status: Int32)
        case ready(Launcher)
    }

    let options: Options
    let watcher: SignalWatcher
    let interactive: Bool

    /// Parses the arguments and starts the signal thread.
    ///
    /// Runs before any other thread exists, because the signal mask it sets is inherited.
    static func prepare(arguments: [String]) -> Preparation {
        let options: Options
        do {
            options = try Options.parse(arguments)
        } catch {
            Terminal.write("\(error)\n", to: 2)
            return .finished(status: 2)
        }
        if options.showHelp {
            Terminal.write(Options.help, to: 1)
            return .finished(status: 0)
        }
        if options.showVersion {
            Terminal.write("ckpt \(Options.version)\n", to: 1)
            return .finished(status: 0)
        }

        let interactive = options.program == .standardInput && Terminal.isTerminal(0)
        let watcher = SignalWatcher.start(interactive: interactive)
        Terminal.setUpUTF8Locale()
        return .ready(Launcher(options: options, watcher: watcher, interactive: interactive))
    }

    /// Runs the prompt or the program on the cooperative thread pool and waits for it.
    ///
    /// The main thread waits here instead of serving an async `main`, because an async
    /// `main` parks the main thread in `dispatch_main`, which unblocks every signal on it;
    /// SIGINT would then reach that thread instead of ``SignalWatcher``.
    func runToCompletion() -> Int32 {
        let status = Mutex<Int32>(0)
        let finished = DispatchSemaphore(value: 0)
        Task.detached {
            let result = await run()
            status.withLock { $0 = result }
            finished.signal()
        }
        finished.wait()
        return status.withLock { $0 }
    }

    /// Runs the prompt or the program; returns the exit status.
    func run() async -> Int32 {
        let engine = ScriptEngine(options: options)
        guard interactive else {
            return await ScriptRunner(engine: engine, watcher: watcher).run(options.program)
        }
        let startupFile = options.skipStartupFile ? nil : StartupFile.path()
        return await InteractiveSession(engine: engine, watcher: watcher).run(startupFile: startupFile)
    }
}
