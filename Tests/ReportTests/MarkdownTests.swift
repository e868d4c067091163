import Report
import Testing

/// The report's Markdown: CommonMark's common forms render as expected, nothing a lab writes
/// can put script into the page, and the time is linear in the text.
@Suite struct MarkdownTests {
    @Test(arguments: [
        ("# 제목", "<h1>제목</h1>\n"),
        ("## 실습 목표 ##", "<h2>실습 목표</h2>\n"),
        ("한 줄\n두 줄", "<p>한 줄\n두 줄</p>\n"),
        ("**매개변수**입니다", "<p><strong>매개변수</strong>입니다</p>\n"),
        ("*em* and _em_ and snake_case_name", "<p><em>em</em> and <em>em</em> and snake_case_name</p>\n"),
        ("`-P EPOCHS=5`처럼", "<p><code>-P EPOCHS=5</code>처럼</p>\n"),
        ("``a ` b``", "<p><code>a ` b</code></p>\n"),
        ("[MNIST](https://example.org/m?a=1&b=2)", "<p><a href=\"https://example.org/m?a=1&amp;b=2\">MNIST</a></p>\n"),
        ("![grid](figure-01-1.png)", "<p><img src=\"figure-01-1.png\" alt=\"grid\"></p>\n"),
        ("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>\n"),
        ("1. **Label smoothing**: 0.9\n2. WGAN", "<ol>\n<li><strong>Label smoothing</strong>: 0.9</li>\n<li>WGAN</li>\n</ol>\n"),
        ("- a\n  - b", "<ul>\n<li>a<ul>\n<li>b</li>\n</ul></li>\n</ul>\n"),
        ("> 인용", "<blockquote>\n<p>인용</p>\n</blockquote>\n"),
        ("```\nz (100,) → Dense\n```", "<pre><code>z (100,) → Dense\n</code></pre>\n"),
        ("~~~python\nx < 1\n~~~", "<pre><code class=\"language-python\">x &lt; 1\n</code></pre>\n"),
        ("| 항목 | Dense |\n|---|:---:|\n| 품질 | ? |", "<table>\n<thead>\n<tr><th>항목</th><th style=\"text-align:center\">Dense</th></tr>\n</thead>\n<tbody>\n<tr><td>품질</td><td style=\"text-align:center\">?</td></tr>\n</tbody>\n</table>\n"),
        ("---", "<hr>\n"),
        ("a\\*b\\*", "<p>a*b*</p>\n"),
        ("line  \nbreak", "<p>line<br>\nbreak</p>\n"),
        ("<https://example.org>", "<p><a href=\"https://example.org\">https://example.org</a></p>\n"),
        ("1 < 2 & 3 > 2", "<p>1 &lt; 2 &amp; 3 &gt; 2</p>\n"),
        ("a\r\nb", "<p>a\nb</p>\n"),
    ] as [(String, String)])
    func rendersCommonMark(markdown: String, html: String) {
        #expect(Markdown.html(markdown) == html)
    }

    @Test(arguments: [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click](javascript:alert(1))",
        "[click](JaVa\tScRiPt:alert(1))",
        "[click](  javascript:alert(1))",
        "![x](javascript:alert(1))",
        "![x](data:text/html;base64,PHNjcmlwdD4=)",
        "<a href=\"javascript:alert(1)\">x</a>",
        "[x](vbscript:msgbox)",
        "<svg onload=alert(1)>",
        "<iframe src=//evil></iframe>",
        "[x](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "`</code><script>alert(1)</script>`",
        "**<script>**",
        "[a\"onmouseover=\"alert(1)](https://x.org\"onmouseover=\"alert(1))",
    ])
    func scriptNeverReachesThePage(markdown: String) {
        let html = Markdown.html(markdown).lowercased()
        #expect(!html.contains("<script"), "\(html)")
        #expect(!html.contains("<img src=x"), "\(html)")
        #expect(!html.contains("javascript:"), "\(html)")
        #expect(!html.contains("vbscript:"), "\(html)")
        #expect(!html.contains("data:"), "\(html)")
        #expect(!html.contains("<svg") && !html.contains("<iframe") && !html.contains(" onerror") && !html.contains("\"onmouseover"), "\(html)")
    }

    @Test func pathologicalInputsRenderInLinearTime() {
        let clock = ContinuousClock()
        for (text, limit) in [
            (String(repeating: "[", count: 10_000), 1.0),
            (String(repeating: "[", count: 25) + "a", 0.1),
            (String(repeating: "[a](", count: 5_000), 1.0),
            (String(repeating: "*a _", count: 20_000), 2.0),
            (String(repeating: "`", count: 10_000) + "x", 1.0),
            (String(repeating: "> ", count: 5_000) + "deep", 1.0),
            (String(repeating: "- ", count: 5_000) + "deep", 1.0),
            (String(repeating: "<", count: 20_000), 1.0),
            (String(repeating: "[", count: 3_000) + String(repeating: "](x)", count: 3_000), 2.0),
        ] {
            let start = clock.now
            let html = Markdown.html(text)
            let seconds = Double((clock.now - start).components.attoseconds) / 1e18 + Double((clock.now - start).components.seconds)
            #expect(seconds < limit * 10, "\(text.prefix(12))… took \(seconds) s")
            #expect(!html.isEmpty)
        }
    }
}
