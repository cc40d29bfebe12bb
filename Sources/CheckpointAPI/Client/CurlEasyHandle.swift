import CCurl
import Dispatch

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One libcurl easy handle driven through its own multi handle, with the error buffer it
/// writes to and the serial queue its blocking transfers run on.
///
/// The multi handle owns the connection cache, so connections stay alive between the
/// transfers of this handle. Driving the transfer with `curl_multi_poll` rather than
/// `curl_easy_perform` lets ``wakeUp()`` interrupt a wait at once: `curl_easy_perform`
/// calls the progress function only about once a second while the server is silent.
///
/// The class is `@unchecked Sendable` because ``CurlTransport`` lends it to one transfer
/// at a time, which runs on ``queue`` or on the calling task's thread. The exception is
/// ``wakeUp()``, which libcurl allows from any thread.
final class CurlEasyHandle: @unchecked Sendable {
    let queue = DispatchQueue(label: "ckpt.curl-transfer")
    private let curl: ckpt_curl_t
    private let handle: UnsafeMutableRawPointer
    private let multi: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    /// The number of connections the last transfer had to open: 0 when it reused one.
    private(set) var lastOpenedConnections = 0

    init?() {
        guard CurlLibrary.initializationFailure == nil else { return nil }
        let curl = CurlLibrary.functions
        guard let handle = ckpt_curl_easy_init(curl) else { return nil }
        guard let multi = ckpt_curl_multi_init(curl) else {
            ckpt_curl_easy_cleanup(curl, handle)
            return nil
        }
        self.curl = curl
        self.handle = handle
        self.multi = multi
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
    }

    deinit {
        ckpt_curl_multi_cleanup(curl, multi)
        ckpt_curl_easy_cleanup(curl, handle)
        errorBuffer.deallocate()
    }

    /// Makes a transfer waiting in `curl_multi_poll` run its loop at once, so that it
    /// checks for cancellation. Safe to call from any thread, even when no transfer runs.
    func wakeUp() {
        _ = ckpt_curl_multi_wakeup(curl, multi)
    }

    /// Runs one transfer to completion, blocking the calling thread.
    func perform(
        _ request: HTTPRequest,
        cancellation: CurlCancellation
    ) -> Result<HTTPResponse, TransportError> {
        // Resetting drops every option of the previous transfer but keeps the
        // connection cache, so keep-alive connections survive.
        ckpt_curl_easy_reset(curl, handle)
        errorBuffer[0] = 0
        lastOpenedConnections = 0

        let collector = CurlResponseCollector(cancellation: cancellation)
        let headerList = headerList(request.headers)
        defer { ckpt_curl_slist_free_all(curl, headerList) }

        var code = configure(request, headerList: headerList, collector: collector)
        if code == CURLE_OK {
            // A POST without a body still needs CURLOPT_POSTFIELDS, or libcurl sends a GET.
            let body = request.body ?? (request.method == .post ? Data() : nil)
            let outcome = withExtendedLifetime(collector) {
                performWithBody(body, cancellation: cancellation)
            }
            var connections = 0
            _ = ckpt_curl_easy_getinfo_long(curl, handle, CURLINFO_NUM_CONNECTS, &connections)
            lastOpenedConnections = connections
            switch outcome {
            case .success(let transferCode):
                code = transferCode
            case .failure(let failure):
                return .failure(failure)
            }
        }
        return result(code, collector: collector, cancellation: cancellation)
    }

