import CCurl
import Foundation

/// Turns an ``AttemptSpec`` into easy-handle options. Callbacks are non-capturing C function
/// pointers that recover the ``Transfer`` from their userdata pointer; the loop keeps the
/// transfer alive for as long as the handle exists.
enum TransferSetup {
    static func configure(_ h: EasyHandle, for transfer: Transfer) throws {
        let spec = transfer.spec
        let userdata = Unmanaged.passUnretained(transfer).toOpaque()
        let isHTTPS = spec.url.lowercased().hasPrefix("https://")

        try h.set(CURLOPT_URL, spec.url)
        try h.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try h.set(CURLOPT_NOSIGNAL, true)
        try h.set(CURLOPT_FOLLOWLOCATION, false) // redirects are decided in Swift (Redirects.swift)
        try h.set(CURLOPT_TCP_KEEPALIVE, true)
        try h.set(CURLOPT_PRIVATE, pointer: userdata)
        let version = spec.allowHTTP2 && isHTTPS ? CURL_HTTP_VERSION_2TLS : CURL_HTTP_VERSION_1_1
        try h.set(CURLOPT_HTTP_VERSION, version)
        if isHTTPS && spec.allowHTTP2 {
            // Wait for an HTTP/2 connection being set up rather than opening another one.
            try h.set(CURLOPT_PIPEWAIT, true)
        }
        if let connect = spec.timeouts.connect {
            try h.set(CURLOPT_CONNECTTIMEOUT_MS, Int(max(1, connect.wholeMilliseconds)))
        }
        try configureTLS(h, spec.tls)
        try configureMethodAndBody(h, transfer, userdata: userdata)
        try h.setHeaders(headerLines(spec))
        if !spec.headers.contains("User-Agent") {
            try h.set(CURLOPT_USERAGENT, spec.userAgent)
        }
        if case .memory(let limit) = spec.destination, spec.method.uppercased() != "HEAD" {
            // Fails early when Content-Length already says too much; the write callback
            // enforces the limit for bodies of unknown length. (Not for HEAD: its
            // Content-Length describes a body that never comes.)
            try h.set(CURLOPT_MAXFILESIZE_LARGE, offset: limit)
        }
        try configureCallbacks(h, spec, userdata: userdata)
    }

    private static func configureTLS(_ h: EasyHandle, _ tls: TLSOptions) throws {
        try h.set(CURLOPT_SSL_VERIFYPEER, tls.insecure ? 0 : 1)
        try h.set(CURLOPT_SSL_VERIFYHOST, tls.insecure ? 0 : 2)
        if let ca = tls.caBundlePath { try h.set(CURLOPT_CAINFO, ca) }
        if let cert = tls.clientCertificatePath {
            try h.set(CURLOPT_SSLCERT, cert)
            try h.set(CURLOPT_SSLCERTTYPE, "PEM")
        }
        if let key = tls.clientKeyPath {
            try h.set(CURLOPT_SSLKEY, key)
            try h.set(CURLOPT_SSLKEYTYPE, "PEM")
        }
        if let password = tls.clientKeyPassword { try h.set(CURLOPT_KEYPASSWD, password) }
        if let pin = tls.pinnedPublicKey { try h.set(CURLOPT_PINNEDPUBLICKEY, pin) }
    }

