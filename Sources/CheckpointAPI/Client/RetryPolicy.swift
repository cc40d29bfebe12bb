#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// When to send a failed request again, and how long to wait first.
///
/// The number of retries is ``ClientConfiguration/maxRetries``; this value holds the
/// rules and the injectable clock, sleep and randomness, so tests take no real time.
public struct RetryPolicy: Sendable {
    /// The first backoff delay, doubled after each retry.
    public var initialBackoff: Duration = .milliseconds(500)
    /// The largest backoff delay before jitter.
    public var maximumBackoff: Duration = .seconds(8)
    /// The largest fraction by which jitter shortens a backoff delay.
    public var jitter: Double = 0.25
    /// The longest server-requested wait (`retry-after`, `retry-after-ms`) that is
    /// honoured exactly; a longer, negative or unreadable one falls back to backoff.
    public var maximumServerDelay: Duration = .seconds(60)
    /// Waits between attempts; must throw when the task is cancelled.
    public var sleep: @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    /// Returns a number in `0..<1` for jitter.
    public var random: @Sendable () -> Double = { Double.random(in: 0..<1) }
    /// The current time, for `retry-after` given as an HTTP date.
    public var now: @Sendable () -> Date = { Date() }

    public init() {}

    /// Returns whether a response with this status and these headers may be retried.
    /// `x-should-retry: true` or `false` overrides the status rule.
    public func shouldRetry(status: Int, headers: HTTPHeaders) -> Bool {
        switch headers["x-should-retry"]?.trimmed.lowercased() {
        case "true": return true
        case "false": return false
        default: return status == 408 || status == 409 || status == 429 || status >= 500
        }
    }

    /// Returns the wait before retry number `retryNumber + 1`, given the retries already made
    /// and the headers of the failed response, if there was one.
    public func delay(afterRetries retryNumber: Int, headers: HTTPHeaders?) -> Duration {
        if let headers, let serverDelay = serverRequestedDelay(headers) {
            return serverDelay
        }
        let factor = Double(1 << min(max(retryNumber, 0), 30))
        let base = min(initialBackoff.seconds * factor, maximumBackoff.seconds)
        let jittered = base * (1 - jitter * random())
        return .milliseconds(Int64((jittered * 1000).rounded()))
    }

    /// Returns the wait the server requested, if it is within `0...maximumServerDelay`.
    func serverRequestedDelay(_ headers: HTTPHeaders) -> Duration? {
        let limit = maximumServerDelay.seconds
        if let text = headers["retry-after-ms"], let milliseconds = Double(text.trimmed),
            milliseconds.isFinite, milliseconds >= 0, milliseconds / 1000 <= limit
        {
            return .milliseconds(Int64(milliseconds.rounded()))
        }
        guard let text = headers["retry-after"]?.trimmed else { return nil }
        if let seconds = Double(text) {
            guard seconds.isFinite, seconds >= 0, seconds <= limit else { return nil }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        if let date = HTTPDate.parse(text) {
            let seconds = date.timeIntervalSince(now())
            guard seconds >= 0, seconds <= limit else { return nil }
            return .milliseconds(Int64((seconds * 1000).rounded()))
        }
        return nil
    }
}

extension String {
    /// The string without leading and trailing white space and newlines.
    var trimmed: String {
        let isSpace: (Character) -> Bool = { $0.isWhitespace || $0.isNewline }
        guard let first = firstIndex(where: { !isSpace($0) }),
            let last = lastIndex(where: { !isSpace($0) })
        else { return "" }
        return String(self[first...last])
    }
}

/// Parses HTTP dates (RFC 9110, section 5.6.7): IMF-fixdate, RFC 850 and asctime forms.
enum HTTPDate {
    private static let months = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ]

    static func parse(_ text: String) -> Date? {
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
        let day: Int?, month: Int?, year: Int?, time: String
        switch words.count {
        case 4 where words[1].contains("-"):
            // RFC 850: Sunday, 06-Nov-94 08:49:37 GMT
            let parts = words[1].split(separator: "-").map(String.init)
            guard parts.count == 3, words[3] == "GMT" else { return nil }
            day = Int(parts[0])
            month = monthNumber(parts[1])
            year = Int(parts[2]).map { $0 < 50 ? 2000 + $0 : ($0 < 100 ? 1900 + $0 : $0) }
            time = words[2]
        case 6 where words[5] == "GMT":
            // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
            day = Int(words[1])
            month = monthNumber(words[2])
            year = Int(words[3])
            time = words[4]
        case 5:
            // asctime: Sun Nov  6 08:49:37 1994
            day = Int(words[2])
            month = monthNumber(words[1])
            year = Int(words[4])
            time = words[3]
        default:
            return nil
        }
        let clock = time.split(separator: ":").compactMap { Int($0) }
        guard let day, let month, let year, clock.count == 3,
            (1...31).contains(day), (0...23).contains(clock[0]),
            (0...59).contains(clock[1]), (0...60).contains(clock[2])
        else { return nil }
        let days = daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func monthNumber(_ name: String) -> Int? {
        months.firstIndex(of: name.lowercased()).map { $0 + 1 }
    }

    /// Days from 1970-01-01 to a date of the proleptic Gregorian calendar.
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let monthIndex = (month + 9) % 12
        let dayOfYear = (153 * monthIndex + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
