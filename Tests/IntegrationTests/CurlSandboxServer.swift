import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `ckpt-sandbox` process listening on a free loopback port, stopped when released.
final class CurlSandboxServer {
    /// The API root the server printed, such as `http://127.0.0.1:40123/v1`.
    let baseURL: String
    private let process: Process

    /// Starts the server with `--port 0` and `arguments`, and waits for its first output line.
    init(arguments: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let process = Process()
        process.executableURL = try Self.binaryURL()
        process.arguments = ["--host", "127.0.0.1", "--port", "0"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        self.process = process

        let line = Self.firstLine(of: output.fileHandleForReading, timeout: .seconds(10))
        guard let line, line.hasPrefix("listening on http://") else {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            throw SandboxError.noListeningLine(firstLine: line)
        }
        baseURL = String(line.dropFirst("listening on ".count))
    }

    deinit {
        stop()
    }

    /// The port from ``baseURL``.
    var port: Int {
        let authority = baseURL.dropFirst("http://".count).prefix { $0 != "/" }
        return Int(authority.split(separator: ":").last ?? "") ?? 0
    }

    /// Stops the server and waits for it to exit, so that its port is closed.
    ///
    /// The server gets SIGKILL so that a server that blocks or handles SIGTERM cannot
    /// keep the test waiting.
    func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    enum SandboxError: Error, CustomStringConvertible {
        case notBuilt(searched: [String])
        case noListeningLine(firstLine: String?)

        var description: String {
            switch self {
            case .notBuilt(let searched):
                "ckpt-sandbox not found in \(searched.joined(separator: ", ")); build it with 'swift build --product ckpt-sandbox'"
            case .noListeningLine(let line?):
                "ckpt-sandbox printed '\(line)' instead of 'listening on http://HOST:PORT/v1'"
            case .noListeningLine(nil):
                "ckpt-sandbox printed no line within 10 s"
            }
        }
    }

    /// Finds `ckpt-sandbox` in the build folder that contains the test binary.
    private static func binaryURL() throws -> URL {
        var folders: [URL] = []
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        folders.append(executable.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        let packageRoot = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        folders.append(packageRoot.appendingPathComponent(".build/debug"))

        for folder in folders {
            let candidate = folder.appendingPathComponent("ckpt-sandbox")
            if FileManager.default.isExecutableFile(atPath: candidate.path) {
                return candidate
            }
        }
        throw SandboxError.notBuilt(searched: folders.map(\.path))
    }

    /// Reads up to the first newline, or returns `nil` at end of file or after `timeout`.
    private static func firstLine(of handle: FileHandle, timeout: Duration) -> String? {
        let result = LineBox()
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            var bytes = Data()
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                bytes.append(chunk)
            }
            let text = String(decoding: bytes, as: UTF8.self)
            result.set(text.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init))
            done.signal()
        }
        let milliseconds = Int(timeout.components.seconds * 1000)
        guard done.wait(timeout: .now() + .milliseconds(milliseconds)) == .success else {
            return nil
        }
        return result.get()?.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A line handed from the reading thread to the waiting one.
private final class LineBox: @unchecked Sendable {
    private let lock = NSLock()
    private var line: String?

    func set(_ value: String?) {
        lock.withLock { line = value }
    }

    func get() -> String? {
        lock.withLock { line }
    }
}
