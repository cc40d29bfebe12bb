#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// An API key that never shows its value in descriptions, dumps or logs.
public struct APIKey: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The origin of a key, so that errors can tell the user which setting to fix.
    public enum Source: Sendable, Equatable, CustomStringConvertible {
        case environment(variable: String)
        case code
        /// A stand-in key for a server that needs none, such as the sandbox. The text
        /// gives the reason no real key is needed.
        case placeholder(String)

        public var description: String {
            switch self {
            case .environment(let variable): "the environment variable \(variable)"
            case .code: "the client configuration"
            case .placeholder(let reason): "a placeholder (\(reason))"
            }
        }
    }

    /// The secret itself; read it only to build the `Authorization` header.
    public let secret: String
    public let source: Source

    public init(_ secret: String, source: Source = .code) {
        self.secret = secret
        self.source = source
    }

    public var description: String { "<redacted>" }
    public var debugDescription: String { "APIKey(<redacted>, from \(source))" }

    /// The mirror that `dump` and debuggers show, without the secret.
    public var customMirror: Mirror {
        Mirror(self, children: ["secret": "<redacted>", "source": source])
    }

    /// The shortest secret that ``redact(_:)`` replaces; shorter strings are too common
    /// in ordinary text to be recognised as the key.
    static let minimumRedactedLength = 8

    /// Returns `text` with every occurrence of the secret replaced by `<redacted>`.
    ///
    /// Used on text that comes from outside the client, such as a server's error message
    /// that echoes the `Authorization` header, before it reaches an error or a trace.
    public func redact(_ text: String) -> String {
        guard secret.count >= Self.minimumRedactedLength, text.contains(secret) else {
            return text
        }
        return text.replacing(secret, with: "<redacted>")
    }
}

/// The settings shared by every request the client sends.
public struct ClientConfiguration: Sendable, CustomStringConvertible {
    public static let defaultBaseURL = "https://api.openai.com/v1"

    /// The key sent as `Authorization: Bearer …`. These endpoints need an organization
    /// admin key. A missing key is reported when a request is about to be sent.
    public var apiKey: APIKey?
    /// The API root, without a trailing slash, for example `https://api.openai.com/v1`.
    public var baseURL: String {
        didSet { baseURL = Self.trimmingTrailingSlashes(baseURL) }
    }
    /// Sent as `OpenAI-Organization` when set.
    public var organization: String?
    /// Sent as `OpenAI-Project` when set.
    public var project: String?
    /// The limit for one attempt, from connecting to the last byte of the response.
    public var timeout: Duration
    /// How many times a failed request is sent again; 0 disables retries.
    public var maxRetries: Int
    /// Called once per attempt when set; see ``TraceEvent``.
    public var tracer: (@Sendable (TraceEvent) -> Void)?

    public init(
        apiKey: APIKey? = nil,
        baseURL: String = ClientConfiguration.defaultBaseURL,
        organization: String? = nil,
        project: String? = nil,
        timeout: Duration = .seconds(600),
        maxRetries: Int = 2,
        tracer: (@Sendable (TraceEvent) -> Void)? = nil
    ) {
        self.apiKey = apiKey
        self.baseURL = Self.trimmingTrailingSlashes(baseURL)
        self.organization = organization
        self.project = project
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.tracer = tracer
    }

    /// Reads the configuration from environment variables.
    ///
    /// The key comes from `OPENAI_ADMIN_KEY`, else `OPENAI_API_KEY`; values are trimmed
    /// and an empty value counts as unset. `OPENAI_BASE_URL`, `OPENAI_ORG_ID` and
    /// `OPENAI_PROJECT_ID` set the base URL, organization and project.
    ///
    /// - Parameter variables: the environment to read; the process environment by default.
    public static func environment(
        _ variables: [String: String] = ProcessInfo.processInfo.environment
    ) -> ClientConfiguration {
        func value(_ name: String) -> String? {
            guard let raw = variables[name] else { return nil }
            let trimmed = raw.trimmed
            return trimmed.isEmpty ? nil : trimmed
        }

        var configuration = ClientConfiguration()
        for variable in ["OPENAI_ADMIN_KEY", "OPENAI_API_KEY"] {
            if let secret = value(variable) {
                configuration.apiKey = APIKey(secret, source: .environment(variable: variable))
                break
            }
        }
        if let baseURL = value("OPENAI_BASE_URL") {
            configuration.baseURL = baseURL
        }
        configuration.organization = value("OPENAI_ORG_ID")
        configuration.project = value("OPENAI_PROJECT_ID")
        return configuration
    }

    /// A multi-line summary for people, with the key redacted.
    public var description: String {
        let key = apiKey.map { "set, from \($0.source)" } ?? "not set"
        return """
            base URL: \(baseURL)
            API key: \(key)
            organization: \(organization ?? "not set")
            project: \(project ?? "not set")
            timeout: \(timeout.formattedSeconds)
            max retries: \(maxRetries)
            """
    }

    private static func trimmingTrailingSlashes(_ url: String) -> String {
        var url = Substring(url)
        while url.hasSuffix("/") {
            url = url.dropLast()
        }
        return String(url)
    }
}

extension Duration {
    /// The duration in seconds as a `Double`.
    public var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    var formattedSeconds: String {
        let value = seconds
        if value == value.rounded() {
            return "\(Int64(value)) s"
        }
        return "\(value) s"
    }
}
