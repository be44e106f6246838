import ChargeKitCLI
import Foundation

// Start from a clean signal mask: a parent that spawned us from a thread with blocked
// signals (Swift concurrency threads block most) must not make Ctrl-C or SIGTERM vanish.
var everySignal = sigset_t()
sigfillset(&everySignal)
sigprocmask(SIG_UNBLOCK, &everySignal, nil)
// A peer closing a socket must not kill the process; a closed stdout/stderr pipe still
// ends it quietly, as SIGPIPE would (see FileDescriptorOutput).
signal(SIGPIPE, SIG_IGN)
exit(CLI.run(Array(CommandLine.arguments.dropFirst()), io: .standard))
