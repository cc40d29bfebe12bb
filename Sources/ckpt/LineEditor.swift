#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLineEdit

/// Line editing at a terminal through libedit's native API, with its own history.
///
/// Each editor owns its `EditLine` and `History`; libedit's callbacks find the editor
/// through `EL_CLIENTDATA`. Characters are read by the editor itself rather than by
/// libedit, so that a signal reported by ``SignalWatcher`` can end a read at once.
final class LineEditor {
    /// The result of one call of ``readLine(prompt:)``.
    enum Input: Equatable {
        case line(String)
        /// Ctrl-C: the typed text is discarded.
        case interrupted
        /// Ctrl-D on an empty line, or the terminal closed.
        case endOfInput
        /// SIGTERM or SIGHUP arrived; the terminal is back in its normal mode.
        case terminated(signal: Int32)
    }

    /// The words that may complete the word before the cursor.
    struct Completion {
        /// The word being completed, as typed.
        var word: String
        /// Full replacements for `word`. A lone candidate gets a space after it unless it
        /// ends with `/`.
        var candidates: [String]
    }

    /// The largest number of entries kept in memory and in the history file.
    static let historySize: Int32 = 1000

    /// Returns the completions for the text of the line before the cursor.
    var completer: ((String) -> Completion)?

    private let editLine: OpaquePointer
    let history: OpaquePointer
    private let watcher: SignalWatcher
    private let outputDescriptor: Int32
    private var prompt: UnsafeMutablePointer<CChar>
    private var pending: [UInt8] = []
    private var pendingStart = 0
    private var stopReason: Input?

    /// Creates an editor on stdin.
    ///
    /// - Parameters:
    ///   - watcher: the source of Ctrl-C, termination and resize events.
    ///   - outputDescriptor: where the prompt and the edited line are drawn; see
    ///     ``terminalOutputDescriptor()``.
    init(watcher: SignalWatcher, outputDescriptor: Int32) {
        self.watcher = watcher
        self.outputDescriptor = outputDescriptor
        guard let editLine = ckpt_el_init("ckpt", outputDescriptor) else {
            fatalError("cannot open descriptor \(outputDescriptor) for the line editor: \(SystemError(code: errno))")
        }
        self.editLine = editLine
        self.history = history_init()
        self.prompt = strdup("")
        configure()
    }

    deinit {
        el_end(editLine)
        history_end(history)
        free(prompt)
    }

    private func configure() {
        ckpt_history_set_size(history, Self.historySize)
        ckpt_history_set_unique(history, 1)
        ckpt_el_set_history(editLine, history)
        ckpt_el_set_editor(editLine, "emacs")
        // libedit's own handlers put the terminal back for SIGTSTP, SIGCONT and SIGQUIT;
        // the signals SignalWatcher takes are blocked, so these handlers never see them.
        ckpt_el_set_signal(editLine, 1)
        ckpt_el_set_client_data(editLine, Unmanaged.passUnretained(self).toOpaque())
        ckpt_el_set_prompt(editLine) { editLine in
            LineEditor.from(editLine)?.prompt
        }
        ckpt_el_set_read_function(editLine) { editLine, character in
            guard let editor = LineEditor.from(editLine), let character else { return -1 }
            return editor.readCharacter(into: character)
        }
        ckpt_el_add_function(editLine, "ckpt-complete", "Complete the word before the cursor") { editLine, _ in
            guard let editor = LineEditor.from(editLine) else { return UInt8(CC_ERROR) }
            return editor.complete()
        }
        ckpt_el_bind(editLine, "^I", "ckpt-complete")
        // ~/.editrc (or $EDITRC) comes last so that the user's bindings win. The completion
        // function must exist before it, because binding an unknown name corrupts the heap.
        el_source(editLine, nil)
    }

