import Testing
@testable import CurlHTTP

@Test func libcurlReportsItsVersion() {
    #expect(CurlHTTP.libcurlVersion.hasPrefix("libcurl/"))
}
