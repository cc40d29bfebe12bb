import Foundation
import Testing

@testable import CheckpointAPI

@Suite struct RetryTests {
    /// The first backoff with the fixture's jitter draw: 0.5 s × (1 − 0.25 × 0.2).
    static let firstBackoff = Duration.milliseconds(475)
    static let secondBackoff = Duration.milliseconds(950)

    static let okPage = HTTPResponse.json(Fixture.emptyPage)

    /// Sends one list request through a transport that plays `steps` and returns the outcome.
    func list(
        _ steps: [ScriptedTransport.Step],
        maxRetries: Int = 2
    ) async -> (result: Result<PermissionPage, APIError>, requests: Int, waits: [Duration]) {
        let transport = ScriptedTransport(steps)
        let waits = WaitRecorder()
        let client = Fixture.client(
            transport, configuration: Fixture.configuration(maxRetries: maxRetries), waits: waits)
        let result: Result<PermissionPage, APIError>
        do {
            result = .success(try await client.list(checkpoint: Fixture.checkpoint))
        } catch {
            result = .failure(error)
        }
        return (result, transport.requests.count, waits.recorded)
    }

    // MARK: statuses

    @Test(arguments: [408, 409, 429, 500, 502, 503, 504, 599])
    func retryableStatusIsRetried(status: Int) async throws {
        let outcome = await list([.respond(.apiError(status)), .respond(Self.okPage)])

        _ = try outcome.result.get()
        #expect(outcome.requests == 2)
        #expect(outcome.waits == [Self.firstBackoff])
    }

    @Test(arguments: [400, 401, 403, 404, 422])
    func otherStatusIsNotRetried(status: Int) async {
        let outcome = await list([.respond(.apiError(status)), .respond(Self.okPage)])

        #expect(outcome.result.failure?.status == status)
        #expect(outcome.requests == 1)
        #expect(outcome.waits.isEmpty)
        if case .status(let error)? = outcome.result.failure {
            #expect(error.retries == 0)
        }
    }

    @Test(arguments: [(400, "true"), (404, "TRUE"), (422, " true ")])
    func shouldRetryTrueOverridesStatus(status: Int, header: String) async throws {
        let outcome = await list([
            .respond(.apiError(status, headers: ["x-should-retry": header])), .respond(Self.okPage),
        ])

        _ = try outcome.result.get()
        #expect(outcome.requests == 2)
    }

    @Test(arguments: [429, 500, 503])
    func shouldRetryFalseOverridesStatus(status: Int) async {
        let outcome = await list([
            .respond(.apiError(status, headers: ["X-Should-Retry": "false"])), .respond(Self.okPage),
        ])

        #expect(outcome.result.failure?.status == status)
        #expect(outcome.requests == 1)
    }

    @Test func retriesStopAtMaxRetries() async {
        let outcome = await list([.respond(.apiError(500)), .respond(.apiError(502)), .respond(.apiError(503))])

        #expect(outcome.result.failure?.status == 503)
        #expect(outcome.requests == 3)
        #expect(outcome.waits == [Self.firstBackoff, Self.secondBackoff])
        guard case .status(let error)? = outcome.result.failure else {
            Issue.record("expected a status error, got \(String(describing: outcome.result.failure))")
            return
        }
        #expect(error.retries == 2)
    }

    @Test func zeroMaxRetriesSendsOnce() async {
        let outcome = await list([.respond(.apiError(500)), .respond(Self.okPage)], maxRetries: 0)

        #expect(outcome.result.failure?.status == 500)
        #expect(outcome.requests == 1)
        #expect(outcome.waits.isEmpty)
    }

