import Foundation

/// The repository's `Fixtures/` directory, for tests that need certificates, profiles or
/// scenarios. Found from this source file's location, so it works from any working directory.
public enum Fixtures {
    /// Absolute path of `Fixtures/`, or nil if the source tree is not where it was built.
    public static func directory(filePath: String = #filePath) -> String? {
        var url = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while url.path != "/" {
            let candidate = url.appendingPathComponent("Fixtures")
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), isDirectory.boolValue,
               FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
                return candidate.path
            }
            url = url.deletingLastPathComponent()
        }
        return nil
    }

    public struct Missing: Error, CustomStringConvertible {
        public let description: String
    }

    /// The absolute path of `relative` inside `Fixtures/`; throws if it does not exist.
    public static func path(_ relative: String) throws -> String {
        guard let directory = directory() else {
            throw Missing(description: "cannot find the repository's Fixtures/ directory from \(#filePath)")
        }
        let path = directory + "/" + relative
        guard FileManager.default.fileExists(atPath: path) else {
            throw Missing(description: "missing fixture \(path)")
        }
        return path
    }
}
