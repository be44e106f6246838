import Checksum
import Foundation

/// Signs and checks the `sig` of the charger-facing download URL: `e<unix expiry>.<hex
/// SHA-256 of secret, firmware id and expiry>`. Chargers cannot send the bearer token, so
/// the URL itself carries an unguessable, expiring authorisation.
struct DownloadSigner: Sendable {
    private let secret: String

    init() {
        var generator = SystemRandomNumberGenerator()
        secret = (0..<4).map { _ in String(generator.next(), radix: 16) }.joined(separator: "-")
    }

    func sign(firmwareId: String, expires: Date) -> String {
        let expiry = Int64(expires.timeIntervalSince1970.rounded(.up))
        return "e\(expiry)." + mac(firmwareId, expiry)
    }

    enum Verdict: Equatable {
        case valid
        case missing, malformed, badSignature, expired
    }

    func verify(_ sig: String?, firmwareId: String, now: Date = Date()) -> Verdict {
        guard let sig, !sig.isEmpty else { return .missing }
        let parts = sig.split(separator: ".", maxSplits: 1)
        guard parts.count == 2, parts[0].hasPrefix("e"), let expiry = Int64(parts[0].dropFirst()) else { return .malformed }
        guard constantTimeEqual(Array(parts[1].utf8), Array(mac(firmwareId, expiry).utf8)) else { return .badSignature }
        guard Double(expiry) >= now.timeIntervalSince1970 else { return .expired }
        return .valid
    }

    private func mac(_ firmwareId: String, _ expiry: Int64) -> String {
        SHA256.hex(Data("\(secret)\n\(firmwareId)\n\(expiry)\n\(secret)".utf8))
    }

    private func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}
