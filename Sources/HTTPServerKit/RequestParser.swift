/// Why a request head was refused, with the status to answer.
struct HeadError: Error {
    let status: Int
    let detail: String
}

enum RequestParser {
    static let maxHeaderCount = 100

    /// Parses a request line and header fields (RFC 9112). Obsolete line folding, bare
    /// whitespace before a colon and non-token names are refused, as request smuggling
    /// hides in them.
    static func parse(_ bytes: [UInt8]) throws(HeadError) -> (method: String, target: String, version: String, headers: HeaderFields) {
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = 0
        for i in bytes.indices where bytes[i] == 0x0A {
            var lineEnd = i
            if lineEnd > lineStart, bytes[lineEnd - 1] == 0x0D { lineEnd -= 1 }
            lines.append(bytes[lineStart..<lineEnd])
            lineStart = i + 1
        }
        // Tolerate leading empty lines before the request line (RFC 9112 §2.2).
        while let first = lines.first, first.isEmpty { lines.removeFirst() }
        guard let requestLine = lines.first else { throw HeadError(status: 400, detail: "empty request") }
        let parts = requestLine.split(separator: 0x20, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, !parts[1].isEmpty else {
            throw HeadError(status: 400, detail: "malformed request line")
        }
        let method = String(decoding: parts[0], as: UTF8.self)
        let target = String(decoding: parts[1], as: UTF8.self)
        let version = String(decoding: parts[2], as: UTF8.self)
        guard method.utf8.allSatisfy(isTokenByte) else { throw HeadError(status: 400, detail: "malformed method") }
        guard version == "HTTP/1.1" || version == "HTTP/1.0" else {
            if version.hasPrefix("HTTP/") { throw HeadError(status: 505, detail: "only HTTP/1.0 and HTTP/1.1 are served") }
            throw HeadError(status: 400, detail: "malformed request line")
        }
        guard target.hasPrefix("/") || target == "*" else {
            throw HeadError(status: 400, detail: "request target must be an absolute path")
        }
        var headers = HeaderFields()
        for line in lines.dropFirst() where !line.isEmpty {
            if line.first == 0x20 || line.first == 0x09 { throw HeadError(status: 400, detail: "obsolete line folding") }
            guard let colon = line.firstIndex(of: 0x3A), colon > line.startIndex else {
                throw HeadError(status: 400, detail: "malformed header field")
            }
            let name = line[line.startIndex..<colon]
            guard name.allSatisfy(isTokenByte) else { throw HeadError(status: 400, detail: "malformed header name") }
            var value = line[(colon + 1)...]
            while let f = value.first, f == 0x20 || f == 0x09 { value.removeFirst() }
            while let l = value.last, l == 0x20 || l == 0x09 { value.removeLast() }
            headers.add(String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
            if headers.entries.count > maxHeaderCount { throw HeadError(status: 431, detail: "too many header fields") }
        }
        if version == "HTTP/1.1", headers["Host"] == nil { throw HeadError(status: 400, detail: "missing Host header") }
        return (method, target, version, headers)
    }

    /// The body framing a head asks for.
    enum Framing: Equatable {
        case none
        case length(Int64)
        case chunked
    }

    static func framing(_ headers: HeaderFields) throws(HeadError) -> Framing {
        let encodings = headers.values("Transfer-Encoding")
        let lengths = headers.values("Content-Length")
        if !encodings.isEmpty {
            guard lengths.isEmpty else {
                throw HeadError(status: 400, detail: "both Transfer-Encoding and Content-Length")
            }
            let codings = encodings.flatMap { $0.split(separator: ",") }
                .map { $0.trimmingSpaces().lowercased() }
            guard codings == ["chunked"] else { throw HeadError(status: 501, detail: "only chunked transfer coding is supported") }
            return .chunked
        }
        guard let first = lengths.first else { return .none }
        let all = Set(lengths.flatMap { $0.split(separator: ",") }.map { $0.trimmingSpaces() })
        guard all.count == 1, first.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), first.count <= 18,
              let length = Int64(first) else {
            throw HeadError(status: 400, detail: "malformed Content-Length")
        }
        return length == 0 ? .none : .length(length)
    }
}

private func isTokenByte(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: true
    case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
         UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
         UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"): true
    default: false
    }
}

private extension StringProtocol {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
