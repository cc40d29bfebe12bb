import Foundation
import Testing

@testable import CheckpointAPI

/// Tests of the CurlTransport parts that need no server: header parsing and request header lines.
@Suite struct CurlTransportPartsTests {
    func feed(_ lines: [String], to collector: CurlResponseCollector) {
        for line in lines {
            var bytes = Array(line.utf8).map { CChar(bitPattern: $0) }
            let consumed = bytes.withUnsafeMutableBufferPointer {
                collector.receiveHeaderLine($0.baseAddress, length: $0.count)
            }
            #expect(consumed == line.utf8.count)
        }
    }

    @Test func interimResponseHeadersAreDropped() {
        let collector = CurlResponseCollector(cancellation: CurlCancellation())

        feed([
            "HTTP/1.1 100 Continue\r\n", "X-Interim: yes\r\n", "\r\n",
            "HTTP/1.1 201 Created\r\n", "x-request-id: req_9\r\n", "Content-Type: application/json\r\n", "\r\n",
        ], to: collector)

        #expect(collector.headers.fields == [
            HTTPHeaders.Field(name: "x-request-id", value: "req_9"),
            HTTPHeaders.Field(name: "Content-Type", value: "application/json"),
        ])
    }

    @Test func headerValuesAreTrimmedAndKeepColons() {
        let collector = CurlResponseCollector(cancellation: CurlCancellation())

        feed(["HTTP/2 200\r\n", "Date:  Fri, 04 Dec 2026 20:00:30 GMT \r\n", "Retry-After:\t2\r\n", "Empty:\r\n", "\r\n"],
             to: collector)

        #expect(collector.headers["date"] == "Fri, 04 Dec 2026 20:00:30 GMT")
        #expect(collector.headers["retry-after"] == "2")
        #expect(collector.headers["empty"] == "")
        #expect(collector.headers.fields.count == 3)
    }

    @Test func bodyChunksAreAppended() {
        let collector = CurlResponseCollector(cancellation: CurlCancellation())

        for chunk in [#"{"object":"#, #""list"}"#] {
            var bytes = Array(chunk.utf8).map { CChar(bitPattern: $0) }
            let consumed = bytes.withUnsafeMutableBufferPointer {
                collector.receiveBody($0.baseAddress, length: $0.count)
            }
            #expect(consumed == chunk.utf8.count)
        }

        #expect(String(decoding: collector.body, as: UTF8.self) == #"{"object":"list"}"#)
    }

    @Test func headerLinesDisableExpectAndFormContentType() {
        let lines = CurlEasyHandle.headerLines(["Authorization": "Bearer x", "Accept": "application/json"])

        #expect(lines == ["Content-Type:", "Authorization: Bearer x", "Accept: application/json", "Expect:"])
    }

    @Test func headerLinesKeepAGivenContentType() {
        let lines = CurlEasyHandle.headerLines(["Content-Type": "application/json"])

        #expect(lines == ["Content-Type: application/json", "Expect:"])
    }

    @Test func headerLinesSendEmptyValuesAndStayOnOneLine() {
        let lines = CurlEasyHandle.headerLines(["Content-Type": "application/json", "X-Empty": "", "X-Evil": "a\r\nX-Injected: 1"])

        #expect(lines == ["Content-Type: application/json", "X-Empty;", "X-Evil: a X-Injected: 1", "Expect:"])
    }

    @Test func cancellationFlag() {
        let cancellation = CurlCancellation()
        #expect(!cancellation.isCancelled)

        cancellation.cancel()

        #expect(cancellation.isCancelled)
    }
}
