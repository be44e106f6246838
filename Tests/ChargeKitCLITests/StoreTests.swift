import ChargeKit
import Foundation
import Testing

/// The library's Store: atomic writes, the JSON parser, config.json and token storage.
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

@Suite struct JSONParserTests {
    func parse(_ text: String) throws -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    func failure(_ text: String) -> JSONSyntaxError? {
        do {
            _ = try JSONParser.parse(Array(text.utf8))
            return nil
        } catch {
            return error
        }
    }

    @Test func parsesEveryKindKeepingOrderAndNumberText() throws {
        let value = try parse(#"{"z": 1.50, "a": [true, false, null, -0, 1e-3], "s": "\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"}"#)
        #expect(value == .object([
            JSONMember("z", .number("1.50")),
            JSONMember("a", .array([.bool(true), .bool(false), .null, .number("-0"), .number("1e-3")])),
            JSONMember("s", .string("\"\\/\u{08}\u{0C}\n\r\té😀")),
        ]))
    }

    @Test func formattedTextRoundTrips() throws {
        let text = "{\n  \"b\": \"x\\ny\",\n  \"a\": [\n    1,\n    {}\n  ],\n  \"e\": []\n}\n"
        #expect(try parse(text).formatted() == text)
        #expect(JSONValue.string("\u{01}").formatted() == "\"\\u0001\"\n")
        #expect(JSONValue.number(30.0) == .number("30"))
        #expect(JSONValue.number(2.5) == .number("2.5"))
    }

    @Test func errorsAreLocated() {
        let cases: [(String, Int, Int, String)] = [
            ("", 1, 1, "unexpected end of file, expected a value"),
            ("{\n  \"a\": 1,\n}", 3, 1, "unexpected character '}', expected a string key"),
            ("{\"a\" 1}", 1, 6, "unexpected character '1', expected ':'"),
            ("{\"a\": tru}", 1, 10, "unexpected character '}', expected 'true'"),
            ("[1 2]", 1, 4, "unexpected character '2', expected ',' or ']'"),
            ("{\"é\": x}", 1, 7, "unexpected character 'x', expected a value"),
            ("{\"a\": 1} x", 1, 10, "unexpected character 'x' after the document"),
            ("{\"a\": 01}", 1, 8, "leading zero in a number"),
            ("{\"a\": \"x}", 1, 7, "unterminated string"),
            ("{\"a\": \"\\q\"}", 1, 8, "invalid escape sequence"),
            ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\""),
            ("// comment\n{}", 1, 1, "unexpected character '/', expected a value"),
            ("{\"a\": \"\u{01}\"}", 1, 8, "control character in a string (escape it)"),
            ("\"\\ud800\"", 1, 2, "unpaired surrogate in \\u escape"),
        ]
        for (text, line, column, reason) in cases {
            let error = failure(text)
            #expect(error?.location == TextLocation(line: line, column: column), "\(text)")
            #expect(error?.reason == reason, "\(text)")
        }
        #expect(failure(String(repeating: "[", count: 300))?.reason == "nested too deeply")
    }

    @Test func invalidUTF8InAStringIsAnError() {
        do {
            _ = try JSONParser.parse([0x22, 0xFF, 0x22])
            Issue.record("expected an error")
        } catch {
            #expect(error.reason == "invalid UTF-8 in a string")
        }
    }

    @Test func byteOrderMarkIsSkipped() throws {
        #expect(try JSONParser.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8)) == .object([]))
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
