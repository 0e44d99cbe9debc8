import Ink

/// Training content: Markdown rendered by Ink, with raw HTML escaped and only http(s) and mailto links kept.
public enum TrainingMarkdown {
    public static func html(_ markdown: String) -> String {
        var parser = MarkdownParser()
        // Raw HTML, block or inline, is shown as text.
        parser.addModifier(Modifier(target: .html) { input in escape(String(input.markdown)) })
        // Images would load from anywhere: show their description instead.
        parser.addModifier(Modifier(target: .images) { input in escape(String(input.markdown)) })
        parser.addModifier(Modifier(target: .links) { input in link(html: input.html, markdown: input.markdown) })
        return parser.html(from: markdown)
    }

    /// Ink writes `<a href="URL">TITLE</a>` without escaping URL; rebuild it from the Markdown's own URL.
    static func link(html: String, markdown: Substring) -> String {
        guard let close = markdown.firstIndex(of: "]"), markdown.index(after: close) < markdown.endIndex,
            markdown[markdown.index(after: close)] == "(", markdown.hasSuffix(")")
        else { return escape(String(markdown)) }
        let url = String(markdown[markdown.index(close, offsetBy: 2)..<markdown.index(before: markdown.endIndex)])
        let prefix = "<a href=\"\(url)\">"
        guard html.hasPrefix(prefix), html.hasSuffix("</a>") else { return escape(String(markdown)) }
        let title = String(html.dropFirst(prefix.count).dropLast(4))
        guard isSafe(url) else { return title }
        return "<a href=\"\(escape(url))\" rel=\"nofollow noopener\">\(title)</a>"
    }

    /// http, https and mailto URLs without quotes, angle brackets, spaces or control characters.
    public static func isSafe(_ url: String) -> Bool {
        let lower = url.lowercased()
        guard lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("mailto:") else { return false }
        return !url.unicodeScalars.contains {
            $0 == "\"" || $0 == "'" || $0 == "<" || $0 == ">" || $0 == "`" || $0 == "\\" || $0.properties.isWhitespace
                || $0.properties.generalCategory == .control
        }
    }

    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
