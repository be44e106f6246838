import ChargeKit
import DurableFiles
import Foundation
import JSON
import Testing

/// The library's Store: atomic writes, config.json and token storage.
@Suite struct AtomicFileTests {
    @Test func writesWithTheRequestedModeAndReplaces() throws {
        let sandbox = try Sandbox()
        let path = sandbox.work + "/file"
        try AtomicFile.write("one", to: path, mode: 0o600)
        #expect(sandbox.read(path) == "one")
        #expect(sandbox.mode(of: path) == 0o600)
        try AtomicFile.write("two", to: path, mode: 0o640)
        #expect(sandbox.read(path) == "two")
        #expect(sandbox.mode(of: path) == 0o640)
        try AtomicFile.write([UInt8](), to: path)
        #expect(sandbox.read(path) == "")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.work) == ["file"])
    }

    @Test func failsWithATypedErrorAndLeavesNothing() throws {
        let sandbox = try Sandbox()
        let path = sandbox.work + "/missing/file"
        #expect(throws: AtomicFileError(operation: .createTemporaryFile, path: path, code: ENOENT)) {
            try AtomicFile.write("x", to: path)
        }
        let error = AtomicFileError(operation: .createTemporaryFile, path: path, code: ENOENT)
        #expect(error.description == "cannot create a temporary file for \(path): No such file or directory")
        #expect(try FileManager.default.contentsOfDirectory(atPath: sandbox.work) == [])
    }

    @Test func createsDirectoriesWith0700() throws {
        let sandbox = try Sandbox()
        try AtomicFile.createDirectories(sandbox.work + "/a/b/c")
        #expect(sandbox.mode(of: sandbox.work + "/a") == 0o700)
        #expect(sandbox.mode(of: sandbox.work + "/a/b/c") == 0o700)
        try AtomicFile.createDirectories(sandbox.work + "/a/b/c")
        try sandbox.write("f", to: sandbox.work + "/f")
        #expect(throws: AtomicFileError(operation: .createDirectory, path: sandbox.work + "/f", code: ENOTDIR)) {
            try AtomicFile.createDirectories(sandbox.work + "/f/g")
        }
    }

    @Test func removeSaysWhetherThereWasAFile() throws {
        let sandbox = try Sandbox()
        try sandbox.write("x", to: sandbox.work + "/x")
        #expect(try AtomicFile.remove(sandbox.work + "/x"))
        #expect(try AtomicFile.remove(sandbox.work + "/x") == false)
    }
}

@Suite struct ConfigFileTests {
    @Test func missingFileIsEmpty() throws {
        let sandbox = try Sandbox()
        let file = try ConfigFile.load(path: sandbox.configPath)
        #expect(!file.exists)
        #expect(file.members.isEmpty)
        #expect(try file.string("backend") == nil)
    }

