import Foundation
import Testing

@testable import CheckpointAPI

@Suite struct PermissionPageParserTests {
    static let permission = #"{"object":"checkpoint.permission","id":"cp_zXRc5uC4kPPWaFqkTuZxfNbQ","created_at":1721764867,"project_id":"proj_abGMw1llN8IrBb6SvvY5A1iH"}"#

    /// Bodies the reader must decode exactly as JSONDecoder does.
    static let accepted: [String] = [
        #"{"object":"list","data":[\#(permission)],"first_id":"cp_zXRc5uC4kPPWaFqkTuZxfNbQ","last_id":"cp_zXRc5uC4kPPWaFqkTuZxfNbQ","has_more":false}"#,
        #"{"object":"list","data":[],"first_id":null,"last_id":null,"has_more":false}"#,
        #"{"object":"list","data":[],"has_more":true}"#,
        " {\n \"has_more\" : true ,\"data\": [ \(permission) , \(permission) ],\r\n\t\"object\":\"list\", \"extra\": -12 } \n",
        #"{"object":"list","data":[{"id":"cp_1","object":"checkpoint.permission","created_at":-0,"project_id":"proj_é","note":null}],"has_more":false,"n":0}"#,
    ]

    /// Bodies the reader leaves to JSONDecoder, valid or not.
    static let declined: [String] = [
        #"{"object":"li\"st","data":[],"has_more":false}"#,
        #"{"object":"list","data":[],"has_more":false,"nested":{"a":1}}"#,
        #"{"object":"list","data":[{"id":"cp_1","object":"checkpoint.permission","created_at":1.5,"project_id":"p"}],"has_more":false}"#,
        #"{"object":"list","data":[{"id":"cp_1","object":"checkpoint.permission","created_at":1e3,"project_id":"p"}],"has_more":false}"#,
        #"{"object":"list","data":[{"id":"cp_1","object":"checkpoint.permission","created_at":01,"project_id":"p"}],"has_more":false}"#,
        #"{"object":"list","data":[{"id":"cp_1","object":"checkpoint.permission","created_at":99999999999999999999,"project_id":"p"}],"has_more":false}"#,
        #"{"object":"list","data":[{"id":"cp_1","object":"checkpoint.permission","project_id":"p"}],"has_more":false}"#,
        #"{"object":"list","object":"list","data":[],"has_more":false}"#,
        #"{"object":"list","data":[],"has_more":"no"}"#,
        #"{"object":"list","data":[]}"#,
        #"{"object":"list","data":[],"has_more":false} x"#,
        #"{"object":"list","data":[],"has_more":false"#,
        #"{"object":"list","data":[,],"has_more":false}"#,
        #"[]"#,
        "",
    ]

    @Test(arguments: accepted.indices)
    func matchesJSONDecoder(index: Int) throws {
        let body = Data(Self.accepted[index].utf8)
        let expected = try JSONDecoder().decode(PermissionPage.self, from: body)
        #expect(PermissionPageParser.parse(body) == expected)
    }

    @Test(arguments: declined.indices)
    func declinesOtherBodies(index: Int) {
        #expect(PermissionPageParser.parse(Data(Self.declined[index].utf8)) == nil)
    }

    @Test func invalidUTF8IsDeclined() {
        var body = Data(#"{"object":"list","data":[],"has_more":false,"x":""#.utf8)
        body.append(contentsOf: [0xC3, 0x28])
        body.append(contentsOf: Array(#""}"#.utf8))
        #expect(PermissionPageParser.parse(body) == nil)
    }

    @Test func readsEveryField() throws {
        let body = Data(#"{"object":"list","data":[\#(Self.permission)],"first_id":"cp_a","last_id":"cp_b","has_more":true}"#.utf8)
        let page = try #require(PermissionPageParser.parse(body))
        #expect(page.object == "list")
        #expect(page.firstID == "cp_a")
        #expect(page.lastID == "cp_b")
        #expect(page.hasMore == true)
        #expect(page.data == [
            CheckpointPermission(
                id: "cp_zXRc5uC4kPPWaFqkTuZxfNbQ", createdAt: 1_721_764_867,
                projectID: "proj_abGMw1llN8IrBb6SvvY5A1iH"),
        ])
    }
}
