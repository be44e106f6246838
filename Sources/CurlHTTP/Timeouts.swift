/// The three timeouts of one attempt; nil switches one off. Each one fails the attempt with
/// its own ``HTTPError/TimeoutKind``, and all of them are retryable.
public struct Timeouts: Sendable, Equatable {
    /// Name resolution + TCP connect + TLS handshake (CURLOPT_CONNECTTIMEOUT_MS).
    public var connect: Duration?
    /// The whole attempt, from start to the last byte of the response.
    public var total: Duration?
    /// No byte sent or received for this long once connected.
    public var stall: Duration?

    public init(connect: Duration? = .seconds(15), total: Duration? = nil, stall: Duration? = .seconds(60)) {
        self.connect = connect
        self.total = total
        self.stall = stall
    }
}
