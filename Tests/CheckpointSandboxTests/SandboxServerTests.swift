import CheckpointAPI
import Synchronization
import Testing
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
#if canImport(Glibc)
import Glibc
#endif

@testable import CheckpointSandbox

/// Bytes that the server must reject, with the status and error code it must answer.
struct BadRequestCase: CustomTestStringConvertible, Sendable {
    var name: String
    var bytes: [UInt8]
    var status: Int
    var code: String?

    init(_ name: String, _ text: String, status: Int, code: String? = "malformed_request") {
        self.name = name
        self.bytes = Array(text.utf8)
        self.status = status
        self.code = code
    }

    init(_ name: String, bytes: [UInt8], status: Int, code: String? = "malformed_request") {
        self.name = name
        self.bytes = bytes
        self.status = status
        self.code = code
    }

    var testDescription: String { name }
}

@Suite(.serialized) struct SandboxServerTests {
    static let badRequests: [BadRequestCase] = [
        BadRequestCase("binary garbage", bytes: [0x00, 0xFF, 0x13, 0x37] + Array("\r\n\r\n".utf8), status: 400),
        BadRequestCase("request line without version", "GET /v1/x\r\n\r\n", status: 400),
        BadRequestCase("request line with extra part", "GET /v1/x HTTP/1.1 extra\r\n\r\n", status: 400),
        BadRequestCase("target not a path", "GET v1/x HTTP/1.1\r\n\r\n", status: 400),
        BadRequestCase("method with bad character", "G(T /v1/x HTTP/1.1\r\n\r\n", status: 400),
        BadRequestCase("not HTTP", "HELLO /v1/x SMTP/1.0\r\n\r\n", status: 400),
        BadRequestCase("HTTP/2 version", "GET /v1/x HTTP/2.0\r\n\r\n", status: 505, code: nil),
        BadRequestCase("header without colon", "GET /v1/x HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n", status: 400),
        BadRequestCase("header name with space", "GET /v1/x HTTP/1.1\r\nBad Name: x\r\n\r\n", status: 400),
        BadRequestCase("folded header", "GET /v1/x HTTP/1.1\r\nA: b\r\n  c\r\n\r\n", status: 400),
        BadRequestCase("header with control byte", "GET /v1/x HTTP/1.1\r\nA: b\u{01}c\r\n\r\n", status: 400),
        BadRequestCase("content length not a number", "POST /v1/x HTTP/1.1\r\nContent-Length: ten\r\n\r\n", status: 400),
        BadRequestCase("negative content length", "POST /v1/x HTTP/1.1\r\nContent-Length: -1\r\n\r\n", status: 400),
        BadRequestCase("conflicting content lengths",
                       "POST /v1/x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", status: 400),
        BadRequestCase("body above limit", "POST /v1/x HTTP/1.1\r\nContent-Length: 2000000\r\n\r\n",
                       status: 413, code: "request_too_large"),
        BadRequestCase("huge content length", "POST /v1/x HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n",
                       status: 400),
        BadRequestCase("POST without content length", "POST /v1/x HTTP/1.1\r\nHost: a\r\n\r\n{}", status: 411, code: nil),
        BadRequestCase("chunked body", "POST /v1/x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
                       status: 501, code: nil),
        BadRequestCase("header flood",
                       "GET /v1/x HTTP/1.1\r\n" + (0..<150).map { "X-Flood-\($0): 1\r\n" }.joined() + "\r\n",
                       status: 431, code: "request_header_too_large"),
        BadRequestCase("oversized header",
                       "GET /v1/x HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 20_000) + "\r\n\r\n",
                       status: 431, code: "request_header_too_large"),
        BadRequestCase("endless header line", "GET /v1/x HTTP/1.1\r\nX-Big: " + String(repeating: "a", count: 40_000),
                       status: 431, code: "request_header_too_large"),
    ]

    @Test(arguments: badRequests)
    func badRequestGetsErrorAndClose(_ testCase: BadRequestCase) throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send(testCase.bytes)
        let response = try client.readResponse()

