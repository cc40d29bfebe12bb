import CheckpointAPI
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The two resources of the API, with the path parameters decoded.
enum Route: Equatable {
    /// `/v1/fine_tuning/checkpoints/{checkpoint}/permissions`: GET lists, POST creates.
    case permissions(checkpoint: String)
    /// `/v1/fine_tuning/checkpoints/{checkpoint}/permissions/{permission_id}`: DELETE revokes.
    case permission(checkpoint: String, id: String)

    /// Finds the route of a percent-encoded path; `nil` when the path names no resource.
    init?(path: Substring) {
        let prefix = "/v1/fine_tuning/checkpoints/".utf8
        guard path.utf8.starts(with: prefix) else { return nil }
        let segments = path.utf8.dropFirst(prefix.count)
            .split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        guard segments.count == 2 || segments.count == 3,
            segments[1].elementsEqual("permissions".utf8),
            let checkpoint = PercentDecoding.decode(Substring(segments[0])), !checkpoint.isEmpty
        else {
            return nil
        }
        if segments.count == 2 {
            self = .permissions(checkpoint: checkpoint)
            return
        }
        guard let id = PercentDecoding.decode(Substring(segments[2])), !id.isEmpty else { return nil }
        self = .permission(checkpoint: checkpoint, id: id)
    }

    var allowedMethods: [String] {
        switch self {
        case .permissions: ["GET", "POST"]
        case .permission: ["DELETE"]
        }
    }
}

extension Sandbox {
    /// The largest `limit` a list request may ask for.
    public static let maximumLimit = 100

    func process(_ request: SandboxRequest) throws(SandboxError) -> HTTPResponse {
        try authenticate(request.headers)
        try injectFailure()

        let path: Substring
        let query: Substring
        if let mark = request.target.utf8.firstIndex(of: UInt8(ascii: "?")) {
            path = request.target[..<mark]
            query = request.target[request.target.index(after: mark)...]
        } else {
            path = request.target[...]
            query = ""
        }
        guard let route = Route(path: path) else {
            throw .unknownRoute(method: request.method, path: String(path))
        }
        guard route.allowedMethods.contains(request.method) else {
            throw .methodNotAllowed(method: request.method, path: String(path), allowed: route.allowedMethods)
        }

        switch route {
        case .permissions(let checkpoint):
            try Self.validate(checkpoint: checkpoint)
            if request.method == "GET" {
                return try list(checkpoint: checkpoint, query: QueryParameters(query))
            }
            return try create(checkpoint: checkpoint, body: request.body)
        case .permission(let checkpoint, let id):
            try Self.validate(checkpoint: checkpoint)
            return try delete(checkpoint: checkpoint, id: id)
        }
    }

