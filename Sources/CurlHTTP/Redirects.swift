import Foundation

/// The redirect rules, applied in Swift rather than by libcurl so they are explicit and tested:
///
/// - only GET and HEAD follow redirects (301, 302, 303, 307, 308); other methods get the 3xx back;
/// - at most ``maxRedirects`` hops, then ``HTTPError/Kind/tooManyRedirects``;
/// - never from https to http, never to a scheme other than http(s):
///   ``HTTPError/Kind/insecureRedirect``;
/// - `Authorization` and `Cookie` are dropped as soon as the origin (scheme, host, port) changes.
public enum Redirects {
    /// The most redirects followed for one request.
    public static let maxRedirects = 5
    /// Statuses that carry a `Location` to follow.
    public static let redirectStatuses: Set<Int> = [301, 302, 303, 307, 308]
    /// Headers never sent to an origin other than the one they were given for.
    public static let credentialHeaders = ["Authorization", "Cookie"]

    /// What to do with a 3xx.
    public enum Decision: Sendable, Equatable {
        /// Request `url` next; drop ``credentialHeaders`` when `crossOrigin`.
        case follow(url: String, crossOrigin: Bool)
        /// Hand the response back as it is.
        case doNotFollow
        /// Fail the request with this error kind.
        case fail(HTTPError.Kind, reason: String)
    }

    /// Decides for a response with `status` and `location` to a `method` request for `currentURL`,
    /// after `redirectsSoFar` redirects were already followed.
    public static func decide(
        method: String,
        status: Int,
        location: String?,
        currentURL: String,
        redirectsSoFar: Int
    ) -> Decision {
        let upper = method.uppercased()
        guard redirectStatuses.contains(status), upper == "GET" || upper == "HEAD",
              let location = location?.trimmingCharacters(in: .whitespaces), !location.isEmpty else {
            return .doNotFollow
        }
        guard redirectsSoFar < maxRedirects else {
            return .fail(.tooManyRedirects, reason: "stopped after \(maxRedirects) redirects")
        }
        guard let base = URL(string: currentURL),
              let target = URL(string: location, relativeTo: base)?.absoluteURL,
              let targetScheme = target.scheme?.lowercased() else {
            return .fail(.invalidRequest, reason: "unusable Location \"\(Redaction.url(location))\"")
        }
        guard targetScheme == "http" || targetScheme == "https" else {
            return .fail(.insecureRedirect, reason: "redirect to a \(targetScheme): URL refused")
        }
        guard let host = target.host, !host.isEmpty else {
            return .fail(.invalidRequest, reason: "Location \"\(Redaction.url(location))\" has no host")
        }
        let baseScheme = base.scheme?.lowercased() ?? ""
        if baseScheme == "https" && targetScheme == "http" {
            return .fail(.insecureRedirect, reason: "redirect from https to http refused")
        }
        return .follow(url: target.absoluteString, crossOrigin: !sameOrigin(base, target))
    }

    /// Same scheme, host (case-insensitive) and effective port.
    static func sameOrigin(_ a: URL, _ b: URL) -> Bool {
        func origin(_ url: URL) -> (String, String, Int) {
            let scheme = url.scheme?.lowercased() ?? ""
            let port = url.port ?? (scheme == "https" ? 443 : 80)
            return (scheme, url.host?.lowercased() ?? "", port)
        }
        return origin(a) == origin(b)
    }
}
