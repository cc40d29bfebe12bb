#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Collects the response headers and body of one transfer from libcurl's callbacks.
///
/// libcurl calls back on the thread that runs the transfer, one call at a time.
final class CurlResponseCollector {
    let cancellation: CurlCancellation
    private(set) var headers = HTTPHeaders()
    private(set) var body = Data()

    init(cancellation: CurlCancellation) {
        self.cancellation = cancellation
    }

    static func from(_ context: UnsafeMutableRawPointer?) -> CurlResponseCollector {
        Unmanaged<CurlResponseCollector>.fromOpaque(context!).takeUnretainedValue()
    }

    /// Appends a chunk of the body and returns its length, so that libcurl goes on.
    func receiveBody(_ data: UnsafeMutablePointer<CChar>?, length: Int) -> Int {
        if let data, length > 0 {
            body.append(UnsafeRawPointer(data).assumingMemoryBound(to: UInt8.self), count: length)
        }
        return length
    }

    /// Records one header line and returns its length.
    ///
    /// libcurl passes every header block it receives, including those of interim
    /// responses such as `100 Continue`. Each status line starts a new block, so only
    /// the final response's fields remain.
    func receiveHeaderLine(_ data: UnsafeMutablePointer<CChar>?, length: Int) -> Int {
        guard let data, length > 0 else { return length }
        let bytes = UnsafeRawBufferPointer(start: data, count: length)
        if bytes.starts(with: "HTTP/".utf8) {
            headers = HTTPHeaders()
            return length
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else {
            return length
        }
        let name = Self.trimmedText(bytes[..<colon])
        let value = Self.trimmedText(bytes[(colon + 1)...])
        if !name.isEmpty {
            headers.add(name: name, value: value)
        }
        return length
    }

    private static func trimmedText(_ bytes: Slice<UnsafeRawBufferPointer>) -> String {
        let isSpace: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        guard let first = bytes.firstIndex(where: { !isSpace($0) }),
            let last = bytes.lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }
}
