import ChargeKit
import ChargeKitSim
import DurableFiles

/// An error a command raises itself, with the exit code it means.
public struct CLIError: Error, Sendable, Equatable, CustomStringConvertible {
    public let code: ExitCode
    public let message: String
    /// An extra line, e.g. what to run next.
    public let hint: String?

    public init(_ code: ExitCode, _ message: String, hint: String? = nil) {
        self.code = code
        self.message = message
        self.hint = hint
    }

    public var description: String { message }
}

/// What the user sees for an error: the exit code, the message and an optional hint.
public struct ErrorReport: Sendable, Equatable {
    public let code: ExitCode
    public let message: String
    public let hint: String?
}

/// The one place where errors become exit codes. A library error type gets its mapping
/// here, not in the commands; anything unmapped is an internal error (70).
public enum ErrorMapping {
    public static func report(for error: any Error) -> ErrorReport {
        switch error {
        case let error as CLIError:
            return ErrorReport(code: error.code, message: error.message, hint: error.hint)
        case let error as UsageError:
            if let option = error.unknownOption, secretOptionNames.contains(option) {
                return ErrorReport(code: .usage, message: error.message,
                                   hint: "Secrets are never taken from the command line: run 'chargekit login' "
                                       + "(it reads the token from standard input) or pass --token-file FILE.")
            }
            let help = error.commandPath.isEmpty ? "chargekit --help" : "chargekit \(error.commandPath.joined(separator: " ")) --help"
            return ErrorReport(code: .usage, message: error.message, hint: "Run '\(help)' for usage.")
        case let error as SettingsError:
            return report(for: error)
        case let error as ConfigFileError:
            if case .write(let underlying) = error { return report(for: underlying) }
            return ErrorReport(code: .config, message: error.description, hint: nil)
        case let error as CredentialError:
            return report(for: error)
        case let error as AtomicFileError:
            return ErrorReport(code: .ioError, message: error.description, hint: nil)
        case let error as InputError:
            return ErrorReport(code: .ioError, message: error.description, hint: nil)
        case let error as BackendError:
            return report(for: error)
        case let error as any FirmwareErrorReporting:
            return error.report
        case let error as ProfileError:
            // A missing profile file is missing input; anything wrong inside one is bad data.
            let missing = !error.issues.isEmpty && error.issues.allSatisfy { $0.kind == .unreadableFile }
            return ErrorReport(code: missing ? .noInput : .dataError, message: error.description, hint: nil)
        case let error as ConfigureError:
            return ErrorReport(code: .unavailable, message: error.description, hint: "Wait until the charger has booted.")
        case let error as TokenFileError:
            if case .unreadable = error { return ErrorReport(code: .noInput, message: error.description, hint: nil) }
            return ErrorReport(code: .config, message: error.description, hint: nil)
        case let error as ChecklistError:
            return ErrorReport(code: .dataError, message: error.description, hint: nil)
        case let error as ChecklistAnswer.Error:
            return ErrorReport(code: .dataError, message: error.description, hint: nil)
        case let error as InspectionFinishError:
            return ErrorReport(code: .dataError, message: error.description, hint: nil)
        case let error as InspectionStore.Error:
            switch error.kind {
            case .notFound: return ErrorReport(code: .noInput, message: error.description, hint: "Run 'chargekit inspect list' to see the inspections.")
            case .conflict, .badInput: return ErrorReport(code: .dataError, message: error.description, hint: nil)
            case .io: return ErrorReport(code: .ioError, message: error.description, hint: nil)
            }
        case let error as SimBackendError:
            switch error {
            case .listen: return ErrorReport(code: .unavailable, message: error.description, hint: "Pick another --port (0 lets the system choose).")
            case .state, .setup: return ErrorReport(code: .ioError, message: error.description, hint: nil)
            }
        default:
            return ErrorReport(code: .software, message: "internal error: \(error)",
                               hint: "This is a bug in chargekit; please report it with the command you ran.")
        }
    }

    /// Options people try for passing a secret; they get a pointer to the safe ways.
    static let secretOptionNames: Set<String> = ["--token", "--api-token", "--bearer", "--password", "--secret"]

    private static func report(for error: SettingsError) -> ErrorReport {
        switch error {
        case .config(let underlying):
            return report(for: underlying)
        case .invalid(_, let source, let reason):
            // A bad flag is a usage error; a bad environment variable or config entry is configuration.
            if case .flag = source {
                return ErrorReport(code: .usage, message: "\(source.name): \(reason)", hint: "Run 'chargekit --help' for usage.")
            }
            return ErrorReport(code: .config, message: "\(source.name) (\(source)): \(reason)", hint: nil)
        case .noConfigDirectory:
            return ErrorReport(code: .config, message: error.description, hint: nil)
        }
    }

    private static func report(for error: BackendError) -> ErrorReport {
        let message = error.description
        switch error {
        case .unreachable(let transport):
            if case .tls = transport.kind {
                return ErrorReport(code: .unavailable, message: message,
                                   hint: "Check --cacert (or --cert/--key for mutual TLS); --insecure is for test setups only.")
            }
            return ErrorReport(code: .unavailable, message: message, hint: "Check --backend and the network.")
        case .retriesExhausted, .transfer, .cancelled:
            return ErrorReport(code: .tempFail, message: message, hint: "Try again later.")
        case .unauthorized:
            return ErrorReport(code: .noPermission, message: message, hint: nil)
        case .forbidden:
            return ErrorReport(code: .noPermission, message: message, hint: nil)
        case .notFound:
            return ErrorReport(code: .noInput, message: message, hint: nil)
        case .protocolViolation:
            return ErrorReport(code: .`protocol`, message: message, hint: nil)
        case .problem(let status, let problem):
            switch (status, problem.effectiveType) {
            case (_, .chargerOffline):
                return ErrorReport(code: .unavailable, message: message, hint: "Wait until the charger is online.")
            case (_, .chargerTimeout), (429, _), (503, _):
                return ErrorReport(code: .tempFail, message: message, hint: "Try again later.")
            case (_, .ocppCallError):
                return ErrorReport(code: .`protocol`, message: message, hint: nil)
            case (400..<500, _):
                return ErrorReport(code: .dataError, message: message, hint: nil)
            default:
                return ErrorReport(code: .unavailable, message: message, hint: nil)
            }
        }
    }

    private static func report(for error: CredentialError) -> ErrorReport {
        switch error {
        case .emptyToken, .invalidToken, .tokenTooLong:
            return ErrorReport(code: .dataError, message: error.description, hint: nil)
        case .notFound:
            return ErrorReport(code: .noPermission, message: "not logged in: \(error.description)",
                               hint: "Run 'chargekit login --backend URL' and paste the token.")
        case .malformedFile:
            return ErrorReport(code: .dataError, message: error.description, hint: nil)
        case .unreadable:
            return ErrorReport(code: .ioError, message: error.description, hint: nil)
        case .write(let underlying):
            return ErrorReport(code: .ioError, message: underlying.description, hint: nil)
        }
    }
}
