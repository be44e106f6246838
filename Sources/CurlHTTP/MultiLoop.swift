import CCurl
import Dispatch
import Foundation
import Synchronization

/// One thread driving one `curl_multi` handle with `curl_multi_poll`.
///
/// Other threads never touch curl: they append a command under a mutex and call
/// `curl_multi_wakeup`. The loop thread owns the multi handle, every easy handle, the
/// queue of transfers waiting for a free slot (the concurrency cap) and the deadlines of
/// the total and stall timeouts. No multi callbacks (socket/timer functions) are installed,
/// so nothing can re-enter during `curl_multi_cleanup`.
final class MultiLoop: @unchecked Sendable {
    struct Limits: Sendable {
        var maxConcurrentTransfers: Int
        var maxConnectionsPerHost: Int
        var maxTotalConnections: Int
    }

    private enum Command {
        case add(Transfer)
        case cancel(Transfer)
        case shutdown
    }

    private struct Inbox {
        var commands: [Command] = []
        var accepting = true
        var loopThread: ObjectIdentifier?
    }

    private let inbox = Mutex(Inbox())
    private let exited = DispatchGroup()
    /// The `CURLM *`; used by the loop thread only, except for the thread-safe wakeup.
    private let multi: UnsafeMutableRawPointer
    private let limits: Limits

    // Loop-thread state.
    private var waiting: [Transfer] = []
    private var active: [ObjectIdentifier: Transfer] = [:]

    init(limits: Limits) throws {
        try CurlGlobal.ensureInitialized()
        guard let multi = curl_multi_init() else {
            throw HTTPError(.other, message: "curl_multi_init failed")
        }
        self.multi = multi
        self.limits = limits
        do {
            try setMulti(CURLMOPT_PIPELINING, Int(CURLPIPE_MULTIPLEX), "PIPELINING")
            try setMulti(CURLMOPT_MAX_HOST_CONNECTIONS, max(0, limits.maxConnectionsPerHost), "MAX_HOST_CONNECTIONS")
            try setMulti(CURLMOPT_MAX_TOTAL_CONNECTIONS, max(0, limits.maxTotalConnections), "MAX_TOTAL_CONNECTIONS")
            if limits.maxTotalConnections > 0 {
                try setMulti(CURLMOPT_MAXCONNECTS, limits.maxTotalConnections, "MAXCONNECTS")
            }
        } catch {
            curl_multi_cleanup(multi)
            throw error
        }
        exited.enter()
        let thread = Thread { [self] in
            run()
            exited.leave()
        }
        thread.name = "chargekit.curl"
        thread.start()
    }

    private func setMulti(_ option: CURLMoption, _ value: Int, _ name: String) throws {
        let code = ck_multi_setopt_long(multi, option, value)
        guard code == CURLM_OK else {
            throw HTTPError(.setoptFailed(option: "CURLMOPT_\(name)"),
                            message: String(cString: curl_multi_strerror(code)), curlCode: Int(code.rawValue))
        }
    }

    // MARK: Any thread

    /// Queues a transfer; it is completed (its continuation resumed) exactly once.
    func submit(_ transfer: Transfer) {
        let accepted = post(.add(transfer))
        if !accepted {
            transfer.complete(.failure(HTTPError(.clientShutdown, url: transfer.spec.url)))
        }
    }

    /// Asks the loop to drop a transfer; harmless if it already finished.
    func cancel(_ transfer: Transfer) {
        transfer.isCancelled.store(true, ordering: .sequentiallyConsistent)
        _ = post(.cancel(transfer))
    }

    /// Stops accepting work and tells the loop to fail what is queued or running and free
    /// everything. With `wait`, blocks until the loop thread has exited (unless called from
    /// the loop thread itself, e.g. from a callback).
    func shutdown(wait: Bool) {
        let onLoopThread = inbox.withLock { inbox -> Bool in
            if inbox.accepting {
                inbox.accepting = false
                inbox.commands.append(.shutdown)
                curl_multi_wakeup(multi)
            }
            return inbox.loopThread == ObjectIdentifier(Thread.current)
        }
        if wait && !onLoopThread { exited.wait() }
    }

    /// Wakeups happen under the lock and only while accepting: the loop sees `.shutdown`
    /// (and then frees the multi handle) only after the last wakeup has returned.
    private func post(_ command: Command) -> Bool {
        inbox.withLock { inbox -> Bool in
            guard inbox.accepting else { return false }
            inbox.commands.append(command)
            curl_multi_wakeup(multi)
            return true
        }
    }

    // MARK: Loop thread

