import CheckpointAPI

/// A value of the command language: what variables hold and commands return.
public enum Value: Sendable, Equatable, Hashable {
    case null
    case boolean(Bool)
    case integer(Int)
    case string(String)
    case list([Value])
    case record(Record)

    /// The type name used in messages: `null`, `boolean`, `integer`, `string`, `list`, `record`.
    public var typeName: String {
        switch self {
        case .null: "null"
        case .boolean: "boolean"
        case .integer: "integer"
        case .string: "string"
        case .list: "list"
        case .record: "record"
        }
    }
}

/// A record: fields in insertion order, looked up by name.
public struct Record: Sendable, Equatable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var fields: [(name: String, value: Value)] = []

    public init() {}

    public init(_ fields: [(String, Value)]) {
        for (name, value) in fields {
            self[name] = value
        }
    }

    public init(dictionaryLiteral elements: (String, Value)...) {
        self.init(elements)
    }

    /// Creates a record from fields whose names the caller knows to be distinct, in
    /// linear time; ``init(_:)`` checks each name and takes quadratic time.
    init(uniqueFields: [(name: String, value: Value)]) {
        self.fields = uniqueFields
    }

    public var names: [String] { fields.map(\.name) }
    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    /// Accesses a field's value. Setting a new name appends the field, and setting `nil` removes it.
    public subscript(name: String) -> Value? {
        get { fields.first { $0.name == name }?.value }
        set {
            let index = fields.firstIndex { $0.name == name }
            switch (index, newValue) {
            case (let index?, let value?): fields[index].value = value
            case (let index?, nil): fields.remove(at: index)
            case (nil, let value?): fields.append((name, value))
            case (nil, nil): break
            }
        }
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: Value)]> {
        fields.makeIterator()
    }

    public static func == (left: Record, right: Record) -> Bool {
        left.fields.elementsEqual(right.fields) { $0.name == $1.name && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        for field in fields {
            hasher.combine(field.name)
            hasher.combine(field.value)
        }
    }
}

// MARK: - API results as values

extension Value {
    /// Creates a record from a permission, with the API's field names.
    public init(_ permission: CheckpointPermission) {
        self = .record([
            "object": .string(permission.object),
            "id": .string(permission.id),
            "created_at": .integer(permission.createdAt),
            "project_id": .string(permission.projectID),
        ])
    }

    /// Creates a record from a page, with the API's field names.
    public init(_ page: PermissionPage) {
        self = .record([
            "object": .string(page.object),
            "data": .list(page.data.map(Value.init)),
            "first_id": page.firstID.map(Value.string) ?? .null,
            "last_id": page.lastID.map(Value.string) ?? .null,
            "has_more": .boolean(page.hasMore),
        ])
    }

    /// Creates a record from a deletion record, with the API's field names.
    public init(_ deleted: DeletedCheckpointPermission) {
        self = .record([
            "object": .string(deleted.object),
            "id": .string(deleted.id),
            "deleted": .boolean(deleted.deleted),
        ])
    }
}
