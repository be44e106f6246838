/// The three timeouts of one attempt. Each one fails the attempt with its own
/// ``HTTPError/TimeoutKind``, and all of them are retryable. nil switches `total` and
/// `stall` off; a nil `connect` leaves libcurl's default (300 s).
public struct Timeouts: Sendable, Equatable {
    /// Name resolution + TCP connect + TLS handshake (CURLOPT_CONNECTTIMEOUT_MS).
    public var connect: Duration?
    /// The whole attempt, from leaving the client's queue to the last byte of the response.
    public var total: Duration?
    /// No byte sent or received for this long once connected.
    public var stall: Duration?

    public init(connect: Duration? = .seconds(15), total: Duration? = nil, stall: Duration? = .seconds(60)) {
        self.connect = connect
        self.total = total
        self.stall = stall
    }
}
