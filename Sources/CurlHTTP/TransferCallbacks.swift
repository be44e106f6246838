import CCurl
import Foundation

/// What the C callbacks do, on the loop thread, inside curl_multi_perform. Nothing here may
/// call back into the multi handle; failures are recorded and signalled by return value.
extension Transfer {
    /// WRITEFUNCTION: the response body, to memory (bounded) or to a file.
    func receiveBody(_ chunk: UnsafeRawBufferPointer) -> Int {
        noteActivity()
        switch spec.destination {
        case .memory(let limit):
            guard bodyLength + Int64(chunk.count) <= limit else {
                recordedError = HTTPError(.bodyTooLarge(limit: limit),
                                          message: "more than \(limit) bytes of response body", url: spec.url)
                return 0
            }
            body.append(contentsOf: chunk)
        case .file:
            guard let base = chunk.baseAddress else { return chunk.count }
            var written = 0
            while written < chunk.count {
                let n = write(downloadFD, base + written, chunk.count - written)
                if n < 0 {
                    if errno == EINTR { continue }
                    recordedError = fileError("cannot write the response file")
                    return 0
                }
                written += n
            }
        }
        bodyLength += Int64(chunk.count)
        return chunk.count
    }

    /// HEADERFUNCTION: one header line at a time. A status line starts a new header set
    /// (interim 1xx responses are forgotten).
    /// Works on the bytes: Foundation's `trimmingCharacters(in:)` bridges through NSString on
    /// Linux and cost more instructions per small response than libcurl's whole transfer.
    func receiveHeader(_ chunk: UnsafeRawBufferPointer) -> Int {
        noteActivity()
        let line = Self.trimmed(chunk[...]) { $0 == 0x0D || $0 == 0x0A }
        if line.starts(with: "HTTP/".utf8) {
            statusLine = String(decoding: line, as: UTF8.self)
            responseHeaders = HTTPHeaders()
        } else if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            // Optional whitespace (RFC 9110 OWS) around name and value.
            let isBlank: (UInt8) -> Bool = { $0 == 0x20 || $0 == 0x09 }
            let name = Self.trimmed(line[..<colon], isBlank)
            let value = Self.trimmed(line[(colon + 1)...], isBlank)
            responseHeaders.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
        }
        return chunk.count
    }

    private static func trimmed(_ bytes: Slice<UnsafeRawBufferPointer>,
                                _ drop: (UInt8) -> Bool) -> Slice<UnsafeRawBufferPointer> {
        var start = bytes.startIndex, end = bytes.endIndex
        while start < end, drop(bytes[start]) { start += 1 }
        while end > start, drop(bytes[end - 1]) { end -= 1 }
        return bytes[start..<end]
    }

    /// READFUNCTION: copies the next bytes of the request body into curl's buffer. A file
    /// region is read with pread at (offset + position), so it is never loaded whole.
    func readBody(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int {
        noteActivity()
        let remaining = uploadLength - uploadPosition
        let wanted = Int(min(Int64(capacity), max(0, remaining)))
        guard wanted > 0 else { return 0 }
        switch spec.body {
        case .none:
            return 0
        case .data(let data):
            let start = data.startIndex + Int(uploadPosition)
            data.copyBytes(to: buffer.assumingMemoryBound(to: UInt8.self), from: start..<(start + wanted))
            uploadPosition += Int64(wanted)
            return wanted
        case .file(let path, let offset, _):
            while true {
                let n = pread(uploadFD, buffer, wanted, off_t(offset + uploadPosition))
                if n < 0 && errno == EINTR { continue }
                if n < 0 {
                    recordedError = fileError("cannot read \(path)")
                    return Int(CURL_READFUNC_ABORT)
                }
                if n == 0 {
                    recordedError = HTTPError(.fileIO, message: "\(path) ended before the upload region did",
                                              url: spec.url)
                    return Int(CURL_READFUNC_ABORT)
                }
                uploadPosition += Int64(n)
                return n
            }
        }
    }

    /// SEEKFUNCTION: lets libcurl rewind the body by itself (e.g. a reused connection
    /// turned out dead). Offsets are relative to the start of the body.
    func seekBody(to offset: Int64, origin: Int32) -> Int32 {
        let target: Int64
        switch origin {
        case SEEK_SET: target = offset
        case SEEK_CUR: target = uploadPosition + offset
        case SEEK_END: target = uploadLength + offset
        default: return CURL_SEEKFUNC_CANTSEEK
        }
        guard target >= 0, target <= uploadLength else { return CURL_SEEKFUNC_FAIL }
        uploadPosition = target
        return CURL_SEEKFUNC_OK
    }

    /// PREREQFUNCTION: the connection is up (new or reused); the stall clock starts now.
    func didConnect() {
        connected = true
        noteActivity()
    }

    /// XFERINFOFUNCTION: forwards changed counts to the caller's progress callback.
    func reportProgress(downloadTotal: Int64, downloaded: Int64, uploadTotal: Int64, uploaded: Int64) {
        guard let callback = spec.progress else { return }
        let progress = TransferProgress(
            bytesSent: uploaded,
            totalBytesToSend: uploadTotal > 0 ? uploadTotal : (uploadLength > 0 ? uploadLength : nil),
            bytesReceived: downloaded,
            totalBytesToReceive: downloadTotal > 0 ? downloadTotal : nil,
            attempt: spec.attempt)
        guard progress != lastProgress else { return }
        lastProgress = progress
        callback(progress)
    }

    /// DEBUGFUNCTION (only installed when tracing): header blocks and curl's own remarks,
    /// redacted line by line.
    func debug(type: curl_infotype, _ data: UnsafeRawBufferPointer) {
        let text = String(decoding: data, as: UTF8.self)
        let lines = text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\r\n" || $0 == "\n" || $0 == "\r" })
        for line in lines {
            let clean = Redaction.text(String(line))
            switch type {
            case CURLINFO_HEADER_OUT: spec.emit(.requestHeader(clean))
            case CURLINFO_HEADER_IN: spec.emit(.responseHeader(clean))
            case CURLINFO_TEXT: spec.emit(.info(clean))
            default: break
            }
        }
    }
}
