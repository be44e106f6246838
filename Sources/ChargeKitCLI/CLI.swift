import ChargeKit

public enum CLI {
    public static func run(_ arguments: [String]) -> Int32 {
        print("chargekit \(ChargeKit.version)")
        return 0
    }
}