    /// Bodies always go through READFUNCTION (memory or file region alike) with a known
    /// length, so there is one code path for sending, rewinding and retrying.
    private static func configureMethodAndBody(_ h: EasyHandle, _ transfer: Transfer,
                                               userdata: UnsafeMutableRawPointer) throws {
        let spec = transfer.spec
        let method = spec.method.uppercased()
        let hasBody: Bool
        if case .none = spec.body { hasBody = false } else { hasBody = true }
        if method == "HEAD" {
            guard !hasBody else { throw HTTPError(.invalidRequest, message: "a HEAD request cannot have a body") }
            try h.set(CURLOPT_NOBODY, true)
            return
        }
        let sendsBody = hasBody || ["POST", "PUT", "PATCH"].contains(method)
        if sendsBody {
            try h.set(CURLOPT_UPLOAD, true)
            try h.set(CURLOPT_INFILESIZE_LARGE, offset: transfer.uploadLength)
            try h.check(ck_easy_setopt_read_cb(h.raw) { buffer, size, count, userdata in
                guard let buffer, let userdata else { return Int(CURL_READFUNC_ABORT) }
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
                return transfer.readBody(into: UnsafeMutableRawPointer(buffer), capacity: size * count)
            }, CURLOPT_READFUNCTION)
            try h.set(CURLOPT_READDATA, pointer: userdata)
            try h.check(ck_easy_setopt_seek_cb(h.raw) { userdata, offset, origin in
                guard let userdata else { return CURL_SEEKFUNC_FAIL }
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
                return transfer.seekBody(to: Int64(offset), origin: origin)
            }, CURLOPT_SEEKFUNCTION)
            try h.set(CURLOPT_SEEKDATA, pointer: userdata)
            if method != "PUT" { try h.set(CURLOPT_CUSTOMREQUEST, spec.method) }
        } else if method == "GET" {
            try h.set(CURLOPT_HTTPGET, true)
        } else {
            try h.set(CURLOPT_CUSTOMREQUEST, spec.method)
        }
    }

    /// `Name: value` lines for CURLOPT_HTTPHEADER. An empty value is sent as `Name;`
    /// (curl's spelling for "send it empty"); `Expect:` switches off 100-continue.
    static func headerLines(_ spec: AttemptSpec) -> [String] {
        var lines: [String] = []
        for (name, value) in spec.headers where name.lowercased() != "content-length" {
            lines.append(value.isEmpty ? "\(name);" : "\(name): \(value)")
        }
        if !spec.headers.contains("Expect") { lines.append("Expect:") }
        return lines
    }

    private static func configureCallbacks(_ h: EasyHandle, _ spec: AttemptSpec,
                                           userdata: UnsafeMutableRawPointer) throws {
        try h.check(ck_easy_setopt_write_cb(h.raw, CURLOPT_WRITEFUNCTION) { buffer, size, count, userdata in
            guard let userdata else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
            return transfer.receiveBody(UnsafeRawBufferPointer(start: buffer, count: size * count))
        }, CURLOPT_WRITEFUNCTION)
        try h.set(CURLOPT_WRITEDATA, pointer: userdata)
        try h.check(ck_easy_setopt_write_cb(h.raw, CURLOPT_HEADERFUNCTION) { buffer, size, count, userdata in
            guard let userdata else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
            return transfer.receiveHeader(UnsafeRawBufferPointer(start: buffer, count: size * count))
        }, CURLOPT_HEADERFUNCTION)
        try h.set(CURLOPT_HEADERDATA, pointer: userdata)
        try h.check(ck_easy_setopt_prereq_cb(h.raw) { userdata, _, _, _, _ in
            guard let userdata else { return CURL_PREREQFUNC_OK }
            Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue().didConnect()
            return CURL_PREREQFUNC_OK
        }, CURLOPT_PREREQFUNCTION)
        try h.set(CURLOPT_PREREQDATA, pointer: userdata)
        if spec.progress != nil {
            try h.set(CURLOPT_NOPROGRESS, false)
            try h.check(ck_easy_setopt_xferinfo_cb(h.raw) { userdata, dltotal, dlnow, ultotal, ulnow in
                guard let userdata else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
                transfer.reportProgress(downloadTotal: Int64(dltotal), downloaded: Int64(dlnow),
                                        uploadTotal: Int64(ultotal), uploaded: Int64(ulnow))
                return 0
            }, CURLOPT_XFERINFOFUNCTION)
            try h.set(CURLOPT_XFERINFODATA, pointer: userdata)
        }
        if spec.trace != nil {
            // Only when tracing: curl then hands us the header blocks it sends and receives.
            try h.set(CURLOPT_VERBOSE, true)
            try h.check(ck_easy_setopt_debug_cb(h.raw) { _, type, data, size, userdata in
                guard let userdata, let data else { return 0 }
                let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
                transfer.debug(type: type, UnsafeRawBufferPointer(start: data, count: size))
                return 0
            }, CURLOPT_DEBUGFUNCTION)
            try h.set(CURLOPT_DEBUGDATA, pointer: userdata)
        }
    }
}
