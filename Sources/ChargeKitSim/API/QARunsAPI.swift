import BackendAPI
import Foundation
import HTTPServerKit

/// QA runs: `createQaRun`, `getQaRun`, `listChargerQaRuns`.
struct QARunsAPI {
    let services: SimServices

    func create(_ request: APIRequest) async throws -> ServerResponse {
        let key = try request.idempotencyKey()
        let run = try request.decode(QARun.self)
        try Check.uuid(run.id, "/id")
        guard Check.isChargerId(run.chargerId) else { throw APIError.validation(field: "/chargerId", "1 to 48 characters") }
        for (n, check) in run.checks.enumerated() where check.durationMs < 0 {
            throw APIError.validation(field: "/checks/\(n)/durationMs", "must not be negative")
        }
        _ = try services.fleet.reachable(run.chargerId, by: request.user)
        let records = services.records
        let user = request.user.user
        return try await Idempotency(store: services.idempotency).run(request, key: key, replay: { outcome in
            guard case .resource(let id) = outcome, let receipt = await records.qaRunReceipt(id) else {
                throw APIError.notFound("The QA run this key recorded is gone.")
            }
            return Reply.json(receipt, headers: [Reply.replayed])
        }, work: {
            let (receipt, created) = try await records.record(run, by: user, at: Date())
            let answer = created
                ? Reply.json(receipt, status: 201, headers: [(HeaderName.location, APIPaths.qaRun(run.id))])
                : Reply.json(receipt)
            return (answer, .resource(run.id))
        })
    }

    func get(_ request: APIRequest) async throws -> ServerResponse {
        let id = request.parameter("qaRunId")
        guard let record = await services.records.qaRun(id), request.user.reaches(site: services.fleet.site(of: record.run.chargerId)) else {
            throw APIError.notFound("No QA run \(id).")
        }
        return Reply.json(record)
    }

    func list(_ request: APIRequest) async throws -> ServerResponse {
        let chargerId = request.parameter("chargerId")
        _ = try services.fleet.reachable(chargerId, by: request.user)
        let limit = try request.limit()
        let items = await services.records.qaRuns(chargerId: chargerId)
        return Reply.json(try Pager.page(items, key: { Pager.newestFirstKey($0.finishedAt, $0.id) },
                                         cursor: request.string(QueryName.cursor), limit: limit))
    }
}
