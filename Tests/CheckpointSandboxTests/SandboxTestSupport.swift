import CheckpointAPI
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@testable import CheckpointSandbox

let checkpoint = "ft:gpt-4o-mini-2024-07-18:org:weather:B7R9VjQd"
let permissionsPath = "/v1/fine_tuning/checkpoints/\(checkpoint)/permissions"

/// A response with its body decoded as JSON.
struct DecodedResponse {
    var status: Int
    var headers: HTTPHeaders
    var json: JSONValue?
    var rawBody: Data

    subscript(field: String) -> JSONValue? {
        guard case .object(let fields) = json else { return nil }
        return fields[field]
    }

    /// The `error` object's fields as strings, with `nil` for JSON null.
    var error: (message: String?, type: String?, param: String?, code: String?)? {
        guard case .object(let fields) = self["error"] else { return nil }
        func text(_ name: String) -> String? {
            if case .string(let value) = fields[name] { value } else { nil }
        }
        return (text("message"), text("type"), text("param"), text("code"))
    }

    func page() throws -> PermissionPage {
        try JSONDecoder().decode(PermissionPage.self, from: rawBody)
    }
}

extension Sandbox {
    func send(
        _ method: String, _ target: String, body: String? = nil,
        authorization: String? = "Bearer sk-test"
    ) -> DecodedResponse {
        var headers = HTTPHeaders()
        if let authorization {
            headers["Authorization"] = authorization
        }
        let request = SandboxRequest(
            method: method, target: target, headers: headers, body: Data((body ?? "").utf8))
        let response = handle(request)
        return DecodedResponse(
            status: response.status, headers: response.headers,
            json: JSONValue.parse(response.body), rawBody: response.body)
    }

    func list(_ query: String = "") throws -> PermissionPage {
        let response = send("GET", permissionsPath + (query.isEmpty ? "" : "?" + query))
        #expect(response.status == 200, "list ?\(query) returned \(response.status): \(response.error?.message ?? "")")
        return try response.page()
    }

    func create(_ projectIDs: [String]) throws -> PermissionPage {
        let list = projectIDs.map { "\"\($0)\"" }.joined(separator: ",")
        let response = send("POST", permissionsPath, body: #"{"project_ids":[\#(list)]}"#)
        #expect(response.status == 200, "create returned \(response.status): \(response.error?.message ?? "")")
        return try response.page()
    }
}

/// Whether `id` is `cp_` followed by 24 ASCII letters and digits.
func isPermissionID(_ id: String) -> Bool {
    let bytes = Array(id.utf8)
    guard bytes.count == 27, id.hasPrefix("cp_") else { return false }
    return bytes.dropFirst(3).allSatisfy {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0)
            || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
    }
}
