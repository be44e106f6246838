import BackendAPI
import Foundation
import Testing
@testable import ChargeKit

/// The repository root, where `Fixtures/profiles` lives.
let profileRepositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// Loads profiles the way the CLI will: relative paths from the repository root, the
/// environment injected.
func fixtureLoader(environment: [String: String] = [:]) -> ProfileLoader {
    ProfileLoader(environment: environment, workingDirectory: profileRepositoryRoot)
}

/// The issues of loading `path` (relative to the repository root); none when it loads.
func loadIssues(_ path: String, environment: [String: String] = [:]) -> [ProfileIssue] {
    loadIssues(path, with: fixtureLoader(environment: environment))
}

func loadIssues(_ path: String, with loader: ProfileLoader) -> [ProfileIssue] {
    do {
        _ = try loader.load(path)
        return []
    } catch {
        return error.issues
    }
}

/// The issues of resolving a loaded profile for a charger; none when it resolves.
func resolveIssues(_ profile: Profile, for charger: ChargerIdentity) -> [ProfileIssue] {
    do {
        _ = try profile.resolve(for: charger)
        return []
    } catch {
        return error.issues
    }
}

/// A loader over files held in memory, for cases no fixture needs to show.
func memoryLoader(_ files: [String: String], environment: [String: String] = [:]) -> ProfileLoader {
    ProfileLoader(environment: environment, workingDirectory: "/mem") { path throws(ProfileLoader.ReadError) in
        guard let text = files[path] else { throw ProfileLoader.ReadError(reason: "No such file or directory") }
        return Array(text.utf8)
    }
}

let alfen16 = ChargerIdentity(vendor: "Alfen", model: "Eve Single S-line", ocppVersion: .v16)
let abbTerraAC = ChargerIdentity(vendor: "ABB", model: "Terra AC W22", ocppVersion: .v16)
let abbTerra54 = ChargerIdentity(vendor: "ABB", model: "Terra 54", ocppVersion: .v16)
let zaptecPro = ChargerIdentity(vendor: "Zaptec", model: "Pro", ocppVersion: .v201)
let kempower = ChargerIdentity(vendor: "Kempower", model: "S-Series", ocppVersion: .v201)

/// A 1.6 configuration item.
func item16(_ key: String, _ value: String?, readonly: Bool = false) -> ConfigurationItem {
    ConfigurationItem(key: key, value: value, readonly: readonly)
}

/// A 2.0.1 configuration item.
func item201(_ key: String, _ value: String?, _ mutability: Mutability = .readWrite) -> ConfigurationItem {
    ConfigurationItem(key: key, value: value, readonly: mutability == .readOnly, mutability: mutability)
}
