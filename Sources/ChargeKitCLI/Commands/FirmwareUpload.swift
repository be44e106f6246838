import BackendAPI
import ChargeKit
import Foundation
import Synchronization

/// `chargekit firmware upload FILE --version V --model M...`: a resumable upload into the
/// backend's firmware catalogue.
enum FirmwareUploadCommand {
    static let file = PositionalSpec("FILE", help: "The firmware image.")
    static let version = OptionSpec("firmware-version", .value("VERSION"),
                                    help: "The firmwareVersion chargers report once they run this image (required).")
    static let model = OptionSpec("model", .value("MODEL"), help: "A charger model the image is for (required; repeat for more).",
                                  repeatable: true)
    static let notes = OptionSpec("notes", .value("TEXT"), help: "Release notes stored with the catalogue entry.")
    static let signature = OptionSpec("signature", .path("FILE"),
                                      help: "The image's signature (base64 text or raw bytes), for signed updates; needs --signing-cert.")
    static let signingCert = OptionSpec("signing-cert", .path("FILE"), help: "The PEM certificate that signed the image.")
    static let force = OptionSpec("force", help: "Upload even when the catalogue already has an image with this sha256.")

    static let spec = CommandSpec(
        path: ["firmware", "upload"],
        summary: "Upload a firmware image to the catalogue (resumable)",
        discussion: """
            Computes the image's SHA-256 while reading it, and prints the catalogue entry without \
            uploading when the catalogue already has that image. Otherwise the upload is created \
            with size, sha256, version and models and the file sent in chunks with Content-Range, \
            straight from disk. The upload's state is kept in the local store, so running the same \
            command again after an interruption (Ctrl-C, a kill, lost network, a restarting backend) \
            asks the backend how much it has and sends only the rest. The backend's sha256 of the \
            finished image must equal the file's.
            """,
        options: [version, model, notes, signature, signingCert, force],
        positionals: [file],
        relevantGlobalOptions: CommandContext.backendOptions + [GlobalOptions.json, GlobalOptions.progress],
        manPage: "chargekit-firmware")

    static func run(_ context: CommandContext) async throws -> ExitCode {
        let options = context.options
        guard let relative = context.arguments.value(file) else { throw UsageError("missing FILE", commandPath: spec.path) }
        let path = Paths.absolute(relative, relativeTo: context.io.workingDirectory)
        guard let versionValue = options.string(version), !versionValue.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw UsageError("--firmware-version is required (the firmwareVersion chargers report with this image)", commandPath: spec.path)
        }
        let models = options.strings(model).filter { !$0.isEmpty }
        guard !models.isEmpty else {
            throw UsageError("--model is required (a charger model the image is for; repeat for more)", commandPath: spec.path)
        }
        let signaturePath = context.path(signature), certificatePath = context.path(signingCert)
        if signaturePath != nil && certificatePath == nil {
            throw UsageError("--signature needs --signing-cert (the certificate that signed the image)", commandPath: spec.path)
        }
        if certificatePath != nil && signaturePath == nil {
            throw UsageError("--signing-cert needs --signature", commandPath: spec.path)
        }
        var image = FirmwareImage(path: path, version: versionValue, models: models, notes: options.string(notes))
        if let signaturePath, let certificatePath {
            image.signature = try readSignature(signaturePath)
            image.signingCertificate = try readCertificate(certificatePath)
        }
        guard let dataDirectory = context.settings.dataDirectory else {
            throw CLIError(.config, "no local store: set HOME or XDG_DATA_HOME")
        }
        let client = try context.backendClient(maxConcurrentRequests: 4)
        defer { client.shutdown() }
        let uploader = FirmwareUploader(client: client, dataDirectory: dataDirectory)
        let name = (path as NSString).lastPathComponent
        let bars = PhaseBars(context: context, name: name)
        let result = try await uploader.upload(image, force: options.flag(force)) { phase, done, total in
            bars.update(phase, done, total)
        }
        bars.finish()
        let firmware = result.firmware
        if context.console.json {
            try context.console.json(firmware)
        } else {
            FirmwareList.printTable([firmware], context: context)
        }
        if result.duplicate {
            context.console.info("already in the catalogue as \(firmware.id) (version \(firmware.version)); nothing uploaded "
                                 + "(--force uploads anyway)")
        } else if let resumed = result.resumedAt {
            context.console.info("uploaded \(firmware.id): resumed at \(ProgressReporter.bytes(resumed)) of "
                                 + "\(ProgressReporter.bytes(firmware.size)), sha256 verified by the backend")
        } else {
            context.console.info("uploaded \(firmware.id): \(ProgressReporter.bytes(firmware.size)), sha256 verified by the backend")
        }
        if !firmware.approved {
            context.console.info("\(firmware.id) is not approved yet: installers can install it once an operator approves it")
        }
        return .ok
    }

    /// The signature as base64: kept when the file already holds base64 text, encoded when
    /// it holds raw bytes.
    static func readSignature(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.noInput, "signature file \(path) cannot be read")
        }
        guard !data.isEmpty else { throw CLIError(.dataError, "signature file \(path) is empty") }
        if let text = String(data: data, encoding: .utf8) {
            let compact = text.filter { !$0.isWhitespace }
            if !compact.isEmpty, let decoded = Data(base64Encoded: compact), !decoded.isEmpty { return compact }
        }
        return data.base64EncodedString()
    }

    static func readCertificate(_ path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.noInput, "certificate file \(path) cannot be read")
        }
        guard let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN CERTIFICATE-----"),
              text.contains("-----END CERTIFICATE-----") else {
            throw CLIError(.dataError, "certificate file \(path): not a PEM certificate (no BEGIN/END CERTIFICATE lines)")
        }
        return text
    }

    /// One progress display per phase (hashing, then sending), switched as the phase changes.
    final class PhaseBars: Sendable {
        private let context: CommandContext
        private let name: String
        private let current = Mutex<(phase: FirmwareUploader.Phase?, bar: ProgressReporter?)>((nil, nil))

        init(context: CommandContext, name: String) {
            self.context = context
            self.name = name
        }

        func update(_ phase: FirmwareUploader.Phase, _ done: Int64, _ total: Int64) {
            let bar = current.withLock { state -> ProgressReporter in
                if state.phase == phase, let bar = state.bar { return bar }
                state.bar?.finish()
                let label: String
                switch phase {
                case .hashing: label = "sha256 \(name)"
                case .uploading(let resumedAt?): label = "upload \(name) (resumed at \(ProgressReporter.bytes(resumedAt)))"
                case .uploading(nil): label = "upload \(name)"
                }
                let bar = context.progress(label: label, total: total)
                state = (phase, bar)
                return bar
            }
            bar.update(completed: done, total: total)
        }

        func finish() {
            current.withLock { $0.bar?.finish() }
        }
    }
}

extension Command {
    static let firmwareUpload = Command(FirmwareUploadCommand.spec) { try await FirmwareUploadCommand.run($0) }
}
