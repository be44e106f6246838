import ChargeKit
import ChargeKitCLI
import DurableFiles
import Foundation
import JSON
import TestSupport
import Testing

/// Meta-tests: the man pages, the option tables and the exit codes agree (as curl's
/// test 1139 keeps its man page and option table in step).
@Suite struct ManPageTests {
    static let manDirectory = packageRoot.appendingPathComponent("man")

    struct Page {
        let name: String
        let lines: [String]

        init(_ name: String) throws {
            self.name = name
            let url = ManPageTests.manDirectory.appendingPathComponent(name + ".1")
            lines = try String(contentsOf: url, encoding: .utf8).components(separatedBy: "\n")
        }

        var sectionNames: [String] {
            lines.filter { $0.hasPrefix(".SH ") }.map { String($0.dropFirst(4)).replacingOccurrences(of: "\"", with: "") }
        }

        /// The roff source lines of one `.SH` section.
        func section(_ title: String) -> [String] {
            var inside = false
            var result: [String] = []
            for line in lines {
                if line.hasPrefix(".SH ") {
                    inside = String(line.dropFirst(4)).replacingOccurrences(of: "\"", with: "") == title
                    continue
                }
                if inside { result.append(line) }
            }
            return result
        }

        /// Long options written as `\-\-name` in a section, as plain names ("token-file").
        func longOptions(in title: String) -> Set<String> {
            var names: Set<String> = []
            for line in section(title) {
                for match in line.matches(of: /\\-\\-([a-z0-9]+(?:\\-[a-z0-9]+)*)/) {
                    names.insert(String(match.1).replacingOccurrences(of: "\\-", with: "-"))
                }
            }
            return names
        }
    }

    static let pageNames: [String] = {
        let files = (try? FileManager.default.contentsOfDirectory(atPath: manDirectory.path)) ?? []
        return files.filter { $0.hasSuffix(".1") }.map { String($0.dropLast(2)) }.sorted()
    }()

    /// The table an OPTIONS section documents: the options of every command whose man page
    /// it is, plus the global options (a command page may describe the globals it uses).
    static func documentedTable(for page: String) -> [OptionSpec] {
        let commandOptions = CLI.commands.filter { $0.spec.manPage == page }.flatMap(\.spec.options)
        return commandOptions + GlobalOptions.all
    }

    static func optionsSection(of page: String) -> String {
        page == "chargekit" ? "GLOBAL OPTIONS" : "OPTIONS"
    }

    @Test func pagesExistForEveryCommandAndNoneAreStale() {
        #expect(Self.pageNames.contains("chargekit"))
        let commandPages = Set(CLI.commands.map(\.spec.manPage))
        for page in commandPages {
            #expect(Self.pageNames.contains(page), "missing man/\(page).1")
        }
        for page in Self.pageNames where page != "chargekit" {
            #expect(commandPages.contains(page), "man/\(page).1 documents no command")
        }
        #expect(CLI.commands.first { $0.spec.path == ["login"] }?.spec.manPage == "chargekit-login")
        #expect(CLI.commands.first { $0.spec.path == ["logout"] }?.spec.manPage == "chargekit-login")
    }

