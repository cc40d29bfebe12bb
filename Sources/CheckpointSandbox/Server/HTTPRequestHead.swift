import CheckpointAPI

/// The request line and header fields of one HTTP/1.x request.
struct HTTPRequestHead {
    var method: String
    var target: String
    var headers: HTTPHeaders
    /// The body length from `Content-Length`, 0 when absent.
    var contentLength: Int
    /// Whether the connection stays open after the response.
    var keepAlive: Bool
    /// Whether the client waits for `100 Continue` before sending the body.
    var expectsContinue: Bool
}

/// The size limits the parser enforces.
struct HTTPLimits: Sendable {
    var maximumHeaderBytes: Int
    var maximumHeaderCount: Int
    var maximumBodyBytes: Int
}

/// The outcome of looking for a request head at the start of the buffered bytes.
enum HTTPHeadParseResult {
    /// The head is not complete yet; `scannedUpTo` bytes hold no end of head.
    case incomplete(scannedUpTo: Int)
    case complete(HTTPRequestHead, length: Int)
    /// The bytes are not an acceptable request, so the connection gets this error and is closed.
    case invalid(SandboxError)
}

enum HTTPRequestParser {
    /// Parses a request head from `bytes`, which start where the request starts.
    ///
    /// - Parameter scanFrom: how many bytes an earlier call already scanned for the end
    ///   of the head, so that a client sending one byte at a time costs linear time.
    static func parseHead(
        _ bytes: UnsafeBufferPointer<UInt8>, scanFrom: Int, limits: HTTPLimits
    ) -> HTTPHeadParseResult {
        guard let end = findEndOfHead(bytes, from: max(0, scanFrom - 3)) else {
            if bytes.count > limits.maximumHeaderBytes {
                return .invalid(.headerTooLarge(limit: limits.maximumHeaderBytes))
            }
            return .incomplete(scannedUpTo: bytes.count)
        }
        if end > limits.maximumHeaderBytes {
            return .invalid(.headerTooLarge(limit: limits.maximumHeaderBytes))
        }
        do {
            let head = try parseLines(UnsafeBufferPointer(rebasing: bytes[..<end]), limits: limits)
            return .complete(head, length: end + 4)
        } catch {
            return .invalid(error)
        }
    }

    /// Returns the offset of the first `\r\n\r\n` at or after `start`.
    private static func findEndOfHead(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
        guard bytes.count >= 4 else { return nil }
        var index = start
        while index + 3 < bytes.count {
            if bytes[index + 3] != 0x0A {
                index += 1
                continue
            }
            if bytes[index] == 0x0D && bytes[index + 1] == 0x0A && bytes[index + 2] == 0x0D {
                return index
            }
            index += 1
        }
        return nil
    }

    private typealias Line = Slice<UnsafeBufferPointer<UInt8>>

