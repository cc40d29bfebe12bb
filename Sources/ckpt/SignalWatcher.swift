#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLineEdit
import Synchronization

/// Receives SIGINT, SIGTERM, SIGHUP and SIGWINCH on a thread of its own and turns them
/// into actions: cancelling the running command, waking the line editor, or exiting.
///
/// The signals are blocked in every thread and taken with `sigwait`, so no signal handler
/// runs and no process-wide variable is needed. ``start(interactive:)`` must run before
/// any other thread exists, because threads inherit the signal mask of their creator.
final class SignalWatcher: Sendable {
    /// An event for the line editor, announced by ``wakeDescriptor`` becoming readable.
    enum PromptEvent: Equatable {
        case interrupt
        case terminate(signal: Int32)
        case resize
    }

    private enum Phase {
        /// Between commands, or reading a script.
        case idle
        /// Waiting for a line at the prompt.
        case prompt
        /// A command runs; the closure cancels it.
        case running(cancel: @Sendable () -> Void, cancelRequested: Bool)
    }

    private struct State {
        var phase = Phase.idle
        var pendingPromptEvents: [PromptEvent] = []
        /// Set by SIGINT while a command runs; ``runCancellable(_:)`` returns it.
        var interrupted = false
        /// The first terminating signal received, if any.
        var terminatingSignal: Int32?
    }

    /// Readable when a prompt event is waiting; the line editor polls it beside stdin.
    let wakeDescriptor: Int32
    private let wakeWriteDescriptor: Int32
    private let interactive: Bool
    private let state = Mutex(State())

    private static let watchedSignals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGWINCH]

    private init(interactive: Bool, wakeDescriptors: (read: Int32, write: Int32)) {
        self.interactive = interactive
        self.wakeDescriptor = wakeDescriptors.read
        self.wakeWriteDescriptor = wakeDescriptors.write
    }

    /// Blocks the watched signals in the calling thread and starts the watching thread.
    ///
    /// - Parameter interactive: true for the prompt. In a script, SIGINT outside a command
    ///   exits with status 130 at once.
    static func start(interactive: Bool) -> SignalWatcher {
        var signals = signalSet()
        pthread_sigmask(SIG_BLOCK, &signals, nil)

        var descriptors: [Int32] = [-1, -1]
        if pipe(&descriptors) != 0 {
            fatalError("cannot create a pipe for signal delivery: \(String(cString: strerror(errno)))")
        }
        for descriptor in descriptors {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }

        let watcher = SignalWatcher(interactive: interactive, wakeDescriptors: (descriptors[0], descriptors[1]))
        var thread = pthread_t()
        let context = Unmanaged.passRetained(watcher).toOpaque()
        let result = pthread_create(&thread, nil, { context in
            let watcher = Unmanaged<SignalWatcher>.fromOpaque(context!).takeRetainedValue()
            watcher.watch()
            return nil
        }, context)
        if result != 0 {
            fatalError("cannot start the signal thread: \(String(cString: strerror(result)))")
        }
        pthread_detach(thread)
        return watcher
    }

    private static func signalSet() -> sigset_t {
        var signals = sigset_t()
        sigemptyset(&signals)
        for signal in watchedSignals {
            sigaddset(&signals, signal)
        }
        return signals
    }

    private func watch() {
        var signals = Self.signalSet()
        while true {
            var received: Int32 = 0
            guard sigwait(&signals, &received) == 0 else { continue }
            handle(received)
        }
    }

    private func handle(_ signal: Int32) {
        switch signal {
        case SIGWINCH:
            notifyPrompt(.resize)
        case SIGINT:
            interrupt()
        default:
            terminate(signal)
        }
    }

    private func interrupt() {
        enum Action { case wakePrompt, cancel(@Sendable () -> Void), exitNow, none }
        let action: Action = state.withLock { state in
            switch state.phase {
            case .prompt:
                return .wakePrompt
            case .running(let cancel, let cancelRequested):
                // In a script, a second Ctrl-C exits when the command ignores the first one.
                // At the prompt it only cancels again, so that an impatient second Ctrl-C
                // does not end the session; Ctrl-\ still quits.
                if cancelRequested && !interactive { return .exitNow }
                state.phase = .running(cancel: cancel, cancelRequested: true)
                state.interrupted = true
                return .cancel(cancel)
            case .idle:
                return interactive ? .none : .exitNow
            }
        }
        switch action {
        case .wakePrompt: notifyPrompt(.interrupt)
        case .cancel(let cancel): cancel()
        case .exitNow: Self.exitImmediately(status: 130)
        case .none: break
        }
    }

    private func terminate(_ signal: Int32) {
        let atPrompt = state.withLock { state in
            if state.terminatingSignal == nil {
                state.terminatingSignal = signal
            }
            if case .prompt = state.phase { return true }
            return false
        }
        if atPrompt {
            // The editor leaves raw mode before the main thread exits.
            notifyPrompt(.terminate(signal: signal))
        } else {
            // Outside the prompt the terminal is already in its normal mode.
            Self.exitImmediately(status: 128 + signal)
        }
    }

    private func notifyPrompt(_ event: PromptEvent) {
        let atPrompt = state.withLock { state in
            guard case .prompt = state.phase else { return false }
            state.pendingPromptEvents.append(event)
            return true
        }
        if atPrompt {
            var byte: UInt8 = 1
            _ = write(wakeWriteDescriptor, &byte, 1)
        }
    }

    private static func exitImmediately(status: Int32) -> Never {
        ckpt_flush_stdout()
        _exit(status)
    }

    // MARK: - Phases, called from the main flow

    /// Marks the start of a prompt read; events that arrived earlier are dropped.
    func enterPrompt() {
        drainWakeDescriptor()
        state.withLock { state in
            state.phase = .prompt
            state.pendingPromptEvents = []
        }
    }

    /// Marks the end of a prompt read and returns the signal that should end the program, if any.
    func leavePrompt() -> Int32? {
        state.withLock { state in
            state.phase = .idle
            return state.terminatingSignal
        }
    }

    /// Takes the events that arrived since the last call, oldest first.
    func takePromptEvents() -> [PromptEvent] {
        drainWakeDescriptor()
        return state.withLock { state in
            let events = state.pendingPromptEvents
            state.pendingPromptEvents = []
            return events
        }
    }

    /// Runs `operation` as a task that SIGINT cancels, and waits for it.
    ///
    /// - Returns: the operation's result and whether SIGINT arrived while it ran.
    func runCancellable<Result: Sendable>(
        _ operation: sending @escaping @isolated(any) () async -> Result
    ) async -> (result: Result, interrupted: Bool) {
        let task = Task(operation: operation)
        state.withLock { state in
            state.phase = .running(cancel: { task.cancel() }, cancelRequested: false)
            state.interrupted = false
        }
        let result = await task.value
        let interrupted = state.withLock { state in
            state.phase = .idle
            return state.interrupted
        }
        return (result, interrupted)
    }

    private func drainWakeDescriptor() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while read(wakeDescriptor, &buffer, buffer.count) > 0 {}
    }
}
