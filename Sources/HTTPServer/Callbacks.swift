import CMicroHTTPD
import Foundation
import HTTPTypes
import Logging

// libmicrohttpd calls these C-convention functions on its own threads. They live outside
// main.swift on purpose: top-level code there is MainActor-isolated and traps off the main thread.

func mhdLog(_ cls: UnsafeMutableRawPointer?, _ message: UnsafePointer<CChar>?) {
    guard let cls, let message else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    core.logger.debug("libmicrohttpd: \(String(cString: message))")
}

func mhdAcceptPolicy(_ cls: UnsafeMutableRawPointer?, _ address: UnsafePointer<sockaddr>?, _ length: socklen_t) -> MHD_Result {
    guard let cls else { return .YES }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    var buffer = [CChar](repeating: 0, count: 64)
    relais_sockaddr_text(address, &buffer, socklen_t(buffer.count))
    let text = String(cString: buffer)
    if core.connections.admits(text) { return .YES }
    core.logger.notice("refused a connection: \(text) already has \(core.configuration.perIPConnectionLimit) open")
    return .NO
}

func mhdNotifyConnection(_ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ socketContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                         _ code: MHD_ConnectionNotificationCode) {
    guard let cls, let connection else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    let key = Int(bitPattern: UnsafeRawPointer(connection))
    if code == .CONNECTION_NOTIFY_STARTED {
        core.connections.started(key, descriptor: relais_mhd_connection_fd(connection), address: clientAddress(connection))
    } else {
        core.connections.closed(key)
    }
}

func mhdRequestCompleted(_ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?,
                         _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?, _ code: MHD_RequestTerminationCode) {
    guard let cls, let requestContext, let raw = requestContext.pointee else { return }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()
    let state = Unmanaged<RequestState>.fromOpaque(raw).takeRetainedValue()
    if let processor = state.postProcessor { MHD_destroy_post_processor(processor) }
    requestContext.pointee = nil
    core.inFlight.subtract(1, ordering: .releasing)
    // A kept-alive connection now waits for its next request head, under the head deadline.
    if let connection { core.connections.enter(Int(bitPattern: UnsafeRawPointer(connection)), .head) }
}

