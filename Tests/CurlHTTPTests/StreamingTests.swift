import Checksum
import CurlHTTP
import Foundation
import Testing
import TestSupport

extension CurlIntegration {
    @Suite("Streaming bodies, size caps and progress")
    struct StreamingTests {
        @Test func bodyOverTheMemoryCapIsRefused() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/big", [.generated(length: 5 << 20)])
            // No Content-Length: the cap is enforced while writing.
            let head = Data("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n".utf8)
            server.route("/unsized", [.raw([.write(head), .write(Data(count: 3000)), .close])])
            let client = try makeClient()
            defer { client.shutdown() }

            var request = HTTPRequest(url: server.baseURL + "/big", response: .memory(limit: 1 << 20))
            let declared = await failure { () async throws(HTTPError) in try await client.send(request) }
            #expect(declared?.kind == .bodyTooLarge(limit: 1 << 20))
            #expect(declared?.isRetryable == false)

            // HEAD learns the size without fetching it: no limit applies.
            let headResponse = try await client.send(HTTPRequest(method: "HEAD", url: server.baseURL + "/big", response: .memory(limit: 1 << 20)))
            #expect(headResponse.status == 200 && headResponse.headers["Content-Length"] == "\(5 << 20)")

            request.url = server.baseURL + "/unsized"
            request.response = .memory(limit: 1000)
            let streamed = await failure { () async throws(HTTPError) in try await client.send(request) }
            #expect(streamed?.kind == .bodyTooLarge(limit: 1000))

            request.response = .memory(limit: 3000)
            #expect(try await client.send(request).body.count == 3000)
            #expect(server.requests.count == 4, "size errors are not retried")
        }

