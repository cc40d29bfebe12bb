import Foundation
import Testing

@testable import CheckpointAPI

@Suite struct PagingTests {
    /// Collects every permission ID of `listAll`, or the error that ended it.
    func collectIDs(
        _ pages: [String],
        after: String? = nil
    ) async -> (ids: [String], error: APIError?, requests: [HTTPRequest]) {
        let transport = ScriptedTransport(pages.map { .respond(.json($0)) })
        let client = Fixture.client(transport)
        var ids: [String] = []
        do {
            for try await permission in client.listAll(
                checkpoint: Fixture.checkpoint, limit: 2, order: .ascending, projectID: "proj_1", after: after)
            {
                ids.append(permission.id)
            }
            return (ids, nil, transport.requests)
        } catch {
            return (ids, error, transport.requests)
        }
    }

    @Test func followsTheCursorToTheEnd() async {
        let outcome = await collectIDs([
            Fixture.pageJSON(ids: ["cp_1", "cp_2"], hasMore: true),
            Fixture.pageJSON(ids: ["cp_3", "cp_4"], hasMore: true),
            Fixture.pageJSON(ids: ["cp_5"], hasMore: false),
        ])

        #expect(outcome.error == nil)
        #expect(outcome.ids == ["cp_1", "cp_2", "cp_3", "cp_4", "cp_5"])
        #expect(outcome.requests.map(\.query) == [
            "project_id=proj_1&limit=2&order=ascending",
            "project_id=proj_1&after=cp_2&limit=2&order=ascending",
            "project_id=proj_1&after=cp_4&limit=2&order=ascending",
        ])
        #expect(outcome.requests.allSatisfy { $0.path == Fixture.checkpointPath })
        #expect(outcome.requests.allSatisfy { $0.method == .get })
    }

    @Test func startsAfterTheGivenCursor() async {
        let outcome = await collectIDs([Fixture.pageJSON(ids: ["cp_9"], hasMore: false)], after: "cp_8")

        #expect(outcome.ids == ["cp_9"])
        #expect(outcome.requests.map(\.query) == ["project_id=proj_1&after=cp_8&limit=2&order=ascending"])
    }

    @Test func emptyPageWithMoreGoesOn() async {
        let outcome = await collectIDs([
            Fixture.pageJSON(ids: ["cp_1"], hasMore: true),
            Fixture.pageJSON(ids: [], hasMore: true, lastID: "cp_2"),
            Fixture.pageJSON(ids: ["cp_3"], hasMore: false),
        ])

        #expect(outcome.error == nil)
        #expect(outcome.ids == ["cp_1", "cp_3"])
        #expect(outcome.requests.count == 3)
        #expect(outcome.requests.last?.query == "project_id=proj_1&after=cp_2&limit=2&order=ascending")
    }

    @Test func missingLastIDEndsPaging() async {
        let outcome = await collectIDs([
            Fixture.pageJSON(ids: ["cp_1", "cp_2"], hasMore: true),
            Fixture.pageJSON(ids: ["cp_3"], hasMore: true, lastID: .some(nil)),
        ])

        #expect(outcome.error == nil)
        #expect(outcome.ids == ["cp_1", "cp_2", "cp_3"])
        #expect(outcome.requests.count == 2)
    }

    @Test func noMoreEndsPagingDespiteLastID() async {
        let outcome = await collectIDs([Fixture.pageJSON(ids: ["cp_1", "cp_2"], hasMore: false)])

        #expect(outcome.ids == ["cp_1", "cp_2"])
        #expect(outcome.requests.count == 1)
    }

    @Test func emptyFirstPage() async {
        let outcome = await collectIDs([Fixture.emptyPage])

        #expect(outcome.error == nil)
        #expect(outcome.ids.isEmpty)
        #expect(outcome.requests.count == 1)
    }

    @Test func stuckCursorIsAnError() async {
        let outcome = await collectIDs([
            Fixture.pageJSON(ids: ["cp_1", "cp_2"], hasMore: true),
            Fixture.pageJSON(ids: ["cp_2"], hasMore: true),
        ])

        #expect(outcome.error == .cursorDidNotAdvance(lastID: "cp_2"))
        #expect(outcome.ids == ["cp_1", "cp_2"])
        #expect(outcome.requests.count == 2)
    }

    @Test func cursorCycleIsAnError() async {
        let outcome = await collectIDs([
            Fixture.pageJSON(ids: ["cp_1"], hasMore: true),
            Fixture.pageJSON(ids: ["cp_2"], hasMore: true),
            Fixture.pageJSON(ids: ["cp_1"], hasMore: true),
        ])

        #expect(outcome.error == .cursorDidNotAdvance(lastID: "cp_1"))
        #expect(outcome.requests.count == 3)
    }

    @Test func cursorEqualToStartIsAnError() async {
        let outcome = await collectIDs([Fixture.pageJSON(ids: [], hasMore: true, lastID: "cp_8")], after: "cp_8")

        #expect(outcome.error == .cursorDidNotAdvance(lastID: "cp_8"))
        #expect(outcome.requests.count == 1)
    }

    @Test func pageErrorEndsTheSequence() async throws {
        let transport = ScriptedTransport([
            .respond(.json(Fixture.pageJSON(ids: ["cp_1"], hasMore: true))),
            .respond(.apiError(404, message: "Checkpoint not found.")),
        ])
        let client = Fixture.client(transport)
        var iterator = client.listAll(checkpoint: Fixture.checkpoint).makeAsyncIterator()

        #expect(try await iterator.next()?.id == "cp_1")
        let error = await thrownError { try await iterator.next() }
        #expect(error?.status == 404)
        #expect(try await iterator.next() == nil)
        #expect(transport.requests.count == 2)
    }

    @Test func pagesAreFetchedLazily() async throws {
        let transport = ScriptedTransport([
            .respond(.json(Fixture.pageJSON(ids: ["cp_1", "cp_2"], hasMore: true))),
            .respond(.json(Fixture.pageJSON(ids: ["cp_3"], hasMore: false))),
        ])
        let client = Fixture.client(transport)
        var pages = client.pages(checkpoint: Fixture.checkpoint).makeAsyncIterator()

        #expect(transport.requests.isEmpty)
        let first = try await pages.next()
        #expect(first?.data.map(\.id) == ["cp_1", "cp_2"])
        #expect(transport.requests.count == 1)
        let second = try await pages.next()
        #expect(second?.data.map(\.id) == ["cp_3"])
        #expect(try await pages.next() == nil)
        #expect(transport.requests.count == 2)
    }

    @Test func cancelledTaskStopsPaging() async {
        let transport = ScriptedTransport([.respond(.json(Fixture.pageJSON(ids: ["cp_1"], hasMore: true)))])
        let client = Fixture.client(transport)

        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            var iterator = client.pages(checkpoint: Fixture.checkpoint).makeAsyncIterator()
            return try await iterator.next()
        }

        #expect(await task.result.apiFailure == .cancelled)
        #expect(transport.requests.isEmpty)
    }
}
