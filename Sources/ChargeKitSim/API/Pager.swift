import BackendAPI
import Foundation

/// Cursor paging over a list in a stable order: the cursor is the sort key of the last item
/// sent, wrapped so clients treat it as opaque (`p1.` and base64url). A page resumes after
/// that key, so items added or removed between pages neither repeat nor shift the rest.
enum Pager {
    /// The most items a page holds whatever `limit` asks: `limit` is a maximum, and a smaller
    /// cap makes every client that lists a big fleet follow cursors, as it must with real
    /// backends.
    static let maxPageItems = 500

    /// One page of `items` (already filtered and in order) after `cursor`, at most `limit`.
    static func page<Item: Codable & Sendable & Equatable>(_ items: [Item], key: (Item) -> String, cursor: String?,
                                                           limit: Int,
                                                           after: (_ itemKey: String, _ cursorKey: String) -> Bool = { $0 > $1 })
        throws(APIError) -> Page<Item>
    {
        var start = items.startIndex
        if let cursor {
            guard let last = decode(cursor) else { throw .badRequest(field: QueryName.cursor, "not a cursor of this list") }
            start = items.firstIndex { after(key($0), last) } ?? items.endIndex
        }
        let end = min(items.endIndex, start + min(limit, maxPageItems))
        let slice = Array(items[start..<end])
        let next = end < items.endIndex ? slice.last.map { encode(key($0)) } : nil
        return Page(items: slice, nextCursor: next)
    }

    static func encode(_ key: String) -> String {
        "p1." + Data(key.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ cursor: String) -> String? {
        guard cursor.hasPrefix("p1.") else { return nil }
        var text = String(cursor.dropFirst(3)).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "+" || $0 == "/") }) else {
            return nil
        }
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text) else { return nil }
        return String(data: data, encoding: .utf8)
    }

    /// A key that sorts newest first by date, then by id (for "newest first" lists): the
    /// inverted milliseconds, zero-padded, then the id.
    static func newestFirstKey(_ date: Date, _ id: String) -> String {
        let ms = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let inverted = max(0, 9_999_999_999_999 - ms)
        let digits = String(inverted)
        return String(repeating: "0", count: max(0, 13 - digits.count)) + digits + "|" + id
    }
}
