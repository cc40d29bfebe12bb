// A loopback load generator for ckpt-sandbox: sends GET requests one after another over
// one keep-alive connection, waiting for each response, and prints the requests per second.
//
// usage: load-generator PORT [REQUESTS] [PATH]
// Only 127.0.0.1 is contacted. REQUESTS (default 100000, at most 10000000) bounds the run,
// and a response that takes longer than 5 s ends it with an error.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func fail(_ message: String) -> Never {
    let line = Array("load-generator: error: \(message)\n".utf8)
    _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
    exit(1)
}

func monotonicSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// One keep-alive connection that sends a fixed request and reads responses.
struct Connection {
    let fd: Int32
    let request: [UInt8]
    var buffer = [UInt8](repeating: 0, count: 1 << 20)
    var start = 0
    var end = 0

    init(port: UInt16, path: String) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = port.bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { fail("cannot connect to 127.0.0.1:\(port): \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        self.fd = fd
        request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer sk-bench\r\n\r\n".utf8)
    }

    /// Sends the request and returns the response's status.
    mutating func exchange() -> Int {
        let sent = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
        guard sent == request.count else { fail("sending the request failed") }
        while true {
            if let (status, length) = parseResponse() {
                start += length
                if start == end {
                    start = 0
                    end = 0
                }
                return status
            }
            if end == buffer.count {
                guard start > 0 else { fail("a response is larger than \(buffer.count) bytes") }
                buffer.replaceSubrange(0..<(end - start), with: buffer[start..<end])
                end -= start
                start = 0
            }
            let received = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + end, $0.count - end, 0) }
            guard received > 0 else { fail("the server closed the connection or sent nothing for 5 s") }
            end += received
        }
    }

    /// Returns the status and total length of the complete response at `start`, or nil when more
    /// bytes are needed. Header names are matched as the server writes them, in lowercase.
    private func parseResponse() -> (Int, Int)? {
        buffer.withUnsafeBufferPointer { bytes in
            let lengthName = Array("\r\ncontent-length: ".utf8)
            var index = start
            var contentLength = 0
            while index + 3 < end {
                if bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
                    let total = index + 4 - start + contentLength
                    guard start + total <= end else { return nil }
                    let status = (Int(bytes[start + 9]) - 48) * 100 + (Int(bytes[start + 10]) - 48) * 10
                        + Int(bytes[start + 11]) - 48
                    return (status, total)
                }
                if bytes[index] == 13 && index + lengthName.count < end
                    && lengthName.indices.allSatisfy({ bytes[index + $0] == lengthName[$0] })
                {
                    var digit = index + lengthName.count
                    while digit < end && bytes[digit] >= 48 && bytes[digit] <= 57 {
                        contentLength = contentLength * 10 + Int(bytes[digit]) - 48
                        digit += 1
                    }
                }
                index += 1
            }
            return nil
        }
    }
}

func main() {
    let arguments = CommandLine.arguments
    guard arguments.count >= 2, let port = UInt16(arguments[1]) else {
        fail("usage: load-generator PORT [REQUESTS] [PATH]")
    }
    let requestCount = arguments.count >= 3 ? Int(arguments[2]) ?? 0 : 100_000
    guard requestCount > 0 && requestCount <= 10_000_000 else {
        fail("invalid REQUESTS '\(arguments[2])'; expected 1 to 10000000")
    }
    let path = arguments.count >= 4 ? arguments[3] : "/v1/fine_tuning/checkpoints/ft:bench/permissions"
    var connection = Connection(port: port, path: path)

    // Warm up the connection and the server's code paths before timing.
    for _ in 0..<1000 where connection.exchange() != 200 {
        fail("a warm-up request did not get 200")
    }
    let start = monotonicSeconds()
    var failures = 0
    for _ in 0..<requestCount where connection.exchange() != 200 {
        failures += 1
    }
    let elapsed = monotonicSeconds() - start
    close(connection.fd)
    let milliseconds = Int((elapsed * 1000).rounded())
    print("\(requestCount) requests in \(milliseconds) ms: \(Int(Double(requestCount) / elapsed)) requests/s, \(failures) not 200")
}

main()
