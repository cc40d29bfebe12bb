/// Percent-encodes values for one path segment or one query component.
enum PercentEncoding {
    /// Encodes `value` as a single path segment: every byte outside RFC 3986 `pchar`
    /// is encoded, so `/`, `?`, `#`, `%`, spaces and non-ASCII bytes are, and `:` is not.
    ///
    /// - Throws: ``APIError/invalidArgument(name:value:reason:)`` for an empty value,
    ///   for `.` and `..`, and for a value with a `.` or `..` part between slashes, such
    ///   as `../x`. Those would change the path instead of naming a resource, at once or
    ///   after a server or proxy decodes `%2F` back into `/`.
    static func pathSegment(_ value: String, name: String) throws(APIError) -> String {
        if value.isEmpty {
            throw .invalidArgument(name: name, value: value, reason: "must not be empty")
        }
        if value == "." || value == ".." {
            throw .invalidArgument(
                name: name, value: value, reason: "'.' and '..' are not valid path segments")
        }
        let parts = value.split(separator: "/", omittingEmptySubsequences: false)
        if parts.count > 1, parts.contains(where: { $0 == "." || $0 == ".." }) {
            throw .invalidArgument(
                name: name, value: value,
                reason: "must not contain '.' or '..' between slashes")
        }
        return encode(value, keeping: isPathCharacter)
    }

    /// Encodes a query name or value; `&`, `=`, `+` and `#` are encoded as well.
    static func queryComponent(_ value: String) -> String {
        encode(value) { isUnreserved($0) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: "@") }
    }

    private static func encode(_ value: String, keeping isKept: (UInt8) -> Bool) -> String {
        if value.utf8.allSatisfy(isKept) {
            return value
        }
        let hexDigits = Array("0123456789ABCDEF".utf8)
        var bytes: [UInt8] = []
        bytes.reserveCapacity(value.utf8.count * 3)
        for byte in value.utf8 {
            if isKept(byte) {
                bytes.append(byte)
            } else {
                bytes.append(UInt8(ascii: "%"))
                bytes.append(hexDigits[Int(byte >> 4)])
                bytes.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// `pchar` = unreserved / sub-delims / ":" / "@" (RFC 3986, section 3.3).
    private static func isPathCharacter(_ byte: UInt8) -> Bool {
        if isUnreserved(byte) { return true }
        return switch byte {
        case UInt8(ascii: "!"), UInt8(ascii: "$"), UInt8(ascii: "&"), UInt8(ascii: "'"),
            UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "*"), UInt8(ascii: "+"),
            UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "="),
            UInt8(ascii: ":"), UInt8(ascii: "@"):
            true
        default:
            false
        }
    }
}
