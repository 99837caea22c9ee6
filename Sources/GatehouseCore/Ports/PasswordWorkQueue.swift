/// The bounded queue all password work (bcrypt hashing and verification, with the reads and writes around it) goes
/// through: at most `concurrency` jobs run at once (sized to the cores), at most `waitingLimit` wait, and any job
/// beyond that is refused at once with `503 overloaded` (load shedding) instead of piling up behind a login flood.
public actor PasswordWorkQueue {
    /// Jobs allowed to run at once.
    public let concurrency: Int
    /// Jobs allowed to wait for a slot before new ones are refused.
    public let waitingLimit: Int
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var shed = 0

    /// - Parameters:
    ///   - concurrency: Jobs running at once (at least 1), normally the number of cores.
    ///   - waitingLimit: Jobs waiting before shedding (at least 0).
    public init(concurrency: Int, waitingLimit: Int) {
        self.concurrency = max(1, concurrency)
        self.waitingLimit = max(0, waitingLimit)
    }

    /// Runs `body` when a slot is free.
    /// - Throws: ``GatehouseError`` `overloaded` (with `Retry-After: 1`) when the queue is full; whatever `body` throws.
    public nonisolated func run<T: Sendable>(_ body: @Sendable () async throws -> T) async throws -> T {
        try await acquire()
        do {
            let result = try await body()
            await release()
            return result
        } catch {
            await release()
            throw error
        }
    }

    /// Jobs refused since start.
    public var shedCount: Int { shed }

    private func acquire() async throws {
        if running < concurrency {
            running += 1
            return
        }
        guard waiters.count < waitingLimit else {
            shed += 1
            throw GatehouseError.overloaded()
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            running -= 1
        } else {
            waiters.removeFirst().resume()
        }
    }
}
