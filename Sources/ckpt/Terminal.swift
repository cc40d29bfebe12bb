#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the standard streams and the process environment.
enum Terminal {
    static func isTerminal(_ descriptor: Int32) -> Bool {
        isatty(descriptor) == 1
    }

    /// Returns the environment variable's value, or `nil` when it is unset or empty.
    static func environment(_ name: String) -> String? {
        guard let value = getenv(name) else { return nil }
        let text = String(cString: value)
        return text.isEmpty ? nil : text
    }

    /// Sets the character type locale from the environment, falling back to `C.UTF-8`.
    ///
    /// libedit never calls `setlocale` and drops non-ASCII input without a UTF-8
    /// character type, so `LANG` unset (the POSIX locale) would lose `Zoë`'s `ë`.
    ///
    /// - Returns: false when no UTF-8 locale could be set.
    @discardableResult
    static func setUpUTF8Locale() -> Bool {
        if setlocale(LC_CTYPE, "") != nil, usesUTF8() {
            return true
        }
        for name in ["C.UTF-8", "C.utf8", "en_US.UTF-8"] {
            if setlocale(LC_CTYPE, name) != nil, usesUTF8() {
                return true
            }
        }
        return false
    }

    /// True when the character type locale uses UTF-8; see ``setUpUTF8Locale()``.
    static var hasUTF8Locale: Bool {
        usesUTF8()
    }

    /// Returns the width of the terminal on `descriptor` in columns, or 80 when it is unknown.
    static func width(of descriptor: Int32) -> Int {
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return 80 }
        return Int(size.ws_col)
    }

    private static func usesUTF8() -> Bool {
        guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
        let name = String(cString: codeset).lowercased()
        return name == "utf-8" || name == "utf8"
    }

    /// Writes all of `text` to the descriptor, retrying after interruptions.
    static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                #if canImport(Glibc)
                let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                #else
                let written = Darwin.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                #endif
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { return }
                offset += written
            }
        }
    }

    /// Reads a whole file.
    static func readFile(_ path: String) throws(SystemError) -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw SystemError(code: errno) }
        defer { close(descriptor) }
        return String(decoding: try readAll(descriptor), as: UTF8.self)
    }

    /// Reads the descriptor to its end in blocks of 64 KiB.
    static func readAll(_ descriptor: Int32) throws(SystemError) -> [UInt8] {
        var contents: [UInt8] = []
        var block = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = read(descriptor, &block, block.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemError(code: errno)
            }
            if count == 0 { return contents }
            contents.append(contentsOf: block[0..<count])
        }
    }
}

/// A failed system call, described by `strerror`.
struct SystemError: Error, CustomStringConvertible {
    var code: Int32

    var description: String {
        String(cString: strerror(code)).lowercased()
    }
}
