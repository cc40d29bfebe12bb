import CheckpointAPI

/// The decoded query parameters of a list request.
///
/// Unknown parameters are ignored, as the API ignores them; when a name repeats, its
/// last value counts.
struct QueryParameters {
    private var values: [String: String] = [:]

    init(_ query: Substring) {
        for pair in query.utf8.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true) {
            let parts = pair.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = PercentDecoding.decode(Substring(parts[0]), plusIsSpace: true) else { continue }
            let raw = parts.count > 1 ? Substring(parts[1]) : ""
            values[name] = PercentDecoding.decode(raw, plusIsSpace: true) ?? String(raw)
        }
    }

    subscript(name: String) -> String? {
        values[name]
    }

    /// `limit`: an integer from 1 to ``Sandbox/maximumLimit``, 10 when absent.
    func limit() throws(SandboxError) -> Int {
        guard let text = values["limit"] else { return 10 }
        guard let limit = Int(text) else {
            throw .invalidRequest(
                "Invalid 'limit': expected an integer, but got '\(text)' instead.",
                param: "limit", code: "invalid_type")
        }
        guard limit >= 1 else {
            throw .invalidRequest(
                "Invalid 'limit': integer below minimum value. Expected a value >= 1, but got \(limit) instead.",
                param: "limit", code: "integer_below_min_value")
        }
        guard limit <= Sandbox.maximumLimit else {
            throw .invalidRequest(
                "Invalid 'limit': integer above maximum value. Expected a value <= \(Sandbox.maximumLimit), "
                    + "but got \(limit) instead.",
                param: "limit", code: "integer_above_max_value")
        }
        return limit
    }

    /// `order`: `ascending` or `descending`, descending when absent.
    func order() throws(SandboxError) -> ListOrder {
        guard let text = values["order"] else { return .descending }
        guard let order = ListOrder(rawValue: text) else {
            throw .invalidRequest(
                "Invalid 'order': expected one of 'ascending' or 'descending', but got '\(text)' instead.",
                param: "order", code: "invalid_value")
        }
        return order
    }

    /// `project_id`: a non-empty project ID, or `nil` when absent.
    func projectID() throws(SandboxError) -> String? {
        guard let text = values["project_id"] else { return nil }
        guard !text.isEmpty else {
            throw .invalidRequest(
                "Invalid 'project_id': empty string. Expected a project ID such as 'proj_abc', or leave it out.",
                param: "project_id", code: "empty_string")
        }
        return text
    }
}

/// Decodes percent-encoded path segments and query components.
enum PercentDecoding {
    /// Returns the decoded text, or `nil` for a malformed escape or bytes that are not UTF-8.
    static func decode(_ text: Substring, plusIsSpace: Bool = false) -> String? {
        let utf8 = text.utf8
        if !utf8.contains(UInt8(ascii: "%")) && !(plusIsSpace && utf8.contains(UInt8(ascii: "+"))) {
            return String(text)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index < utf8.endIndex {
            let byte = utf8[index]
            if byte == UInt8(ascii: "%") {
                let high = utf8.index(after: index)
                guard high < utf8.endIndex else { return nil }
                let low = utf8.index(after: high)
                guard low < utf8.endIndex,
                    let highValue = hexValue(utf8[high]), let lowValue = hexValue(utf8[low])
                else {
                    return nil
                }
                bytes.append(highValue << 4 | lowValue)
                index = utf8.index(after: low)
                continue
            }
            bytes.append(plusIsSpace && byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            index = utf8.index(after: index)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
