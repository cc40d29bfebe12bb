/// The text of one script with its name, kept as UTF-8 bytes.
///
/// Tokens and syntax nodes refer to the text by byte offsets; lines and columns are
/// computed only when a diagnostic needs them.
final class SourceFile: Sendable {
    /// The name shown in diagnostics: a path, `<input>` or `<repl>`.
    let name: String
    let bytes: [UInt8]
    /// The folder against which `source` resolves relative paths; `nil` for the
    /// current directory.
    let folder: String?

    init(name: String, bytes: [UInt8], folder: String? = nil) {
        self.name = name
        self.bytes = bytes
        self.folder = folder
    }

    convenience init(name: String, text: String, folder: String? = nil) {
        self.init(name: name, bytes: Array(text.utf8), folder: folder)
    }

    /// Returns the 1-based line and column of a byte offset; columns count Unicode scalars.
    func location(at offset: Int) -> SourceLocation {
        let offset = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        var index = 0
        while index < offset {
            if bytes[index] == UInt8(ascii: "\n") {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        var column = 1
        for byte in bytes[lineStart..<offset] where byte & 0xC0 != 0x80 {
            column += 1
        }
        return SourceLocation(line: line, column: column, offset: offset)
    }

    /// Returns the byte range of the line that contains `offset`, without its line break.
    func lineRange(containing offset: Int) -> Range<Int> {
        let offset = min(max(offset, 0), bytes.count)
        var start = offset
        while start > 0 && bytes[start - 1] != UInt8(ascii: "\n") {
            start -= 1
        }
        var end = offset
        while end < bytes.count && bytes[end] != UInt8(ascii: "\n") {
            end += 1
        }
        if end > start && bytes[end - 1] == UInt8(ascii: "\r") {
            end -= 1
        }
        return start..<end
    }

    /// Creates a diagnostic whose range covers the bytes `span`.
    func diagnostic(
        _ id: DiagnosticID, _ message: String, at span: Span, notes: [String] = [],
        severity: Diagnostic.Severity = .error
    ) -> Diagnostic {
        let start = location(at: span.start)
        let end = location(at: max(span.end, span.start))
        let line = lineRange(containing: span.start)
        let excerpt = SourceExcerpt(bytes: bytes[line], startColumn: 1).text(around: start.column)
        return Diagnostic(
            severity: severity, id: id, message: message, sourceName: name,
            range: SourceRange(start: start, end: end), notes: notes,
            sourceLine: excerpt.text, sourceLineFirstColumn: excerpt.firstColumn)
    }
}

/// A byte range of a source file: `start..<end`.
struct Span: Sendable, Equatable {
    var start: Int
    var end: Int

    init(_ start: Int, _ end: Int) {
        self.start = start
        self.end = end
    }

    static let none = Span(0, 0)

    func through(_ other: Span) -> Span {
        Span(start, max(end, other.end))
    }
}

/// A source line, cut to a window around a column when it is very long.
struct SourceExcerpt {
    static let maximumWidth = 200

    var bytes: ArraySlice<UInt8>
    var startColumn: Int

    /// Returns the line text, or a window of at most ``maximumWidth`` scalars around
    /// `column`, with the column of its first scalar.
    func text(around column: Int) -> (text: String, firstColumn: Int) {
        let line = String(decoding: bytes, as: UTF8.self)
        let scalars = line.unicodeScalars
        guard scalars.count > Self.maximumWidth else { return (line, 1) }
        let first = max(1, column - Self.maximumWidth / 2)
        var window = String.UnicodeScalarView()
        for (index, scalar) in scalars.enumerated()
        where index + 1 >= first && index + 1 < first + Self.maximumWidth {
            window.append(scalar)
        }
        return (String(window), first)
    }
}
