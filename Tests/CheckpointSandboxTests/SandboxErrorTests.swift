import CheckpointAPI
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@testable import CheckpointSandbox

/// A request that must fail, with the error it must get.
struct ErrorCase: CustomTestStringConvertible, Sendable {
    var name: String
    var method: String
    var target: String
    var body: String? = nil
    var authorization: String? = "Bearer sk-test"
    var status: Int
    var type: String = "invalid_request_error"
    var param: String? = nil
    var code: String? = nil

    var testDescription: String { name }
}

@Suite struct SandboxErrorTests {
    static let cases: [ErrorCase] = [
        ErrorCase(name: "no authorization", method: "GET", target: permissionsPath, authorization: nil, status: 401),
        ErrorCase(name: "basic scheme", method: "GET", target: permissionsPath, authorization: "Basic abc", status: 401),
        ErrorCase(name: "empty bearer", method: "GET", target: permissionsPath, authorization: "Bearer ", status: 401),
        ErrorCase(name: "limit zero", method: "GET", target: permissionsPath + "?limit=0",
                  status: 400, param: "limit", code: "integer_below_min_value"),
        ErrorCase(name: "limit above 100", method: "GET", target: permissionsPath + "?limit=101",
                  status: 400, param: "limit", code: "integer_above_max_value"),
        ErrorCase(name: "limit not a number", method: "GET", target: permissionsPath + "?limit=ten",
                  status: 400, param: "limit", code: "invalid_type"),
        ErrorCase(name: "limit empty", method: "GET", target: permissionsPath + "?limit=",
                  status: 400, param: "limit", code: "invalid_type"),
        ErrorCase(name: "unknown order", method: "GET", target: permissionsPath + "?order=newest",
                  status: 400, param: "order", code: "invalid_value"),
        ErrorCase(name: "empty project_id", method: "GET", target: permissionsPath + "?project_id=",
                  status: 400, param: "project_id", code: "empty_string"),
        ErrorCase(name: "unknown after", method: "GET", target: permissionsPath + "?after=cp_unknown",
                  status: 400, param: "after", code: "invalid_value"),
        ErrorCase(name: "malformed JSON", method: "POST", target: permissionsPath, body: "{\"project_ids\": [",
                  status: 400),
        ErrorCase(name: "empty body", method: "POST", target: permissionsPath, body: "", status: 400),
        ErrorCase(name: "body is an array", method: "POST", target: permissionsPath, body: "[\"proj_a\"]",
                  status: 400, code: "invalid_type"),
        ErrorCase(name: "missing project_ids", method: "POST", target: permissionsPath, body: "{}",
                  status: 400, param: "project_ids", code: "missing_required_parameter"),
        ErrorCase(name: "project_ids a string", method: "POST", target: permissionsPath,
                  body: #"{"project_ids":"proj_a"}"#, status: 400, param: "project_ids", code: "invalid_type"),
        ErrorCase(name: "project_ids empty", method: "POST", target: permissionsPath,
                  body: #"{"project_ids":[]}"#, status: 400, param: "project_ids", code: "empty_array"),
        ErrorCase(name: "project_ids with a number", method: "POST", target: permissionsPath,
                  body: #"{"project_ids":["proj_a",7]}"#, status: 400, param: "project_ids[1]", code: "invalid_type"),
        ErrorCase(name: "project_ids with null", method: "POST", target: permissionsPath,
                  body: #"{"project_ids":[null]}"#, status: 400, param: "project_ids[0]", code: "invalid_type"),
        ErrorCase(name: "project_ids with empty string", method: "POST", target: permissionsPath,
                  body: #"{"project_ids":[""]}"#, status: 400, param: "project_ids[0]", code: "empty_string"),
        ErrorCase(name: "unknown body field", method: "POST", target: permissionsPath,
                  body: #"{"project_ids":["proj_a"],"projects":["proj_b"]}"#,
                  status: 400, param: "projects", code: "unknown_parameter"),
        ErrorCase(name: "unknown permission", method: "DELETE", target: permissionsPath + "/cp_zc4Q7MP6XxulcVzj4MZdwsAB",
                  status: 404, param: "permission_id", code: "not_found"),
        ErrorCase(name: "checkpoint without ft prefix", method: "GET",
                  target: "/v1/fine_tuning/checkpoints/gpt-4o/permissions",
                  status: 404, param: "fine_tuned_model_checkpoint", code: "model_not_found"),
        ErrorCase(name: "unknown route", method: "GET", target: "/v1/models", status: 404),
        ErrorCase(name: "path without v1", method: "GET", target: "/fine_tuning/checkpoints/ft:x/permissions",
                  status: 404),
        ErrorCase(name: "trailing slash", method: "GET", target: permissionsPath + "/", status: 404),
        ErrorCase(name: "empty checkpoint", method: "GET", target: "/v1/fine_tuning/checkpoints//permissions",
                  status: 404),
        ErrorCase(name: "bad percent escape", method: "GET", target: "/v1/fine_tuning/checkpoints/ft%zz/permissions",
                  status: 404),
        ErrorCase(name: "PUT on permissions", method: "PUT", target: permissionsPath, status: 405),
        ErrorCase(name: "GET on one permission", method: "GET", target: permissionsPath + "/cp_a", status: 405),
        ErrorCase(name: "DELETE on permissions", method: "DELETE", target: permissionsPath, status: 405),
    ]

    @Test(arguments: cases)
    func requestFailsWithAPIError(_ testCase: ErrorCase) throws {
        let sandbox = Sandbox()
        let response = sandbox.send(
            testCase.method, testCase.target, body: testCase.body, authorization: testCase.authorization)

        #expect(response.status == testCase.status)
        #expect(response.headers["content-type"] == "application/json")
        #expect(response.headers["x-request-id"] != nil)
        let error = try #require(response.error)
        #expect(error.type == testCase.type)
        #expect(error.param == testCase.param)
        #expect(error.code == testCase.code)
        #expect(!(error.message ?? "").isEmpty)
        guard case .object(let fields) = response["error"] else { return }
        #expect(Set(fields.keys) == ["message", "type", "param", "code"])
    }

    @Test func failedCreateChangesNothing() {
        let sandbox = Sandbox()
        _ = sandbox.send("POST", permissionsPath, body: #"{"project_ids":["proj_a",""]}"#)

        #expect(sandbox.permissions(checkpoint: checkpoint).isEmpty)
    }

    @Test func methodNotAllowedNamesAllowedMethods() {
        let sandbox = Sandbox()
        let response = sandbox.send("PATCH", permissionsPath)

        #expect(response.headers["allow"] == "GET, POST")
        #expect(response.error?.message == "Invalid method for URL (PATCH \(permissionsPath)); use GET or POST.")
    }

    @Test func unknownRouteMessageNamesMethodAndPath() {
        let response = Sandbox().send("POST", "/v1/models?limit=2")

        #expect(response.error?.message == "Invalid URL (POST /v1/models)")
    }

    @Test func missingKeyIsCheckedBeforeRoute() {
        let response = Sandbox().send("GET", "/v1/models", authorization: nil)

        #expect(response.status == 401)
    }

    @Test func acceptedKeysRejectOtherKeys() {
        let sandbox = Sandbox(options: .init(acceptedKeys: ["sk-admin"]))
        let wrong = sandbox.send("GET", permissionsPath, authorization: "Bearer sk-other")
        let right = sandbox.send("GET", permissionsPath, authorization: "bearer sk-admin")

        #expect(wrong.status == 401)
        #expect(wrong.error?.code == "invalid_api_key")
        #expect(right.status == 200)
    }

    @Test func errorMessageEscapesQuotesInJSON() throws {
        let response = Sandbox().send("GET", permissionsPath + "?order=%22x%22")

        #expect(response.error?.message == #"Invalid 'order': expected one of 'ascending' or 'descending', but got '"x"' instead."#)
    }
}
