/// The simulated backend (`chargekit sim`): HTTP server, CSMS core and virtual chargers.
/// Filled in by the backend issue; nothing here claims to simulate anything yet.
public enum ChargeKitSim {}
