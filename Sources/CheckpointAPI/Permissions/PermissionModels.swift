#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A project's access to a fine-tuned model checkpoint (`checkpoint.permission`).
public struct CheckpointPermission: Codable, Sendable, Equatable, Hashable {
    /// The permission ID, `cp_` followed by letters and digits.
    public var id: String
    /// Always `checkpoint.permission`.
    public var object: String
    /// When the permission was created, in Unix seconds.
    public var createdAt: Int
    /// The project that was granted access.
    public var projectID: String

    public init(
        id: String,
        createdAt: Int,
        projectID: String,
        object: String = "checkpoint.permission"
    ) {
        self.id = id
        self.object = object
        self.createdAt = createdAt
        self.projectID = projectID
    }

    enum CodingKeys: String, CodingKey {
        case id, object
        case createdAt = "created_at"
        case projectID = "project_id"
    }
}

/// One page of permissions: the response of list, and of create, which never pages.
public struct PermissionPage: Codable, Sendable, Equatable {
    /// Always `list`.
    public var object: String
    public var data: [CheckpointPermission]
    public var firstID: String?
    /// The cursor for the next page, sent as `after`.
    public var lastID: String?
    public var hasMore: Bool

    public init(
        data: [CheckpointPermission],
        firstID: String? = nil,
        lastID: String? = nil,
        hasMore: Bool = false,
        object: String = "list"
    ) {
        self.object = object
        self.data = data
        self.firstID = firstID
        self.lastID = lastID
        self.hasMore = hasMore
    }

    enum CodingKeys: String, CodingKey {
        case object, data
        case firstID = "first_id"
        case lastID = "last_id"
        case hasMore = "has_more"
    }

    public func encode(to encoder: any Encoder) throws {
        // `first_id` and `last_id` are written as null rather than left out, as the API does.
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(data, forKey: .data)
        try container.encode(firstID, forKey: .firstID)
        try container.encode(lastID, forKey: .lastID)
        try container.encode(hasMore, forKey: .hasMore)
    }
}

/// The result of deleting a permission.
public struct DeletedCheckpointPermission: Codable, Sendable, Equatable {
    public var id: String
    /// Always `checkpoint.permission`.
    public var object: String
    public var deleted: Bool

    public init(id: String, deleted: Bool = true, object: String = "checkpoint.permission") {
        self.id = id
        self.object = object
        self.deleted = deleted
    }
}

/// The sort order of a permission list, by creation time.
public enum ListOrder: String, Codable, Sendable, CaseIterable {
    case ascending
    case descending
}

/// The body of a create request.
struct CreatePermissionsRequest: Encodable {
    var projectIDs: [String]

    enum CodingKeys: String, CodingKey {
        case projectIDs = "project_ids"
    }

    /// Encodes the body as JSON: directly when ``plainJSON()`` can, else with `JSONEncoder`.
    func encoded() throws(APIError) -> Data {
        if let data = plainJSON() {
            return data
        }
        return try APIClient.encodeBody(self)
    }

    /// Returns the bytes `JSONEncoder` writes for this body, built directly. Returns `nil`
    /// when an ID has a byte outside printable ASCII or one that `JSONEncoder` escapes
    /// (`"`, `\`, `/`), and `JSONEncoder` encodes those. It took about 23,000
    /// instructions for one ID (callgrind), a tenth of a create request on loopback.
    func plainJSON() -> Data? {
        var bytes = Array(#"{"project_ids":["#.utf8)
        for (index, projectID) in projectIDs.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(UInt8(ascii: "\""))
            for byte in projectID.utf8 {
                guard byte >= 0x20, byte < 0x7F, byte != UInt8(ascii: "\""), byte != UInt8(ascii: "\\"),
                    byte != UInt8(ascii: "/")
                else { return nil }
                bytes.append(byte)
            }
            bytes.append(UInt8(ascii: "\""))
        }
        bytes.append(contentsOf: "]}".utf8)
        return Data(bytes)
    }
}
