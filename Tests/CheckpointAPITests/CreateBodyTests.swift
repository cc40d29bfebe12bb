import Foundation
import Testing

@testable import CheckpointAPI

@Suite struct CreateBodyTests {
    static let plainIDs: [[String]] = [
        ["proj_abGMw1llN8IrBb6SvvY5A1iH"],
        ["proj_a", "proj_b", "proj-c.d~e"],
        [" spaced id ", "!#$%&'()*+,;=:@[]{}"],
    ]

    static let escapedIDs: [[String]] = [
        ["proj_\"quoted\""],
        ["proj_a", "back\\slash"],
        ["org/proj"],
        ["tab\there"],
        ["café"],
    ]

    @Test(arguments: plainIDs)
    func plainBodyMatchesJSONEncoder(ids: [String]) throws {
        let request = CreatePermissionsRequest(projectIDs: ids)
        let expected = try JSONEncoder().encode(request)
        let body = try #require(request.plainJSON())
        #expect(String(decoding: body, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
    }

    @Test(arguments: escapedIDs)
    func idsNeedingEscapesAreLeftToJSONEncoder(ids: [String]) throws {
        let request = CreatePermissionsRequest(projectIDs: ids)
        #expect(request.plainJSON() == nil)
        let body = try request.encoded()
        #expect(body == (try JSONEncoder().encode(request)))
    }
}
