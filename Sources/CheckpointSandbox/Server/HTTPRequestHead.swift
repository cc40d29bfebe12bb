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

    /// The offset of the first `\r\n\r\n` at or after `start`.
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

    private static func parseLines(
        _ head: UnsafeBufferPointer<UInt8>, limits: HTTPLimits
    ) throws(SandboxError) -> HTTPRequestHead {
        var lines = head.split(separator: 0x0A, omittingEmptySubsequences: false).map { line in
            line.last == 0x0D ? line.dropLast() : line
        }
        while let first = lines.first, first.isEmpty {
            lines.removeFirst()
        }
        guard let requestLine = lines.first else { throw .malformedRequestLine }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenCharacter),
            parts[1].first == UInt8(ascii: "/"), parts[1].allSatisfy({ $0 > 0x20 && $0 < 0x7F })
        else {
            throw .malformedRequestLine
        }
        let version = String(decoding: parts[2], as: UTF8.self)
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            if version.hasPrefix("HTTP/"), version.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) {
                throw .unsupportedVersion(version)
            }
            throw .malformedRequestLine
        }

        let fieldLines = lines.dropFirst()
        guard fieldLines.count <= limits.maximumHeaderCount else {
            throw .tooManyHeaders(limit: limits.maximumHeaderCount)
        }
        var headers = HTTPHeaders()
        for (number, line) in fieldLines.enumerated() {
            guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
                line[line.startIndex..<colon].allSatisfy(isTokenCharacter)
            else {
                throw .malformedHeader(line: number + 2)
            }
            let value = line[(colon + 1)...].drop { $0 == 0x20 || $0 == 0x09 }
            let trimmed = value.reversed().drop { $0 == 0x20 || $0 == 0x09 }.reversed()
            guard trimmed.allSatisfy({ $0 >= 0x20 || $0 == 0x09 }), !trimmed.contains(0x7F) else {
                throw .malformedHeader(line: number + 2)
            }
            headers.add(
                name: String(decoding: line[line.startIndex..<colon], as: UTF8.self),
                value: String(decoding: trimmed, as: UTF8.self))
        }
        return try makeHead(
            method: String(decoding: parts[0], as: UTF8.self), target: String(decoding: parts[1], as: UTF8.self),
            isHTTP11: version == "HTTP/1.1", headers: headers, limits: limits)
    }

    private static func makeHead(
        method: String, target: String, isHTTP11: Bool, headers: HTTPHeaders, limits: HTTPLimits
    ) throws(SandboxError) -> HTTPRequestHead {
        if let encoding = headers["transfer-encoding"] {
            throw .unsupportedTransferEncoding(encoding)
        }
        var contentLength: Int?
        for field in headers where field.name.lowercased() == "content-length" {
            guard !field.value.isEmpty, field.value.utf8.count <= 18,
                field.value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
                let length = Int(field.value), contentLength == nil || contentLength == length
            else {
                throw .invalidContentLength(field.value)
            }
            contentLength = length
        }
        if let contentLength, contentLength > limits.maximumBodyBytes {
            throw .payloadTooLarge(limit: limits.maximumBodyBytes)
        }
        if contentLength == nil && method == "POST" {
            throw .lengthRequired
        }

        let connection = headers["connection"]?.lowercased() ?? ""
        let keepAlive = isHTTP11 ? !connection.contains("close") : connection.contains("keep-alive")
        let expectsContinue = headers["expect"]?.lowercased() == "100-continue"
        return HTTPRequestHead(
            method: method, target: target, headers: headers, contentLength: contentLength ?? 0,
            keepAlive: keepAlive, expectsContinue: expectsContinue)
    }

    /// Whether `byte` may appear in an HTTP token (RFC 9110 `tchar`).
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
