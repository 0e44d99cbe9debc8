import Foundation
import Testing
import UpwardCore

@Suite("Directory order and page windows")
struct DirectoryOrderTests {
    @Test("a page past the end is the last page, an empty list has one empty page, and sizes are clamped")
    func pageWindow() {
        let items = Array(1...23)
        let third = PageWindow(page: 3, per: 10, total: items.count)
        #expect(third.page == 3 && third.offset == 20 && Array(third.slice(of: items)) == [21, 22, 23])
        let beyond = PageWindow(page: Int.max, per: 10, total: items.count)
        #expect(beyond.page == 3 && Array(beyond.slice(of: items)) == [21, 22, 23])
        let before = PageWindow(page: -5, per: 10, total: items.count)
        #expect(before.page == 1 && Array(before.slice(of: items)) == Array(1...10))
        let empty = PageWindow(page: 4, per: 10, total: 0)
        #expect(empty.page == 1 && empty.offset == 0 && empty.slice(of: [Int]()).isEmpty)
        #expect(PageWindow(page: 1, per: 0, total: 5).per == 1)
        #expect(PageWindow(page: 1, per: 1_000, total: 5).per == 200)
        // A list shorter than its stated total (a person removed meanwhile) gives what there is.
        #expect(Array(PageWindow(page: 3, per: 10, total: 23).slice(of: Array(1...21))) == [21])
        #expect(PageWindow(page: 3, per: 10, total: 23).slice(of: Array(1...15)).isEmpty)
    }

    @Test("the employed view leaves out the leavers and keeps the name order")
    func employed() {
        let ids = (0..<7).map { _ in UUID() }
        let order = DirectoryOrder(version: 4, people: ids.enumerated().map { ($0.element, $0.offset % 3 == 1) })
        #expect(order.everyone == ids)
        #expect(order.employed == [ids[0], ids[2], ids[3], ids[5], ids[6]])
        let (page, window) = order.page(2, per: 2, includeLeavers: false)
        #expect(Array(page) == [ids[3], ids[5]] && window.total == 5 && window.page == 2)
        let (all, allWindow) = order.page(9, per: 3, includeLeavers: true)
        #expect(Array(all) == [ids[6]] && allWindow.page == 3 && allWindow.total == 7)
    }
}