    @Test func requiredSections() throws {
        let main = try Page("chargekit")
        #expect(main.sectionNames == ["NAME", "SYNOPSIS", "DESCRIPTION", "GLOBAL OPTIONS", "COMMANDS", "EXIT STATUS",
                                      "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"])
        for name in Self.pageNames where name != "chargekit" {
            #expect(try Page(name).sectionNames == ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS",
                                                    "ENVIRONMENT", "FILES", "EXAMPLES", "SEE ALSO"], "\(name)")
        }
    }

    @Test func exitStatusListsExactlyTheExitCodes() throws {
        let section = try Page("chargekit").section("EXIT STATUS")
        var listed: [Int32] = []
        for (index, line) in section.enumerated() where line == ".TP" && index + 1 < section.count {
            if let match = section[index + 1].wholeMatch(of: /\.B (\d+)/), let number = Int32(match.1) {
                listed.append(number)
            }
        }
        #expect(listed == ExitCode.allCases.map(\.rawValue), "every case, in order, and nothing else")
        #expect(Set(listed).count == listed.count)
        for code in ExitCode.allCases {
            #expect(ExitCode(rawValue: code.rawValue) == code)
        }
    }

    @Test func everyGlobalOptionIsInChargekit1() throws {
        let page = try Page("chargekit")
        let documented = page.longOptions(in: "GLOBAL OPTIONS")
        for option in GlobalOptions.all {
            #expect(documented.contains(option.long), "--\(option.long) is not in chargekit.1")
            if let short = option.short {
                let long = option.long.replacingOccurrences(of: "-", with: "\\-")
                #expect(page.section("GLOBAL OPTIONS").contains { $0.contains("\\-\(short) ") && $0.contains("\\-\\-\(long)") },
                        "-\(short) is not next to --\(option.long) in chargekit.1")
            }
        }
    }

    @Test func everyCommandOptionIsInItsPage() throws {
        for command in CLI.commands {
            let page = try Page(command.spec.manPage)
            let documented = page.longOptions(in: Self.optionsSection(of: command.spec.manPage))
            for option in command.spec.options + command.spec.relevantGlobalOptions {
                #expect(documented.contains(option.long), "--\(option.long) of '\(command.spec.name)' is not in \(page.name).1")
            }
        }
    }

    @Test func everyDocumentedOptionExists() throws {
        for name in Self.pageNames {
            let table = Self.documentedTable(for: name)
            var known = Set(table.map(\.long))
            for option in table where option.negatable { known.insert("no-" + option.long) }
            for option in try Page(name).longOptions(in: Self.optionsSection(of: name)) {
                #expect(known.contains(option), "\(name).1 documents --\(option), which no table declares")
            }
        }
    }

    @Test func everyCommandIsInTheCommandsSection() throws {
        let section = try Page("chargekit").section("COMMANDS")
        for command in CLI.commands {
            let words = command.spec.name
            #expect(section.contains { $0 == ".B \(words)" || $0.hasPrefix(".BR \(words) ") }, "\(words)")
        }
    }

    @Test func environmentSectionNamesEveryVariable() throws {
        let section = try Page("chargekit").section("ENVIRONMENT")
        for variable in ["CHARGEKIT_BACKEND", "CHARGEKIT_TOKEN_FILE", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "NO_COLOR", "TERM"] {
            #expect(section.contains(".B \(variable)"), "\(variable)")
        }
    }

    @Test(arguments: pageNames)
    func groffRendersWithoutWarnings(page: String) async throws {
        guard let groff = ["/usr/bin/groff", "/usr/local/bin/groff", "/opt/homebrew/bin/groff"]
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return  // groff is not installed: nothing to check here.
        }
        let result = try await runTool(groff, ["-man", "-ww", "-z", Self.manDirectory.appendingPathComponent(page + ".1").path])
        #expect(result.status == 0)
        #expect(result.stderr == "", "\(page).1: \(result.stderr)")
    }
}

@Suite struct ErrorMappingTests {
    @Test func libraryErrorsMapToTheirExitCodes() {
        let atomic = AtomicFileError(operation: .write, path: "/x", code: 28)
        let cases: [(any Error, ExitCode)] = [
            (CLIError(.checksFailed, "2 checks failed"), .checksFailed),
            (UsageError("bad"), .usage),
            (CredentialError.emptyToken, .dataError),
            (CredentialError.invalidToken, .dataError),
            (CredentialError.notFound(path: "/t"), .noPermission),
            (CredentialError.malformedFile(path: "/t", reason: .empty), .dataError),
            (CredentialError.unreadable(path: "/t", code: 13), .ioError),
            (CredentialError.write(atomic), .ioError),
            (atomic, .ioError),
            (ConfigFileError.malformed(path: "/c", location: TextLocation(line: 1, column: 2), reason: "x"), .config),
            (ConfigFileError.write(atomic), .ioError),
            (SettingsError.invalid(setting: "backend", source: .flag("--backend"), reason: "x"), .usage),
            (SettingsError.invalid(setting: "backend", source: .environment("CHARGEKIT_BACKEND"), reason: "x"), .config),
            (SettingsError.noConfigDirectory, .config),
            (InputError(code: 5), .ioError),
            (CocoaError(.featureUnsupported), .software),
            (ProfileError([ProfileIssue(.unknownSetting, at: DocumentOrigin(file: "p.json", location: nil, field: "settings.x"), "unknown")]),
             .dataError),
            (ProfileError([ProfileIssue(.unreadableFile, at: DocumentOrigin(file: "p.json", location: nil, field: ""), "missing")]),
             .noInput),
            (ConfigureError.identityUnknown(chargerId: "CP-1"), .unavailable),
        ]
        for (error, code) in cases {
            #expect(ErrorMapping.report(for: error).code == code, "\(error)")
        }
        #expect(ErrorMapping.report(for: UsageError("bad", commandPath: ["config", "get"])).hint
                == "Run 'chargekit config get --help' for usage.")
    }
}
