import Foundation
import CCurl

/// Owns one libcurl easy handle together with what must outlive it: the request header
/// list and the error buffer. Used by one thread at a time; freed explicitly with
/// ``cleanup()`` after the handle has left the multi handle (never in `deinit`).
final class EasyHandle {
    /// The `CURL *`.
    let raw: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var headerList: UnsafeMutablePointer<curl_slist>?
    private var isCleanedUp = false

    init() throws {
        try CurlGlobal.ensureInitialized()
        guard let handle = curl_easy_init() else {
            throw HTTPError(.other, message: "curl_easy_init failed")
        }
        raw = handle
        let size = Int(CURL_ERROR_SIZE)
        errorBuffer = .allocate(capacity: size)
        errorBuffer.initialize(repeating: 0, count: size)
        do {
            try set(CURLOPT_ERRORBUFFER, pointer: UnsafeMutableRawPointer(errorBuffer))
        } catch {
            cleanup()
            throw error
        }
    }

    /// curl's message for the last failure (CURLOPT_ERRORBUFFER), trimmed.
    var errorMessage: String {
        String(cString: errorBuffer).trimmingCharacters(in: .newlines)
    }

    // MARK: Options; every failure is thrown with the option's name.

    func set(_ option: CURLoption, _ value: Int) throws {
        try check(ck_easy_setopt_long(raw, option, value), option)
    }

    func set(_ option: CURLoption, _ value: Bool) throws {
        try set(option, value ? 1 : 0)
    }

    func set(_ option: CURLoption, offset value: Int64) throws {
        try check(ck_easy_setopt_off(raw, option, curl_off_t(value)), option)
    }

    /// libcurl copies string options, so `value` need not outlive the call.
    func set(_ option: CURLoption, _ value: String) throws {
        try check(value.withCString { ck_easy_setopt_string(raw, option, $0) }, option)
    }

    func set(_ option: CURLoption, pointer value: UnsafeMutableRawPointer?) throws {
        try check(ck_easy_setopt_pointer(raw, option, value), option)
    }

    /// Sets CURLOPT_HTTPHEADER; the list lives until ``cleanup()``.
    func setHeaders(_ lines: [String]) throws {
        var list: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            guard let appended = line.withCString({ curl_slist_append(list, $0) }) else {
                curl_slist_free_all(list)
                throw HTTPError(.other, message: "out of memory building the header list")
            }
            list = appended
        }
        if let old = headerList { curl_slist_free_all(old) }
        headerList = list
        try check(ck_easy_setopt_slist(raw, CURLOPT_HTTPHEADER, list), CURLOPT_HTTPHEADER)
    }

    func check(_ code: CURLcode, _ option: CURLoption) throws {
        guard code != CURLE_OK else { return }
        let name = ck_easy_option_name(option).map { String(cString: $0) } ?? "option \(option.rawValue)"
        throw HTTPError(.setoptFailed(option: "CURLOPT_\(name)"),
                        message: String(cString: curl_easy_strerror(code)),
                        curlCode: Int(code.rawValue))
    }

    // MARK: Information

    func long(_ info: CURLINFO) -> Int {
        var value = 0
        return ck_easy_getinfo_long(raw, info, &value) == CURLE_OK ? value : 0
    }

    func offset(_ info: CURLINFO) -> Int64 {
        var value: curl_off_t = 0
        return ck_easy_getinfo_off(raw, info, &value) == CURLE_OK ? Int64(value) : 0
    }

    func string(_ info: CURLINFO) -> String? {
        var value: UnsafeMutablePointer<CChar>?
        guard ck_easy_getinfo_string(raw, info, &value) == CURLE_OK, let value else { return nil }
        return String(cString: value)
    }

    /// A `*_TIME_T` value (microseconds) as a Duration.
    func duration(_ info: CURLINFO) -> Duration {
        .microseconds(offset(info))
    }

    /// Frees the handle, then the header list and error buffer. Idempotent.
    func cleanup() {
        guard !isCleanedUp else { return }
        isCleanedUp = true
        curl_easy_cleanup(raw)
        if let headerList { curl_slist_free_all(headerList) }
        headerList = nil
        errorBuffer.deallocate()
    }
}

/// curl_global_init, exactly once per process, before the first handle.
enum CurlGlobal {
    private static let initCode: UInt32 = curl_global_init(Int(CURL_GLOBAL_ALL)).rawValue

    static func ensureInitialized() throws {
        let code = initCode
        guard code == CURLE_OK.rawValue else {
            throw HTTPError(.other, message: "curl_global_init failed", curlCode: Int(code))
        }
    }
}
