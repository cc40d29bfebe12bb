#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads script files from disk.
enum ScriptFile {
    /// Reads a script. A relative `path` is resolved against `folder` when one is given.
    ///
    /// - Throws: a `.runtime` error with the `runtime.file-error` ID when the file cannot
    ///   be read; `blame` is the statement that requested it.
    static func load(
        path: String, relativeTo folder: String?, from blame: (SourceFile, Span)?
    ) throws(ScriptError) -> SourceFile {
        let resolved: String
        if let folder, !path.hasPrefix("/") {
            resolved = folder + "/" + path
        } else {
            resolved = path
        }
        let bytes: [UInt8]
        do {
            bytes = try read(resolved)
        } catch {
            let message = "cannot read '\(resolved)': \(error.reason)"
            let diagnostic: Diagnostic
            if let (source, span) = blame {
                diagnostic = source.diagnostic(.fileError, message, at: span)
            } else {
                let start = SourceLocation(line: 1, column: 1, offset: 0)
                diagnostic = Diagnostic(
                    id: .fileError, message: message, sourceName: resolved,
                    range: SourceRange(start: start, end: start))
            }
            throw .runtime(diagnostic)
        }
        return SourceFile(name: resolved, bytes: bytes, folder: folderOf(resolved))
    }

    /// Returns the folder part of a path, or `nil` when the path names a file in the current folder.
    static func folderOf(_ path: String) -> String? {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return nil }
        let folder = String(path[..<slash])
        return folder.isEmpty ? "/" : folder
    }

    struct ReadError: Error {
        var reason: String
    }

    /// Reads a whole file into one buffer sized from `fstat`, growing it for files that
    /// grow or report no size, such as pipes.
    private static func read(_ path: String) throws(ReadError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { throw ReadError(reason: String(cString: strerror(errno))) }
        defer { close(descriptor) }
        var information = stat()
        let size = fstat(descriptor, &information) == 0 ? Int(information.st_size) : 0
        var bytes = [UInt8](repeating: 0, count: max(size + 1, 4096))
        var filled = 0
        while true {
            if filled == bytes.count {
                bytes.append(contentsOf: repeatElement(0, count: bytes.count))
            }
            let count = bytes.withUnsafeMutableBytes { buffer in
                systemRead(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count > 0 {
                filled += count
            } else if count == 0 {
                bytes.removeLast(bytes.count - filled)
                return bytes
            } else if errno != EINTR {
                throw ReadError(reason: String(cString: strerror(errno)))
            }
        }
    }
}

private func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #elseif canImport(Darwin)
    Darwin.read(descriptor, buffer, count)
    #endif
}
