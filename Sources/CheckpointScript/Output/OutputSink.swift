import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The destination of an interpreter's output: formatted results and `print` text go to
/// standard output, warnings to standard error.
///
/// The interpreter calls ``flush()`` at the end of every top-level statement, before each
/// API request and host command, and after each page that `--all` prints, so a sink may
/// buffer in between.
///
/// ```swift
/// let sink = CapturingOutputSink()
/// let interpreter = Interpreter(client: client, output: sink)
/// try await interpreter.evaluate("print hello")
/// assert(sink.output == "hello\n")
/// ```
public protocol OutputSink: Sendable {
    /// Writes text meant for standard output: results and `print` text.
    func write(_ text: String)
    /// Writes text meant for standard error, such as warnings.
    func writeError(_ text: String)
    /// Writes out anything buffered.
    func flush()
}

extension OutputSink {
    public func flush() {}
}

/// Writes to the process's standard output and standard error.
///
/// Standard output is buffered in memory, up to 64 KiB, and written with `write(2)` when
/// the buffer fills and on every ``flush()``. Standard error is written at once.
public final class StandardOutputSink: OutputSink {
    private static let bufferLimit = 64 * 1024
    private let buffer = Mutex<[UInt8]>([])

    public init() {}

    public func write(_ text: String) {
        let full = buffer.withLock { buffer -> [UInt8]? in
            buffer.append(contentsOf: text.utf8)
            guard buffer.count >= Self.bufferLimit else { return nil }
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        if let full {
            Self.writeAll(full, to: 1)
        }
    }

    public func writeError(_ text: String) {
        flush()
        Self.writeAll(Array(text.utf8), to: 2)
    }

    public func flush() {
        let pending = buffer.withLock { buffer -> [UInt8]? in
            guard !buffer.isEmpty else { return nil }
            defer { buffer.removeAll(keepingCapacity: true) }
            return buffer
        }
        if let pending {
            Self.writeAll(pending, to: 1)
        }
    }

    /// Writes every byte, retrying after interruptions; gives up silently on other errors
    /// such as a closed pipe, since there is nowhere left to report them.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let written = systemWrite(descriptor, raw.baseAddress! + offset, raw.count - offset)
                if written > 0 {
                    offset += written
                } else if written < 0 && errno == EINTR {
                    continue
                } else {
                    return
                }
            }
        }
    }
}

/// Keeps everything written, for tests and for hosts that show output their own way.
public final class CapturingOutputSink: OutputSink {
    private let captured = Mutex<(output: String, errorOutput: String)>(("", ""))

    public init() {}

    /// Everything written to standard output so far.
    public var output: String { captured.withLock { $0.output } }
    /// Everything written to standard error so far.
    public var errorOutput: String { captured.withLock { $0.errorOutput } }

    public func write(_ text: String) {
        captured.withLock { $0.output += text }
    }

    public func writeError(_ text: String) {
        captured.withLock { $0.errorOutput += text }
    }

    /// Forgets what was captured.
    public func clear() {
        captured.withLock { $0 = ("", "") }
    }
}

private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(descriptor, bytes, count)
    #elseif canImport(Darwin)
    Darwin.write(descriptor, bytes, count)
    #endif
}