    @Test func setKeepsPositionAndOtherKeys() throws {
        let sandbox = try Sandbox()
        try sandbox.write(#"{"x": 1, "backend": "a", "y": null}"#, to: sandbox.configPath)
        var file = try ConfigFile.load(path: sandbox.configPath)
        #expect(file.location(of: "backend") == TextLocation(line: 1, column: 21))
        file.set("backend", .string("b"))
        file.set("new", .bool(true))
        file.set("x", nil)
        try file.save()
        #expect(sandbox.read(sandbox.configPath) == "{\n  \"backend\": \"b\",\n  \"y\": null,\n  \"new\": true\n}\n")
        #expect(try ConfigFile.load(path: sandbox.configPath).string("y") == nil)
    }

    @Test func rewriteKeepsUnknownKeysTheirOrderAndNumberSpellings() throws {
        let sandbox = try Sandbox()
        try sandbox.write(#"{"timeout": 30.0, "zeta": {"z": 1e3, "a": [1.50, -0]}, "backend": "a", "alpha": 1E+2}"#,
                          to: sandbox.configPath)
        var file = try ConfigFile.load(path: sandbox.configPath)
        #expect(try file.number("timeout") == 30)
        file.set("backend", .string("b"))
        try file.save()
        #expect(sandbox.read(sandbox.configPath) == """
            {
              "timeout": 30.0,
              "zeta": {
                "z": 1e3,
                "a": [
                  1.50,
                  -0
                ]
              },
              "backend": "b",
              "alpha": 1E+2
            }

            """)
    }

    @Test func strictParsingWithLocatedErrors() throws {
        let sandbox = try Sandbox()
        try sandbox.write("{\n  \"backend\": \"a\",\n}", to: sandbox.configPath)
        #expect(throws: ConfigFileError.malformed(path: sandbox.configPath, location: TextLocation(line: 3, column: 1),
                                                  reason: "unexpected character '}', expected a string key")) {
            try ConfigFile.load(path: sandbox.configPath)
        }
        try sandbox.write(#"{"backend": "a", "backend": "b"}"#, to: sandbox.configPath)
        #expect(throws: ConfigFileError.malformed(path: sandbox.configPath, location: TextLocation(line: 1, column: 18),
                                                  reason: "duplicate key \"backend\"")) {
            try ConfigFile.load(path: sandbox.configPath)
        }
        try sandbox.write("[]", to: sandbox.configPath)
        #expect(throws: ConfigFileError.notAnObject(path: sandbox.configPath)) { try ConfigFile.load(path: sandbox.configPath) }
        // Editors may write a byte order mark; config files may nest deeper than OCPP frames.
        let deep = String(repeating: "[", count: 200) + String(repeating: "]", count: 200)
        try sandbox.write("\u{FEFF}{\"x\": \(deep)}", to: sandbox.configPath)
        #expect(try ConfigFile.load(path: sandbox.configPath)["x"] != nil)
    }

    @Test func typedAccessors() throws {
        let sandbox = try Sandbox()
        try sandbox.write(#"{"timeout": "soon", "backend": ["x"]}"#, to: sandbox.configPath)
        let file = try ConfigFile.load(path: sandbox.configPath)
        #expect(throws: ConfigFileError.wrongType(path: sandbox.configPath, key: "timeout", expected: "a number",
                                                  found: "a string", location: TextLocation(line: 1, column: 13))) {
            try file.number("timeout")
        }
        #expect(throws: ConfigFileError.self) { try file.string("backend") }
    }
}

@Suite struct CredentialTests {
    @Test func tokenValidation() throws {
        #expect(try BearerToken(validating: "  abc.DEF-123_~+/=\r\n").value == "abc.DEF-123_~+/=")
        #expect(throws: CredentialError.emptyToken) { try BearerToken(validating: " \n\t") }
        #expect(throws: CredentialError.invalidToken) { try BearerToken(validating: "ab cd") }
        #expect(throws: CredentialError.invalidToken) { try BearerToken(validating: "abc\u{7F}") }
        #expect(throws: CredentialError.invalidToken) { try BearerToken(validating: "jeton-é") }
        #expect(throws: CredentialError.invalidToken) { try BearerToken(validating: "a\r\nX-Injected: 1") }
        #expect(throws: CredentialError.tokenTooLong) {
            try BearerToken(validating: String(repeating: "a", count: CredentialStore.maximumTokenLength + 1))
        }
    }

    @Test func tokenNeverDescribesItself() throws {
        let token = try BearerToken(validating: "sekrit-value")
        var dumped = ""
        dump(token, to: &dumped)
        for text in ["\(token)", String(describing: token), String(reflecting: token), dumped, "\([token])"] {
            #expect(!text.contains("sekrit"), "\(text)")
        }
    }

    @Test func saveReadRemove() throws {
        let sandbox = try Sandbox()
        let path = sandbox.work + "/deep/dir/token"
        try CredentialStore.save(BearerToken(validating: "t0k"), to: path)
        #expect(sandbox.mode(of: path) == 0o600)
        #expect(sandbox.mode(of: sandbox.work + "/deep/dir") == 0o700)
        let stored = try CredentialStore.read(from: path)
        #expect(stored.token.value == "t0k")
        #expect(stored.mode == 0o600)
        #expect(!stored.isAccessibleByOthers)
        try FileManager.default.setAttributes([.posixPermissions: 0o604], ofItemAtPath: path)
        #expect(try CredentialStore.read(from: path).isAccessibleByOthers)
        #expect(try CredentialStore.remove(at: path))
        #expect(throws: CredentialError.notFound(path: path)) { try CredentialStore.read(from: path) }
        #expect(try CredentialStore.remove(at: path) == false)
    }
}
