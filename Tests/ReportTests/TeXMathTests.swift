import Foundation
@testable import Report
import Testing

/// Equations in a lab's prose: TeX's notation becomes MathML the browser draws itself; hostile or
/// broken input stays escaped, visible and bounded.
@Suite struct TeXMathTests {
    /// The MathML between `<semantics>` and the TeX annotation.
    static func body(_ tex: String) -> String {
        let html = TeXMath.mathML(tex, display: false)
        let start = html.range(of: "<semantics>")!.upperBound, end = html.range(of: "<annotation")!.lowerBound
        return String(html[start..<end])
    }

    @Test(arguments: [
        ("x", "<mrow><mi>x</mi></mrow>"),
        ("2x + 10.5", "<mrow><mn>2</mn><mi>x</mi><mo>+</mo><mn>10.5</mn></mrow>"),
        ("x^2", "<mrow><msup><mi>x</mi><mrow><mn>2</mn></mrow></msup></mrow>"),
        ("p_{data}(x)", "<mrow><msub><mi>p</mi><mrow><mrow><mi>d</mi><mi>a</mi><mi>t</mi><mi>a</mi></mrow></mrow></msub><mo>(</mo><mi>x</mi><mo>)</mo></mrow>"),
        ("x_i^2", "<mrow><msubsup><mi>x</mi><mrow><mi>i</mi></mrow><mrow><mn>2</mn></mrow></msubsup></mrow>"),
        ("\\frac{a}{a+b}", "<mrow><mfrac><mrow><mi>a</mi></mrow><mrow><mi>a</mi><mo>+</mo><mi>b</mi></mrow></mfrac></mrow>"),
        ("\\log 4", "<mrow><mi>log</mi><mn>4</mn></mrow>"),
        ("\\underset{G}{\\min}", "<mrow><munder><mrow><mi>min</mi></mrow><mrow><mi>G</mi></mrow></munder></mrow>"),
        ("\\mathbb{E}_{x \\sim p}", "<mrow><msub><mi mathvariant=\"double-struck\">E</mi><mrow><mrow><mi>x</mi><mo>∼</mo><mi>p</mi></mrow></mrow></msub></mrow>"),
        ("\\lambda \\| \\nabla \\|", "<mrow><mi>λ</mi><mo>‖</mo><mi>∇</mi><mo>‖</mo></mrow>"),
        ("\\text{JSD}(a \\,\\|\\, b)", "<mrow><mtext>JSD</mtext><mo>(</mo><mi>a</mi><mspace width=\"0.167em\"></mspace><mo>‖</mo><mspace width=\"0.167em\"></mspace><mi>b</mi><mo>)</mo></mrow>"),
        ("\\left( x \\right.", "<mrow><mo stretchy=\"true\">(</mo><mi>x</mi></mrow>"),
        ("\\sqrt{2}", "<mrow><msqrt><mrow><mn>2</mn></mrow></msqrt></mrow>"),
        // Spaces separate tokens in math and are kept in text.
        ("\\text{of x} \\frac {a} {b} x ^ 2", "<mrow><mtext>of x</mtext><mfrac><mrow><mi>a</mi></mrow><mrow><mi>b</mi></mrow></mfrac>"
            + "<msup><mi>x</mi><mrow><mn>2</mn></mrow></msup></mrow>"),
    ] as [(String, String)])
    func notationBecomesMathML(_ tex: String, _ expected: String) {
        #expect(Self.body(tex) == expected)
    }

    @Test func linesOfADisplayBecomeATableAndTheSourceIsKept() {
        let html = TeXMath.mathML("a = b \\\\ = c", display: true)
        #expect(html.hasPrefix("<math display=\"block\"><semantics><mtable columnalign=\"left\">"))
        #expect(html.contains("<mtr><mtd><mrow><mi>a</mi><mo>=</mo><mi>b</mi></mrow></mtd></mtr><mtr><mtd><mrow><mo>=</mo><mi>c</mi></mrow></mtd></mtr>"))
        #expect(html.hasSuffix("<annotation encoding=\"application/x-tex\">a = b \\\\ = c</annotation></semantics></math>"))
    }

    /// A typo is shown, not dropped; markup in an equation is text; an unclosed group ends
    /// at the end; a stray `}` is shown.
    @Test func mistakesAreVisibleAndNothingEscapes() {
        #expect(Self.body("\\fracc{a}") == "<mrow><merror><mtext>\\fracc</mtext></merror><mrow><mi>a</mi></mrow></mrow>")
        let hostile = TeXMath.mathML("<script>alert(1)</script> \\text{<img src=x onerror=alert(1)>}", display: false)
        #expect(!hostile.contains("<script") && !hostile.contains("<img"))
        #expect(hostile.contains("&lt;img src=x onerror=alert(1)&gt;"))
        #expect(Self.body("\\frac{a") == "<mrow><mfrac><mrow><mi>a</mi></mrow></mfrac></mrow>")
        #expect(Self.body("a}") == "<mrow><mi>a</mi><merror><mtext>}</mtext></merror></mrow>")
    }

    /// Deep nesting is cut off at `maximumDepth` (shown as an error) in time linear in the input,
    /// whichever way it nests.
    @Test func deepNestingIsBoundedAndFast() {
        let clock = ContinuousClock()
        for source in [String(repeating: "{", count: 50_000), String(repeating: "\\frac", count: 50_000),
                       String(repeating: "x^{", count: 50_000), String(repeating: "\\sqrt", count: 50_000)] {
            var html = ""
            let elapsed = clock.measure { html = TeXMath.mathML(source, display: true) }
            #expect(html.contains("<merror>"))
            #expect(elapsed < .seconds(5))
        }
    }

    @Test(arguments: [
        ("면적은 $x^2$ 입니다", "<p>면적은 <math><semantics><mrow><msup><mi>x</mi><mrow><mn>2</mn></mrow></msup></mrow><annotation encoding=\"application/x-tex\">x^2</annotation></semantics></math> 입니다</p>\n"),
        ("$5 and $10", "<p>$5 and $10</p>\n"),
        ("a $ b $ c", "<p>a $ b $ c</p>\n"),
        ("\\$x\\$", "<p>$x$</p>\n"),
        ("`$x$`", "<p><code>$x$</code></p>\n"),
        ("$$\nD^*(x)\n$$", "<math display=\"block\"><semantics><mrow><msup><mi>D</mi><mrow><mo>*</mo></mrow></msup><mo>(</mo><mi>x</mi><mo>)</mo></mrow><annotation encoding=\"application/x-tex\">D^*(x)</annotation></semantics></math>\n"),
        ("글\n$$ V = 1 $$\n글", "<p>글</p>\n<math display=\"block\"><semantics><mrow><mi>V</mi><mo>=</mo><mn>1</mn></mrow><annotation encoding=\"application/x-tex\">V = 1</annotation></semantics></math>\n<p>글</p>\n"),
    ] as [(String, String)])
    func markdownFindsEquations(_ markdown: String, _ expected: String) {
        #expect(Markdown.html(markdown) == expected)
    }
}
