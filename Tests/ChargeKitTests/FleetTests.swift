import BackendAPI
import Foundation
import Synchronization
import Testing
@testable import ChargeKit

@Suite struct ChargerSelectionTests {
    static let fleet = [
        ChargerSummary(id: "CP-0001", vendor: "ABB", model: "Terra AC", firmwareVersion: "1.8.2", ocppVersion: .v16, connected: true, siteId: "north"),
        ChargerSummary(id: "CP-0002", vendor: "Zaptec", model: "Pro", firmwareVersion: "2.1.0", ocppVersion: .v201, connected: false, siteId: "south"),
        ChargerSummary(id: "CP-0013", vendor: "ABB", model: "Terra AC", firmwareVersion: "1.9.0", ocppVersion: .v16, connected: true, siteId: "south"),
        ChargerSummary(id: "XY-1", vendor: nil, model: nil, connected: true, siteId: "north"),
    ]

    func picked(_ expressions: [String]) throws -> [String] {
        let selection = try ChargerSelection(parsing: expressions)
        return Self.fleet.filter(selection.matches).map(\.id)
    }

    @Test func keysNarrowAndRepeatedKeysWiden() throws {
        #expect(try picked([]) == ["CP-0001", "CP-0002", "CP-0013", "XY-1"])
        #expect(try picked(["model=Terra AC"]) == ["CP-0001", "CP-0013"])
        #expect(try picked(["model=Terra AC", "site=south"]) == ["CP-0013"])
        #expect(try picked(["site=north", "site=south", "connected=false"]) == ["CP-0002"])
        #expect(try picked(["id=CP-00*"]) == ["CP-0001", "CP-0002", "CP-0013"])
        #expect(try picked(["id=*1*3"]) == ["CP-0013"])
        #expect(try picked(["ocpp=2.0.1"]) == ["CP-0002"])
        #expect(try picked(["firmware=1.*", "vendor=ABB"]) == ["CP-0001", "CP-0013"])
        #expect(try picked(["vendor=ABB", "vendor=Zaptec", "ocpp=1.6", " connected = yes "]) == ["CP-0001", "CP-0013"])
    }

    @Test func onlySingleExactValuesGoToTheBackend() throws {
        let filter = try ChargerSelection(parsing: ["model=Terra AC", "site=a", "site=b", "firmware=1.*", "ocpp=1.6", "connected=true"]).backendFilter
        #expect(filter == ChargerFilter(model: "Terra AC", connected: true, ocppVersion: .v16))
        #expect(ChargerSelection().backendFilter == ChargerFilter())
    }

    @Test(arguments: [
        ("model", "--select model: expected KEY=VALUE, e.g. model=Terra-AC"),
        ("modle=X", "--select modle=X: unknown key 'modle' (keys: id, model, vendor, firmware, site, ocpp, connected); did you mean 'model'?"),
        ("site=", "--select site=: empty value"),
        ("ocpp=1.5", "--select ocpp=1.5: OCPP version must be 1.6 or 2.0.1"),
        ("connected=maybe", "--select connected=maybe: connected must be true or false"),
    ])
    func badExpressionsAreNamed(expression: String, message: String) {
        #expect(throws: ChargerSelection.Error.self) { try ChargerSelection(parsing: [expression]) }
        do {
            _ = try ChargerSelection(parsing: [expression])
        } catch {
            #expect(error.description == message)
        }
    }
}

@Suite struct FleetRunTests {
    @Test func resultsKeepTheGivenOrderAndConcurrencyStaysWithinTheCap() async {
        let ids = (1...40).map { "CP-\($0)" }
        let running = Mutex((now: 0, peak: 0))
        let finishedCounts = Mutex<[Int]>([])
        let results = await FleetRun.run(ids, concurrency: 6) { id in
            running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            // Later ids finish sooner, so completion order differs from the given order.
            try? await Task.sleep(for: .milliseconds(Int(40 - (Int(id.dropFirst(3)) ?? 0)) % 7 + 1))
            running.withLock { $0.now -= 1 }
            return id.lowercased()
        } onFinish: { _, _, finished in
            finishedCounts.withLock { $0.append(finished) }
        }
        #expect(results.map(\.charger) == ids)
        #expect(results.map(\.result) == ids.map { $0.lowercased() })
        #expect(running.withLock { $0.peak } == 6)
        #expect(finishedCounts.withLock { $0 } == Array(1...40))
    }

    @Test func cancellingStartsNoMoreJobs() async {
        let started = Mutex(0)
        let task = Task {
            await FleetRun.run((1...100).map(String.init), concurrency: 4) { _ in
                started.withLock { $0 += 1 }
                try? await Task.sleep(for: .seconds(30))
                return Task.isCancelled
            }
        }
        while started.withLock({ $0 }) < 4 { try? await Task.sleep(for: .milliseconds(5)) }
        task.cancel()
        let results = await task.value
        #expect(results.count == 4)
        let allSawIt = results.allSatisfy { $0.result }
        #expect(allSawIt, "jobs in flight see the cancellation")
        #expect(started.withLock { $0 } == 4)
    }
}
