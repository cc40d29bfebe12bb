import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A running `ckpt-sandbox` process on a free loopback port, killed when dropped.
///
/// Every test target that needs the real server over HTTP starts it through this type.
public final class SandboxProcess {
    public enum LaunchError: Error, CustomStringConvertible {
        case binaryNotFound(String)
        case noListeningLine(output: String)

        public var description: String {
            switch self {
            case .binaryNotFound(let path):
                "ckpt-sandbox not found at \(path); build it with 'swift build --product ckpt-sandbox'"
            case .noListeningLine(let output):
                "ckpt-sandbox did not print 'listening on …' within 10 s; stdout was '\(output)'"
            }
        }
    }

    let process = Process()
    /// The API root the server printed, such as `http://127.0.0.1:40123/v1`.
    public let baseURL: String
    public let port: Int
    private let standardError = Pipe()
    private let standardOutput = Pipe()

    /// Returns the path of the `ckpt-sandbox` next to the test bundle, or `$CKPT_SANDBOX_BINARY` when set.
    public static func binaryPath() -> String {
        if let path = ProcessInfo.processInfo.environment["CKPT_SANDBOX_BINARY"] {
            return path
        }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: executable).deletingLastPathComponent()
        // On macOS the test binary sits inside the bundle, in Contents/MacOS.
        if directory.path.hasSuffix(".xctest/Contents/MacOS") {
            directory = directory.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        }
        return directory.appendingPathComponent("ckpt-sandbox").path
    }

    /// Starts `ckpt-sandbox --host 127.0.0.1 --port 0` with `arguments` and waits for its
    /// first stdout line.
    public init(_ arguments: [String] = []) throws {
        let path = Self.binaryPath()
        guard FileManager.default.isExecutableFile(atPath: path) else { throw LaunchError.binaryNotFound(path) }
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--host", "127.0.0.1", "--port", "0"] + arguments
        process.standardOutput = standardOutput
        process.standardError = standardError
        try process.run()

        let line = Self.readFirstLine(standardOutput.fileHandleForReading.fileDescriptor)
        let prefix = "listening on "
        guard line.hasPrefix(prefix), let url = URL(string: String(line.dropFirst(prefix.count))),
            let port = url.port
        else {
            process.terminate()
            throw LaunchError.noListeningLine(output: line)
        }
        self.baseURL = String(line.dropFirst(prefix.count))
        self.port = port
    }

    /// Kills the server rather than stopping it gracefully, so that requests still
    /// sleeping out a `--latency-ms` delay do not hold up the test.
    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            waitForExit()
        }
    }

    /// Sends `signal` and returns the exit status and everything written to stderr.
    @discardableResult
    public func stop(signal: Int32 = SIGTERM) -> (status: Int32, standardError: String) {
        kill(process.processIdentifier, signal)
        waitForExit()
        let data = standardError.fileHandleForReading.readDataToEndOfFile()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Waits up to 10 s for the process to exit, then kills it, so a server that ignores
    /// a signal fails its test instead of hanging the test run.
    private func waitForExit() {
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline {
            usleep(10_000)
        }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
        }
        process.waitUntilExit()
    }

    /// Reads up to the first newline, waiting at most 10 s in total.
    private static func readFirstLine(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            var descriptor = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(fd, &byte, 1) == 1 else { break }
            if byte == UInt8(ascii: "\n") { break }
            bytes.append(byte)
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
