#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Opens listening sockets.
enum Listener {
    /// Opens a socket listening on `host:port`, resolved with `getaddrinfo`.
    static func open(host: String, port: UInt16) throws(SandboxServerError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Socket.streamType()
        hints.ai_flags = AI_PASSIVE
        var results: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &results)
        guard status == 0, let first = results else {
            throw .invalidHost(host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(results) }

        var lastError = "no address found"
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let address = candidate {
            candidate = address.pointee.ai_next
            let fd = socket(address.pointee.ai_family, Socket.streamType(), 0)
            guard fd >= 0 else {
                lastError = Socket.errorText()
                continue
            }
            Socket.setOption(fd, level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            if bind(fd, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 && listen(fd, 512) == 0 {
                return fd
            }
            lastError = Socket.errorText()
            close(fd)
        }
        throw .bindFailed(host: host, port: port, reason: lastError)
    }

    /// Returns the port a listening socket is bound to.
    static func boundPort(_ fd: Int32) -> UInt16 {
        var storage = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let result = withUnsafeMutablePointer(to: &storage) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { return 0 }
        switch Int32(storage.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin_port) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &storage) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { UInt16(bigEndian: $0.pointee.sin6_port) }
            }
        default:
            return 0
        }
    }
}
