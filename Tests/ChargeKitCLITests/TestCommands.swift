import ChargeKit
import ChargeKitCLI

/// Commands that exist only in tests, to exercise every syntax, two-level dispatch, the
/// token reader and progress through the real framework.
enum TestCommands {
    static let output = OptionSpec("output", short: "o", .path("FILE"), help: "Write to FILE.")
    static let count = OptionSpec("count", short: "n", .int("N"), help: "Do it N times.")
    static let ratio = OptionSpec("ratio", .double("X"), help: "Scale by X.")
    static let format = OptionSpec("format", .choice(["text", "json", "csv"]), help: "Output format.")
    static let header = OptionSpec("header", short: "H", .value("LINE"), help: "Extra header.", repeatable: true)
    static let verify = OptionSpec("verify", help: "Verify after copying.", negatable: true)
    static let all = OptionSpec("all", short: "a", help: "Everything.")
    static let brief = OptionSpec("brief", short: "b", help: "Less.")
    static let source = PositionalSpec("SOURCE", help: "What to copy.")
    static let destinations = PositionalSpec("DEST", .variadic(min: 0), help: "Where to.")

    static let copy = CommandSpec(path: ["copy"], summary: "Copy things",
                                  options: [output, count, ratio, format, header, verify, all, brief],
                                  positionals: [source, destinations], resolvesSettings: false)

    static let key = PositionalSpec("KEY", help: "The key.")
    static let value = PositionalSpec("VALUE", .optional, help: "The value.")
    static let recursive = OptionSpec("recursive", short: "r", help: "Recurse.")
    static let configGet = CommandSpec(path: ["config", "get"], summary: "Read a key", options: [recursive],
                                       positionals: [key], resolvesSettings: false)
    static let configSet = CommandSpec(path: ["config", "set"], summary: "Write a key", positionals: [key, value],
                                       resolvesSettings: false)

    static let whoami = CommandSpec(path: ["whoami"], summary: "Read the token")
    static let upload = CommandSpec(path: ["upload"], summary: "Pretend to upload", resolvesSettings: false)

    static let tool = CommandLineTool(
        name: "chargekit", abstract: "Test tool.",
        commands: [
            Command(copy) { context in
                context.console.print("copy \(context.arguments.all)")
                return .ok
            },
            Command(configGet) { _ in .ok },
            Command(configSet) { _ in .ok },
            Command(whoami) { context in
                let token = try context.token()
                context.console.print("token of \(token.value.count) characters")
                return .ok
            },
            Command(upload) { context in
                let progress = context.progress(label: "image.bin", total: 4096)
                progress.update(completed: 1024)
                progress.finish()
                return .ok
            },
        ] + CLI.commands.filter { $0.spec.path == ["help"] || $0.spec.path == ["version"] },
        globalOptions: GlobalOptions.all)

    static var parser: ArgumentParser { tool.parser }
}
