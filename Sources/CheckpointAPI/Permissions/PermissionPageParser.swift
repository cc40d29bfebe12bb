#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A byte-level reader of a permission page's JSON, used before `JSONDecoder`.
///
/// `JSONDecoder` spent about 315,000 instructions on a ten-permission page (callgrind),
/// most of them in generic container and metadata lookups, which made it half the cost of
/// a list request on loopback. This reader handles the bodies the API sends and returns
/// `nil` for anything else, so that `JSONDecoder` decodes it, or reports the error, as
/// before. It returns `nil` for strings with escapes or invalid UTF-8, numbers other than
/// plain integers, duplicate or missing keys, and values of the wrong type.
enum PermissionPageParser {
    static func parse(_ body: Data) -> PermissionPage? {
        body.withUnsafeBytes { bytes in
            var reader = Reader(bytes: bytes)
            guard let page = reader.readPage() else { return nil }
            reader.skipWhitespace()
            return reader.isAtEnd ? page : nil
        }
    }

    private struct Reader {
        static let permissionObject = "checkpoint.permission"

        let bytes: UnsafeRawBufferPointer
        var index = 0

        init(bytes: UnsafeRawBufferPointer) {
            self.bytes = bytes
        }

        var isAtEnd: Bool { index >= bytes.count }

        mutating func readPage() -> PermissionPage? {
            var object: String?, data: [CheckpointPermission]?, hasMore: Bool?
            var firstID: String??, lastID: String??
            let complete = readObject { reader, key in
                switch key {
                case "object":
                    guard object == nil, let value = reader.readString() else { return false }
                    object = value
                case "data":
                    guard data == nil, let value = reader.readPermissions() else { return false }
                    data = value
                case "first_id":
                    guard firstID == nil, let value = reader.readOptionalString() else { return false }
                    firstID = value
                case "last_id":
                    guard lastID == nil, let value = reader.readOptionalString() else { return false }
                    lastID = value
                case "has_more":
                    guard hasMore == nil, let value = reader.readBoolean() else { return false }
                    hasMore = value
                default:
                    return reader.skipValue()
                }
                return true
            }
            guard complete, let object, let data, let hasMore else { return nil }
            return PermissionPage(
                data: data, firstID: firstID ?? nil, lastID: lastID ?? nil, hasMore: hasMore, object: object)
        }

        mutating func readPermissions() -> [CheckpointPermission]? {
            skipWhitespace()
            guard consume(UInt8(ascii: "[")) else { return nil }
            var permissions: [CheckpointPermission] = []
            skipWhitespace()
            if consume(UInt8(ascii: "]")) { return permissions }
            while true {
                guard let permission = readPermission() else { return nil }
                permissions.append(permission)
                skipWhitespace()
                if consume(UInt8(ascii: "]")) { return permissions }
                guard consume(UInt8(ascii: ",")) else { return nil }
            }
        }

        mutating func readPermission() -> CheckpointPermission? {
            var id: String?, object: String?, createdAt: Int?, projectID: String?
            let complete = readObject { reader, key in
                switch key {
                case "id":
                    guard id == nil, let value = reader.readString() else { return false }
                    id = value
                case "object":
                    guard object == nil, let value = reader.readString() else { return false }
                    // The literal needs no allocation, which saves 48 bytes per permission
                    // that a script keeps.
                    object = value == Self.permissionObject ? Self.permissionObject : value
                case "created_at":
                    guard createdAt == nil, let value = reader.readInteger() else { return false }
                    createdAt = value
                case "project_id":
                    guard projectID == nil, let value = reader.readString() else { return false }
                    projectID = value
                default:
                    return reader.skipValue()
                }
                return true
            }
            guard complete, let id, let object, let createdAt, let projectID else { return nil }
            return CheckpointPermission(id: id, createdAt: createdAt, projectID: projectID, object: object)
        }

        /// Reads `{ "key": value, ... }`, calling `readMember` with the reader placed at each
        /// value; returns false when the object is malformed or `readMember` returns false.
        mutating func readObject(_ readMember: (inout Reader, String) -> Bool) -> Bool {
            skipWhitespace()
            guard consume(UInt8(ascii: "{")) else { return false }
            skipWhitespace()
            if consume(UInt8(ascii: "}")) { return true }
            while true {
                skipWhitespace()
                guard let key = readString() else { return false }
                skipWhitespace()
                guard consume(UInt8(ascii: ":")) else { return false }
                guard readMember(&self, key) else { return false }
                skipWhitespace()
                if consume(UInt8(ascii: "}")) { return true }
                guard consume(UInt8(ascii: ",")) else { return false }
            }
        }

        /// Reads a string without escapes; returns `nil` for anything else.
        mutating func readString() -> String? {
            skipWhitespace()
            guard consume(UInt8(ascii: "\"")) else { return nil }
            let start = index
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let text = String(validating: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
                    index += 1
                    return text
                }
                // Escapes go to JSONDecoder, and control characters are invalid in JSON.
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        /// Reads `null` as `.some(nil)` and a string as `.some(text)`; returns `nil` for anything else.
        mutating func readOptionalString() -> String?? {
            skipWhitespace()
            if consumeWord("null") { return .some(nil) }
            return readString().map { .some($0) }
        }

        mutating func readBoolean() -> Bool? {
            skipWhitespace()
            if consumeWord("true") { return true }
            if consumeWord("false") { return false }
            return nil
        }

        /// Reads a JSON integer within `Int`'s range, without fraction or exponent.
        mutating func readInteger() -> Int? {
            skipWhitespace()
            let negative = consume(UInt8(ascii: "-"))
            let start = index
            var value = 0
            while index < bytes.count, case let byte = bytes[index], byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") {
                let digit = Int(byte - UInt8(ascii: "0"))
                let (shifted, overflowShift) = value.multipliedReportingOverflow(by: 10)
                let (sum, overflowAdd) = negative
                    ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
                guard !overflowShift, !overflowAdd else { return nil }
                value = sum
                index += 1
            }
            let digits = index - start
            guard digits > 0, !(digits > 1 && bytes[start] == UInt8(ascii: "0")) else { return nil }
            if index < bytes.count {
                let next = bytes[index]
                if next == UInt8(ascii: ".") || next == UInt8(ascii: "e") || next == UInt8(ascii: "E") { return nil }
            }
            return value
        }

        /// Skips one value of any type; nested objects and arrays go to JSONDecoder.
        mutating func skipValue() -> Bool {
            skipWhitespace()
            guard index < bytes.count else { return false }
            switch bytes[index] {
            case UInt8(ascii: "\""): return readString() != nil
            case UInt8(ascii: "t"), UInt8(ascii: "f"): return readBoolean() != nil
            case UInt8(ascii: "n"): return consumeWord("null")
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return readInteger() != nil
            default: return false
            }
        }

        mutating func skipWhitespace() {
            while index < bytes.count {
                switch bytes[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func consume(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        mutating func consumeWord(_ word: StaticString) -> Bool {
            let count = word.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            for offset in 0..<count where bytes[index + offset] != word.utf8Start[offset] {
                return false
            }
            index += count
            return true
        }
    }
}