    private func configure(
        _ request: HTTPRequest,
        headerList: UnsafeMutablePointer<curl_slist>?,
        collector: CurlResponseCollector
    ) -> CURLcode {
        let context = Unmanaged.passUnretained(collector).toOpaque()
        let milliseconds = max(request.timeout.components.seconds * 1000
            + request.timeout.components.attoseconds / 1_000_000_000_000_000, 1)

        var codes: [CURLcode] = []
        codes.append(ckpt_curl_easy_setopt_pointer(curl, handle, CURLOPT_ERRORBUFFER, errorBuffer))
        codes.append(ckpt_curl_easy_setopt_long(curl, handle, CURLOPT_NOSIGNAL, 1))
        codes.append(request.url.withCString { ckpt_curl_easy_setopt_string(curl, handle, CURLOPT_URL, $0) })
        codes.append(ckpt_curl_easy_setopt_long(curl, handle, CURLOPT_TIMEOUT_MS, Int(clamping: milliseconds)))
        codes.append(ckpt_curl_easy_setopt_slist(curl, handle, CURLOPT_HTTPHEADER, headerList))
        codes.append(contentsOf: configureMethod(request.method, hasBody: request.body != nil))

        codes.append(ckpt_curl_easy_setopt_write_callback(curl, handle, CURLOPT_WRITEFUNCTION) { data, size, count, context in
            CurlResponseCollector.from(context).receiveBody(data, length: size * count)
        })
        codes.append(ckpt_curl_easy_setopt_pointer(curl, handle, CURLOPT_WRITEDATA, context))
        codes.append(ckpt_curl_easy_setopt_write_callback(curl, handle, CURLOPT_HEADERFUNCTION) { data, size, count, context in
            CurlResponseCollector.from(context).receiveHeaderLine(data, length: size * count)
        })
        codes.append(ckpt_curl_easy_setopt_pointer(curl, handle, CURLOPT_HEADERDATA, context))

        // libcurl calls the progress function repeatedly while the transfer runs.
        // Returning non-zero aborts the transfer with CURLE_ABORTED_BY_CALLBACK.
        codes.append(ckpt_curl_easy_setopt_long(curl, handle, CURLOPT_NOPROGRESS, 0))
        codes.append(ckpt_curl_easy_setopt_xferinfo_callback(curl, handle, CURLOPT_XFERINFOFUNCTION) { context, _, _, _, _ in
            CurlResponseCollector.from(context).cancellation.isCancelled ? 1 : 0
        })
        codes.append(ckpt_curl_easy_setopt_pointer(curl, handle, CURLOPT_XFERINFODATA, context))

        return codes.first { $0 != CURLE_OK } ?? CURLE_OK
    }

    private func configureMethod(_ method: HTTPMethod, hasBody: Bool) -> [CURLcode] {
        switch (method.rawValue, hasBody) {
        case ("GET", false):
            return []
        case ("HEAD", false):
            return [ckpt_curl_easy_setopt_long(curl, handle, CURLOPT_NOBODY, 1)]
        case ("POST", _):
            // Setting CURLOPT_POSTFIELDS in `performWithBody` makes the request a POST.
            return []
        default:
            return [method.rawValue.withCString {
                ckpt_curl_easy_setopt_string(curl, handle, CURLOPT_CUSTOMREQUEST, $0)
            }]
        }
    }

