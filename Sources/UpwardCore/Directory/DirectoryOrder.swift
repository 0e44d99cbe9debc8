import Foundation

/// Which page of a list is shown: the requested page clamped to the pages there are, and where
/// that page starts. A page past the end shows the last page; an empty list has one empty page.
public struct PageWindow: Equatable, Sendable {
    public let page: Int
    public let per: Int
    public let total: Int

    /// `per` is clamped to 1...200; `page` to the pages `total` items fill.
    public init(page: Int, per: Int, total: Int) {
        let per = min(max(per, 1), 200)
        let total = max(total, 0)
        let pageCount = max(1, (total + per - 1) / per)
        self.page = min(max(1, page), pageCount)
        self.per = per
        self.total = total
    }

    /// How many items come before this page.
    public var offset: Int { (page - 1) * per }

    /// This page's part of `items` (a list of `total` items).
    public func slice<T>(of items: [T]) -> ArraySlice<T> {
        let start = min(offset, items.count)
        return items[start..<min(start + per, items.count)]
    }
}

/// The directory's default views in name order: everyone, and the people still employed.
///
/// A page of the people list or the people API that is not filtered is a slice of this order, so
/// finding it costs nothing however deep the page is; a page from the database walks its index
/// past every name before the offset (the people API at 10 a page spent a third of its time there).
/// `version` is the storage's count of changes to the directory: an order is good while the
/// storage still reports the version it was read at.
public struct DirectoryOrder: Sendable {
    public let version: Int64
    public let everyone: [UUID]
    public let employed: [UUID]

    /// `people` in name order, each with whether they have left.
    public init(version: Int64, people: [(id: UUID, hasLeft: Bool)]) {
        self.version = version
        everyone = people.map(\.id)
        employed = people.filter { !$0.hasLeft }.map(\.id)
    }

    /// A page of ids, in order, and where it sits.
    public func page(_ page: Int, per: Int, includeLeavers: Bool) -> (ids: ArraySlice<UUID>, window: PageWindow) {
        let ids = includeLeavers ? everyone : employed
        let window = PageWindow(page: page, per: per, total: ids.count)
        return (window.slice(of: ids), window)
    }
}
