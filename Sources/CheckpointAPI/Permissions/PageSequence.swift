/// The pages of a cursor-paginated list, each fetched when the previous one is consumed.
public struct PageSequence: AsyncSequence, Sendable {
    public typealias Element = PermissionPage
    public typealias Failure = APIError

    let firstCursor: String?
    let fetch: @Sendable (_ after: String?) async throws(APIError) -> PermissionPage

    init(after: String?, fetch: @escaping @Sendable (String?) async throws(APIError) -> PermissionPage) {
        self.firstCursor = after
        self.fetch = fetch
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(cursor: firstCursor, fetch: fetch)
    }

    public struct Iterator: AsyncIteratorProtocol {
        var cursor: String?
        /// Every cursor sent so far; a repeated one would start a loop.
        var sentCursors: Set<String> = []
        var finished = false
        let fetch: @Sendable (String?) async throws(APIError) -> PermissionPage

        init(cursor: String?, fetch: @escaping @Sendable (String?) async throws(APIError) -> PermissionPage) {
            self.cursor = cursor
            self.fetch = fetch
        }

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(APIError) -> PermissionPage? {
            guard !finished else { return nil }
            if Task.isCancelled {
                finished = true
                throw .cancelled
            }
            let page: PermissionPage
            do {
                page = try await fetch(cursor)
            } catch {
                finished = true
                throw error
            }
            guard page.hasMore, let lastID = page.lastID else {
                finished = true
                return page
            }
            if let cursor {
                sentCursors.insert(cursor)
            }
            if sentCursors.contains(lastID) {
                finished = true
                throw .cursorDidNotAdvance(lastID: lastID)
            }
            cursor = lastID
            return page
        }

        public mutating func next() async throws(APIError) -> PermissionPage? {
            try await next(isolation: nil)
        }
    }
}

/// Every permission of a checkpoint across pages; see ``PermissionsClient/listAll(checkpoint:limit:order:projectID:after:)``.
public struct PermissionSequence: AsyncSequence, Sendable {
    public typealias Element = CheckpointPermission
    public typealias Failure = APIError

    let pages: PageSequence

    public func makeAsyncIterator() -> Iterator {
        Iterator(pages: pages.makeAsyncIterator())
    }

    public struct Iterator: AsyncIteratorProtocol {
        var pages: PageSequence.Iterator
        var buffer: [CheckpointPermission] = []
        var position = 0

        public mutating func next(isolation actor: isolated (any Actor)?) async throws(APIError) -> CheckpointPermission? {
            while position == buffer.count {
                guard let page = try await pages.next(isolation: actor) else { return nil }
                buffer = page.data
                position = 0
            }
            defer { position += 1 }
            return buffer[position]
        }

        public mutating func next() async throws(APIError) -> CheckpointPermission? {
            try await next(isolation: nil)
        }
    }
}