    /// Returns the descriptor to draw the prompt on: stdout when it is a terminal, else
    /// stderr when it is one, else the process's controlling terminal, else stderr.
    ///
    /// Results go to stdout and errors to stderr, so with both redirected the prompt is
    /// still drawn on the terminal the user types at.
    static func terminalOutputDescriptor() -> Int32 {
        if Terminal.isTerminal(STDOUT_FILENO) {
            return STDOUT_FILENO
        }
        if Terminal.isTerminal(STDERR_FILENO) {
            return STDERR_FILENO
        }
        let terminal = open("/dev/tty", O_WRONLY | O_CLOEXEC)
        return terminal >= 0 ? terminal : STDERR_FILENO
    }

    private static func from(_ editLine: OpaquePointer?) -> LineEditor? {
        guard let editLine, let data = ckpt_el_get_client_data(editLine) else { return nil }
        return Unmanaged<LineEditor>.fromOpaque(data).takeUnretainedValue()
    }

    /// Shows `prompt` and returns the line typed, without its newline.
    func readLine(prompt text: String) -> Input {
        free(prompt)
        prompt = strdup(text)
        stopReason = nil
        watcher.enterPrompt()

        // libedit itself switches to raw mode only after drawing the prompt, so keys typed
        // as soon as the prompt shows would be echoed and line-buffered by the terminal.
        ckpt_el_prepare_terminal(editLine, 1)
        var count: Int32 = 0
        let line = el_gets(editLine, &count)
        let terminatingSignal = watcher.leavePrompt()

        if let terminatingSignal {
            return .terminated(signal: terminatingSignal)
        }
        if let line, count > 0 {
            var text = String(cString: line)
            if text.hasSuffix("\n") {
                text.removeLast()
            }
            return .line(text)
        }
        if stopReason == .interrupted {
            el_reset(editLine)
            writeOutput("\n")
            return .interrupted
        }
        writeOutput("\n")
        return .endOfInput
    }

    /// Adds one entry to the history, as Up recalls it; a multi-line entry stays one entry.
    func addHistory(_ entry: String) {
        ckpt_history_enter(history, entry)
    }

    private func writeOutput(_ text: String) {
        Terminal.write(text, to: outputDescriptor)
    }
}

// MARK: - Reading characters

extension LineEditor {
    /// Stores the next character of stdin; returns 1, 0 at end of input, -1 when a signal
    /// ends the read. libedit calls this through `EL_GETCFN`.
    fileprivate func readCharacter(into character: UnsafeMutablePointer<wchar_t>) -> Int32 {
        while true {
            switch decodePendingScalar() {
            case .scalar(let scalar):
                character.pointee = wchar_t(bitPattern: scalar.value)
                return 1
            case .invalid:
                continue
            case .incomplete:
                break
            }

            switch waitForInput() {
            case .readable:
                if fillPending() == 0 {
                    return 0
                }
            case .retry:
                continue
            case .stopped(let reason):
                stopReason = reason
                return -1
            case .resized:
                el_resize(editLine)
            }
        }
    }

    private enum DecodedScalar {
        case scalar(Unicode.Scalar)
        /// A byte that starts no valid UTF-8 sequence was dropped.
        case invalid
        case incomplete
    }

    private func decodePendingScalar() -> DecodedScalar {
        let available = pending.count - pendingStart
        guard available > 0 else { return .incomplete }
        let lead = pending[pendingStart]
        let length: Int
        var value: UInt32
        switch lead {
        case 0x00...0x7F: length = 1; value = UInt32(lead)
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default:
            pendingStart += 1
            return .invalid
        }
        guard available >= length else { return .incomplete }
        for offset in 1..<length {
            let byte = pending[pendingStart + offset]
            guard byte & 0xC0 == 0x80 else {
                pendingStart += 1
                return .invalid
            }
            value = value << 6 | UInt32(byte & 0x3F)
        }
        pendingStart += length
        guard let scalar = Unicode.Scalar(value) else { return .invalid }
        return .scalar(scalar)
    }

    private enum Wait {
        case readable
        case stopped(Input)
        case resized
        case retry
    }

