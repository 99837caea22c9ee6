import Foundation
import NIOPosix
import Testing

@testable import GatehouseCore

@Suite("FileMailer")
struct FileMailerTests {
    static let message = MailMessage(
        to: "alice@example.com", subject: "Verify your email",
        textBody: "Hello Alice,\nopen https://example.com/verify?token=abc\r\nThanks\n", kind: .emailVerification)
    static let date = Date(timeIntervalSince1970: 1_735_689_600)  // 2025-01-01T00:00:00Z, a Wednesday
    static let messageId = UUID(uuidString: "6F9619FF-8B86-D011-B42D-00C04FC964FF")!

    func rendered() -> String {
        FileMailer.render(Self.message, from: "Gatehouse <no-reply@localhost>", date: Self.date, messageId: Self.messageId)
    }

    func split(_ text: String) throws -> (headers: [String], body: String) {
        let range = try #require(text.range(of: "\r\n\r\n"))
        let head = String(text[..<range.lowerBound])
        let body = String(text[range.upperBound...])
        return (head.components(separatedBy: "\r\n"), body)
    }

    @Test func rendersRFC5322Headers() throws {
        let (headers, _) = try split(rendered())
        #expect(headers.contains("From: Gatehouse <no-reply@localhost>"))
        #expect(headers.contains("To: <alice@example.com>"))
        #expect(headers.contains("Subject: Verify your email"))
        #expect(headers.contains("Date: Wed, 01 Jan 2025 00:00:00 +0000"))
        #expect(headers.contains("Message-ID: <6f9619ff-8b86-d011-b42d-00c04fc964ff@gatehouse>"))
        #expect(headers.contains("MIME-Version: 1.0"))
        #expect(headers.contains("Content-Type: text/plain; charset=utf-8"))
        for line in headers {
            // Every header line is "Name: value" with a non-empty name of printable ASCII without spaces.
            let name = try #require(line.split(separator: ":", maxSplits: 1).first, "\(line)")
            #expect(!name.isEmpty && name.allSatisfy { $0.isASCII && !$0.isWhitespace }, "\(line)")
            #expect(line.contains(": "), "\(line)")
        }
        let names = headers.compactMap { $0.split(separator: ":").first.map(String.init) }
        #expect(Set(names).isSuperset(of: ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version", "Content-Type"]))
        #expect(names.count == Set(names).count, "no duplicated header")
    }

    @Test func usesCRLFLineEndingsOnly() {
        let text = rendered()
        let bytes = Array(text.utf8)
        #expect(bytes.contains(0x0A))
        for (i, byte) in bytes.enumerated() where byte == 0x0A {
            #expect(i > 0 && bytes[i - 1] == 0x0D, "bare LF at byte \(i)")
        }
        for (i, byte) in bytes.enumerated() where byte == 0x0D {
            #expect(i + 1 < bytes.count && bytes[i + 1] == 0x0A, "bare CR at byte \(i)")
        }
    }

    @Test func blankLineSeparatesHeadersFromBody() throws {
        let text = rendered()
        #expect(text.hasPrefix("From: ") || text.hasPrefix("To: ") || text.hasPrefix("Subject: ") || text.hasPrefix("Date: "))
        let (headers, body) = try split(text)
        #expect(headers.allSatisfy { !$0.isEmpty })
        #expect(body == "Hello Alice,\r\nopen https://example.com/verify?token=abc\r\nThanks\r\n")
    }

    @Test func bodyIsPreservedIncludingNonASCII() throws {
        let message = MailMessage(to: "j\u{F6}rg@example.com", subject: "Reset", textBody: "Gr\u{FC}\u{DF}e \u{1F511}\nToken: Zm9v_-", kind: .passwordReset)
        let text = FileMailer.render(message, from: "Gatehouse <no-reply@localhost>", date: Self.date, messageId: Self.messageId)
        let (headers, body) = try split(text)
        #expect(body == "Gr\u{FC}\u{DF}e \u{1F511}\r\nToken: Zm9v_-")
        #expect(headers.contains("To: <j\u{F6}rg@example.com>"))
    }

    @Test func sendWritesOneEmlFileWithMode0600() async throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let directory = root.appendingPathComponent("outbox")
        let pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
        let mailer = FileMailer(directory: directory, from: "Gatehouse <no-reply@localhost>", threadPool: pool)
        do {
            try await mailer.send(Self.message)
        } catch {
            try await pool.shutdownGracefully()
            throw error
        }
        try await pool.shutdownGracefully()

        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        #expect(files.count == 1)
        let name = try #require(files.first)
        #expect(name.hasSuffix(".eml"))
        let path = directory.appendingPathComponent(name).path
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let mode = try #require(attributes[.posixPermissions] as? NSNumber).intValue
        #expect(mode & 0o777 == 0o600, "mode was \(String(mode & 0o777, radix: 8))")
        let directoryMode = try #require(try FileManager.default.attributesOfItem(atPath: directory.path)[.posixPermissions] as? NSNumber).intValue
        #expect(directoryMode & 0o777 == 0o700, "directory mode was \(String(directoryMode & 0o777, radix: 8))")

        let contents = try String(contentsOfFile: path, encoding: .utf8)
        #expect(contents.contains("\r\nSubject: Verify your email\r\n"))
        #expect(contents.contains("To: <alice@example.com>"))
        #expect(contents.hasSuffix("\r\n\r\nHello Alice,\r\nopen https://example.com/verify?token=abc\r\nThanks\r\n"))
    }

    @Test func sendTwiceWritesTwoFiles() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("gatehouse-mail-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let mailer = FileMailer(directory: directory)
        try await mailer.send(Self.message)
        try await mailer.send(Self.message)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(".eml") }
        #expect(files.count == 2)
    }
}
