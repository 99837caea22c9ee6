// usage: FrameworkBaseline <port> <body-file>
// Serves GET /api/v1/users/me on 127.0.0.1:<port> with the bytes of <body-file> as application/json, and
// GET /health/ready with 200, on Hummingbird's default event loop group (one loop per core, like Gatehouse).
import Foundation
import Hummingbird

let args = CommandLine.arguments
guard args.count == 3, let port = Int(args[1]), let body = FileManager.default.contents(atPath: args[2]) else {
    FileHandle.standardError.write("usage: FrameworkBaseline <port> <body-file>\n".data(using: .utf8)!)
    exit(64)
}
let bytes = ByteBuffer(bytes: body)
let router = Router()
router.get("/api/v1/users/me") { _, _ -> Response in
    Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: bytes))
}
router.get("/health/ready") { _, _ -> HTTPResponse.Status in .ok }
// no request logging middleware: Hummingbird's default logger only reports start and stop
let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
try await app.runService()
