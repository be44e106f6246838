/// Every exit status chargekit uses, named after sysexits(3). Documented in chargekit(1)
/// under EXIT STATUS; a test keeps the two in step.
public enum ExitCode: Int32, CaseIterable, Sendable {
    case ok = 0
    /// QA checks or an inspection did not pass.
    case checksFailed = 1
    /// EX_USAGE: bad command line.
    case usage = 64
    /// EX_DATAERR: bad input data (an empty token, an invalid profile).
    case dataError = 65
    /// EX_NOINPUT: an input file does not exist or cannot be read.
    case noInput = 66
    /// EX_UNAVAILABLE: the backend cannot be reached.
    case unavailable = 69
    /// EX_SOFTWARE: an internal error (a bug in chargekit).
    case software = 70
    /// EX_IOERR: reading or writing a local file failed.
    case ioError = 74
    /// EX_TEMPFAIL: a temporary failure persisted after the retries.
    case tempFail = 75
    /// EX_PROTOCOL: the backend answered something chargekit does not understand.
    case `protocol` = 76
    /// EX_NOPERM: not logged in, or the backend refused (401/403).
    case noPermission = 77
    /// EX_CONFIG: configuration error (config.json, environment).
    case config = 78
}
