import Foundation
import Testing

@testable import CheckpointAPI

@Suite struct EndpointTests {
    let createdJSON = """
        {"object":"list","data":[
          {"object":"checkpoint.permission","id":"cp_zc4Q7MP6XxulcVzj4MZdwsAB","created_at":1721764867,"project_id":"proj_abGMw1llN8IrBb6SvvY5A1iH"},
          {"object":"checkpoint.permission","id":"cp_enQCFmOTGj3syEpYVhBRLTSy","created_at":1721764868,"project_id":"proj_iqGMw1llN8IrBb6SvvY5A1oF"}
        ],"first_id":"cp_zc4Q7MP6XxulcVzj4MZdwsAB","last_id":"cp_enQCFmOTGj3syEpYVhBRLTSy","has_more":false}
        """

    // MARK: create

    @Test func createSendsPostWithProjectIDs() async throws {
        let transport = ScriptedTransport([.respond(.json(createdJSON))])
        let client = Fixture.client(transport)

        try await client.create(
            checkpoint: Fixture.checkpoint,
            projectIDs: ["proj_abGMw1llN8IrBb6SvvY5A1iH", "proj_iqGMw1llN8IrBb6SvvY5A1oF"])

        let request = try #require(transport.requests.first)
        #expect(transport.requests.count == 1)
        #expect(request.method == .post)
        #expect(request.url == Fixture.baseURL + Fixture.checkpointPath)
        let body = try JSONDecoder().decode([String: [String]].self, from: try #require(request.body))
        #expect(body == ["project_ids": ["proj_abGMw1llN8IrBb6SvvY5A1iH", "proj_iqGMw1llN8IrBb6SvvY5A1oF"]])
        #expect(request.headers["Content-Type"] == "application/json")
    }

    @Test func createDecodesTheCreatedPermissions() async throws {
        let transport = ScriptedTransport([.respond(.json(createdJSON))])

        let page = try await Fixture.client(transport).create(
            checkpoint: Fixture.checkpoint, projectIDs: ["proj_abGMw1llN8IrBb6SvvY5A1iH"])

        #expect(page.object == "list")
        #expect(page.hasMore == false)
        #expect(page.firstID == "cp_zc4Q7MP6XxulcVzj4MZdwsAB")
        #expect(page.lastID == "cp_enQCFmOTGj3syEpYVhBRLTSy")
        #expect(page.data == [
            CheckpointPermission(
                id: "cp_zc4Q7MP6XxulcVzj4MZdwsAB", createdAt: 1721764867, projectID: "proj_abGMw1llN8IrBb6SvvY5A1iH"),
            CheckpointPermission(
                id: "cp_enQCFmOTGj3syEpYVhBRLTSy", createdAt: 1721764868, projectID: "proj_iqGMw1llN8IrBb6SvvY5A1oF"),
        ])
    }

    @Test func createWithoutProjectsSendsNothing() async {
        let transport = ScriptedTransport()

        let error = await thrownError {
            try await Fixture.client(transport).create(checkpoint: Fixture.checkpoint, projectIDs: [])
        }

        #expect(error == .invalidArgument(name: "project IDs", value: "[]", reason: "give at least one project ID"))
        #expect(transport.requests.isEmpty)
    }

    @Test func createWithEmptyProjectIDSendsNothing() async {
        let transport = ScriptedTransport()

        let error = await thrownError {
            try await Fixture.client(transport).create(checkpoint: Fixture.checkpoint, projectIDs: ["proj_a", ""])
        }

        #expect(error == .invalidArgument(name: "project ID", value: "", reason: "must not be empty"))
        #expect(transport.requests.isEmpty)
    }

    // MARK: list

    @Test func listSendsGetWithAllParameters() async throws {
        let transport = ScriptedTransport([.respond(.json(Fixture.emptyPage))])

        _ = try await Fixture.client(transport).list(
            checkpoint: Fixture.checkpoint, after: "cp_abc", limit: 20, order: .ascending,
            projectID: "proj_abGMw1llN8IrBb6SvvY5A1iH")

        let request = try #require(transport.requests.first)
        #expect(request.method == .get)
        #expect(request.path == Fixture.checkpointPath)
        #expect(request.query == "project_id=proj_abGMw1llN8IrBb6SvvY5A1iH&after=cp_abc&limit=20&order=ascending")
        #expect(request.body == nil)
        #expect(request.headers["Content-Type"] == nil)
    }

    @Test func listWithoutParametersHasNoQuery() async throws {
        let transport = ScriptedTransport([.respond(.json(Fixture.emptyPage))])

        _ = try await Fixture.client(transport).list(checkpoint: Fixture.checkpoint)

        #expect(transport.requests.first?.url == Fixture.baseURL + Fixture.checkpointPath)
    }

    @Test func listEncodesQueryValues() async throws {
        let transport = ScriptedTransport([.respond(.json(Fixture.emptyPage))])

        _ = try await Fixture.client(transport).list(
            checkpoint: Fixture.checkpoint, after: "a&b=c+d #é", order: .descending)

        #expect(transport.requests.first?.query == "after=a%26b%3Dc%2Bd%20%23%C3%A9&order=descending")
    }

    @Test func listDecodesAPageAndIgnoresUnknownFields() async throws {
        let body = """
            {"object":"list","data":[{"object":"checkpoint.permission","id":"cp_1","created_at":1721764800,
            "project_id":"proj_1","extra":{"nested":[1,2]}}],"first_id":"cp_1","last_id":"cp_1",
            "has_more":true,"unknown":"ignored"}
            """
        let transport = ScriptedTransport([.respond(.json(body))])

        let page = try await Fixture.client(transport).list(checkpoint: Fixture.checkpoint)

        #expect(page == PermissionPage(
            data: [CheckpointPermission(id: "cp_1", createdAt: 1721764800, projectID: "proj_1")],
            firstID: "cp_1", lastID: "cp_1", hasMore: true))
    }

    @Test func pageEncodesCreatedAtAsUnixSeconds() throws {
        let page = PermissionPage(data: [CheckpointPermission(id: "cp_1", createdAt: 1721764800, projectID: "proj_1")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys

        let text = String(decoding: try encoder.encode(page), as: UTF8.self)

        #expect(text == #"{"data":[{"created_at":1721764800,"id":"cp_1","object":"checkpoint.permission","project_id":"proj_1"}],"first_id":null,"has_more":false,"last_id":null,"object":"list"}"#)
    }

    // MARK: delete

    @Test func deleteSendsDeleteToThePermission() async throws {
        let transport = ScriptedTransport([
            .respond(.json(#"{"object":"checkpoint.permission","id":"cp_zc4Q7MP6XxulcVzj4MZdwsAB","deleted":true}"#))
        ])

        let deleted = try await Fixture.client(transport).delete(
            checkpoint: Fixture.checkpoint, permissionID: "cp_zc4Q7MP6XxulcVzj4MZdwsAB")

        let request = try #require(transport.requests.first)
        #expect(request.method == .delete)
        #expect(request.url == Fixture.baseURL + Fixture.checkpointPath + "/cp_zc4Q7MP6XxulcVzj4MZdwsAB")
        #expect(request.body == nil)
        #expect(request.headers["Content-Type"] == nil)
        #expect(deleted == DeletedCheckpointPermission(id: "cp_zc4Q7MP6XxulcVzj4MZdwsAB", deleted: true))
    }

    // MARK: planned writes

    @Test func plannedCreateMatchesTheSentRequest() async throws {
        let transport = ScriptedTransport([.respond(.json(createdJSON))])
        let client = Fixture.client(transport)
        let projects = ["proj_abGMw1llN8IrBb6SvvY5A1iH", "proj/with slash"]

        let planned = try client.plannedCreate(checkpoint: Fixture.checkpoint, projectIDs: projects)
        try await client.create(checkpoint: Fixture.checkpoint, projectIDs: projects)

        let request = try #require(transport.requests.first)
        #expect(planned.method == .post)
        #expect(Fixture.baseURL + planned.path == request.url)
        #expect(planned.body == String(decoding: try #require(request.body), as: UTF8.self))
        #expect(planned.description.hasPrefix("POST \(Fixture.checkpointPath) {"))
    }

    @Test func plannedDeleteEncodesThePermission() throws {
        let client = Fixture.client(ScriptedTransport([]))

        let planned = try client.plannedDelete(checkpoint: Fixture.checkpoint, permissionID: "cp_a/b")

        #expect(planned == PlannedWrite(method: .delete, path: Fixture.checkpointPath + "/cp_a%2Fb"))
        #expect(planned.description == "DELETE \(Fixture.checkpointPath)/cp_a%2Fb")
    }

    @Test func plannedWritesRejectWhatTheCallsReject() {
        let client = Fixture.client(ScriptedTransport([]))

        #expect(throws: APIError.invalidArgument(name: "project IDs", value: "[]", reason: "give at least one project ID")) {
            try client.plannedCreate(checkpoint: Fixture.checkpoint, projectIDs: [])
        }
        #expect(throws: APIError.self) {
            try client.plannedDelete(checkpoint: Fixture.checkpoint, permissionID: "..")
        }
    }

    // MARK: headers

    @Test func everyRequestCarriesTheStandardHeaders() async throws {
        let transport = ScriptedTransport([
            .respond(.json(createdJSON)),
            .respond(.json(Fixture.emptyPage)),
            .respond(.json(#"{"object":"checkpoint.permission","id":"cp_1","deleted":true}"#)),
        ])
        let client = Fixture.client(transport)

        try await client.create(checkpoint: Fixture.checkpoint, projectIDs: ["proj_1"])
        _ = try await client.list(checkpoint: Fixture.checkpoint)
        try await client.delete(checkpoint: Fixture.checkpoint, permissionID: "cp_1")

        #expect(transport.requests.count == 3)
        for request in transport.requests {
            #expect(request.headers["Authorization"] == "Bearer \(Fixture.key)")
            #expect(request.headers["Accept"] == "application/json")
            #expect(request.headers["User-Agent"] == "ckpt/\(CheckpointAPIVersion.current)")
        }
    }
}
