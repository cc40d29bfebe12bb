#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The checkpoint permissions resource: grant, list and revoke access to a fine-tuned
/// model checkpoint for projects of the same organization.
///
/// ```swift
/// let permissions = PermissionsClient(configuration: .environment())
/// let checkpoint = "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"
/// try await permissions.create(checkpoint: checkpoint, projectIDs: ["proj_abGMw1llN8IrBb6SvvY5A1iH"])
/// for try await permission in permissions.listAll(checkpoint: checkpoint) {
///     print(permission.id, permission.projectID)
/// }
/// ```
public struct PermissionsClient: Sendable {
    public var client: APIClient

    public init(client: APIClient) {
        self.client = client
    }

    /// Creates a client that sends requests with `configuration` through `transport`.
    public init(configuration: ClientConfiguration, transport: any HTTPTransport = CurlTransport()) {
        self.client = APIClient(configuration: configuration, transport: transport)
    }

    /// Grants each project access to the checkpoint.
    ///
    /// - Parameters:
    ///   - checkpoint: the fine-tuned model checkpoint, such as `ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd`.
    ///   - projectIDs: the projects to grant access to; at least one.
    /// - Returns: the created permissions, as a list that never pages.
    /// - Throws: ``APIError``; `invalidArgument` before sending for an empty list.
    @discardableResult
    public func create(checkpoint: String, projectIDs: [String]) async throws(APIError) -> PermissionPage {
        let (path, body) = try checkedCreate(checkpoint: checkpoint, projectIDs: projectIDs)
        return try await client.send(.post, path: path, encodedBody: body)
    }

    /// Checks the arguments of ``create(checkpoint:projectIDs:)`` and returns the request
    /// it would send, without sending it.
    ///
    /// - Throws: ``APIError/invalidArgument(name:value:reason:)`` as `create` would.
    public func plannedCreate(checkpoint: String, projectIDs: [String]) throws(APIError) -> PlannedWrite {
        let (path, body) = try checkedCreate(checkpoint: checkpoint, projectIDs: projectIDs)
        return PlannedWrite(method: .post, path: path, body: String(decoding: body, as: UTF8.self))
    }

    /// Checks the arguments of a create and returns its path and encoded body, which
    /// both ``create(checkpoint:projectIDs:)`` and ``plannedCreate(checkpoint:projectIDs:)`` use.
    private func checkedCreate(checkpoint: String, projectIDs: [String]) throws(APIError) -> (path: String, body: Data) {
        let path = try Self.path(checkpoint: checkpoint)
        guard !projectIDs.isEmpty else {
            throw .invalidArgument(name: "project IDs", value: "[]", reason: "give at least one project ID")
        }
        if let empty = projectIDs.first(where: { $0.isEmpty }) {
            throw .invalidArgument(name: "project ID", value: empty, reason: "must not be empty")
        }
        return (path, try CreatePermissionsRequest(projectIDs: projectIDs).encoded())
    }

    /// Fetches one page of the checkpoint's permissions.
    ///
    /// - Parameters:
    ///   - after: the permission ID after which the page starts (a previous page's `lastID`).
    ///   - limit: the page size; the API's default is 10.
    ///   - order: by creation time; the API's default is descending.
    ///   - projectID: only the permission of this project.
    public func list(
        checkpoint: String,
        after: String? = nil,
        limit: Int? = nil,
        order: ListOrder? = nil,
        projectID: String? = nil
    ) async throws(APIError) -> PermissionPage {
        let path = try Self.path(checkpoint: checkpoint)
        let query = Self.listQuery(after: after, limit: limit, order: order, projectID: projectID)
        return try await client.send(.get, path: path, query: query)
    }

    /// Returns every permission of the checkpoint, fetched page by page as the sequence is iterated.
    ///
    /// Each next page sends the previous page's `last_id` as `after` with the other
    /// parameters kept. Paging ends when `has_more` is false or `last_id` is missing. An
    /// empty page with `has_more` true does not end it. A cursor that does not advance
    /// ends the sequence with ``APIError/cursorDidNotAdvance(lastID:)``.
    public func listAll(
        checkpoint: String,
        limit: Int? = nil,
        order: ListOrder? = nil,
        projectID: String? = nil,
        after: String? = nil
    ) -> PermissionSequence {
        PermissionSequence(
            pages: pages(checkpoint: checkpoint, limit: limit, order: order,
                         projectID: projectID, after: after))
    }

    /// Returns the pages of the checkpoint's permissions, fetched lazily; see ``listAll(checkpoint:limit:order:projectID:after:)``.
    public func pages(
        checkpoint: String,
        limit: Int? = nil,
        order: ListOrder? = nil,
        projectID: String? = nil,
        after: String? = nil
    ) -> PageSequence {
        PageSequence(after: after) { cursor async throws(APIError) -> PermissionPage in
            try await list(
                checkpoint: checkpoint, after: cursor, limit: limit, order: order, projectID: projectID)
        }
    }

    /// Revokes one permission.
    ///
    /// - Returns: the deletion record; `deleted` is true when the permission was removed.
    @discardableResult
    public func delete(checkpoint: String, permissionID: String) async throws(APIError) -> DeletedCheckpointPermission {
        let path = try plannedDelete(checkpoint: checkpoint, permissionID: permissionID).path
        return try await client.send(.delete, path: path)
    }

    /// Checks the arguments of ``delete(checkpoint:permissionID:)`` and returns the
    /// request it would send, without sending it.
    public func plannedDelete(checkpoint: String, permissionID: String) throws(APIError) -> PlannedWrite {
        let checkpointPath = try Self.path(checkpoint: checkpoint)
        let permission = try PercentEncoding.pathSegment(permissionID, name: "permission ID")
        return PlannedWrite(method: .delete, path: checkpointPath + "/" + permission)
    }

    static func path(checkpoint: String) throws(APIError) -> String {
        let segment = try PercentEncoding.pathSegment(checkpoint, name: "checkpoint")
        return "/fine_tuning/checkpoints/\(segment)/permissions"
    }

    static func listQuery(
        after: String?, limit: Int?, order: ListOrder?, projectID: String?
    ) -> [(name: String, value: String)] {
        var query: [(name: String, value: String)] = []
        if let projectID { query.append(("project_id", projectID)) }
        if let after { query.append(("after", after)) }
        if let limit { query.append(("limit", String(limit))) }
        if let order { query.append(("order", order.rawValue)) }
        return query
    }
}

/// A write request as the client would send it, for dry runs: what `--dry-run` prints.
public struct PlannedWrite: Sendable, Equatable, CustomStringConvertible {
    public var method: HTTPMethod
    /// The path after the base URL, percent-encoded as it would be sent.
    public var path: String
    /// The JSON body as it would be sent, if the request has one.
    public var body: String?

    public init(method: HTTPMethod, path: String, body: String? = nil) {
        self.method = method
        self.path = path
        self.body = body
    }

    /// The method, the path and the body on one line.
    public var description: String {
        "\(method) \(path)" + (body.map { " " + $0 } ?? "")
    }
}