        #expect(response.status == testCase.status)
        #expect(response.errorType == (testCase.status >= 500 && testCase.status != 505 && testCase.status != 501
            ? "server_error" : "invalid_request_error"))
        #expect(response.errorCode == testCase.code)
        #expect(response.headers["connection"] == "close")
        #expect(response.headers["x-request-id"]?.hasPrefix("req_") == true)
        #expect(try client.isClosedByServer())
    }

    @Test(arguments: [
        ("GET", "/v1/models", 404),
        ("PUT", permissionsPath, 405),
        ("GET", permissionsPath + "?limit=500", 400),
        ("DELETE", permissionsPath + "/cp_missing", 404),
    ])
    func apiErrorKeepsConnectionOpen(method: String, target: String, status: Int) throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send(request(method, target))
        let response = try client.readResponse()
        client.send(request("GET", permissionsPath))
        let next = try client.readResponse()

        #expect(response.status == status)
        #expect(response.errorType == "invalid_request_error")
        #expect(response.headers["connection"] == nil)
        #expect(next.status == 200)
    }

    @Test func missingKeyGets401OverHTTP() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send("GET \(permissionsPath) HTTP/1.1\r\nHost: a\r\n\r\n")
        let response = try client.readResponse()

        #expect(response.status == 401)
        #expect(response.errorType == "invalid_request_error")
    }

    // MARK: Keep-alive and framing

    @Test func keepAliveServesManyRequests() throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 3)
        let server = try TestServer(sandbox: sandbox)
        let client = try server.connect()
        for _ in 0..<20 {
            client.send(request("GET", permissionsPath))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            #expect(try JSONDecoder().decode(PermissionPage.self, from: response.body).data.count == 3)
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send(
            request("POST", permissionsPath, body: #"{"project_ids":["proj_a"]}"#)
                + request("GET", "/v1/nowhere")
                + request("GET", permissionsPath))
        let statuses = try (0..<3).map { _ in try client.readResponse().status }

        #expect(statuses == [200, 404, 200])
    }

    @Test func connectionCloseIsHonoured() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send(request("GET", permissionsPath, extraHeaders: "Connection: close\r\n"))
        let response = try client.readResponse()

        #expect(response.status == 200)
        #expect(response.headers["connection"] == "close")
        #expect(try client.isClosedByServer())
    }

    @Test func http10ClosesByDefault() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send("GET \(permissionsPath) HTTP/1.0\r\nAuthorization: Bearer k\r\n\r\n")
        let response = try client.readResponse()

        #expect(response.status == 200)
        #expect(try client.isClosedByServer())
    }

    @Test func leadingEmptyLinesAreIgnored() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send("\r\n" + request("GET", permissionsPath))

        #expect(try client.readResponse().status == 200)
    }

    @Test func headResponseHasNoBody() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send(request("HEAD", permissionsPath) + request("GET", permissionsPath))
        let head = try client.readResponse(hasBody: false)
        let get = try client.readResponse()

        // A body sent by mistake after the HEAD response would be read as the start of
        // the next response, which would then not parse as 200.
        #expect(head.status == 405)
        #expect(Int(head.headers["content-length"] ?? "") ?? 0 > 0)
        #expect(get.status == 200)
    }

    @Test func expectContinueGetsInterimResponse() throws {
        let server = try TestServer()
        let client = try server.connect()
        let body = #"{"project_ids":["proj_a"]}"#
        client.send(
            "POST \(permissionsPath) HTTP/1.1\r\nAuthorization: Bearer k\r\nContent-Length: \(body.utf8.count)\r\n"
                + "Expect: 100-continue\r\n\r\n")
        let interim = try client.readResponse()
        client.send(body)
        let final = try client.readResponse()

        #expect(interim.status == 100)
        #expect(final.status == 200)
    }

    // MARK: Lying and slow clients

    @Test func shortContentLengthLeavesGarbageThatIsRejected() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send(
            "POST \(permissionsPath) HTTP/1.1\r\nAuthorization: Bearer k\r\nContent-Length: 5\r\n\r\n"
                + #"{"project_ids":["proj_a"]}"# + "\r\n\r\n")
        let first = try client.readResponse()
        let second = try client.readResponse()

        #expect(first.status == 400)
        #expect(first.errorType == "invalid_request_error")
        #expect(second.status == 400)
        #expect(second.errorCode == "malformed_request")
        #expect(try client.isClosedByServer())
    }

    @Test func longContentLengthTimesOut() throws {
        let server = try TestServer { $0.requestTimeout = .milliseconds(500) }
        let client = try server.connect()
        client.send(
            "POST \(permissionsPath) HTTP/1.1\r\nAuthorization: Bearer k\r\nContent-Length: 100\r\n\r\n{\"project_ids\"")
        let response = try client.readResponse()

        #expect(response.status == 408)
        #expect(response.errorCode == "request_timeout")
        #expect(try client.isClosedByServer())
    }

    @Test func slowClientDoesNotDelayOthers() throws {
        let server = try TestServer { $0.requestTimeout = .seconds(30) }
        let slow = try server.connect()
        let text = Array(request("GET", permissionsPath).utf8)
        slow.send(Array(text[..<10]))

        let fast = try server.connect()
        for _ in 0..<5 {
            fast.send(request("GET", permissionsPath))
            #expect(try fast.readResponse().status == 200)
        }
        for byte in text[10...] {
            slow.send([byte])
        }
        #expect(try slow.readResponse().status == 200)
    }

    @Test func slowHeadTimesOutWith408() throws {
        let server = try TestServer { $0.requestTimeout = .milliseconds(300) }
        let client = try server.connect()
        var closed = false
        for byte in "GET \(permissionsPath) HTTP/1.1\r\n".utf8 {
            if !client.send([byte]) {
                closed = true
                break
            }
            usleep(20_000)
        }
        let response = try client.readResponse()
        let closedAfterResponse = closed ? true : try client.isClosedByServer()

        #expect(response.status == 408)
        #expect(closedAfterResponse)
    }

    @Test func randomBytesNeverBreakServer() throws {
        let server = try TestServer { $0.requestTimeout = .milliseconds(200) }
        var random = SplitMix64(seed: 2026)
        var statuses: Set<Int> = []
        for round in 0..<150 {
            let client = try server.connect()
            let count = Int(random.next() % 3000) + 1
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            // Every third round looks like HTTP up to a point, to reach deeper parser states.
            if round % 3 == 0 {
                bytes = Array("POST \(permissionsPath) HTTP/1.1\r\nContent-Length: 12\r\n".utf8) + bytes
            }
            bytes += Array("\r\n\r\n".utf8)
            client.send(bytes)
            if let response = try? client.readResponse() {
                statuses.insert(response.status)
            }
        }
        let client = try server.connect()
        client.send(request("GET", permissionsPath))

        #expect(try client.readResponse().status == 200)
        #expect(statuses.isSubset(of: [400, 401, 404, 405, 408, 411, 413, 431, 501, 505]), "\(statuses)")
        #expect(statuses.contains(400))
    }

    // MARK: Concurrency, limits and stopping

    @Test func sixtyFourKeepAliveConnectionsAreServed() throws {
        let sandbox = Sandbox()
        sandbox.seed(checkpoint: checkpoint, count: 5)
        let server = try TestServer(sandbox: sandbox)
        let clients = try (0..<64).map { _ in try server.connect() }
        var statuses: [Int] = []
        for _ in 0..<3 {
            for client in clients {
                client.send(request("GET", permissionsPath + "?limit=2"))
            }
            for client in clients {
                statuses.append(try client.readResponse().status)
            }
        }

        #expect(statuses.count == 192)
        #expect(statuses.allSatisfy { $0 == 200 })
    }

    @Test func connectionsBeyondLimitGet503() throws {
        let server = try TestServer { $0.maximumConnections = 2 }
        let first = try server.connect()
        let second = try server.connect()
        first.send(request("GET", permissionsPath))
        second.send(request("GET", permissionsPath))
        #expect(try first.readResponse().status == 200)
        #expect(try second.readResponse().status == 200)
        let third = try server.connect()
        let response = try third.readResponse()

        #expect(response.status == 503)
        #expect(response.errorType == "server_error")
    }

    @Test func stopClosesIdleConnections() throws {
        let server = try TestServer()
        let client = try server.connect()
        client.send(request("GET", permissionsPath))
        #expect(try client.readResponse().status == 200)

        #expect(server.server.stop())
        #expect(try client.isClosedByServer())
        #expect(server.server.port == nil)
    }

    @Test func stopInterruptsLatencyWait() throws {
        let server = try TestServer(sandbox: Sandbox(options: .init(latency: .seconds(600))))
        let client = try server.connect()
        client.send(request("GET", permissionsPath))
        usleep(200_000)

        // Without the interruption the connection thread would sleep for 600 s and stop
        // would give up after its 5 s timeout.
        #expect(server.server.stop(timeout: .seconds(5)))
        #expect(try client.isClosedByServer())
    }

    @Test func restartAfterStopServesAgain() throws {
        let server = SandboxServer(sandbox: Sandbox())
        let firstPort = try server.start()
        server.stop()
        let secondPort = try server.start()
        defer { server.stop() }
        let client = try RawHTTPClient(port: secondPort)
        client.send(request("GET", permissionsPath))

        #expect(firstPort > 0)
        #expect(try client.readResponse().status == 200)
    }

    @Test func startTwiceFails() throws {
        let server = try TestServer()

        #expect(throws: SandboxServerError.alreadyStarted) {
            try server.server.start()
        }
    }

    @Test func invalidHostFails() {
        let server = SandboxServer(sandbox: Sandbox())

        #expect(throws: SandboxServerError.self) {
            try server.start(host: "not an address", port: 0)
        }
    }

    @Test func logReceivesOneEntryPerRequest() throws {
        let entries = LogCollector()
        let server = try TestServer { $0.log = { entries.append($0) } }
        let client = try server.connect()
        client.send(request("GET", permissionsPath + "?limit=3"))
        let response = try client.readResponse()
        client.send("BAD\r\n\r\n")
        _ = try client.readResponse()
        server.server.stop()
        let logged = entries.all

        #expect(logged.count == 2)
        #expect(logged.first?.method == "GET")
        #expect(logged.first?.path == permissionsPath)
        #expect(logged.first?.status == 200)
        #expect(logged.first?.requestID == response.headers["x-request-id"])
        #expect(logged.last?.status == 400)
        #expect(logged.first?.description.hasPrefix("GET \(permissionsPath) 200 req_") == true)
    }
}

/// Collects log entries from the server's threads.
final class LogCollector: Sendable {
    private let entries = Mutex<[SandboxServer.LogEntry]>([])

    func append(_ entry: SandboxServer.LogEntry) {
        entries.withLock { $0.append(entry) }
    }

    var all: [SandboxServer.LogEntry] {
        entries.withLock { $0 }
    }
}
