import ChargeKitCLI
import Foundation

// A peer closing a socket must not kill the process; a closed stdout/stderr pipe still
// ends it quietly, as SIGPIPE would (see FileDescriptorOutput).
signal(SIGPIPE, SIG_IGN)
exit(CLI.run(Array(CommandLine.arguments.dropFirst()), io: .standard))
