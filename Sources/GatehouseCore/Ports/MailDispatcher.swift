import Logging

/// Hands messages to a ``Mailer`` without making the caller wait: the request that triggered a mail never blocks on
/// delivery and never fails because of it. A failed delivery is logged with the message kind and error, never the body
/// (which carries the one-time token).
public struct MailDispatcher: Sendable {
    private let mailer: any Mailer
    private let logger: Logger

    public init(mailer: any Mailer, logger: Logger) {
        self.mailer = mailer
        self.logger = logger
    }

    /// Starts delivery of `message` in the background and returns at once.
    public func dispatch(_ message: MailMessage) {
        let mailer = self.mailer
        let logger = self.logger
        Task.detached {
            do {
                try await mailer.send(message)
                logger.debug("mail delivered", metadata: ["mail.kind": "\(message.kind.rawValue)"])
            } catch {
                logger.error("mail delivery failed", metadata: ["mail.kind": "\(message.kind.rawValue)", "error": "\(String(describing: type(of: error)))"])
            }
        }
    }
}
