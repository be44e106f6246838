import CurlHTTP

/// The commissioning library. It never prints, never reads argv or the environment and
/// never exits: it returns values and throws typed errors.
public enum ChargeKit {
    public static let version = "0.1.0-dev"

    /// The libcurl version string this binary runs with, e.g. "libcurl/7.88.1 OpenSSL/3.0.19",
    /// passed through so the CLI reaches the transport only through the library.
    public static var libcurlVersion: String { CurlHTTP.libcurlVersion }
}
