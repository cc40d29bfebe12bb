import CheckpointAPI
import Testing

@testable import CheckpointSandbox

@Suite struct SandboxFailureInjectionTests {
    private func statuses(_ sandbox: Sandbox, count: Int) -> [Int] {
        (0..<count).map { _ in sandbox.send("GET", permissionsPath).status }
    }

    @Test func sameSeedGivesSameFailures() {
        let options = Sandbox.Options(failureRate: 0.3, failureStatus: 429, seed: 42)
        let first = statuses(Sandbox(options: options), count: 200)
        let second = statuses(Sandbox(options: options), count: 200)

        #expect(first == second)
        #expect(Set(first) == [200, 429])
    }

    @Test func differentSeedsGiveDifferentFailures() {
        let first = statuses(Sandbox(options: .init(failureRate: 0.5, seed: 1)), count: 100)
        let second = statuses(Sandbox(options: .init(failureRate: 0.5, seed: 2)), count: 100)

        #expect(first != second)
    }

    @Test(arguments: [0.1, 0.5, 0.9])
    func failureFractionIsNearRate(rate: Double) {
        let results = statuses(Sandbox(options: .init(failureRate: rate, seed: 7)), count: 2000)
        let fraction = Double(results.filter { $0 == 500 }.count) / 2000

        #expect(abs(fraction - rate) < 0.05, "fraction \(fraction) for rate \(rate)")
    }

    @Test func rateOneFailsEveryRequestAndRateZeroNone() {
        #expect(Set(statuses(Sandbox(options: .init(failureRate: 1, failureStatus: 503)), count: 20)) == [503])
        #expect(Set(statuses(Sandbox(options: .init(failureRate: 0, failureStatus: 503)), count: 20)) == [200])
    }

    @Test func rateLimitFailureHasAPIShapeAndRetryAfter() throws {
        let sandbox = Sandbox(options: .init(failureRate: 1, failureStatus: 429, retryAfter: 2))
        let response = sandbox.send("GET", permissionsPath)

        #expect(response.status == 429)
        #expect(response.headers["retry-after"] == "2")
        #expect(response.headers["x-request-id"] != nil)
        let error = try #require(response.error)
        #expect(error.type == "requests")
        #expect(error.code == "rate_limit_exceeded")
    }

    @Test func serverErrorFailureHasNoRetryAfterUnlessSet() throws {
        let response = Sandbox(options: .init(failureRate: 1, failureStatus: 500)).send("GET", permissionsPath)

        #expect(response.status == 500)
        #expect(response.headers["retry-after"] == nil)
        #expect(response.error?.type == "server_error")
    }

    @Test func failedCreateChangesNoState() {
        let sandbox = Sandbox(options: .init(failureRate: 1, failureStatus: 500))
        _ = sandbox.send("POST", permissionsPath, body: #"{"project_ids":["proj_a"]}"#)

        #expect(sandbox.permissions(checkpoint: checkpoint).isEmpty)
    }

    @Test func unauthenticatedRequestsAreNotInjected() {
        let sandbox = Sandbox(options: .init(failureRate: 1, failureStatus: 429))

        #expect(sandbox.send("GET", permissionsPath, authorization: nil).status == 401)
    }

    @Test func sameSeedGivesSameIDs() throws {
        let first = Sandbox(options: .init(seed: 99))
        let second = Sandbox(options: .init(seed: 99))
        first.seed(checkpoint: checkpoint, count: 5)
        second.seed(checkpoint: checkpoint, count: 5)

        #expect(first.permissions(checkpoint: checkpoint).map(\.id) == second.permissions(checkpoint: checkpoint).map(\.id))
        #expect(first.send("GET", permissionsPath).headers["x-request-id"]
            == second.send("GET", permissionsPath).headers["x-request-id"])
    }
}
