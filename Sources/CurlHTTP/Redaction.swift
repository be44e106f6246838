/// Hides secrets before anything is shown to a human: traces, errors, retry messages.
///
/// Redacted: the values of `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie` and
/// of any header or query parameter whose name contains token, secret, password, passwd,
/// api-key/apikey/api_key, signature or credential; `Bearer xxx` anywhere; the password of
/// `user:password@` in URLs. Each becomes ``placeholder``.
///
/// Other modules (the CLI's `--verbose`, logs) should use these functions too.
public enum Redaction {
    /// What a secret is replaced with.
    public static let placeholder = "[redacted]"

    private static let sensitiveHeaders: Set<String> = [
        "authorization", "proxy-authorization", "cookie", "set-cookie",
    ]
    private static let sensitiveFragments = [
        "token", "secret", "password", "passwd", "apikey", "signature", "credential",
    ]

    /// Whether a header or parameter named `name` carries a secret.
    public static func isSensitive(name: String) -> Bool {
        let lower = name.lowercased()
        if sensitiveHeaders.contains(lower) { return true }
        let squashed = lower.filter { $0 != "-" && $0 != "_" && $0 != "." }
        return sensitiveFragments.contains { squashed.contains($0) }
    }

    /// The value to display for the header `name: value`.
    public static func header(name: String, value: String) -> String {
        isSensitive(name: name) ? placeholder : text(value)
    }

    /// A URL with token-like query parameters and any userinfo password redacted.
    public static func url(_ url: String) -> String {
        text(url)
    }

    /// Redacts one line of free text: a header line `Name: value`, a request line,
    /// a URL, or a message that may contain any of them.
    public static func text(_ text: String) -> String {
        if let colon = text.firstIndex(of: ":") {
            let name = text[..<colon]
            if !name.isEmpty, name.allSatisfy(isTokenCharacter), isSensitive(name: String(name)) {
                return "\(name): \(placeholder)"
            }
        }
        var bytes = Array(text.utf8)
        bytes = redactParameters(bytes)
        bytes = redactBearer(bytes)
        bytes = redactUserinfo(bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func isTokenCharacter(_ c: Character) -> Bool {
        c.isASCII && (c.isLetter || c.isNumber || "!#$%&'*+-.^_`|~".contains(c))
    }

    private static let placeholderBytes = Array(placeholder.utf8)

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
            || b == UInt8(ascii: "_") || b == UInt8(ascii: "-") || b == UInt8(ascii: ".")
    }

    private static func endsValue(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "&"), UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "#"),
             UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: ";"), UInt8(ascii: ","),
             UInt8(ascii: "\r"), UInt8(ascii: "\n"):
            return true
        default:
            return false
        }
    }

    /// `?access_token=abc&x=1` becomes `?access_token=[redacted]&x=1`.
    private static func redactParameters(_ input: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            if input[i] == UInt8(ascii: "=") {
                var start = out.count
                while start > 0 && isNameByte(out[start - 1]) { start -= 1 }
                let precededBySeparator = start == 0 || endsValue(out[start - 1]) || out[start - 1] == UInt8(ascii: "?")
                if start < out.count, precededBySeparator,
                   isSensitive(name: String(decoding: out[start...], as: UTF8.self)) {
                    out.append(UInt8(ascii: "="))
                    out.append(contentsOf: placeholderBytes)
                    i += 1
                    while i < input.count && !endsValue(input[i]) { i += 1 }
                    continue
                }
            }
            out.append(input[i])
            i += 1
        }
        return out
    }

    /// `Bearer abc.def` becomes `Bearer [redacted]` (case-insensitive).
    private static func redactBearer(_ input: [UInt8]) -> [UInt8] {
        let keyword = Array("bearer".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            let atWordStart = i == 0 || !isNameByte(input[i - 1])
            if atWordStart, i + keyword.count < input.count,
               zip(input[i..<(i + keyword.count)], keyword).allSatisfy({ ($0 | 0x20) == $1 }) {
                var j = i + keyword.count
                guard input[j] == UInt8(ascii: " ") || input[j] == UInt8(ascii: "\t") else {
                    out.append(input[i])
                    i += 1
                    continue
                }
                while j < input.count && (input[j] == UInt8(ascii: " ") || input[j] == UInt8(ascii: "\t")) { j += 1 }
                var end = j
                while end < input.count && !endsValue(input[end]) { end += 1 }
                out.append(contentsOf: input[i..<j])
                if end > j { out.append(contentsOf: placeholderBytes) }
                i = end
                continue
            }
            out.append(input[i])
            i += 1
        }
        return out
    }

    /// `https://user:pw@host/` becomes `https://user:[redacted]@host/`.
    private static func redactUserinfo(_ input: [UInt8]) -> [UInt8] {
        let marker = Array("://".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        while i < input.count {
            if i + marker.count <= input.count, Array(input[i..<(i + marker.count)]) == marker {
                out.append(contentsOf: marker)
                i += marker.count
                var end = i
                while end < input.count, !endsValue(input[end]),
                      input[end] != UInt8(ascii: "/"), input[end] != UInt8(ascii: "?") {
                    end += 1
                }
                let authority = input[i..<end]
                if let at = authority.lastIndex(of: UInt8(ascii: "@")),
                   let colon = input[i..<at].firstIndex(of: UInt8(ascii: ":")) {
                    out.append(contentsOf: input[i...colon])
                    out.append(contentsOf: placeholderBytes)
                    out.append(contentsOf: input[at..<end])
                } else {
                    out.append(contentsOf: authority)
                }
                i = end
                continue
            }
            out.append(input[i])
            i += 1
        }
        return out
    }
}
