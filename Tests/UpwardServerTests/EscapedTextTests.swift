import Foundation
import Leaf
import LeafKit
import NIOCore
import NIOPosix
import Testing

@testable import UpwardServer

/// `#e(value)` must write what Leaf's own `#(value)` writes, escaping included: the pages use it
/// for every value (see ``EscapedText``).
@Suite("Escaped text")
struct EscapedTextTests {
    /// Templates held in memory, by name.
    struct Templates: LeafSource {
        let files: [String: String]

        func file(template: String, escape: Bool, on eventLoop: any EventLoop) throws -> EventLoopFuture<ByteBuffer> {
            guard let text = files[template] else { throw LeafError(.noTemplateExists(template)) }
            return eventLoop.makeSucceededFuture(ByteBuffer(string: text))
        }
    }

    func render(_ template: String, _ context: [String: LeafData]) async throws -> String {
        let sources = LeafSources()
        try sources.register(using: Templates(files: ["page": template]))
        var tags = LeafKit.defaultTags
        tags["e"] = EscapedText()
        let renderer = LeafRenderer(
            configuration: LeafConfiguration(rootDirectory: "/"), tags: tags, cache: DefaultLeafCache(), sources: sources,
            eventLoop: MultiThreadedEventLoopGroup.singleton.any())
        return String(buffer: try await renderer.render(path: "page", context: context).get())
    }

    static let texts = [
        "", "Ada Lovelace", "<script>alert('x') & \"y\"</script>", "Zoë Ødegård, 李雷 & 韩梅梅 👩🏽‍💻 <b>", "a > b", "'", "&amp;", "café\u{301} <",
        "R&D", "tab\tnew\nline",
    ]

    @Test("Text comes out escaped exactly as Leaf escapes it, and untouched when there is nothing to escape")
    func text() async throws {
        for text in Self.texts {
            let mine = try await render("[#e(v)]", ["v": .string(text)])
            let leafs = try await render("[#(v)]", ["v": .string(text)])
            #expect(mine == leafs, "\(text)")
            #expect(mine == "[\(text.htmlEscaped())]", "\(text)")
            #expect(EscapedText.escape(text) == text.htmlEscaped(), "\(text)")
        }
        #expect(
            try await render("#e(v)", ["v": "<script>alert('x') & \"y\"</script>"]) == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
        #expect(try await render("<p title=\"#e(v)\">", ["v": "\" onmouseover=\"steal()"]) == "<p title=\"&quot; onmouseover=&quot;steal()\">")
    }

    @Test("Numbers, truth values, missing values and a row's field in #with come out as with #(…)")
    func otherValues() async throws {
        let context: [String: LeafData] = [
            "count": .int(42), "below": .int(-7), "share": .double(0.25), "flag": .bool(true), "unset": .bool(false), "none": .trueNil,
            "row": .dictionary(["name": .string("Tom & Jerry"), "level": .int(3)]),
        ]
        for expression in ["count", "below", "share", "flag", "unset", "none", "missing", "row.name", "count + 1"] {
            let mine = try await render("[#e(\(expression))]", context)
            let leafs = try await render("[#(\(expression))]", context)
            #expect(mine == leafs, "\(expression)")
        }
        #expect(try await render("#with(row):#e(name) at #e(level)#endwith", context) == "Tom &amp; Jerry at 3")
        #expect(try await render("[#e(count)]", context) == "[42]")
    }

    @Test("Anything but one value is an error naming the tag, not text on the page")
    func misuse() async throws {
        await #expect(throws: (any Error).self) { try await render("#e(a, b)", ["a": "1", "b": "2"]) }
        await #expect(throws: (any Error).self) { try await render("#e(list)", ["list": .array([.string("<b>")])]) }
    }
}
