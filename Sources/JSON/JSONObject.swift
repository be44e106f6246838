/// A JSON object: members in the order they were parsed or inserted, looked up by key.
///
/// Keys are unique. Lookup scans the members while the object is small (OCPP payloads have
/// a handful of keys; a scan beats hashing there) and goes through an index once it grows
/// past `indexThreshold` members. Equality and hashing ignore the order; the order is kept
/// for writing (a config file comes back in the user's order).
public struct JSONObject: Sendable {
    public typealias Member = (key: String, value: JSONValue)

    @usableFromInline
    var members: [Member]
    /// Key → position, kept only for large objects.
    @usableFromInline
    var index: [String: Int]?

    /// Objects with more members than this get a hash index.
    @usableFromInline
    static var indexThreshold: Int { 16 }

    @inlinable
    public init() {
        members = []
        index = nil
    }

    /// Members in this order; a repeated key keeps its first position and its last value.
    @inlinable
    public init(_ members: [Member]) {
        self.init()
        for (key, value) in members { self[key] = value }
    }

    /// Members known to have distinct keys (the parser has checked). Not checked again.
    @inlinable
    init(uniqueMembers members: [Member]) {
        self.members = members
        index = nil
        if members.count > Self.indexThreshold { rebuildIndex() }
    }

    @inlinable
    mutating func rebuildIndex() {
        var index: [String: Int] = [:]
        index.reserveCapacity(members.count)
        for (position, member) in members.enumerated() { index[member.key] = position }
        self.index = index
    }

    /// The position of `key`, if present.
    @inlinable
    public func position(of key: String) -> Int? {
        if let index { return index[key] }
        // Comparing lengths first skips most string comparisons of a scan.
        let length = key.utf8.count
        for position in members.indices where members[position].key.utf8.count == length && members[position].key == key {
            return position
        }
        return nil
    }

    /// The value under `key`; setting nil removes the member, setting a new key appends it.
    @inlinable
    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return members[position].value
        }
        set {
            if let newValue {
                updateValue(newValue, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets the value under `key` (in place when present, else appended) and returns the old one.
    @inlinable
    @discardableResult
    public mutating func updateValue(_ value: JSONValue, forKey key: String) -> JSONValue? {
        if let position = position(of: key) {
            let old = members[position].value
            members[position].value = value
            return old
        }
        members.append((key, value))
        if index != nil {
            index?[key] = members.count - 1
        } else if members.count > Self.indexThreshold {
            rebuildIndex()
        }
        return nil
    }

    /// Removes `key` (the others keep their order) and returns its value.
    @inlinable
    @discardableResult
    public mutating func removeValue(forKey key: String) -> JSONValue? {
        guard let position = position(of: key) else { return nil }
        let removed = members.remove(at: position)
        if index != nil {
            if members.count > Self.indexThreshold { rebuildIndex() } else { index = nil }
        }
        return removed.value
    }

    /// The keys, in order.
    public var keys: [String] { members.map(\.key) }

    /// The values, in the order of their keys.
    public var values: [JSONValue] { members.map(\.value) }

    /// The members sorted by key (what writers with sorted keys emit).
    public var sortedMembers: [Member] {
        var sorted = members
        sorted.sort { $0.key < $1.key }
        return sorted
    }
}

extension JSONObject: RandomAccessCollection {
    public typealias Index = Int
    public typealias Element = Member

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { members.count }
    @inlinable public subscript(position: Int) -> Member { members[position] }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
    /// A repeated key keeps its first position and its last value.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self.init()
        members.reserveCapacity(elements.count)
        for (key, value) in elements { self[key] = value }
    }
}

extension JSONObject: Hashable {
    /// Same keys with equal values, in any order.
    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        guard a.members.count == b.members.count else { return false }
        // Same order is the common case: compare pairwise until the first difference.
        var position = 0
        while position < a.members.count, a.members[position].key == b.members[position].key {
            guard a.members[position].value == b.members[position].value else { return false }
            position += 1
        }
        while position < a.members.count {
            let member = a.members[position]
            guard let other = b[member.key], other == member.value else { return false }
            position += 1
        }
        return true
    }

    /// Independent of the order, like equality.
    public func hash(into hasher: inout Hasher) {
        var combined = 0
        for member in members {
            var memberHasher = Hasher()
            memberHasher.combine(member.key)
            memberHasher.combine(member.value)
            combined ^= memberHasher.finalize()
        }
        hasher.combine(members.count)
        hasher.combine(combined)
    }
}

extension JSONObject: CustomStringConvertible {
    /// Compact JSON text, keys sorted.
    public var description: String { JSONValue.object(self).jsonText }
}
