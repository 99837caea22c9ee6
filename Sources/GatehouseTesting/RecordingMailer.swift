import GatehouseCore

/// A ``Mailer`` that records every message instead of delivering it.
public actor RecordingMailer: Mailer {
    /// Every message sent, oldest first.
    public private(set) var messages: [MailMessage] = []

    public init() {}

    /// Records `message`; never throws.
    public func send(_ message: MailMessage) async throws {
        messages.append(message)
    }

    /// Forgets every recorded message.
    public func reset() {
        messages.removeAll()
    }

    /// The latest message to `to` (compared case-insensitively) of `kind`, polling every 10 ms until `timeout`
    /// elapses; nil if none arrived. Mail is dispatched asynchronously, so tests wait with this.
    public func waitForMessage(to: String, kind: MailMessage.Kind, timeout: Duration = .seconds(5)) async -> MailMessage? {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let recipient = to.lowercased()
        while true {
            if let found = messages.last(where: { $0.to.lowercased() == recipient && $0.kind == kind }) { return found }
            if ContinuousClock.now >= deadline { return nil }
            do {
                try await Task.sleep(for: .milliseconds(10))
            } catch {
                return nil
            }
        }
    }
}