        @Test func responseIsStreamedToAFile() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            let length: Int64 = 8 << 20
            server.route("/firmware.bin", [.generated(length: length)])
            let directory = try TemporaryDirectory()
            defer { directory.cleanup() }
            let path = directory.file("firmware.bin")
            let client = try makeClient()
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(url: server.baseURL + "/firmware.bin", response: .file(path: path)))

            #expect(response.status == 200)
            #expect(response.body.isEmpty)
            #expect(response.bodyFile == path)
            #expect(response.bodyLength == length)
            let written = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(written == Data(repeating: 0x5A, count: Int(length)))
        }

        @Test func uploadFromAFileRegionArrivesExactly() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/chunk", method: "PUT", body: .discard, [.ok("stored")])
            let directory = try TemporaryDirectory()
            defer { directory.cleanup() }
            let path = directory.file("image.bin")
            let content = patternData(count: 1_200_000)
            try content.write(to: URL(fileURLWithPath: path))
            let offset = 300_007, length = 700_000
            let client = try makeClient()
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(
                method: "PUT", url: server.baseURL + "/chunk",
                headers: ["Content-Range": "bytes \(offset)-\(offset + length - 1)/\(content.count)"],
                body: .file(path: path, offset: Int64(offset), length: Int64(length))))

            #expect(response.bodyString == "stored")
            let request = try #require(server.requests.first)
            #expect(request.bodyLength == Int64(length))
            #expect(request.header("Content-Length") == "\(length)")
            #expect(request.bodySHA256 == SHA256.hex(content.subdata(in: offset..<(offset + length))))
        }

        @Test func uploadIsRewoundForARetry() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/chunk", method: "PUT", body: .discard, [.status(503), .ok("stored")])
            let directory = try TemporaryDirectory()
            defer { directory.cleanup() }
            let path = directory.file("image.bin")
            let content = patternData(count: 400_000, seed: 3)
            try content.write(to: URL(fileURLWithPath: path))
            let client = try makeClient()
            defer { client.shutdown() }

            let response = try await client.send(HTTPRequest(method: "PUT", url: server.baseURL + "/chunk",
                                                             body: .file(path: path, offset: 100, length: 300_000)))

            #expect(response.status == 200 && response.attempts == 2)
            let expected = SHA256.hex(content.subdata(in: 100..<300_100))
            let requests = server.requests
            #expect(requests.count == 2)
            #expect(requests.allSatisfy { $0.bodySHA256 == expected && $0.bodyLength == 300_000 })
        }

        /// A reused connection the server drops after reading the request: libcurl retries on
        /// a fresh connection by itself, rewinding the body through SEEKFUNCTION.
        @Test(arguments: [false, true])
        func libcurlRewindsTheBodyOnADeadReusedConnection(fromFile: Bool) async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/chunk", method: "PUT", body: .discard, [.ok("first"), .raw([.close]), .ok("third")])
            let directory = try TemporaryDirectory()
            defer { directory.cleanup() }
            let content = patternData(count: 100_000, seed: 11)
            let path = directory.file("image.bin")
            try content.write(to: URL(fileURLWithPath: path))
            let body: HTTPRequest.Body = fromFile ? .file(path: path, offset: 0, length: 100_000) : .data(content)
            let client = try makeClient { $0.retry = .never }
            defer { client.shutdown() }

            #expect(try await client.send(HTTPRequest(method: "PUT", url: server.baseURL + "/chunk", body: body)).bodyString == "first")
            let second = try await client.send(HTTPRequest(method: "PUT", url: server.baseURL + "/chunk", body: body))

            #expect(second.bodyString == "third")
            #expect(second.attempts == 1, "the retry was libcurl's, not ours")
            let requests = server.requests
            #expect(requests.count == 3)
            let expected = SHA256.hex(content)
            #expect(requests.allSatisfy { $0.bodySHA256 == expected })
            #expect(requests[0].connectionID == requests[1].connectionID)
            #expect(requests[2].connectionID != requests[1].connectionID)
        }

        @Test func missingOrShortUploadFileIsAFileError() async throws {
            let directory = try TemporaryDirectory()
            defer { directory.cleanup() }
            let path = directory.file("small.bin")
            try Data(count: 10).write(to: URL(fileURLWithPath: path))
            let client = try makeClient()
            defer { client.shutdown() }
            for body: HTTPRequest.Body in [.file(path: directory.file("absent.bin"), offset: 0, length: 1),
                                           .file(path: path, offset: 5, length: 6)] {
                let error = await failure { () async throws(HTTPError) in
                    try await client.send(HTTPRequest(method: "PUT", url: "http://127.0.0.1:9/", body: body))
                }
                #expect(error?.kind == .fileIO)
            }
        }

        @Test func progressReportsTotals() async throws {
            let server = try TestHTTPServer()
            defer { server.stop() }
            server.route("/down", [.generated(length: 2 << 20)])
            server.route("/up", body: .discard, [.ok("ok")])
            let client = try makeClient()
            defer { client.shutdown() }

            let downloads = Locked<[TransferProgress]>([])
            var download = HTTPRequest(url: server.baseURL + "/down", response: .memory(limit: 4 << 20))
            download.progress = { progress in downloads.withLock { $0.append(progress) } }
            _ = try await client.send(download)
            let lastDown = try #require(downloads.value.last)
            #expect(lastDown.bytesReceived == 2 << 20)
            #expect(lastDown.totalBytesToReceive == 2 << 20)
            #expect(downloads.value.count >= 2)
            #expect(zip(downloads.value, downloads.value.dropFirst()).allSatisfy { $0.bytesReceived <= $1.bytesReceived })

            let uploads = Locked<[TransferProgress]>([])
            var upload = HTTPRequest(method: "POST", url: server.baseURL + "/up", body: .data(patternData(count: 1 << 20)))
            upload.progress = { progress in uploads.withLock { $0.append(progress) } }
            _ = try await client.send(upload)
            let lastUp = try #require(uploads.value.last)
            #expect(lastUp.bytesSent == 1 << 20)
            #expect(lastUp.totalBytesToSend == 1 << 20)
        }
    }
}
