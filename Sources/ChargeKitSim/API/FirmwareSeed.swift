import Checksum
import Foundation

/// The catalogue a fresh simulator starts with: for every charger model in the fleet the
/// firmware versions its chargers run and one newer version, all approved, as small
/// deterministic images (64–128 KiB of seeded bytes: the same versions give the same images,
/// and so the same sha256 and ids, in every run).
enum FirmwareSeed {
    struct Image: Sendable {
        var version: String
        /// Charger models (as they report `model`) the image is for.
        var models: [String]
        var filename: String
        var notes: String
        /// The newer version nobody runs yet (uploaded later than the current ones).
        var isUpgrade: Bool
        var data: Data
        var sha256: String
    }

    static func images(for specs: [ChargerSpec]) -> [Image] {
        var running: [String: Set<String>] = [:]  // model -> versions in the fleet
        var newest: [String: String] = [:]         // model -> its newest known version
        for spec in specs {
            running[spec.model.model, default: []].insert(spec.firmwareVersion)
            newest[spec.model.model] = spec.model.firmwareVersions.last ?? spec.firmwareVersion
        }
        var byVersion: [String: (models: Set<String>, upgrade: Bool)] = [:]
        for (model, versions) in running {
            for version in versions { byVersion[version, default: ([], false)].models.insert(model) }
            let upgrade = newerVersion(than: newest[model] ?? "1.0.0")
            byVersion[upgrade, default: ([], true)].models.insert(model)
            byVersion[upgrade]?.upgrade = true
        }
        return byVersion.keys.sorted().compactMap { version in
            guard let entry = byVersion[version] else { return nil }
            let models = entry.models.sorted()
            let data = image(seed: FNV1a.hash64(version + "|" + models.joined(separator: "|")))
            return Image(version: version, models: models, filename: "firmware-\(version).bin",
                         notes: entry.upgrade ? "Simulated upgrade \(version) (seeded by chargekit sim)."
                                              : "Simulated firmware \(version) as installed (seeded by chargekit sim).",
                         isUpgrade: entry.upgrade, data: data, sha256: SHA256.hex(data))
        }
    }

    /// The version after `version`: its last run of digits plus one (`6.5.1-4230` →
    /// `6.5.1-4231`, `4.3.0.1` → `4.3.0.2`); `-1` appended when it has no digits.
    static func newerVersion(than version: String) -> String {
        let characters = Array(version)
        guard let last = characters.lastIndex(where: \.isNumber) else { return version + "-1" }
        var first = last
        while first > 0, characters[first - 1].isNumber { first -= 1 }
        let digits = String(characters[first...last])
        let bumped = (Int(digits) ?? 0) + 1
        var text = String(bumped)
        if text.count < digits.count { text = String(repeating: "0", count: digits.count - text.count) + text }
        return String(characters[..<first]) + text + String(characters[(last + 1)...])
    }

    private static func image(seed: UInt64) -> Data {
        var rng = SplitMix64(seed: seed)
        let size = 64 * 1024 + Int(rng.next() % (64 * 1024))
        var bytes = [UInt8](repeating: 0, count: size)
        var index = 0
        while index < size {
            var word = rng.next()
            for _ in 0..<8 where index < size {
                bytes[index] = UInt8(truncatingIfNeeded: word)
                word >>= 8
                index += 1
            }
        }
        return Data(bytes)
    }

}
