import CheckpointAPI

/// The mutable state of one sandbox, always accessed under its mutex.
struct SandboxState {
    /// One checkpoint's permissions.
    struct CheckpointRecord {
        struct Entry {
            var sequence: UInt64
            var permission: CheckpointPermission
        }

        /// Live permissions in creation order, so `sequence` increases along the array.
        var entries: [Entry] = []
        /// The creation sequence of every permission ever issued, deleted ones included,
        /// so that a deleted permission still works as a paging cursor.
        var sequenceByID: [String: UInt64] = [:]
        /// The live permission of each project.
        var idByProject: [String: String] = [:]
        var latestCreatedAt = 0

        /// Removes the live permission `id`; returns false when there is none.
        mutating func remove(id: String) -> Bool {
            guard let sequence = sequenceByID[id] else { return false }
            let index = firstIndex(atLeast: sequence)
            guard index < entries.count, entries[index].permission.id == id else { return false }
            let removed = entries.remove(at: index)
            idByProject[removed.permission.projectID] = nil
            return true
        }

        /// Returns the index of the first entry whose sequence is at least `sequence`.
        func firstIndex(atLeast sequence: UInt64) -> Int {
            var low = 0, high = entries.count
            while low < high {
                let middle = (low + high) / 2
                if entries[middle].sequence < sequence {
                    low = middle + 1
                } else {
                    high = middle
                }
            }
            return low
        }
    }

    var checkpoints: [String: CheckpointRecord] = [:]
    private var nextSequence: UInt64 = 0
    private var identifiers: SplitMix64
    private var failures: SplitMix64

    init(seed: UInt64) {
        identifiers = SplitMix64(seed: seed)
        failures = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
    }

    /// Draws whether the next request fails, with probability `rate`.
    mutating func drawFailure(rate: Double) -> Bool {
        guard rate > 0 else { return false }
        let draw = Double(failures.next() >> 11) / Double(1 << 53)
        return draw < rate
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789".utf8)
    private static let hexDigits = Array("0123456789abcdef".utf8)

    mutating func makeRandomAlphanumerics(_ count: Int) -> String {
        let alphabet = Self.alphabet
        var bytes = [UInt8](repeating: 0, count: count)
        for index in 0..<count {
            bytes[index] = alphabet[Int(identifiers.next() % UInt64(alphabet.count))]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Returns `req_` and 32 random hexadecimal digits.
    mutating func makeRequestID() -> String {
        let first = identifiers.next(), second = identifiers.next()
        return String(unsafeUninitializedCapacity: 36) { buffer in
            for (index, byte) in "req_".utf8.enumerated() {
                buffer[index] = byte
            }
            for index in 0..<32 {
                let word = index < 16 ? first : second
                buffer[4 + index] = Self.hexDigits[Int((word >> (4 * UInt64(index % 16))) & 0xF)]
            }
            return 36
        }
    }

    /// Grants `projectID` access to `checkpoint`, or returns its existing permission.
    ///
    /// `created_at` never decreases within a checkpoint, so creation order and time agree.
    mutating func grant(checkpoint: String, projectID: String, createdAt: Int) -> CheckpointPermission {
        // Taken out of the dictionary so that this is the only reference and appending
        // does not copy every entry, which made seeding N permissions take O(N²) time.
        var record = checkpoints.removeValue(forKey: checkpoint) ?? CheckpointRecord()
        defer { checkpoints[checkpoint] = record }
        if let existingID = record.idByProject[projectID],
            let sequence = record.sequenceByID[existingID]
        {
            return record.entries[record.firstIndex(atLeast: sequence)].permission
        }

        var id = "cp_" + makeRandomAlphanumerics(24)
        while record.sequenceByID[id] != nil {
            id = "cp_" + makeRandomAlphanumerics(24)
        }
        let time = max(createdAt, record.latestCreatedAt)
        let permission = CheckpointPermission(id: id, createdAt: time, projectID: projectID)
        record.latestCreatedAt = time
        record.entries.append(.init(sequence: nextSequence, permission: permission))
        record.sequenceByID[id] = nextSequence
        record.idByProject[projectID] = id
        nextSequence += 1
        return permission
    }

    /// Removes a live permission; returns false when `id` names none of `checkpoint`.
    mutating func revoke(checkpoint: String, id: String) -> Bool {
        // Mutated in place through the dictionary, so that the entries are not copied.
        checkpoints[checkpoint]?.remove(id: id) ?? false
    }

    /// Returns one page of `checkpoint`'s permissions.
    ///
    /// - Parameter after: the sequence of the cursor permission; the page starts next to it.
    func page(
        checkpoint: String, after: UInt64?, limit: Int, order: ListOrder, projectID: String?
    ) -> (items: [CheckpointPermission], hasMore: Bool) {
        guard let record = checkpoints[checkpoint] else { return ([], false) }
        let entries = record.entries
        var items: [CheckpointPermission] = []
        items.reserveCapacity(min(limit, entries.count))

        var index: Int
        let step: Int
        switch order {
        case .ascending:
            index = after.map { record.firstIndex(atLeast: $0 + 1) } ?? 0
            step = 1
        case .descending:
            index = (after.map { record.firstIndex(atLeast: $0) } ?? entries.count) - 1
            step = -1
        }
        while index >= 0 && index < entries.count {
            let permission = entries[index].permission
            index += step
            if let projectID, permission.projectID != projectID {
                continue
            }
            if items.count == limit {
                return (items, true)
            }
            items.append(permission)
        }
        return (items, false)
    }
}

/// SplitMix64, a small seedable generator; the same seed gives the same sequence.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var mixed = state
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return mixed ^ (mixed >> 31)
    }
}
