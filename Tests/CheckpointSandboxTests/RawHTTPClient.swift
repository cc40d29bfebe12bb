import CheckpointAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@testable import CheckpointSandbox

/// A blocking loopback TCP client that sends arbitrary bytes and parses HTTP/1.1
/// responses, for testing how the server treats bad requests.
final class RawHTTPClient {
    struct Response {
        var status: Int
        var headers: HTTPHeaders
        var body: Data

        var json: JSONValue? { JSONValue.parse(body) }

        var errorCode: String? {
            guard case .object(let fields) = json, case .object(let error) = fields["error"],
                case .string(let code) = error["code"]
            else { return nil }
            return code
        }

        var errorType: String? {
            guard case .object(let fields) = json, case .object(let error) = fields["error"],
                case .string(let type) = error["type"]
            else { return nil }
            return type
        }
    }

    enum ClientError: Error {
        case connectFailed(String)
        case closedBeforeResponse(received: Int)
        case malformedResponse(String)
    }

    let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `127.0.0.1:port`; every receive waits at most `timeoutSeconds`.
    init(port: UInt16, timeoutSeconds: Int = 5) throws {
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(fd)
            throw ClientError.connectFailed(String(cString: strerror(errno)))
        }
        var time = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
    }

    deinit {
        close(fd)
    }

    /// Sends all of `bytes`; returns false when the server closed the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset < raw.count {
                let sent = Glibc.send(fd, raw.baseAddress! + offset, raw.count - offset, Int32(MSG_NOSIGNAL))
                if sent <= 0 { return false }
                offset += sent
            }
            return true
        }
    }

    @discardableResult
    func send(_ text: String) -> Bool {
        send(Array(text.utf8))
    }

    /// Reads one response; a `100 Continue` interim response is returned like any other.
    ///
    /// - Parameter hasBody: false for the response to a HEAD request, whose
    ///   `content-length` describes a body that is not sent.
    func readResponse(hasBody: Bool = true) throws -> Response {
        var headEnd: Int?
        while headEnd == nil {
            headEnd = findHeadEnd()
            if headEnd == nil {
                guard try receiveMore() else { throw ClientError.closedBeforeResponse(received: buffer.count) }
            }
        }
        let head = String(decoding: buffer[..<headEnd!], as: UTF8.self)
        var lines = head.split(whereSeparator: \.isNewline)
        let statusLine = lines.removeFirst().split(separator: " ")
        guard statusLine.count >= 2, statusLine[0] == "HTTP/1.1", let status = Int(statusLine[1]) else {
            throw ClientError.malformedResponse(head)
        }
        var headers = HTTPHeaders()
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw ClientError.malformedResponse(head) }
            headers.add(
                name: String(line[..<colon]),
                value: String(line[line.index(after: colon)...].drop { $0 == " " }))
        }
        let length = status == 100 || !hasBody ? 0 : Int(headers["content-length"] ?? "0") ?? 0
        let bodyStart = headEnd! + 4
        while buffer.count < bodyStart + length {
            guard try receiveMore() else { throw ClientError.closedBeforeResponse(received: buffer.count) }
        }
        let body = Data(buffer[bodyStart..<(bodyStart + length)])
        buffer.removeFirst(bodyStart + length)
        return Response(status: status, headers: headers, body: body)
    }

    /// Whether the server closed the connection with nothing more to read.
    func isClosedByServer() throws -> Bool {
        buffer.isEmpty ? !(try receiveMore()) : false
    }

    private func findHeadEnd() -> Int? {
        guard buffer.count >= 4 else { return nil }
        for index in 0...(buffer.count - 4)
        where buffer[index] == 13 && buffer[index + 1] == 10 && buffer[index + 2] == 13 && buffer[index + 3] == 10 {
            return index
        }
        return nil
    }

    /// Reads more bytes; returns false at end of stream, throws on a receive timeout.
    private func receiveMore() throws -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if received > 0 {
            buffer.append(contentsOf: chunk[..<received])
            return true
        }
        if received == 0 || errno == ECONNRESET {
            return false
        }
        throw ClientError.closedBeforeResponse(received: buffer.count)
    }
}

/// A running server for one test; stopped when the test drops it.
final class TestServer {
    let server: SandboxServer
    let port: UInt16

    init(sandbox: Sandbox = Sandbox(), configure: (inout SandboxServer.Configuration) -> Void = { _ in }) throws {
        var configuration = SandboxServer.Configuration()
        configure(&configuration)
        server = SandboxServer(sandbox: sandbox, configuration: configuration)
        port = try server.start(host: "127.0.0.1", port: 0)
    }

    deinit {
        server.stop()
    }

    func connect() throws -> RawHTTPClient {
        try RawHTTPClient(port: port)
    }
}

func request(
    _ method: String, _ target: String, body: String? = nil, extraHeaders: String = ""
) -> String {
    var text = "\(method) \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-test\r\n"
    if let body {
        text += "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
    }
    return text + extraHeaders + "\r\n" + (body ?? "")
}