    private func waitForInput() -> Wait {
        var descriptors = [
            pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0),
            pollfd(fd: watcher.wakeDescriptor, events: Int16(POLLIN), revents: 0),
        ]
        // EINTR comes from libedit's SIGTSTP and SIGCONT handlers, which redraw the line.
        guard poll(&descriptors, 2, -1) > 0 else { return .retry }

        if descriptors[1].revents != 0 {
            var resized = false
            for event in watcher.takePromptEvents() {
                switch event {
                case .interrupt: return .stopped(.interrupted)
                case .terminate(let signal): return .stopped(.terminated(signal: signal))
                case .resize: resized = true
                }
            }
            if resized { return .resized }
        }
        return descriptors[0].revents != 0 ? .readable : .retry
    }

    /// Reads what stdin has, up to 4 KiB. Returns the byte count, -1 when nothing could be
    /// read yet, and 0 at the end of input.
    private func fillPending() -> Int {
        if pendingStart > 0 {
            pending.removeFirst(pendingStart)
            pendingStart = 0
        }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = read(STDIN_FILENO, &buffer, buffer.count)
        if count < 0 && (errno == EINTR || errno == EAGAIN) {
            return -1
        }
        guard count > 0 else {
            // An incomplete sequence before the end of input can never complete.
            pending.removeAll()
            return 0
        }
        pending.append(contentsOf: buffer[0..<count])
        return count
    }
}

// MARK: - Completion

extension LineEditor {
    /// Completes the word before the cursor, or lists the candidates when several remain.
    fileprivate func complete() -> UInt8 {
        guard let completer, let info = el_line(editLine)?.pointee else { return UInt8(CC_ERROR) }
        let length = info.cursor - info.buffer
        let before = UnsafeBufferPointer(
            start: UnsafeRawPointer(info.buffer).assumingMemoryBound(to: UInt8.self), count: length)
        let completion = completer(String(decoding: before, as: UTF8.self))

        guard !completion.candidates.isEmpty else { return UInt8(CC_REFRESH_BEEP) }
        let common = Self.commonPrefix(of: completion.candidates)
        let typed = completion.word.utf8.count

        if completion.candidates.count == 1 {
            var insertion = String(decoding: common.utf8.dropFirst(typed), as: UTF8.self)
            if !common.hasSuffix("/") {
                insertion += " "
            }
            el_insertstr(editLine, insertion)
            return UInt8(CC_REFRESH)
        }
        if common.utf8.count > typed {
            el_insertstr(editLine, String(decoding: common.utf8.dropFirst(typed), as: UTF8.self))
            return UInt8(CC_REFRESH)
        }
        let width = Terminal.width(of: outputDescriptor)
        writeOutput("\n" + Self.columns(completion.candidates.sorted(), width: width))
        return UInt8(CC_REDISPLAY)
    }

    static func commonPrefix(of words: [String]) -> String {
        guard var prefix = words.first.map({ Array($0.utf8) }) else { return "" }
        for word in words.dropFirst() {
            let bytes = Array(word.utf8)
            var length = 0
            while length < min(prefix.count, bytes.count) && prefix[length] == bytes[length] {
                length += 1
            }
            prefix.removeSubrange(length...)
        }
        // Never cut a multi-byte character in half.
        while !prefix.isEmpty, String(validating: prefix, as: UTF8.self) == nil {
            prefix.removeLast()
        }
        return String(decoding: prefix, as: UTF8.self)
    }

    /// Lays the words out in columns that fit `width` characters.
    static func columns(_ words: [String], width: Int) -> String {
        let columnWidth = (words.map(\.count).max() ?? 0) + 2
        let perRow = max(1, width / columnWidth)
        var text = ""
        for (index, word) in words.enumerated() {
            let last = index % perRow == perRow - 1 || index == words.count - 1
            text += last ? word + "\n" : word + String(repeating: " ", count: columnWidth - word.count)
        }
        return text
    }
}
