import Foundation

/// One outgoing plain-text mail message.
public struct MailMessage: Sendable, Equatable {
    public var to: String
    public var subject: String
    /// UTF-8 plain-text body.
    public var textBody: String
    /// What the message is for (for logs and tests; never the secret it carries).
    public var kind: Kind

    public enum Kind: String, Sendable { case emailVerification = "email_verification", passwordReset = "password_reset" }

    public init(to: String, subject: String, textBody: String, kind: Kind) {
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.kind = kind
    }
}

/// Delivers mail. Use cases never wait for delivery: they hand messages to a ``MailDispatcher``.
public protocol Mailer: Sendable {
    /// Delivers one message.
    /// - Throws: any transport error; the dispatcher logs it (without the message body).
    func send(_ message: MailMessage) async throws
}
