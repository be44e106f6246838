/// The shipped examples `commission --sim` uses when given no profile or answers.
enum ExampleFiles {
    static let profile: [UInt8] = PackageResources.cpo_base_json
    /// The answers name their photo as `../photos/installation.png`; `CommissionSim` lays them out so.
    static let commissioningAnswers: [UInt8] = PackageResources.commissioning_answers_json
    static let photo: [UInt8] = PackageResources.installation_png
}
