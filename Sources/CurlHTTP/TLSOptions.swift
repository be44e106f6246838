/// TLS settings of an ``HTTPClient``. Verification of the server's certificate chain and
/// host name is always on unless ``insecure`` is set explicitly.
public struct TLSOptions: Sendable, Equatable {
    /// Skip all verification of the server (chain and name). For lab setups only.
    public var insecure: Bool
    /// A PEM bundle of CA certificates to trust instead of the system store.
    public var caBundlePath: String?
    /// Client certificate (PEM) for mutual TLS.
    public var clientCertificatePath: String?
    /// Private key (PEM) of the client certificate; curl looks in the certificate file when nil.
    public var clientKeyPath: String?
    /// Pass phrase of the client key, if it is encrypted.
    public var clientKeyPassword: String?
    /// Pinned server public key: `sha256//BASE64[;sha256//BASE64...]` or a path to a PEM/DER key
    /// (CURLOPT_PINNEDPUBLICKEY). Checked even when ``insecure`` is set.
    public var pinnedPublicKey: String?

    public init(
        insecure: Bool = false,
        caBundlePath: String? = nil,
        clientCertificatePath: String? = nil,
        clientKeyPath: String? = nil,
        clientKeyPassword: String? = nil,
        pinnedPublicKey: String? = nil
    ) {
        self.insecure = insecure
        self.caBundlePath = caBundlePath
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
        self.clientKeyPassword = clientKeyPassword
        self.pinnedPublicKey = pinnedPublicKey
    }
}
