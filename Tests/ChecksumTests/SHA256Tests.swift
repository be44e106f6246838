import Foundation
import Testing
import Checksum

@Test(arguments: [
    ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
])
func knownVectors(input: String, expected: String) {
    #expect(SHA256.hex(Data(input.utf8)) == expected)
}

@Test func millionAsFedInUnevenPieces() {
    var hasher = SHA256()
    let piece = [UInt8](repeating: UInt8(ascii: "a"), count: 997)
    var fed = 0
    while fed < 1_000_000 {
        let n = min(piece.count, 1_000_000 - fed)
        hasher.update(Array(piece[0..<n]))
        fed += n
    }
    #expect(hasher.hexDigest() == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
}

@Test func everyLengthAroundTheBlockBoundaryMatchesOneShot() {
    // Split points across the 55/56/64-byte padding edges must not change the digest.
    let data = Data((0..<200).map { UInt8($0 & 0xff) })
    for length in [55, 56, 57, 63, 64, 65, 119, 120, 128] {
        let whole = SHA256.hex(data.prefix(length))
        for split in [0, 1, 31, length / 2, length - 1] {
            var hasher = SHA256()
            hasher.update(data.prefix(split))
            hasher.update(data.prefix(length).dropFirst(split))
            #expect(hasher.hexDigest() == whole, "length \(length) split \(split)")
        }
    }
}

@Test func hashesAFile() throws {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)").path
    try Data("abc".utf8).write(to: URL(fileURLWithPath: path))
    defer { try? FileManager.default.removeItem(atPath: path) }
    #expect(try SHA256.hex(fileAt: path) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    #expect(throws: (any Error).self) { try SHA256.hex(fileAt: path + ".missing") }
}
