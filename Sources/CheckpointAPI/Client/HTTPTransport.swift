#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An HTTP request method.
public struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: String

    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    public static let get = HTTPMethod(rawValue: "GET")
    public static let post = HTTPMethod(rawValue: "POST")
    public static let delete = HTTPMethod(rawValue: "DELETE")

    public var description: String { rawValue }
}

/// An ordered list of HTTP header fields with case-insensitive lookup.
public struct HTTPHeaders: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral,
    CustomStringConvertible
{
    public struct Field: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var fields: [Field] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (name, value) in elements {
            add(name: name, value: value)
        }
    }

    /// Appends a field, keeping any field of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// The value of the first field with this name, compared case-insensitively.
    /// Setting replaces every field of that name; setting `nil` removes them.
    public subscript(name: String) -> String? {
        get {
            fields.first { $0.name.caseInsensitiveEquals(name) }?.value
        }
        set {
            fields.removeAll { $0.name.caseInsensitiveEquals(name) }
            if let newValue {
                add(name: name, value: newValue)
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }

    /// The fields as `name: value` lines, with the value of `Authorization` redacted.
    public var description: String {
        fields.map { field in
            let isCredential = field.name.caseInsensitiveEquals("Authorization")
            return "\(field.name): \(isCredential ? "<redacted>" : field.value)"
        }.joined(separator: "\n")
    }
}

/// One HTTP request as the client hands it to a transport.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The absolute URL, with path segments and query already percent-encoded.
    public var url: String
    public var headers: HTTPHeaders
    public var body: Data?
    /// The limit for the whole exchange, from connecting to the last byte of the response.
    public var timeout: Duration

    public init(
        method: HTTPMethod,
        url: String,
        headers: HTTPHeaders = HTTPHeaders(),
        body: Data? = nil,
        timeout: Duration = .seconds(600)
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
    }
}

/// One HTTP response as a transport returns it.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// A failure to complete an HTTP exchange, as opposed to an HTTP error status.
public enum TransportError: Error, Sendable, Equatable {
    /// The connection could not be made or broke before a complete response arrived.
    case connectionFailed(String)
    /// The request's timeout passed before the response was complete.
    case timedOut
    /// The caller's task was cancelled.
    case cancelled
}

/// Sends one HTTP request and returns its response.
///
/// The client builds every request, applies retries and decodes responses; a transport
/// only moves bytes. A transport throws ``TransportError`` for failures it recognises
/// and must honour task cancellation, by throwing ``TransportError/cancelled``.
///
/// ```swift
/// struct CannedTransport: HTTPTransport {
///     func send(_ request: HTTPRequest) async throws -> HTTPResponse {
///         HTTPResponse(status: 200, body: Data(#"{"object":"list","data":[],"has_more":false}"#.utf8))
///     }
/// }
/// ```
public protocol HTTPTransport: Sendable {
    func send(_ request: HTTPRequest) async throws -> HTTPResponse
}

extension String {
    func caseInsensitiveEquals(_ other: String) -> Bool {
        let left = utf8, right = other.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { lowercasedASCII($0) == lowercasedASCII($1) }
    }
}

@inline(__always)
private func lowercasedASCII(_ byte: UInt8) -> UInt8 {
    (byte >= 0x41 && byte <= 0x5A) ? byte | 0x20 : byte
}
