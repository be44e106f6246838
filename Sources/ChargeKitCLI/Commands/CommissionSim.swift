import ChargeKit
import ChargeKitSim
import DurableFiles
import Foundation

/// `chargekit commission CHARGER --sim`: the whole job against a simulator started inside
/// chargekit, in a private store, with the shipped example profile and answers unless others
/// are given. Nothing outlives the run except the report file.
enum CommissionSim {
    static func run(_ context: CommandContext, charger: String) async throws -> ExitCode {
        for option in CommandContext.backendOptions where context.options.isPresent(option) {
            throw UsageError("--sim brings its own backend; \(option.spelling) does not go with it", commandPath: Commission.spec.path)
        }
        let root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("chargekit-commission-\(UUID().uuidString)").path
        try AtomicFile.createDirectories(root + "/examples")
        defer { try? FileManager.default.removeItem(atPath: root) }
        let profilePath = try context.path(Commission.profile) ?? example(ExampleFiles.profile, as: "cpo-base.json", in: root)
        var answersPath = context.path(Commission.answers)
        if answersPath == nil, context.options.string(Commission.checklist) == nil {
            _ = try example(ExampleFiles.photo, as: "photos/installation.png", in: root)
            answersPath = try example(ExampleFiles.commissioningAnswers, as: "answers/commissioning.json", in: root)
        }
        var configuration = SimBackendConfiguration()
        configuration.host = "127.0.0.1"
        configuration.port = 0
        configuration.simulation.chargerCount = 20
        // Fast enough that reboots and the firmware download take seconds, slow enough to watch.
        configuration.simulation.speed = 50
        configuration.stateDirectory = root + "/sim"
        let backend = try SimBackend(configuration: configuration)
        await backend.start()
        guard backend.simulation.chargers.contains(where: { $0.id == charger }) else {
            await backend.stop()
            let ids = backend.simulation.chargers.map(\.id)
            throw CLIError(.noInput, "the simulator has no charger \(charger) (it has \(ids.first ?? "")…\(ids.last ?? ""))")
        }
        context.console.info("simulator on \(backend.baseURL) with \(backend.simulation.chargers.count) chargers; "
                             + "profile \(profilePath)" + (answersPath.map { ", answers \($0)" } ?? ""))
        let tokenFile = root + "/token"
        try AtomicFile.write(Array((SimUser.demoInstallerToken + "\n").utf8), to: tokenFile, mode: 0o600)
        guard let url = URL(string: backend.baseURL) else {
            await backend.stop()
            throw CLIError(.software, "the simulator's URL \(backend.baseURL) is not a URL")
        }
        let settings = context.settings.replacing(backend: url, tokenFile: tokenFile, dataDirectory: root + "/data")
        let simContext = CommandContext(io: context.io, console: context.console, spec: context.spec, options: context.options,
                                        arguments: context.arguments, settings: settings, progressMode: context.progressMode,
                                        tool: context.tool)
        do {
            let input = try CommissionInput(simContext, profilePath: profilePath, answersPath: answersPath)
            let code = try await CommissionRun.start(simContext, charger: charger, input: input)
            await backend.stop()
            return code
        } catch {
            await backend.stop()
            throw error
        }
    }

    static func example(_ bytes: [UInt8], as name: String, in root: String) throws -> String {
        let path = root + "/examples/" + name
        try AtomicFile.createDirectories((path as NSString).deletingLastPathComponent)
        try AtomicFile.write(bytes, to: path)
        return path
    }
}
