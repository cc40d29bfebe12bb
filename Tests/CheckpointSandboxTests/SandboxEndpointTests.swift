import CheckpointAPI
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@testable import CheckpointSandbox

@Suite struct SandboxEndpointTests {
    // MARK: Create

    @Test func createReturnsListOfNewPermission() throws {
        let sandbox = Sandbox()
        let before = Int(Date().timeIntervalSince1970)
        let response = sandbox.send("POST", permissionsPath, body: #"{"project_ids":["proj_abGMw1llN8IrBb6SvvY5A1iH"]}"#)
        let after = Int(Date().timeIntervalSince1970)

        #expect(response.status == 200)
        #expect(response.headers["content-type"] == "application/json")
        guard case .object(let fields) = response.json else {
            Issue.record("the body is not a JSON object")
            return
        }
        #expect(Set(fields.keys) == ["object", "data", "first_id", "last_id", "has_more"])
        #expect(fields["object"] == .string("list"))
        #expect(fields["has_more"] == .boolean(false))
        guard case .array(let items) = fields["data"], items.count == 1, case .object(let item) = items[0] else {
            Issue.record("data is not an array of one object")
            return
        }
        #expect(Set(item.keys) == ["object", "id", "created_at", "project_id"])
        #expect(item["object"] == .string("checkpoint.permission"))
        #expect(item["project_id"] == .string("proj_abGMw1llN8IrBb6SvvY5A1iH"))
        guard case .string(let id) = item["id"], case .number(let createdAt) = item["created_at"] else {
            Issue.record("id or created_at has the wrong type")
            return
        }
        #expect(isPermissionID(id))
        #expect(fields["first_id"] == .string(id))
        #expect(fields["last_id"] == .string(id))
        #expect(Int(createdAt) >= before)
        #expect(Int(createdAt) <= after)
    }

    @Test func createGrantsEachDistinctProjectOnce() throws {
        let sandbox = Sandbox()
        let page = try sandbox.create(["proj_a", "proj_b", "proj_a"])

        #expect(page.data.map(\.projectID) == ["proj_a", "proj_b"])
        #expect(page.firstID == page.data[0].id)
        #expect(page.lastID == page.data[1].id)
        #expect(sandbox.permissions(checkpoint: checkpoint).count == 2)
    }

    @Test func createForGrantedProjectReturnsExistingPermission() throws {
        let sandbox = Sandbox()
        let first = try sandbox.create(["proj_a"]).data[0]
        let again = try sandbox.create(["proj_b", "proj_a"])

        #expect(again.data.count == 2)
        #expect(again.data[1] == first)
        #expect(sandbox.permissions(checkpoint: checkpoint).map(\.projectID) == ["proj_a", "proj_b"])
    }

    @Test func createAfterRevokeIssuesNewID() throws {
        let sandbox = Sandbox()
        let first = try sandbox.create(["proj_a"]).data[0]
        #expect(sandbox.send("DELETE", permissionsPath + "/" + first.id).status == 200)
        let second = try sandbox.create(["proj_a"]).data[0]

        #expect(second.id != first.id)
        #expect(second.projectID == "proj_a")
    }

    @Test func permissionIDsAreUniqueAndWellFormed() throws {
        let sandbox = Sandbox()
        let page = try sandbox.create((0..<100).map { "proj_\($0)" })

        #expect(page.data.count == 100)
        #expect(Set(page.data.map(\.id)).count == 100)
        for permission in page.data {
            #expect(isPermissionID(permission.id), "\(permission.id)")
        }
    }

    @Test func checkpointsAreIndependent() throws {
        let sandbox = Sandbox()
        _ = try sandbox.create(["proj_a"])
        let other = sandbox.send("GET", "/v1/fine_tuning/checkpoints/ft:other/permissions")

        #expect(other.status == 200)
        #expect(try other.page().data.isEmpty)
    }

    // MARK: Seeding and created_at

    @Test func seedCreatesIncreasingTimesEndingNow() throws {
        let sandbox = Sandbox()
        let before = Int(Date().timeIntervalSince1970)
        sandbox.seed(checkpoint: checkpoint, count: 25)
        let after = Int(Date().timeIntervalSince1970)
        let permissions = sandbox.permissions(checkpoint: checkpoint)

        #expect(permissions.count == 25)
        #expect(Set(permissions.map(\.projectID)).count == 25)
        for (older, newer) in zip(permissions, permissions.dropFirst()) {
            #expect(newer.createdAt == older.createdAt + 1)
        }
        #expect(permissions.last!.createdAt >= before)
        #expect(permissions.last!.createdAt <= after)
        #expect(permissions.allSatisfy { $0.projectID.hasPrefix("proj_") && $0.projectID.utf8.count == 29 })
    }

    @Test func createdAtNeverDecreasesAfterSeed() throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 5)
        _ = try sandbox.create(["proj_x"])
        sandbox.seed(checkpoint: checkpoint, count: 5)
        let times = sandbox.permissions(checkpoint: checkpoint).map(\.createdAt)

