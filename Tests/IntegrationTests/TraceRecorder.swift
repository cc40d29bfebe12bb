import CheckpointAPI
import Synchronization

/// Collects the client's trace events from any thread.
final class TraceRecorder: Sendable {
    private let events = Mutex<[TraceEvent]>([])

    var tracer: @Sendable (TraceEvent) -> Void {
        { [self] event in events.withLock { $0.append(event) } }
    }

    var all: [TraceEvent] {
        events.withLock { $0 }
    }
}