    /// Runs the transfer while the body's bytes, which libcurl does not copy, stay valid.
    private func performWithBody(
        _ body: Data?,
        cancellation: CurlCancellation
    ) -> Result<CURLcode, TransportError> {
        guard let body else {
            return runTransfer(cancellation: cancellation)
        }
        return body.withUnsafeBytes { bytes in
            let empty: StaticString = ""
            let start = UnsafeMutableRawPointer(mutating: bytes.baseAddress ?? UnsafeRawPointer(empty.utf8Start))
            let sizeCode = ckpt_curl_easy_setopt_off_t(curl, handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bytes.count))
            let fieldsCode = ckpt_curl_easy_setopt_pointer(curl, handle, CURLOPT_POSTFIELDS, start)
            guard sizeCode == CURLE_OK, fieldsCode == CURLE_OK else {
                return .success(sizeCode == CURLE_OK ? fieldsCode : sizeCode)
            }
            return runTransfer(cancellation: cancellation)
        }
    }

    /// Drives the transfer to its end through the multi handle, as `curl_easy_perform`
    /// does, and returns the transfer's result code.
    private func runTransfer(cancellation: CurlCancellation) -> Result<CURLcode, TransportError> {
        let addCode = ckpt_curl_multi_add_handle(curl, multi, handle)
        guard addCode == CURLM_OK else {
            return .failure(.connectionFailed(String(cString: ckpt_curl_multi_strerror(curl, addCode))))
        }
        // Removing the handle ends an unfinished transfer and closes its connection.
        defer { ckpt_curl_multi_remove_handle(curl, multi, handle) }

        var running: Int32 = 1
        while true {
            let performCode = ckpt_curl_multi_perform(curl, multi, &running)
            guard performCode == CURLM_OK else {
                return .failure(.connectionFailed(String(cString: ckpt_curl_multi_strerror(curl, performCode))))
            }
            if running == 0 {
                break
            }
            if cancellation.isCancelled {
                return .success(CURLE_ABORTED_BY_CALLBACK)
            }
            // Waits for socket activity, libcurl's next timer or `wakeUp()`.
            let pollCode = ckpt_curl_multi_poll(curl, multi, nil, 0, 1000, nil)
            guard pollCode == CURLM_OK else {
                return .failure(.connectionFailed(String(cString: ckpt_curl_multi_strerror(curl, pollCode))))
            }
        }

        var queued: Int32 = 0
        while let message = ckpt_curl_multi_info_read(curl, multi, &queued) {
            if message.pointee.msg == CURLMSG_DONE {
                return .success(message.pointee.data.result)
            }
        }
        return .failure(.connectionFailed("libcurl ended the transfer without a result"))
    }

    private func result(
        _ code: CURLcode,
        collector: CurlResponseCollector,
        cancellation: CurlCancellation
    ) -> Result<HTTPResponse, TransportError> {
        switch code {
        case CURLE_OK:
            var status = 0
            _ = ckpt_curl_easy_getinfo_long(curl, handle, CURLINFO_RESPONSE_CODE, &status)
            return .success(HTTPResponse(status: status, headers: collector.headers, body: collector.body))
        case CURLE_ABORTED_BY_CALLBACK where cancellation.isCancelled:
            return .failure(.cancelled)
        case CURLE_OPERATION_TIMEDOUT:
            return .failure(.timedOut)
        default:
            return .failure(.connectionFailed(message(for: code)))
        }
    }

    /// libcurl's detailed message from the error buffer, else its text for the code.
    private func message(for code: CURLcode) -> String {
        let detail = String(cString: errorBuffer)
        return detail.isEmpty ? String(cString: ckpt_curl_easy_strerror(curl, code)) : detail
    }

    private func headerList(_ headers: HTTPHeaders) -> UnsafeMutablePointer<curl_slist>? {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in Self.headerLines(headers) {
            list = ckpt_curl_slist_append(curl, list, line)
        }
        return list
    }

    /// The request's header fields in libcurl's `CURLOPT_HTTPHEADER` form.
    ///
    /// `Expect:` is added so that a body never waits for a `100 Continue` response, and
    /// `Content-Type:` when the request has none, so that libcurl does not label a POST
    /// body as a form. Line breaks in names and values become spaces, so that one field
    /// cannot add another.
    static func headerLines(_ headers: HTTPHeaders) -> [String] {
        var lines: [String] = []
        if headers["Content-Type"] == nil {
            lines.append("Content-Type:")
        }
        for field in headers {
            let name = singleLine(field.name)
            let value = singleLine(field.value)
            // libcurl sends `Name;` as a header with an empty value; `Name:` would remove it.
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        lines.append("Expect:")
        return lines
    }

    private static func singleLine(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A }) else { return text }
        return String(text.map { $0 == "\r" || $0 == "\n" || $0 == "\r\n" ? " " : $0 })
    }
}
