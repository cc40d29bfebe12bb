#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The result of running the built `ckpt` with pipes for its standard streams.
struct CommandResult: Equatable, CustomStringConvertible {
    var status: Int32
    var standardOutput: String
    var standardError: String

    var description: String {
        "status \(status), stdout \(String(reflecting: standardOutput)), stderr \(String(reflecting: standardError))"
    }
}

/// Where the tests find the built binaries and keep their files.
enum Fixture {
    /// The folder of the test bundle, which is the build folder that also contains `ckpt`.
    static let binaryFolder: String = {
        var buffer = [CChar](repeating: 0, count: 4096)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        let path = String(decoding: buffer[0..<max(length, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var folder = path[..<(path.lastIndex(of: "/") ?? path.endIndex)]
        // On Linux the test bundle is `ckptPackageTests.xctest` inside the build folder.
        if folder.hasSuffix(".xctest") {
            folder = folder[..<(folder.lastIndex(of: "/") ?? folder.endIndex)]
        }
        return String(folder)
    }()

    static var ckpt: String { binaryFolder + "/ckpt" }

    /// Creates an empty folder under /tmp and returns its path.
    static func temporaryFolder() -> String {
        var template = Array("/tmp/ckpt-tests-XXXXXX".utf8CString)
        guard mkdtemp(&template) != nil else { fatalError("mkdtemp failed: errno \(errno)") }
        return String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Returns an environment without the caller's keys, history or startup file, with
    /// `home` as HOME.
    static func environment(home: String, _ extra: [String: String] = [:]) -> [String: String] {
        var environment = [
            "HOME": home,
            "PATH": "/usr/bin:/bin",
            "TERM": "xterm",
        ]
        environment.merge(extra) { $1 }
        return environment
    }

    static func write(_ text: String, to path: String, mode: mode_t = 0o644) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode)
        precondition(descriptor >= 0, "cannot create \(path): errno \(errno)")
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress!, $0.count) }
            precondition(written > 0)
            offset += written
        }
        close(descriptor)
    }

    static func read(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var contents: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Glibc.read(descriptor, &buffer, buffer.count)
            guard count > 0 else { break }
            contents.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: contents, as: UTF8.self)
    }

    static func removeFolder(_ path: String) {
        guard let stream = opendir(path) else { return }
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." {
                unlink(path + "/" + name)
            }
        }
        closedir(stream)
        rmdir(path)
    }
}

/// Runs the built `ckpt` with `input` on a pipe to its stdin and returns what it wrote.
///
/// Gives up, killing the process, after `timeout`.
func runCkpt(
    _ arguments: [String],
    input: String = "",
    environment: [String: String],
    timeout: Duration = .seconds(60)
) throws -> CommandResult {
    var inputPipe: [Int32] = [-1, -1], outputPipe: [Int32] = [-1, -1], errorPipe: [Int32] = [-1, -1]
    guard pipe(&inputPipe) == 0, pipe(&outputPipe) == 0, pipe(&errorPipe) == 0 else {
        throw TerminalTestError(description: "cannot create pipes: errno \(errno)")
    }
    for descriptor in inputPipe + outputPipe + errorPipe {
        _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
    }

    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_adddup2(&actions, inputPipe[0], 0)
    posix_spawn_file_actions_adddup2(&actions, outputPipe[1], 1)
    posix_spawn_file_actions_adddup2(&actions, errorPipe[1], 2)
    var attributes = posix_spawnattr_t()
    posix_spawnattr_init(&attributes)
    defer { posix_spawnattr_destroy(&attributes) }
    var noSignals = sigset_t()
    sigemptyset(&noSignals)
    var defaultSignals = sigset_t()
    sigemptyset(&defaultSignals)
    sigaddset(&defaultSignals, SIGPIPE)
    sigaddset(&defaultSignals, SIGINT)
    posix_spawnattr_setsigmask(&attributes, &noSignals)
    posix_spawnattr_setsigdefault(&attributes, &defaultSignals)
    posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

    let argv = ([Fixture.ckpt] + arguments).map { strdup($0) } + [nil]
    let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer {
        argv.forEach { free($0) }
        envp.forEach { free($0) }
    }
    var pid: pid_t = 0
    let result = posix_spawn(&pid, Fixture.ckpt, &actions, &attributes, argv, envp)
    close(inputPipe[0])
    close(outputPipe[1])
    close(errorPipe[1])
    guard result == 0 else {
        [inputPipe[1], outputPipe[0], errorPipe[0]].forEach { close($0) }
        throw TerminalTestError(description: "cannot start ckpt: errno \(result)")
    }

    let pending = Array(input.utf8)
    var written = 0
    var writer: Int32 = inputPipe[1]
    _ = fcntl(writer, F_SETFL, O_NONBLOCK)
    if pending.isEmpty {
        close(writer)
        writer = -1
    }
    var outputs: [Int32: [UInt8]] = [outputPipe[0]: [], errorPipe[0]: []]
    var open = [outputPipe[0], errorPipe[0]]
    let deadline = ContinuousClock.now + timeout
    var buffer = [UInt8](repeating: 0, count: 65536)

    while !open.isEmpty || writer >= 0 {
        guard ContinuousClock.now < deadline else {
            kill(pid, SIGKILL)
            break
        }
        var descriptors = open.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        if writer >= 0 {
            descriptors.append(pollfd(fd: writer, events: Int16(POLLOUT), revents: 0))
        }
        guard poll(&descriptors, nfds_t(descriptors.count), 100) > 0 else { continue }
        for descriptor in descriptors where descriptor.revents != 0 {
            if descriptor.fd == writer {
                let count = pending[written...].withUnsafeBytes { Glibc.write(writer, $0.baseAddress!, $0.count) }
                if count > 0 { written += count }
                if count < 0 && errno != EAGAIN || written == pending.count {
                    close(writer)
                    writer = -1
                }
                continue
            }
            let count = Glibc.read(descriptor.fd, &buffer, buffer.count)
            if count > 0 {
                outputs[descriptor.fd]!.append(contentsOf: buffer[0..<count])
            } else {
                open.removeAll { $0 == descriptor.fd }
            }
        }
    }
    [outputPipe[0], errorPipe[0]].forEach { close($0) }
    if writer >= 0 { close(writer) }

    var status: Int32 = 0
    waitpid(pid, &status, 0)
    let signal = status & 0x7F
    return CommandResult(
        status: signal == 0 ? (status >> 8) & 0xFF : 128 + signal,
        standardOutput: String(decoding: outputs[outputPipe[0]]!, as: UTF8.self),
        standardError: String(decoding: outputs[errorPipe[0]]!, as: UTF8.self))
}
