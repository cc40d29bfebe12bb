#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import CLineEdit

/// The prompt's history file: `~/.ckpt_history` unless `CKPT_HISTORY` names another.
///
/// The file uses libedit's format (a `_HiStOrY_V2_` line, then one encoded entry per line)
/// and mode 0600. A file that exists but cannot be read, or is not in that format, is
/// left untouched: the session warns once and saves no history.
struct HistoryFile {
    let path: String
    /// False after a load failed, so that the user's file is never replaced.
    private(set) var isWritable = true

    init(path: String) {
        self.path = path
    }

    /// Returns the path from `CKPT_HISTORY`, else `$HOME/.ckpt_history`, else `nil`.
    static func defaultPath() -> String? {
        if let path = Terminal.environment("CKPT_HISTORY") {
            return path
        }
        return Terminal.environment("HOME").map { $0 + "/.ckpt_history" }
    }

    /// Loads the file into the editor's history.
    ///
    /// - Returns: a warning to show, when the file exists but could not be used.
    mutating func load(into editor: LineEditor) -> String? {
        var status = stat()
        guard stat(path, &status) == 0 else {
            if errno == ENOENT { return nil }
            isWritable = false
            return "warning: cannot read the history file '\(path)': \(SystemError(code: errno)); history will not be saved"
        }
        if status.st_mode & S_IFMT == S_IFDIR {
            isWritable = false
            return "warning: the history file '\(path)' is a directory; history will not be saved"
        }
        if status.st_size == 0 {
            return nil
        }
        guard access(path, R_OK) == 0 else {
            isWritable = false
            return "warning: cannot read the history file '\(path)': \(SystemError(code: errno)); history will not be saved"
        }
        guard ckpt_history_load(editor.history, path) >= 0 else {
            isWritable = false
            return "warning: '\(path)' is not a ckpt history file (no _HiStOrY_V2_ first line); "
                + "it is left unchanged and history will not be saved"
        }
        return nil
    }

    /// Writes the editor's history to a new file and renames it over the old one, so that
    /// an interrupted save never leaves the file empty or half written.
    ///
    /// - Returns: a warning to show when saving failed.
    func save(from editor: LineEditor) -> String? {
        guard isWritable else { return nil }
        // A symbolic link (a history file kept with other dotfiles) stays a link: the
        // file it points to is replaced.
        var target = path
        if let resolved = realpath(path, nil) {
            target = String(cString: resolved)
            free(resolved)
        }
        // NOTE: two sessions that save at once keep the entries of the last one only.
        let temporaryPath = "\(target).\(getpid()).tmp"
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            return "warning: cannot save the history to '\(path)': \(SystemError(code: errno))"
        }
        guard let file = fdopen(descriptor, "w") else {
            close(descriptor)
            unlink(temporaryPath)
            return "warning: cannot save the history to '\(path)': \(SystemError(code: errno))"
        }
        let saved = ckpt_history_save_file(editor.history, file)
        let closed = fclose(file)
        guard saved >= 0, closed == 0, rename(temporaryPath, target) == 0 else {
            let error = SystemError(code: errno)
            unlink(temporaryPath)
            return "warning: cannot save the history to '\(path)': \(error)"
        }
        return nil
    }
}
