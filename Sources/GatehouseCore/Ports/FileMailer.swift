import Foundation
import NIOPosix

/// The file mail transport: writes each message as one RFC 5322 `.eml` file (mode 0600, since links carry one-time
/// tokens) into a folder, named `<UTC timestamp>-<uuid>.eml`. File I/O runs on a `NIOThreadPool`, never on an event loop.
public struct FileMailer: Mailer {
    /// The folder messages are written to (created with mode 0700 if missing).
    public let directory: URL
    /// The `From` address, e.g. `Gatehouse <no-reply@localhost>`.
    public let from: String
    private let threadPool: NIOThreadPool

    public init(directory: URL, from: String = "Gatehouse <no-reply@localhost>", threadPool: NIOThreadPool = .singleton) {
        self.directory = directory
        self.from = from
        self.threadPool = threadPool
    }

    public func send(_ message: MailMessage) async throws {
        let directory = self.directory
        let text = Self.render(message, from: from, date: Date(), messageId: UUID())
        try await threadPool.runIfActive {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let stamp = Self.fileStamp(Date())
            let url = directory.appendingPathComponent("\(stamp)-\(UUID().uuidString.lowercased()).eml")
            guard FileManager.default.createFile(atPath: url.path, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
        }
    }

    static func fileStamp(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss.SSS'Z'"
        return formatter.string(from: date)
    }

    /// The message as RFC 5322 text with CRLF line endings: `From`, `To`, `Subject`, `Date`, `Message-ID`,
    /// `MIME-Version`, `Content-Type: text/plain; charset=utf-8`, `Content-Transfer-Encoding: 8bit`, then the body.
    public static func render(_ message: MailMessage, from: String, date: Date, messageId: UUID) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        let headers = [
            "From: \(from)",
            "To: <\(message.to)>",
            "Subject: \(message.subject)",
            "Date: \(formatter.string(from: date))",
            "Message-ID: <\(messageId.uuidString.lowercased())@gatehouse>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
            "X-Gatehouse-Kind: \(message.kind.rawValue)",
        ]
        let body = message.textBody.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\n", with: "\r\n")
        return headers.joined(separator: "\r\n") + "\r\n\r\n" + body
    }
}
