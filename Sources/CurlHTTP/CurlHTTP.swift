import CCurl

/// The libcurl transport. Only this module imports CCurl.
public enum CurlHTTP {
    /// The libcurl version string this binary runs with, e.g. "libcurl/7.88.1 OpenSSL/3.0.19".
    public static var libcurlVersion: String {
        guard let cString = curl_version() else { return "libcurl (unknown)" }
        return String(cString: cString)
    }
}
