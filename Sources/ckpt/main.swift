#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

switch Launcher.prepare(arguments: Array(CommandLine.arguments.dropFirst())) {
case .finished(let status):
    exit(status)
case .ready(let launcher):
    exit(launcher.runToCompletion())
}
