/// Splits script bytes into tokens, one at a time, as the parser requests them.
///
/// The lexer scans UTF-8 bytes and never builds strings: tokens are byte ranges. It is
/// a small value, so the parser looks ahead by copying it.
struct Lexer {
    let bytes: UnsafeBufferPointer<UInt8>
    /// The offset of the next byte to scan.
    var position: Int
    /// The offset where scanning stops: the end of the input, or of a `${…}` path.
    let limit: Int
    /// Whether the input ended right after a `\` line continuation.
    var continuedAtEnd = false

    init(bytes: UnsafeBufferPointer<UInt8>, position: Int = 0, limit: Int? = nil) {
        self.bytes = bytes
        self.position = position
        self.limit = limit ?? bytes.count
    }

    /// Scans the next token.
    ///
    /// - Throws: ``LexerError`` for a quote or `${` that the input never closes.
    mutating func next() throws(LexerError) -> Token {
        skipSpaceAndComments()
        let start = position
        guard position < limit else {
            if continuedAtEnd { throw .continuationAtEnd(at: start) }
            return Token(kind: .end, start: start, end: start)
        }
        if bytes[position] == UInt8(ascii: "\\") && position + 1 == limit {
            throw .continuationAtEnd(at: start)
        }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\n"), UInt8(ascii: ";"):
            return Token(kind: .separator, start: start, end: position)
        case UInt8(ascii: "("): return Token(kind: .leftParenthesis, start: start, end: position)
        case UInt8(ascii: ")"): return Token(kind: .rightParenthesis, start: start, end: position)
        case UInt8(ascii: "["): return Token(kind: .leftBracket, start: start, end: position)
        case UInt8(ascii: "]"): return Token(kind: .rightBracket, start: start, end: position)
        case UInt8(ascii: "{"): return Token(kind: .leftBrace, start: start, end: position)
        case UInt8(ascii: "}"): return Token(kind: .rightBrace, start: start, end: position)
        case UInt8(ascii: ","): return Token(kind: .comma, start: start, end: position)
        case UInt8(ascii: "'"):
            return try singleQuoted(from: start)
        case UInt8(ascii: "\""):
            return try doubleQuoted(from: start)
        case UInt8(ascii: "$"):
            return try variable(from: start)
        default:
            while position < limit && !Self.endsWord(bytes[position]) {
                position += 1
            }
            return Token(kind: .word, start: start, end: position)
        }
    }

    /// Returns whether a byte ends a bare word: white space, a separator, a bracket or a comma.
    /// Quotes, `$` and `#` inside a word are ordinary characters.
    @inline(__always)
    static func endsWord(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\n"), UInt8(ascii: "\r"),
            UInt8(ascii: ";"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "["),
            UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: ","):
            true
        default:
            false
        }
    }

    @inline(__always)
    static func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_")
    }

    @inline(__always)
    static func isNameCharacter(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Skips blanks, `\` line continuations and comments. A `#` starts a comment only
    /// where a word could start, so `proj_#1` is one word.
    mutating func skipSpaceAndComments() {
        while position < limit {
            switch bytes[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
            case UInt8(ascii: "\\") where isLineContinuation(at: position):
                position += 1
                if bytes[position] == UInt8(ascii: "\r") { position += 1 }
                position += 1
                continuedAtEnd = position == limit
            case UInt8(ascii: "#"):
                while position < limit && bytes[position] != UInt8(ascii: "\n") {
                    position += 1
                }
            default:
                return
            }
        }
    }

    private func isLineContinuation(at offset: Int) -> Bool {
        var next = offset + 1
        if next < limit && bytes[next] == UInt8(ascii: "\r") { next += 1 }
        return next < limit && bytes[next] == UInt8(ascii: "\n")
    }

    private mutating func singleQuoted(from start: Int) throws(LexerError) -> Token {
        while position < limit {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "'") {
                return Token(kind: .singleQuoted, start: start, end: position)
            }
        }
        throw .unterminatedString(at: start, quote: "'")
    }

    private mutating func doubleQuoted(from start: Int) throws(LexerError) -> Token {
        while position < limit {
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: "\\") {
                position += 1
            } else if byte == UInt8(ascii: "\"") {
                return Token(kind: .doubleQuoted, start: start, end: position)
            }
        }
        throw .unterminatedString(at: start, quote: "\"")
    }

    private mutating func variable(from start: Int) throws(LexerError) -> Token {
        if position < limit && bytes[position] == UInt8(ascii: "{") {
            position += 1
            while position < limit {
                let byte = bytes[position]
                position += 1
                if byte == UInt8(ascii: "}") {
                    return Token(kind: .bracedVariable, start: start, end: position)
                }
                if byte == UInt8(ascii: "\n") { break }
            }
            if position >= limit {
                throw .unterminatedBrace(at: start)
            }
            throw .invalidVariable(at: start, end: position - 1)
        }
        while position < limit && Self.isNameCharacter(bytes[position]) {
            position += 1
        }
        if position == start + 1 || !Self.isNameStart(bytes[start + 1]) {
            throw .invalidVariable(at: start, end: max(position, start + 1))
        }
        return Token(kind: .variable, start: start, end: position)
    }
}

/// A token the lexer could not scan.
enum LexerError: Error, Equatable {
    /// A quote the input never closes; offset of the opening quote.
    case unterminatedString(at: Int, quote: Character)
    /// A `${` the input never closes.
    case unterminatedBrace(at: Int)
    /// A `\` line continuation at the end of the input.
    case continuationAtEnd(at: Int)
    /// A `$` not followed by a variable name, or `${` closed on a later line.
    case invalidVariable(at: Int, end: Int)
}
