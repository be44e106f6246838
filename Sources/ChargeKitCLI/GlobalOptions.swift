/// The options every command accepts, before or after its words.
public enum GlobalOptions {
    public static let help = OptionSpec("help", short: "h", help: "Show help (for a command: chargekit COMMAND --help) and exit.",
                                        group: OptionSpec.Group.general)
    public static let version = OptionSpec("version", help: "Print the chargekit and libcurl versions and exit.",
                                           group: OptionSpec.Group.general)

    public static let backend = OptionSpec("backend", .value("URL"),
                                           help: "Base URL of the CPO backend (http or https). Also CHARGEKIT_BACKEND, or \"backend\" in config.json.",
                                           group: OptionSpec.Group.connection)
    public static let tokenFile = OptionSpec("token-file", .path("FILE"),
                                             help: "Read the API token from FILE (default: the token stored by chargekit login). Also CHARGEKIT_TOKEN_FILE.",
                                             group: OptionSpec.Group.connection)
    public static let cacert = OptionSpec("cacert", .path("FILE"),
                                          help: "Verify the backend against the CA certificates in FILE (PEM).",
                                          group: OptionSpec.Group.connection)
    public static let cert = OptionSpec("cert", .path("FILE"), help: "Client certificate for mutual TLS (PEM).",
                                        group: OptionSpec.Group.connection)
    public static let key = OptionSpec("key", .path("FILE"), help: "Private key for --cert (PEM).",
                                       group: OptionSpec.Group.connection)
    public static let insecure = OptionSpec("insecure", short: "k",
                                            help: "Do not verify the backend's TLS certificate (for test setups only).",
                                            group: OptionSpec.Group.connection)
    public static let timeout = OptionSpec("timeout", .double("SECONDS"),
                                           help: "Give up on a request after SECONDS.",
                                           group: OptionSpec.Group.connection)

    public static let json = OptionSpec("json", help: "Write machine-readable JSON to stdout (and nothing else there).",
                                        group: OptionSpec.Group.output)
    public static let verbose = OptionSpec("verbose", short: "v",
                                           help: "Say more on stderr (where settings came from, each step); repeat for more.",
                                           group: OptionSpec.Group.output, repeatable: true)
    public static let quiet = OptionSpec("quiet", short: "q", help: "Only errors and warnings on stderr.",
                                         group: OptionSpec.Group.output)
    public static let noColor = OptionSpec("no-color", help: "Never use colour (also NO_COLOR, TERM=dumb).",
                                           group: OptionSpec.Group.output)
    public static let progress = OptionSpec("progress", .choice(ProgressMode.allCases.map(\.rawValue)),
                                            help: "Progress on stderr: a bar when stderr is a terminal (auto, the default), periodic lines (plain), or none.",
                                            group: OptionSpec.Group.output)

    public static let all: [OptionSpec] = [
        help, version,
        backend, tokenFile, cacert, cert, key, insecure, timeout,
        json, verbose, quiet, noColor, progress,
    ]
}
