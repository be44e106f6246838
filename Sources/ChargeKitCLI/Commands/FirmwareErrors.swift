import ChargeKit
import Foundation

/// Firmware errors as exit codes (ErrorMapping asks through this protocol, so the firmware
/// cases live beside the firmware commands).
protocol FirmwareErrorReporting {
    var report: ErrorReport { get }
}

extension FirmwareUploadError: FirmwareErrorReporting {
    var report: ErrorReport {
        switch self {
        case .unreadable: ErrorReport(code: .noInput, message: description, hint: nil)
        case .empty, .digestMismatch: ErrorReport(code: .dataError, message: description, hint: nil)
        case .alreadyInCatalogue(let id):
            ErrorReport(code: .dataError, message: description, hint: "See it with 'chargekit firmware list'; \(id) is that image.")
        case .state: ErrorReport(code: .ioError, message: description, hint: nil)
        case .transfer(let failure):
            switch failure {
            case .stalled: ErrorReport(code: .tempFail, message: description,
                                       hint: "Run the same command again: the upload resumes where it stopped.")
            case .inconsistentOffset: ErrorReport(code: .protocol, message: description, hint: nil)
            }
        }
    }
}

extension FirmwareUpdateRefusal: FirmwareErrorReporting {
    var report: ErrorReport {
        switch self {
        case .noSuchFirmware: ErrorReport(code: .dataError, message: description, hint: "See 'chargekit firmware list'.")
        case .incompatible: ErrorReport(code: .dataError, message: description, hint: nil)
        case .offline: ErrorReport(code: .unavailable, message: description, hint: "Wait until the charger is online.")
        }
    }
}

extension RolloutStateError: FirmwareErrorReporting {
    var report: ErrorReport {
        FileManager.default.fileExists(atPath: path)
            ? ErrorReport(code: .dataError, message: description, hint: nil)
            : ErrorReport(code: .noInput, message: description, hint: "Start a rollout without --resume first.")
    }
}
