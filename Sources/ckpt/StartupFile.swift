#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The file run before the first prompt: `~/.ckptrc`, unless `CKPT_RC` names another.
enum StartupFile {
    /// Returns the path to run, or `nil` when there is none. A missing `~/.ckptrc` is not
    /// an error, but a missing file named by `CKPT_RC` is.
    static func path() -> String? {
        if let path = Terminal.environment("CKPT_RC") {
            return path
        }
        guard let home = Terminal.environment("HOME") else { return nil }
        let path = home + "/.ckptrc"
        return access(path, F_OK) == 0 ? path : nil
    }
}