        #expect(times.count == 11)
        #expect(times == times.sorted())
    }

    // MARK: List

    @Test func listDefaultsToTenNewestFirst() throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 25)
        let all = sandbox.permissions(checkpoint: checkpoint)
        let page = try sandbox.list()

        #expect(page.object == "list")
        #expect(page.data == Array(all.reversed().prefix(10)))
        #expect(page.firstID == all[24].id)
        #expect(page.lastID == all[15].id)
        #expect(page.hasMore)
    }

    @Test func listOfUnknownCheckpointIsEmptyWithNullIDs() throws {
        let sandbox = Sandbox()
        let response = sandbox.send("GET", permissionsPath)

        #expect(response.status == 200)
        #expect(response["data"] == .array([]))
        #expect(response["first_id"] == .null)
        #expect(response["last_id"] == .null)
        #expect(response["has_more"] == .boolean(false))
    }

    @Test(arguments: [ListOrder.ascending, .descending], [1, 7, 25, 100])
    func pagingVisitsEveryPermissionOnce(order: ListOrder, limit: Int) throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 25)
        let all = sandbox.permissions(checkpoint: checkpoint)
        let expected = order == .ascending ? all : all.reversed()

        var seen: [CheckpointPermission] = []
        var after: String?
        for _ in 0..<30 {
            var query = "limit=\(limit)&order=\(order.rawValue)"
            if let after { query += "&after=\(after)" }
            let page = try sandbox.list(query)
            seen += page.data
            #expect(page.data.count <= limit)
            guard page.hasMore else { break }
            after = page.lastID
        }
        #expect(seen == expected)
    }

    @Test func lastPageHasNoMore() throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 20)
        let first = try sandbox.list("limit=10&order=ascending")
        let second = try sandbox.list("limit=10&order=ascending&after=\(first.lastID!)")

        #expect(first.hasMore)
        #expect(second.data.count == 10)
        #expect(!second.hasMore)
    }

    @Test func projectFilterReturnsOnlyThatProject() throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 30)
        let target = sandbox.permissions(checkpoint: checkpoint)[12]
        let page = try sandbox.list("project_id=\(target.projectID)&limit=1")
        let missing = try sandbox.list("project_id=proj_absent")

        #expect(page.data == [target])
        #expect(!page.hasMore)
        #expect(missing.data.isEmpty)
        #expect(!missing.hasMore)
    }

    @Test func projectFilterAppliesAfterCursor() throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 10)
        let all = sandbox.permissions(checkpoint: checkpoint)
        let beforeTarget = try sandbox.list("project_id=\(all[3].projectID)&after=\(all[5].id)")
        let pastTarget = try sandbox.list("project_id=\(all[3].projectID)&after=\(all[2].id)")

        #expect(beforeTarget.data == [all[3]])
        #expect(pastTarget.data.isEmpty)
    }

    @Test func deletedPermissionStillWorksAsCursor() throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 6)
        let all = sandbox.permissions(checkpoint: checkpoint)
        #expect(sandbox.send("DELETE", permissionsPath + "/" + all[2].id).status == 200)
        let descending = try sandbox.list("after=\(all[2].id)")
        let ascending = try sandbox.list("after=\(all[2].id)&order=ascending")

        #expect(descending.data == [all[1], all[0]])
        #expect(ascending.data == [all[3], all[4], all[5]])
    }

    @Test func queryValuesArePercentDecoded() throws {
        let sandbox = Sandbox()
        _ = try sandbox.create(["proj a/b"])
        let page = try sandbox.list("project_id=proj%20a%2Fb")
        let plus = try sandbox.list("project_id=proj+a%2Fb")

        #expect(page.data.map(\.projectID) == ["proj a/b"])
        #expect(plus.data.map(\.projectID) == ["proj a/b"])
    }

    @Test func unknownQueryParametersAreIgnored() throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 3)

        #expect(try sandbox.list("foo=bar&limit=2").data.count == 2)
    }

    @Test func percentEncodedCheckpointNamesSameCheckpoint() throws {
        let sandbox = Sandbox()
        _ = try sandbox.create(["proj_a"])
        let encoded = sandbox.send("GET", "/v1/fine_tuning/checkpoints/ft%3Agpt-4o-mini-2024-07-18%3Aorg%3Aweather%3AB7R9VjQd/permissions")

        #expect(try encoded.page().data.map(\.projectID) == ["proj_a"])
    }

    // MARK: Delete

    @Test func deleteReturnsDeletionRecord() throws {
        let sandbox = Sandbox()
        let permission = try sandbox.create(["proj_a"]).data[0]
        let response = sandbox.send("DELETE", permissionsPath + "/" + permission.id)

        #expect(response.status == 200)
        #expect(response.json == .object([
            "object": .string("checkpoint.permission"), "id": .string(permission.id), "deleted": .boolean(true),
        ]))
        #expect(sandbox.permissions(checkpoint: checkpoint).isEmpty)
    }

    @Test func deleteTwiceIsNotFound() throws {
        let sandbox = Sandbox()
        let permission = try sandbox.create(["proj_a"]).data[0]
        _ = sandbox.send("DELETE", permissionsPath + "/" + permission.id)
        let again = sandbox.send("DELETE", permissionsPath + "/" + permission.id)

        #expect(again.status == 404)
        #expect(again.error?.param == "permission_id")
    }

    @Test func deleteUnderOtherCheckpointIsNotFound() throws {
        let sandbox = Sandbox()
        let permission = try sandbox.create(["proj_a"]).data[0]
        let response = sandbox.send("DELETE", "/v1/fine_tuning/checkpoints/ft:other/permissions/\(permission.id)")

        #expect(response.status == 404)
        #expect(sandbox.permissions(checkpoint: checkpoint) == [permission])
    }

    // MARK: Request IDs and concurrency

    @Test func everyResponseHasDistinctRequestID() throws {
        let sandbox = Sandbox()
        let responses = [
            sandbox.send("GET", permissionsPath),
            sandbox.send("GET", permissionsPath, authorization: nil),
            sandbox.send("GET", "/v1/models"),
            sandbox.send("POST", permissionsPath, body: "{"),
        ]
        let ids = responses.compactMap { $0.headers["x-request-id"] }

        #expect(ids.count == responses.count)
        #expect(Set(ids).count == responses.count)
        for id in ids {
            #expect(id.hasPrefix("req_") && id.utf8.count == 36, "\(id)")
        }
    }

    @Test func concurrentCreatesAreAllKept() async throws {
        let sandbox = Sandbox()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<50 {
                        _ = sandbox.send("POST", permissionsPath, body: #"{"project_ids":["proj_\#(task)_\#(index)"]}"#)
                    }
                }
            }
        }
        let permissions = sandbox.permissions(checkpoint: checkpoint)

        #expect(permissions.count == 400)
        #expect(Set(permissions.map(\.id)).count == 400)
        #expect(permissions.map(\.createdAt) == permissions.map(\.createdAt).sorted())
    }
}