    @Test func backoffDoublesUpToItsCap() async {
        let steps = Array(repeating: ScriptedTransport.Step.respond(.apiError(503)), count: 7)

        let outcome = await list(steps, maxRetries: 6)

        // min(0.5 s × 2^n, 8 s) shortened by 5%.
        #expect(outcome.waits == [
            .milliseconds(475), .milliseconds(950), .milliseconds(1900), .milliseconds(3800),
            .milliseconds(7600), .milliseconds(7600),
        ])
        #expect(outcome.requests == 7)
    }

    // MARK: failures without a response

    @Test func timeoutsAndConnectionFailuresAreRetried() async throws {
        let outcome = await list([
            .fail(.timedOut), .fail(.connectionFailed("Connection reset by peer")), .respond(Self.okPage),
        ])

        _ = try outcome.result.get()
        #expect(outcome.requests == 3)
        #expect(outcome.waits == [Self.firstBackoff, Self.secondBackoff])
    }

    @Test func lastTimeoutIsReported() async {
        let outcome = await list([.fail(.timedOut), .fail(.timedOut), .fail(.timedOut)])

        #expect(outcome.result.failure == .timedOut(after: .seconds(600)))
        #expect(outcome.requests == 3)
    }

    @Test func lastConnectionFailureIsReported() async {
        let failure = ScriptedTransport.Step.fail(.connectionFailed("Failed to connect to 127.0.0.1 port 9"))

        let outcome = await list([failure, failure, failure])

        #expect(outcome.result.failure == .connectionFailed(message: "Failed to connect to 127.0.0.1 port 9"))
        #expect(outcome.requests == 3)
    }

    @Test func transportCancellationIsNotRetried() async {
        let outcome = await list([.fail(.cancelled), .respond(Self.okPage)])

        #expect(outcome.result.failure == .cancelled)
        #expect(outcome.requests == 1)
        #expect(outcome.waits.isEmpty)
    }

    // MARK: server-requested waits

    struct ServerDelayCase: CustomTestStringConvertible, Sendable {
        var headers: HTTPHeaders
        var expected: Duration

        var testDescription: String {
            headers.fields.map { "\($0.name): '\($0.value)'" }.joined(separator: ", ")
        }
    }

    static let serverDelayCases: [ServerDelayCase] = [
        ServerDelayCase(headers: ["retry-after": "0"], expected: .zero),
        ServerDelayCase(headers: ["retry-after": "2"], expected: .seconds(2)),
        ServerDelayCase(headers: ["Retry-After": "60"], expected: .seconds(60)),
        ServerDelayCase(headers: ["retry-after": "-10"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": "61"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": "86400"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": "inf"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": "nan"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": ""], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": "99999999999999999999999999999999999"], expected: firstBackoff),
        // The fixture's clock reads Fri, 04 Dec 2026 20:00:00 GMT.
        ServerDelayCase(headers: ["retry-after": "Fri, 04 Dec 2026 20:00:30 GMT"], expected: .seconds(30)),
        ServerDelayCase(headers: ["retry-after": "Fri, 04 Dec 2026 20:02:00 GMT"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": "Fri, 04 Dec 2026 19:59:00 GMT"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": "Fri, 32 Dec 2026 20:00:30 GMT"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": "Fri, 04 Dec 2026 20:00:30"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after": "soon"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after-ms": "1500"], expected: .milliseconds(1500)),
        ServerDelayCase(headers: ["retry-after-ms": "1500", "retry-after": "2"], expected: .milliseconds(1500)),
        ServerDelayCase(headers: ["retry-after-ms": "abc", "retry-after": "2"], expected: .seconds(2)),
        ServerDelayCase(headers: ["retry-after-ms": "-5"], expected: firstBackoff),
        ServerDelayCase(headers: ["retry-after-ms": "61000"], expected: firstBackoff),
    ]

    @Test(arguments: serverDelayCases)
    func serverDelayIsHonouredWithinLimit(_ testCase: ServerDelayCase) async throws {
        let outcome = await list([.respond(.apiError(429, headers: testCase.headers)), .respond(Self.okPage)])

        _ = try outcome.result.get()
        #expect(outcome.waits == [testCase.expected])
        #expect(outcome.requests == 2)
    }

    // MARK: the policy on its own

    @Test(arguments: zip(0...6, [400, 800, 1600, 3200, 6400, 6400, 6400]))
    func backoffWithJitter(retries: Int, milliseconds: Int) {
        var policy = RetryPolicy()
        policy.random = { 0.8 }

        #expect(policy.delay(afterRetries: retries, headers: nil) == .milliseconds(milliseconds))
    }

    @Test(arguments: [0.0, 0.5, 0.999])
    func jitterShortensByAtMostAQuarter(random: Double) {
        var policy = RetryPolicy()
        policy.random = { random }

        let delay = policy.delay(afterRetries: 3, headers: nil)

        #expect(delay <= .seconds(4))
        #expect(delay >= .seconds(3))
        #expect(delay == .milliseconds(Int64((4000 * (1 - 0.25 * random)).rounded())))
    }

    @Test(arguments: [
        "Fri, 04 Dec 2026 20:00:30 GMT",
        "Friday, 04-Dec-26 20:00:30 GMT",
        "Fri Dec  4 20:00:30 2026",
    ])
    func httpDateFormsParse(text: String) {
        #expect(HTTPDate.parse(text) == Date(timeIntervalSince1970: 1_796_414_430))
    }

    @Test(arguments: [
        "Fri, 04 Dec 2026 24:00:30 GMT",
        "Fri, 04 Foo 2026 20:00:30 GMT",
        "Fri, 04 Dec 2026 20:00:30 PST",
        "Fri, 04 Dec 2026 20:00 GMT",
        "2026-12-04T20:00:30Z",
    ])
    func malformedHTTPDatesAreRejected(text: String) {
        #expect(HTTPDate.parse(text) == nil)
    }

    // MARK: cancellation

    @Test func cancellationDuringRetryWaitStopsRetrying() async {
        let transport = ScriptedTransport([.respond(.apiError(503)), .respond(Self.okPage)])
        let waits = WaitRecorder()
        let (waitStarted, waitStartedContinuation) = AsyncStream<Void>.makeStream()
        var policy = Fixture.policy(waits: waits)
        policy.sleep = { delay in
            waits.record(delay)
            waitStartedContinuation.yield()
            // Never finishes by itself: only cancellation ends this wait.
            try await Task.sleep(for: .seconds(86_400))
        }
        let client = PermissionsClient(
            client: APIClient(configuration: Fixture.configuration(), transport: transport, retryPolicy: policy))

        let task = Task { try await client.list(checkpoint: Fixture.checkpoint) }
        for await _ in waitStarted { break }
        task.cancel()
        let result = await task.result

        #expect(result.apiFailure == .cancelled)
        #expect(transport.requests.count == 1)
        #expect(waits.recorded == [Self.firstBackoff])
    }

    // MARK: tracing

    @Test func traceReportsEveryAttempt() async throws {
        let traces = TraceRecorder()
        let transport = ScriptedTransport([
            .respond(.apiError(503, headers: ["x-request-id": "req_first"])),
            .fail(.connectionFailed("Connection reset by peer")),
            .respond(.json(Fixture.emptyPage, headers: ["x-request-id": "req_last"])),
        ])
        let configuration = Fixture.configuration(tracer: { traces.record($0) })

        _ = try await Fixture.client(transport, configuration: configuration)
            .list(checkpoint: Fixture.checkpoint, limit: 5)

        let events = traces.recorded
        try #require(events.count == 3)
        #expect(events.map(\.retryNumber) == [0, 1, 2])
        #expect(events.map(\.method) == [.get, .get, .get])
        #expect(events.map(\.path) == Array(repeating: Fixture.checkpointPath + "?limit=5", count: 3))
        #expect(events.map(\.status) == [503, nil, 200])
        #expect(events.map(\.requestID) == ["req_first", nil, "req_last"])
        #expect(events.map(\.retryDelay) == [Self.firstBackoff, Self.secondBackoff, nil])
        #expect(events.map(\.failure) == [nil, "connection failed: Connection reset by peer", nil])
        #expect(events.allSatisfy { $0.duration >= .zero })
    }

    @Test func traceEventDescription() {
        let event = TraceEvent(
            method: .get, path: "/fine_tuning/checkpoints/ft:x/permissions", status: 429,
            requestID: "req_123", duration: .milliseconds(12), retryNumber: 1, retryDelay: .milliseconds(950))

        #expect(event.description
            == "GET /fine_tuning/checkpoints/ft:x/permissions 429 request-id=req_123 12ms retry=1 next-retry-in=950ms")
    }
}

extension Result where Failure == APIError {
    var failure: APIError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension Result where Failure == any Error {
    var apiFailure: APIError? {
        if case .failure(let error) = self { return error as? APIError }
        return nil
    }
}
