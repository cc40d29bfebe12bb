import CheckpointAPI
import Synchronization
import Testing

@testable import CheckpointScript

@Suite struct OutputTests {
    @Test(arguments: [
        (0, "1970-01-01T00:00:00Z"),
        (1_721_295_000, "2024-07-18T09:30:00Z"),
        (951_782_400, "2000-02-29T00:00:00Z"),
        (-1, "1969-12-31T23:59:59Z"),
        (4_102_444_800, "2100-01-01T00:00:00Z"),
    ])
    func createdAtIsAUTCDateTime(seconds: Int, expected: String) {
        #expect(DateTime.utcString(fromUnixSeconds: seconds) == expected)
    }

    @Test func csvQuotesAsRFC4180Says() {
        let value = Value.list([
            .record(["name": .string("plain"), "note": .string("a,b")]),
            .record(["name": .string("say \"hi\""), "note": .string("two\nlines")]),
            .record(["name": .null, "note": .integer(3)]),
        ])
        #expect(ValueFormatter(format: .csv).format(value)
            == "name,note\r\nplain,\"a,b\"\r\n\"say \"\"hi\"\"\",\"two\nlines\"\r\n,3\r\n")
    }

    @Test func tsvEscapesTabsLineBreaksAndBackslashes() {
        let value = Value.record(["a": .string("x\ty"), "b": .string("1\\2\r\n")])
        #expect(ValueFormatter(format: .tsv).format(value) == "a\tb\nx\\ty\t1\\\\2\\r\\n\n")
    }

    @Test func jsonEscapesControlCharacters() {
        let value = Value.record(["s": .string("q\"b\\n\n\u{01}é")])
        #expect(ValueFormatter(format: .json).format(value) == "{\"s\":\"q\\\"b\\\\n\\n\\u0001é\"}\n")
    }

    @Test func nullResultPrintsNothing() {
        for format in OutputFormat.allCases {
            #expect(ValueFormatter(format: format).format(.null) == "")
        }
    }

    @Test func tableKeepsObjectWhenRecordsDiffer() {
        let value = Value.list([.record(["object": .string("a"), "id": .integer(1)]), .record(["object": .string("b"), "id": .integer(2)])])
        #expect(ValueFormatter(format: .table).format(value) == "object  id\na       1\nb       2\n")
    }

    @Test func streamingWriterMatchesTheWholeList() {
        let records: [Record] = [["id": .string("a"), "n": .integer(1)], ["id": .string("b"), "n": .integer(2)], ["id": .string("c"), "n": .integer(3)]]
        for format in [OutputFormat.json, .csv, .tsv] {
            var writer = StreamingListWriter(format: format)
            let streamed = writer.begin() + writer.write(Array(records[0..<2])) + writer.write([records[2]]) + writer.end()
            #expect(streamed == ValueFormatter(format: format).format(.list(records.map(Value.record))), "\(format)")
        }
    }

    @Test func capturingSinkKeepsBothStreams() {
        let sink = CapturingOutputSink()
        sink.write("out")
        sink.writeError("err")
        #expect(sink.output == "out")
        #expect(sink.errorOutput == "err")
        sink.clear()
        #expect(sink.output == "")
    }
}

/// Records writes and flushes in order.
final class EventSink: OutputSink {
    let events = Mutex<[String]>([])

    func write(_ text: String) { events.withLock { $0.append(text) } }
    func writeError(_ text: String) { events.withLock { $0.append("error: " + text) } }
    func flush() { events.withLock { $0.append("flush") } }
}

extension OutputTests {
    @Test func outputIsFlushedBeforeEachRequest() async throws {
        let sink = EventSink()
        let configuration = ClientConfiguration(apiKey: APIKey("sk-test"), maxRetries: 0)
        let interpreter = Interpreter(
            client: PermissionsClient(configuration: configuration, transport: CannedTransport()), output: sink)
        try await interpreter.evaluate("for n in [1, 2] { print $n; try { permissions.list ft:x } catch e { } }")
        #expect(sink.events.withLock { $0 } == ["1\n", "flush", "2\n", "flush", "flush"])
    }
}
