import Foundation

/// Reads answers line by line for an interactive walk. The read blocks until the person
/// types, so it runs on a thread of its own: a cooperative-pool thread parked for minutes
/// would starve the backend calls running beside it.
struct LineReader: Sendable {
    let input: any TextInput
    let console: Console

    /// Shows `prompt` (on a terminal) and reads one line; nil at end of input.
    func line(_ prompt: String) async throws -> String? {
        console.prompt(prompt)
        let input = self.input
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<String?, any Error>) in
            let thread = Thread {
                do {
                    continuation.resume(returning: try input.readLine())
                } catch {
                    continuation.resume(throwing: error)
                }
            }
            thread.name = "chargekit-stdin"
            thread.start()
        }
    }

    /// A yes/no question; an empty answer takes `default`, end of input says no.
    func confirm(_ question: String, default yes: Bool) async throws -> Bool {
        while true {
            guard let answer = try await line("\(question) [\(yes ? "Y/n" : "y/N")] ") else { return false }
            switch answer.trimmingCharacters(in: .whitespaces).lowercased() {
            case "": return yes
            case "y", "yes": return true
            case "n", "no": return false
            default: console.info("answer y or n")
            }
        }
    }
}
