import Foundation
import GatehouseCore
import HTTPTypes
import Hummingbird
import NIOCore

extension Request {
    /// Decodes a JSON request body into `T`, mapping every client mistake to a problem document:
    /// a missing or non-JSON `Content-Type` is `415 unsupported_media_type`, a body over the context's
    /// `maxUploadSize` (64 KiB) is `413 payload_too_large`, malformed JSON is `400 malformed_request`, and a field of
    /// the wrong JSON type (e.g. `{"email": {"$ne": null}}`) is `400 invalid_field_type` naming the field.
    /// - Parameter allowEmpty: When true, an absent or empty body decodes as `{}`.
    func decodeJSONBody<T: Decodable>(as type: T.Type, context: GatehouseRequestContext, allowEmpty: Bool = false) async throws -> T {
        if let length = headers[.contentLength].flatMap(Int.init), length > context.maxUploadSize {
            throw GatehouseError(.payloadTooLarge, "The request body must be at most \(context.maxUploadSize) bytes.")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await body.collect(upTo: context.maxUploadSize)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw GatehouseError(.payloadTooLarge, "The request body must be at most \(context.maxUploadSize) bytes.")
        } catch {
            // A body cut short or otherwise unreadable (e.g. HTTPParserError) is the client's fault, not ours.
            throw GatehouseError(.malformedRequest, "The request body could not be read completely.")
        }
        if buffer.readableBytes == 0 && allowEmpty && headers[.contentType] == nil {
            return try JSONDecoder().decode(T.self, from: Data("{}".utf8))
        }
        guard let contentType = headers[.contentType], Self.isJSON(contentType) else {
            throw GatehouseError(.unsupportedMediaType, "The request body must be JSON (Content-Type: application/json).")
        }
        if buffer.readableBytes == 0 && allowEmpty {
            return try JSONDecoder().decode(T.self, from: Data("{}".utf8))
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer: buffer))
        } catch let error as DecodingError {
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context):
                let field = context.codingPath.map(\.stringValue).joined(separator: ".")
                if field.isEmpty { throw GatehouseError(.malformedRequest, "The request body must be a JSON object.") }
                throw GatehouseError(
                    .invalidFieldType, "The field \(field) has the wrong JSON type.",
                    violations: [FieldViolation(field: field, code: "invalid_type", message: "The field has the wrong JSON type.")])
            case .keyNotFound(let key, _):
                throw GatehouseError.validation([FieldViolation(field: key.stringValue, code: "required", message: "This field is required.")])
            case .dataCorrupted:
                throw GatehouseError(.malformedRequest, "The request body is not valid JSON.")
            @unknown default:
                throw GatehouseError(.malformedRequest, "The request body could not be read.")
            }
        }
    }

    /// `application/json` or `application/<anything>+json`, with any parameters (`; charset=utf-8`).
    static func isJSON(_ contentType: String) -> Bool {
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return mediaType == "application/json" || (mediaType.hasPrefix("application/") && mediaType.hasSuffix("+json"))
    }
}

extension KeyedDecodingContainer {
    /// Decodes a merge-patch field: absent, `null`, or a value of the right type.
    func decodePatch<V: Decodable & Sendable & Equatable>(_ type: V.Type, forKey key: Key) throws -> PatchField<V> {
        guard contains(key) else { return .absent }
        if try decodeNil(forKey: key) { return .null }
        return .value(try decode(V.self, forKey: key))
    }
}
