/// An ordered list of HTTP header fields with case-insensitive lookup.
///
/// Order and duplicates are preserved exactly as given (or as received), because some
/// headers (`Set-Cookie`, `Link`, ...) may legitimately repeat.
public struct HTTPHeaders: Sendable, Sequence, CustomStringConvertible {
    /// The fields in order, as (name, value) pairs.
    public private(set) var fields: [(name: String, value: String)]

    /// Headers from ordered (name, value) pairs.
    public init(_ fields: [(String, String)] = []) {
        self.fields = fields.map { (name: $0.0, value: $0.1) }
    }

    /// The first value of the header `name` (case-insensitive), or nil.
    public subscript(name: String) -> String? {
        fields.first { Self.sameName($0.name, name) }?.value
    }

    /// All values of the header `name` (case-insensitive), in order.
    public func values(for name: String) -> [String] {
        fields.filter { Self.sameName($0.name, name) }.map(\.value)
    }

    /// Whether at least one header `name` is present (case-insensitive).
    public func contains(_ name: String) -> Bool {
        fields.contains { Self.sameName($0.name, name) }
    }

    /// Appends a field, keeping any existing fields of the same name.
    public mutating func add(_ name: String, _ value: String) {
        fields.append((name: name, value: value))
    }

    /// Replaces every field named `name` with a single field (appended if absent).
    public mutating func set(_ name: String, _ value: String) {
        if let index = fields.firstIndex(where: { Self.sameName($0.name, name) }) {
            fields[index].value = value
            var position = fields.index(after: index)
            while position < fields.endIndex {
                if Self.sameName(fields[position].name, name) {
                    fields.remove(at: position)
                } else {
                    position = fields.index(after: position)
                }
            }
        } else {
            add(name, value)
        }
    }

    /// Removes every field named `name` (case-insensitive).
    public mutating func remove(_ name: String) {
        fields.removeAll { Self.sameName($0.name, name) }
    }

    public var count: Int { fields.count }
    public var isEmpty: Bool { fields.isEmpty }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }

    static func sameName(_ a: String, _ b: String) -> Bool {
        a.utf8.count == b.utf8.count && a.lowercased() == b.lowercased()
    }
}

extension HTTPHeaders: ExpressibleByDictionaryLiteral {
    /// `["Accept": "application/json"]`; literal order is kept.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}