    private func run() {
        inbox.withLock { $0.loopThread = ObjectIdentifier(Thread.current) }
        var stopping = false
        while !stopping {
            let commands = inbox.withLock { inbox -> [Command] in
                defer { inbox.commands.removeAll(keepingCapacity: true) }
                return inbox.commands
            }
            for command in commands {
                switch command {
                case .add(let transfer): enqueue(transfer)
                case .cancel(let transfer): drop(transfer, HTTPError(.cancelled, url: transfer.spec.url))
                case .shutdown: stopping = true
                }
            }
            if stopping { break }
            startWaiting()
            var running: Int32 = 0
            curl_multi_perform(multi, &running)
            collectFinished()
            enforceDeadlines()
            startWaiting()
            curl_multi_poll(multi, nil, 0, pollTimeout(), nil)
        }
        tearDown()
    }

    private func enqueue(_ transfer: Transfer) {
        guard transfer.state == .created else { return }
        if transfer.isCancelled.load(ordering: .sequentiallyConsistent) {
            transfer.complete(.failure(HTTPError(.cancelled, url: transfer.spec.url)))
            return
        }
        transfer.state = .waiting
        waiting.append(transfer)
    }

    /// Moves waiting transfers onto the multi handle while the concurrency cap allows.
    private func startWaiting() {
        let cap = max(1, limits.maxConcurrentTransfers)
        while active.count < cap, !waiting.isEmpty {
            let transfer = waiting.removeFirst()
            do {
                try transfer.prepare()
                guard let easy = transfer.easy else { continue }
                let code = curl_multi_add_handle(multi, easy.raw)
                guard code == CURLM_OK else {
                    throw HTTPError(.other, message: "curl_multi_add_handle: \(String(cString: curl_multi_strerror(code)))",
                                    url: transfer.spec.url)
                }
                transfer.state = .active
                active[ObjectIdentifier(transfer)] = transfer
                transfer.spec.emit(.start(method: transfer.spec.method, url: Redaction.url(transfer.spec.url),
                                          attempt: transfer.spec.attempt))
            } catch let error as HTTPError {
                transfer.complete(.failure(error))
            } catch {
                transfer.complete(.failure(HTTPError(.other, message: "\(error)", url: transfer.spec.url)))
            }
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let handle = message.pointee.easy_handle else { continue }
            let code = message.pointee.data.result
            var pointer: UnsafeMutableRawPointer?
            guard ck_easy_getinfo_pointer(handle, CURLINFO_PRIVATE, &pointer) == CURLE_OK, let pointer else { continue }
            let transfer = Unmanaged<Transfer>.fromOpaque(pointer).takeUnretainedValue()
            curl_multi_remove_handle(multi, handle)
            active[ObjectIdentifier(transfer)] = nil
            transfer.complete(transfer.outcome(code: code))
        }
    }

    /// Removes a transfer wherever it is and completes it with `error`.
    private func drop(_ transfer: Transfer, _ error: HTTPError) {
        switch transfer.state {
        case .created, .done:
            return // not yet here (enqueue will see the flag) or already finished
        case .waiting:
            waiting.removeAll { $0 === transfer }
        case .active:
            if let easy = transfer.easy { curl_multi_remove_handle(multi, easy.raw) }
            active[ObjectIdentifier(transfer)] = nil
        }
        transfer.complete(.failure(error))
    }

    /// The total and stall timeouts are ours, so each is reported as its own kind.
    private func enforceDeadlines() {
        let now = ContinuousClock.now
        for transfer in Array(active.values) {
            if let deadline = transfer.totalDeadline, now >= deadline {
                let limit = transfer.spec.timeouts.total ?? .zero
                drop(transfer, HTTPError(.timeout(.total), message: "no complete response within \(RetryEvent.format(limit))",
                                         url: transfer.spec.url))
            } else if let deadline = transfer.stallDeadline, now >= deadline {
                let limit = transfer.spec.timeouts.stall ?? .zero
                drop(transfer, HTTPError(.timeout(.stall), message: "no data for \(RetryEvent.format(limit))",
                                         url: transfer.spec.url))
            }
        }
    }

    /// Until the next deadline of ours, at most 1 s (curl shortens it for its own timers,
    /// and a wakeup ends it at once).
    private func pollTimeout() -> Int32 {
        let now = ContinuousClock.now
        var timeout = Duration.seconds(1)
        for transfer in active.values {
            for deadline in [transfer.totalDeadline, transfer.stallDeadline].compactMap({ $0 }) {
                timeout = min(timeout, max(.zero, deadline - now))
            }
        }
        return Int32(clamping: timeout.wholeMilliseconds)
    }

    private func tearDown() {
        for transfer in Array(active.values) {
            drop(transfer, HTTPError(.clientShutdown, url: transfer.spec.url))
        }
        for transfer in waiting {
            transfer.complete(.failure(HTTPError(.clientShutdown, url: transfer.spec.url)))
        }
        waiting.removeAll()
        // Commands that raced with shutdown: fail their transfers too.
        let late = inbox.withLock { inbox -> [Command] in
            defer { inbox.commands.removeAll() }
            return inbox.commands
        }
        for case .add(let transfer) in late {
            transfer.complete(.failure(HTTPError(.clientShutdown, url: transfer.spec.url)))
        }
        curl_multi_cleanup(multi)
    }
}
