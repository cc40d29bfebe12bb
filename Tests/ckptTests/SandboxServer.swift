#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A `ckpt-sandbox` process on a free loopback port, stopped when the value goes away.
final class SandboxServer {
    let pid: pid_t
    /// The API root it serves, such as `http://127.0.0.1:40123/v1`.
    let baseURL: String
    private let outputDescriptor: Int32

    init(arguments: [String]) throws {
        var outputPipe: [Int32] = [-1, -1]
        guard pipe(&outputPipe) == 0 else {
            throw TerminalTestError(description: "cannot create a pipe: errno \(errno)")
        }
        for descriptor in outputPipe {
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)

        let executable = Fixture.binaryFolder + "/ckpt-sandbox"
        let argv = ([executable, "--host", "127.0.0.1", "--port", "0"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var child: pid_t = 0
        let result = posix_spawn(&child, executable, &actions, nil, argv, [nil])
        close(outputPipe[1])
        guard result == 0 else {
            close(outputPipe[0])
            throw TerminalTestError(description: "cannot start \(executable): errno \(result)")
        }
        pid = child
        outputDescriptor = outputPipe[0]

        let line = try Self.readFirstLine(from: outputPipe[0], timeout: .seconds(10))
        let prefix = "listening on "
        guard line.hasPrefix(prefix) else {
            kill(child, SIGKILL)
            waitpid(child, nil, 0)
            throw TerminalTestError(description: "ckpt-sandbox printed \(String(reflecting: line)) instead of its address")
        }
        baseURL = String(line.dropFirst(prefix.count))
    }

    deinit {
        // SIGTERM would wait for requests still sleeping out their latency.
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        close(outputDescriptor)
    }

    private static func readFirstLine(from descriptor: Int32, timeout: Duration) throws -> String {
        let deadline = ContinuousClock.now + timeout
        var bytes: [UInt8] = []
        while !bytes.contains(UInt8(ascii: "\n")) {
            guard ContinuousClock.now < deadline else {
                throw TerminalTestError(description: "ckpt-sandbox printed no address within \(timeout)")
            }
            var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&pollDescriptor, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(descriptor, &byte, 1) == 1 else {
                throw TerminalTestError(description: "ckpt-sandbox exited before printing its address")
            }
            bytes.append(byte)
        }
        return String(decoding: bytes.dropLast(), as: UTF8.self)
    }
}
