/// The commissioning library. It never prints, never reads argv or the environment and
/// never exits: it returns values and throws typed errors.
public enum ChargeKit {
    public static let version = "0.1.0-dev"
}