func mhdAccessHandler(_ cls: UnsafeMutableRawPointer?, _ connection: OpaquePointer?, _ url: UnsafePointer<CChar>?,
                      _ method: UnsafePointer<CChar>?, _ version: UnsafePointer<CChar>?, _ uploadData: UnsafePointer<CChar>?,
                      _ uploadDataSize: UnsafeMutablePointer<Int>?, _ requestContext: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> MHD_Result {
    guard let cls, let connection, let requestContext, let uploadDataSize else { return .NO }
    let core = Unmanaged<ServerCore>.fromOpaque(cls).takeUnretainedValue()

    guard let raw = requestContext.pointee else {
        // First call: headers are known, the body is not read yet.
        let state = RequestState(method: method.map { String(cString: $0) } ?? "", url: url.map { String(cString: $0) } ?? "/",
                                 id: RequestID.accept(connectionValue(connection, .HEADER_KIND, "X-Request-Id")))
        requestContext.pointee = Unmanaged.passRetained(state).toOpaque()
        core.inFlight.add(1, ordering: .relaxed)
        core.connections.enter(Int(bitPattern: UnsafeRawPointer(connection)), .body)
        if let length = connectionValue(connection, .HEADER_KIND, "Content-Length").flatMap(Int.init),
           length > core.configuration.maxBodyBytes {
            // Refuse before reading: MHD closes the connection instead of reading the body.
            state.tooLarge = true
            state.responded = true
            return send(early(tooLarge(core), state, core), requestID: state.id, core: core, connection: connection)
        }
        if isFormContentType(connectionValue(connection, .HEADER_KIND, "Content-Type")) {
            state.postProcessor = MHD_create_post_processor(connection, 16 * 1024, mhdPostIterator,
                                                             Unmanaged.passUnretained(state).toOpaque())
            if state.postProcessor == nil { state.formFailed = true }
        }
        return .YES
    }

    let state = Unmanaged<RequestState>.fromOpaque(raw).takeUnretainedValue()
    let size = uploadDataSize.pointee
    if size > 0 {
        // A body chunk: count it, keep it (or feed the form parser), or drop it once over the cap.
        uploadDataSize.pointee = 0
        if state.responded || state.tooLarge { return .YES }
        state.received += size
        if state.received > core.configuration.maxBodyBytes {
            state.tooLarge = true
            state.body = Data()
            state.form = []
            return .YES
        }
        guard let uploadData else { return .YES }
        if let processor = state.postProcessor {
            if MHD_post_process(processor, uploadData, size) != MHD_Result.YES { state.formFailed = true }
        } else {
            uploadData.withMemoryRebound(to: UInt8.self, capacity: size) { state.body.append($0, count: size) }
        }
        return .YES
    }
    if state.responded { return .YES }
    state.responded = true
    core.connections.enter(Int(bitPattern: UnsafeRawPointer(connection)), .answering)
    if state.tooLarge { return send(early(tooLarge(core), state, core), requestID: state.id, core: core, connection: connection) }
    if let processor = state.postProcessor {
        // Destroying the processor flushes the last urlencoded value.
        MHD_destroy_post_processor(processor)
        state.postProcessor = nil
    }

    guard let httpMethod = HTTPRequest.Method(state.method) else {
        let response = core.errorResponder(ServerError(status: 405, message: "Method \(state.method.prefix(20)) is not supported."), nil)
        return send(early(response, state, core), requestID: state.id, core: core, connection: connection)
    }
    var fields = HTTPFields()
    for (name, value) in connectionValues(connection, .HEADER_KIND) {
        if let name = HTTPField.Name(name) { fields.append(HTTPField(name: name, value: value)) }
    }
    var request = Request(method: httpMethod, path: state.url, headerFields: fields, id: state.id)
    request.query = connectionValues(connection, .GET_ARGUMENT_KIND).map { (name: $0.0, value: $0.1) }
    for (name, value) in connectionValues(connection, .COOKIE_KIND) where request.cookies[name] == nil {
        request.cookies[name] = value
    }
    request.body = state.body
    request.form = state.form
    let peer = clientAddress(connection)
    request.clientAddress = ClientAddress.resolve(peer: peer, forwardedFor: request.headerFields[.xForwardedFor],
                                                  trustedProxies: core.configuration.trustedProxies)
    if state.formFailed {
        return send(core.errorResponder(ServerError(status: 400, message: "The form body could not be parsed."), request), requestID: request.id,
                    core: core, connection: connection)
    }
    if request.clientAddress != peer {
        // Behind a trusted proxy: the per-address limit applies to the forwarded client.
        guard core.connections.beginForwarded(request.clientAddress) else {
            var response = core.errorResponder(ServerError(status: 429, message: "Too many requests in flight from \(request.clientAddress)."), request)
            response.headerFields[.retryAfter] = "1"
            return send(response, requestID: request.id, core: core, connection: connection)
        }
        defer { core.connections.endForwarded(request.clientAddress) }
        return send(core.respond(to: request), requestID: request.id, core: core, connection: connection)
    }
    return send(core.respond(to: request), requestID: request.id, core: core, connection: connection)
}

func mhdPostIterator(_ cls: UnsafeMutableRawPointer?, _ kind: MHD_ValueKind, _ key: UnsafePointer<CChar>?,
                     _ filename: UnsafePointer<CChar>?, _ contentType: UnsafePointer<CChar>?, _ transferEncoding: UnsafePointer<CChar>?,
                     _ data: UnsafePointer<CChar>?, _ offset: UInt64, _ size: Int) -> MHD_Result {
    guard let cls, let key else { return .YES }
    let state = Unmanaged<RequestState>.fromOpaque(cls).takeUnretainedValue()
    let name = String(cString: key)
    // MHD may deliver one value in several pieces: offset > 0 continues the last field.
    if offset == 0 || state.form.last?.name != name {
        state.form.append(FormField(name: name, data: Data(), filename: filename.map { String(cString: $0) },
                                    contentType: contentType.map { String(cString: $0) }))
    }
    if let data, size > 0 {
        data.withMemoryRebound(to: UInt8.self, capacity: size) { state.form[state.form.count - 1].data.append($0, count: size) }
    }
    return .YES
}

private func isFormContentType(_ value: String?) -> Bool {
    guard let value = value?.lowercased() else { return false }
    return value.hasPrefix("application/x-www-form-urlencoded") || value.hasPrefix("multipart/form-data")
}

private func tooLarge(_ core: ServerCore) -> Response {
    core.errorResponder(ServerError(status: 413, message: "The request body is larger than \(core.configuration.maxBodyBytes) bytes."), nil)
}

/// An answer given before a request could be built (body too large, unknown method): logged
/// like the others, without a route.
private func early(_ response: Response, _ state: RequestState, _ core: ServerCore) -> Response {
    core.logger.info("\(state.method.prefix(20)) - \(response.status.code)", metadata: ["request_id": "\(state.id)"])
    return response
}

private func send(_ response: Response, requestID: String?, core: ServerCore, connection: OpaquePointer) -> MHD_Result {
    let response = core.finalize(response, requestID: requestID)
    let mhdResponse = response.body.withUnsafeBytes { bytes in
        MHD_create_response_from_buffer(bytes.count, UnsafeMutableRawPointer(mutating: bytes.baseAddress), .RESPMEM_MUST_COPY)
    }
    guard let mhdResponse else { return .NO }
    for field in response.headerFields {
        MHD_add_response_header(mhdResponse, field.name.rawName, field.value)
    }
    let result = MHD_queue_response(connection, UInt32(response.status.code), mhdResponse)
    MHD_destroy_response(mhdResponse)
    return result
}

private func connectionValue(_ connection: OpaquePointer, _ kind: MHD_ValueKind, _ name: String) -> String? {
    MHD_lookup_connection_value(connection, kind, name).map { String(cString: $0) }
}

private final class ValueCollector {
    var pairs: [(String, String)] = []
}

private func connectionValues(_ connection: OpaquePointer, _ kind: MHD_ValueKind) -> [(String, String)] {
    let collector = ValueCollector()
    _ = MHD_get_connection_values(connection, kind, { cls, _, key, value in
        guard let cls, let key else { return .YES }
        let collector = Unmanaged<ValueCollector>.fromOpaque(cls).takeUnretainedValue()
        collector.pairs.append((String(cString: key), value.map { String(cString: $0) } ?? ""))
        return .YES
    }, Unmanaged.passUnretained(collector).toOpaque())
    return collector.pairs
}

private func clientAddress(_ connection: OpaquePointer) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    relais_mhd_client_address(connection, &buffer, socklen_t(buffer.count))
    return String(cString: buffer)
}
