#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure of the pseudo-terminal harness, with what the terminal showed so far.
struct TerminalTestError: Error, CustomStringConvertible {
    var description: String
}

/// The built `ckpt` binary running on a pseudo-terminal, driven like a person at a keyboard.
///
/// Every wait is bounded; the process is killed when the value goes away.
final class PseudoTerminal {
    private let master: Int32
    /// Kept open so the terminal's modes can be read after the process exits.
    private let slave: Int32
    let pid: pid_t
    private var output: [UInt8] = []
    private var consumed = 0
    private var exitStatus: Int32?

    /// Starts `executable` with the terminal as its stdin, stdout and stderr, in a session
    /// of its own. `standardOutputPath` and `standardErrorPath` send those streams to files.
    init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String],
        standardOutputPath: String? = nil,
        standardErrorPath: String? = nil
    ) throws {
        var master: Int32 = -1, slave: Int32 = -1
        var size = winsize(ws_row: 24, ws_col: 80, ws_xpixel: 0, ws_ypixel: 0)
        guard openpty(&master, &slave, nil, nil, &size) == 0, let name = ttyname(slave) else {
            throw TerminalTestError(description: "cannot open a pseudo-terminal: errno \(errno)")
        }
        let slavePath = String(cString: name)
        for descriptor in [master, slave] {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
        self.master = master
        self.slave = slave

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened after setsid, without O_NOCTTY, the terminal becomes the controlling one.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        if let standardOutputPath {
            posix_spawn_file_actions_addopen(&actions, 1, standardOutputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
        }
        if let standardErrorPath {
            posix_spawn_file_actions_addopen(&actions, 2, standardErrorPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        } else {
            posix_spawn_file_actions_adddup2(&actions, 0, 2)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        for signal in [SIGINT, SIGTERM, SIGHUP, SIGWINCH, SIGPIPE, SIGQUIT] {
            sigaddset(&defaultSignals, signal)
        }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
        let setSession: Int16 = 0x80  // POSIX_SPAWN_SETSID, a GNU extension
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF) | setSession)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            close(master)
            close(slave)
            throw TerminalTestError(description: "cannot start \(executable): errno \(result)")
        }
        pid = child
    }

    deinit {
        if exitStatus == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
        close(master)
        close(slave)
    }

    /// Types `text`, as if at the keyboard.
    func send(_ text: String) {
        var bytes = Array(text.utf8)
        _ = write(master, &bytes, bytes.count)
    }

    /// Changes the terminal's size, which sends SIGWINCH to the program.
    func resize(rows: UInt16, columns: UInt16) {
        var size = winsize(ws_row: rows, ws_col: columns, ws_xpixel: 0, ws_ypixel: 0)
        _ = ioctl(master, UInt(TIOCSWINSZ), &size)
    }

    /// Waits until the terminal shows `text` after the previous match.
    ///
    /// - Returns: the output from the previous match to the end of this one.
    @discardableResult
    func expect(_ text: String, timeout: Duration = .seconds(10)) throws -> String {
        let needle = Array(text.utf8)
        let deadline = ContinuousClock.now + timeout
        while true {
            if let range = Self.firstRange(of: needle, in: output, from: consumed) {
                let shown = String(decoding: output[consumed..<range.upperBound], as: UTF8.self)
                consumed = range.upperBound
                return shown
            }
            guard readOutput(until: deadline) else {
                throw TerminalTestError(description: "timed out waiting for \(String(reflecting: text)); the terminal showed \(String(reflecting: unreadOutput))")
            }
        }
    }

    /// The output after the last match.
    var unreadOutput: String {
        String(decoding: output[consumed...], as: UTF8.self)
    }

    /// Reads what the terminal has for a short while, so that later checks see it.
    func collectOutput(for duration: Duration) {
        let deadline = ContinuousClock.now + duration
        while readOutput(until: deadline) {}
    }

    /// Waits for the process to exit; returns its status, or 128 + the signal that killed it.
    func waitForExit(timeout: Duration = .seconds(10)) throws -> Int32 {
        if let exitStatus { return exitStatus }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var status: Int32 = 0
            if waitpid(pid, &status, WNOHANG) == pid {
                let signal = status & 0x7F
                let code = signal == 0 ? (status >> 8) & 0xFF : 128 + signal
                exitStatus = code
                return code
            }
            _ = readOutput(until: ContinuousClock.now + .milliseconds(20))
        }
        throw TerminalTestError(description: "the process did not exit; the terminal showed \(String(reflecting: unreadOutput))")
    }

    /// Returns the terminal's current modes, as the program left them.
    func modes() -> termios {
        var modes = termios()
        tcgetattr(slave, &modes)
        return modes
    }

    /// Reads one batch of output; returns false when nothing came before the deadline.
    private func readOutput(until deadline: ContinuousClock.Instant) -> Bool {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero else { return false }
        let milliseconds = Int32(min(remaining.components.seconds * 1000 + remaining.components.attoseconds / 1_000_000_000_000_000, 60_000))
        var descriptor = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&descriptor, 1, max(milliseconds, 1)) > 0 else { return false }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(master, &buffer, buffer.count)
        guard count > 0 else { return false }
        output.append(contentsOf: buffer[0..<count])
        return true
    }

    private static func firstRange(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Range<Int>? {
        guard !needle.isEmpty, haystack.count - start >= needle.count else { return nil }
        for index in start...(haystack.count - needle.count) where haystack[index] == needle[0] {
            if haystack[index..<(index + needle.count)].elementsEqual(needle) {
                return index..<(index + needle.count)
            }
        }
        return nil
    }
}