    private func authenticate(_ headers: HTTPHeaders) throws(SandboxError) {
        guard let authorization = headers["authorization"] else { throw .missingKey }
        let scheme = authorization.utf8.prefix(7).map { $0 | 0x20 }
        guard scheme.elementsEqual("bearer ".utf8) else { throw .missingKey }
        let key = authorization.utf8.dropFirst(7).drop { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
        guard !key.isEmpty else { throw .missingKey }
        if let accepted = options.acceptedKeys, !accepted.contains(String(Substring(key))) {
            throw .invalidKey
        }
    }

    private func injectFailure() throws(SandboxError) {
        let rate = options.failureRate
        guard rate > 0 else { return }
        if state.withLock({ $0.drawFailure(rate: rate) }) {
            throw .injected(status: options.failureStatus, retryAfter: options.retryAfter)
        }
    }

    /// Returns whether the sandbox treats `checkpoint` as an existing checkpoint.
    ///
    /// Fine-tuned model names (`ft:…`) and fine-tuning job IDs (`ft-…`) are accepted, the
    /// two forms the API description shows, unless they contain spaces or control
    /// characters. Requests for any other checkpoint get 404.
    public static func isValidCheckpoint(_ checkpoint: String) -> Bool {
        let utf8 = checkpoint.utf8
        return (utf8.starts(with: "ft:".utf8) || utf8.starts(with: "ft-".utf8)) && utf8.count > 3
            && !utf8.contains { $0 <= 0x20 || $0 == 0x7F }
    }

    static func validate(checkpoint: String) throws(SandboxError) {
        guard isValidCheckpoint(checkpoint) else { throw .checkpointNotFound(checkpoint) }
    }

    private func list(checkpoint: String, query: QueryParameters) throws(SandboxError) -> HTTPResponse {
        let limit = try query.limit()
        let order = try query.order()
        let projectID = try query.projectID()
        var afterSequence: UInt64?
        let page = try state.withLock { state throws(SandboxError) in
            if let after = query["after"] {
                guard let sequence = state.checkpoints[checkpoint]?.sequenceByID[after] else {
                    throw SandboxError.invalidRequest(
                        "Invalid 'after': no permission with ID '\(after)' was ever issued for the checkpoint "
                            + "'\(checkpoint)'. Pass the 'last_id' of the previous page.",
                        param: "after", code: "invalid_value")
                }
                afterSequence = sequence
            }
            return state.page(
                checkpoint: checkpoint, after: afterSequence, limit: limit, order: order, projectID: projectID)
        }
        var writer = JSONWriter(capacity: 160 + page.items.count * 140)
        writer.page(page.items, hasMore: page.hasMore)
        return Self.okResponse(writer.data)
    }

    private func create(checkpoint: String, body: Data) throws(SandboxError) -> HTTPResponse {
        let projectIDs = try Self.projectIDs(fromBody: body)
        let now = Self.currentUnixTime()
        let created = state.withLock { state in
            projectIDs.map { state.grant(checkpoint: checkpoint, projectID: $0, createdAt: now) }
        }
        var writer = JSONWriter(capacity: 160 + created.count * 140)
        writer.page(created, hasMore: false)
        return Self.okResponse(writer.data)
    }

    private func delete(checkpoint: String, id: String) throws(SandboxError) -> HTTPResponse {
        guard state.withLock({ $0.revoke(checkpoint: checkpoint, id: id) }) else {
            throw .permissionNotFound(id, checkpoint: checkpoint)
        }
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("object")
        writer.string("checkpoint.permission")
        writer.key("id")
        writer.string(id)
        writer.key("deleted")
        writer.boolean(true)
        writer.endObject()
        return Self.okResponse(writer.data)
    }

    /// Returns the distinct project IDs of a create body, in their first order of appearance.
    static func projectIDs(fromBody body: Data) throws(SandboxError) -> [String] {
        guard let document = JSONValue.parse(body) else { throw .malformedJSON }
        guard case .object(let fields) = document else {
            throw .invalidRequest(
                "Invalid body: expected a JSON object with 'project_ids', but got \(document.typeDescription).",
                code: "invalid_type")
        }
        if let unknown = fields.keys.filter({ $0 != "project_ids" }).sorted().first {
            throw .invalidRequest(
                "Unrecognized request argument supplied: '\(unknown)'. The only field is 'project_ids'.",
                param: unknown, code: "unknown_parameter")
        }
        guard let value = fields["project_ids"] else {
            throw .invalidRequest(
                "Missing required parameter: 'project_ids'.", param: "project_ids",
                code: "missing_required_parameter")
        }
        guard case .array(let elements) = value else {
            throw .invalidRequest(
                "Invalid type for 'project_ids': expected an array of strings, but got \(value.typeDescription).",
                param: "project_ids", code: "invalid_type")
        }
        guard !elements.isEmpty else {
            throw .invalidRequest(
                "Invalid 'project_ids': empty array. Expected at least one project ID.",
                param: "project_ids", code: "empty_array")
        }
        var projectIDs: [String] = []
        var seen: Set<String> = []
        for (index, element) in elements.enumerated() {
            guard case .string(let projectID) = element else {
                throw .invalidRequest(
                    "Invalid type for 'project_ids[\(index)]': expected a string, but got \(element.typeDescription).",
                    param: "project_ids[\(index)]", code: "invalid_type")
            }
            guard !projectID.isEmpty else {
                throw .invalidRequest(
                    "Invalid 'project_ids[\(index)]': empty string. Expected a project ID such as 'proj_abc'.",
                    param: "project_ids[\(index)]", code: "empty_string")
            }
            if seen.insert(projectID).inserted {
                projectIDs.append(projectID)
            }
        }
        return projectIDs
    }

    static func okResponse(_ body: Data) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        return HTTPResponse(status: 200, headers: headers, body: body)
    }
}