    private static func parseLines(
        _ head: UnsafeBufferPointer<UInt8>, limits: HTTPLimits
    ) throws(SandboxError) -> HTTPRequestHead {
        let lines = splitLines(head)
        guard let requestLine = lines.first else { throw .malformedRequestLine }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenCharacter),
            parts[1].first == UInt8(ascii: "/"), parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else {
            throw .malformedRequestLine
        }
        let isHTTP11 = parts[2].elementsEqual("HTTP/1.1".utf8)
        guard isHTTP11 || parts[2].elementsEqual("HTTP/1.0".utf8) else {
            if parts[2].starts(with: "HTTP/".utf8), parts[2].allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                throw .unsupportedVersion(String(decoding: parts[2], as: UTF8.self))
            }
            throw .malformedRequestLine
        }
        guard lines.count - 1 <= limits.maximumHeaderCount else {
            throw .tooManyHeaders(limit: limits.maximumHeaderCount)
        }

        var fields = FieldScan()
        var headers = HTTPHeaders()
        for (number, line) in lines.dropFirst().enumerated() {
            let (name, value) = try splitField(line, lineNumber: number + 2)
            try fields.note(name: name, value: value)
            headers.add(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        if let encoding = fields.transferEncoding {
            throw .unsupportedTransferEncoding(encoding)
        }
        if let contentLength = fields.contentLength, contentLength > limits.maximumBodyBytes {
            throw .payloadTooLarge(limit: limits.maximumBodyBytes)
        }
        if fields.contentLength == nil && method == "POST" {
            throw .lengthRequired
        }
        let connection = fields.connection ?? ""
        return HTTPRequestHead(
            method: method, target: String(decoding: parts[1], as: UTF8.self), headers: headers,
            contentLength: fields.contentLength ?? 0,
            keepAlive: isHTTP11 ? !connection.contains("close") : connection.contains("keep-alive"),
            expectsContinue: fields.expect == "100-continue")
    }

    /// Splits a head into lines without their line endings and drops leading empty lines.
    private static func splitLines(_ head: UnsafeBufferPointer<UInt8>) -> [Line] {
        var lines: [Line] = []
        lines.reserveCapacity(16)
        var lineStart = 0
        for index in 0...head.count where index == head.count || head[index] == 0x0A {
            var lineEnd = index
            if lineEnd > lineStart && head[lineEnd - 1] == 0x0D {
                lineEnd -= 1
            }
            if !(lines.isEmpty && lineEnd == lineStart) {
                lines.append(head[lineStart..<lineEnd])
            }
            lineStart = index + 1
        }
        return lines
    }

    /// Splits one header line into its name and its value without surrounding whitespace.
    private static func splitField(_ line: Line, lineNumber: Int) throws(SandboxError) -> (name: Line, value: Line) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
            line[line.startIndex..<colon].allSatisfy(isTokenCharacter)
        else {
            throw .malformedHeader(line: lineNumber)
        }
        var valueStart = colon + 1
        var valueEnd = line.endIndex
        while valueStart < valueEnd && (line[valueStart] == 0x20 || line[valueStart] == 0x09) {
            valueStart += 1
        }
        while valueEnd > valueStart && (line[valueEnd - 1] == 0x20 || line[valueEnd - 1] == 0x09) {
            valueEnd -= 1
        }
        let value = line[valueStart..<valueEnd]
        guard value.allSatisfy({ ($0 >= 0x20 || $0 == 0x09) && $0 != 0x7F }) else {
            throw .malformedHeader(line: lineNumber)
        }
        return (line[line.startIndex..<colon], value)
    }

    /// The header fields that decide framing and keep-alive, read while the head is parsed.
    private struct FieldScan {
        var contentLength: Int?
        var transferEncoding: String?
        /// Lowercased.
        var connection: String?
        /// Lowercased.
        var expect: String?

        mutating func note(name: Line, value: Line) throws(SandboxError) {
            if equalsIgnoringCase(name, "content-length") {
                let text = String(decoding: value, as: UTF8.self)
                guard !value.isEmpty, value.count <= 18,
                    value.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                    let length = Int(text), contentLength == nil || contentLength == length
                else {
                    throw .invalidContentLength(text)
                }
                contentLength = length
            } else if equalsIgnoringCase(name, "transfer-encoding") {
                transferEncoding = String(decoding: value, as: UTF8.self)
            } else if equalsIgnoringCase(name, "connection") {
                connection = String(decoding: value, as: UTF8.self).lowercased()
            } else if equalsIgnoringCase(name, "expect") {
                expect = String(decoding: value, as: UTF8.self).lowercased()
            }
        }

        /// Returns whether `name` equals `lowercaseName`, ignoring ASCII case.
        private func equalsIgnoringCase(_ name: Line, _ lowercaseName: StaticString) -> Bool {
            guard name.count == lowercaseName.utf8CodeUnitCount else { return false }
            return lowercaseName.withUTF8Buffer { expected in
                zip(name, expected).allSatisfy { ($0 | 0x20) == $1 || $0 == $1 }
            }
        }
    }

    /// Returns whether `byte` may appear in an HTTP token (RFC 9110 `tchar`).
    private static func isTokenCharacter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
            UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }
}

extension SandboxError {
    static let malformedRequestLine = invalidRequest(
        "Malformed HTTP request line; expected 'METHOD /path HTTP/1.1'.", code: "malformed_request")

    static func malformedHeader(line: Int) -> SandboxError {
        invalidRequest(
            "Malformed HTTP header on line \(line); expected 'Name: value' with a token name.",
            code: "malformed_request")
    }

    static func invalidContentLength(_ value: String) -> SandboxError {
        invalidRequest(
            "Invalid Content-Length '\(value.prefix(40))'; expected one non-negative integer.",
            code: "malformed_request")
    }

    static func headerTooLarge(limit: Int) -> SandboxError {
        SandboxError(
            status: 431, type: "invalid_request_error",
            message: "The request head is larger than \(limit) bytes; send fewer or shorter header fields.",
            code: "request_header_too_large")
    }

    static func tooManyHeaders(limit: Int) -> SandboxError {
        SandboxError(
            status: 431, type: "invalid_request_error",
            message: "The request has more than \(limit) header fields; send fewer.",
            code: "request_header_too_large")
    }

    static func unsupportedVersion(_ version: String) -> SandboxError {
        SandboxError(
            status: 505, type: "invalid_request_error",
            message: "HTTP version '\(version.prefix(20))' is not supported; use HTTP/1.1.")
    }

    static func unsupportedTransferEncoding(_ encoding: String) -> SandboxError {
        SandboxError(
            status: 501, type: "invalid_request_error",
            message: "Transfer-Encoding '\(encoding.prefix(40))' is not supported; send the body with a Content-Length.")
    }

    static let lengthRequired = SandboxError(
        status: 411, type: "invalid_request_error",
        message: "A POST request needs a Content-Length header.")

    static func requestTimedOut(after timeout: Duration) -> SandboxError {
        SandboxError(
            status: 408, type: "invalid_request_error",
            message: "The request was not received completely within \(timeout.components.seconds) s; "
                + "send the whole request without pauses.",
            code: "request_timeout")
    }

    static func tooManyConnections(limit: Int) -> SandboxError {
        SandboxError(
            status: 503, type: "server_error",
            message: "The sandbox already serves \(limit) connections; close idle connections and retry.")
    }
}
