import Foundation
@testable import Lab
import Testing

/// A step written with the notebooks' Python or Keras habits fails with an error at the habit
/// that names the lab's form; code that merely contains the same words does not.
@Suite struct PythonHabitsTests {
    func error(of code: String) throws -> LabError? { try errorOfStep(code) }

    @Test(arguments: [
        // (code, the message, the habit's line and column in the step)
        ("let EPOCHS = 3\nprint(f\"epochs {EPOCHS}\")", #"write "epochs \(EPOCHS)" for Python's f"epochs {EPOCHS}""#, 2, 7),
        ("let x = 0.5\nprint(f'loss {x:.4f} \"q\" {{b}}')", #"write "loss \(format(x, decimals: 4)) \"q\" {b}" for Python's f'loss"#, 2, 7),
        ("print(\"%d\" % 3)", "not with Python's '%'", 1, 7),
        ("let a = True", "write 'true' for Python's 'True'", 1, 9),
        ("let a = False", "write 'false' for Python's 'False'", 1, 9),
        ("let a = None", "a lab has no 'None'", 1, 9),
        ("let a = true and false", "write 'a && b' for Python's 'a and b'", 1, 14),
        ("let a = true or false", "write 'a || b' for Python's 'a or b'", 1, 14),
        ("let a = not true", "write '!a' for Python's 'not a'", 1, 9),
        ("let a = 1\nif a == 1 { print(1) } elif a == 2 { print(2) }", "write 'else if' for Python's 'elif'", 2, 24),
        ("let c = true\nlet a = 1 if c else 2", "write 'c ? a : b' for Python's 'a if c else b'", 2, 11),
        ("let b = [1, 2]\nlet a = len(b)", "write 'b.count' for Python's 'len(b)'", 2, 9),
        ("let a = 2 ** 3", "a lab has no '**'", 1, 11),
        ("# 주석\nlet a = 1", "a comment starts with '//' in a lab, not with Python's '#'", 1, 1),
        ("let a = (5, 5)", "a lab has no tuples", 1, 9),
        ("let g = Sequential(\"G\", input: [8, 8, 1]) { Conv2D(3, kernelSize: (3, 3)) }", "a lab has no tuples", 1, 67),
        ("def f(x):\n    return x", "a lab cannot define functions ('def')", 1, 1),
        ("import numpy as np", "a lab imports nothing", 1, 1),
        ("from tensorflow import keras", "a lab imports nothing", 1, 1),
        ("for i in range(3):\n    print(i)", "write '0..<3' for Python's 'range(3)'; also, a block goes in braces", 1, 10),
        ("for i in range(2, 5) { print(i) }", "write '2..<5' for Python's 'range(2, 5)'", 1, 10),
        ("if true:\n    print(1)", "a block goes in braces, as 'if x > 0 { … }'", 1, 8),
        ("while true:\n    print(1)", "a block goes in braces, as 'for i in 0..<3 { … }'", 1, 11),
        ("let f = lambda x: x", "a lab has no lambdas", 1, 9),
        ("let a = [i for i in 0..<3]", "a lab has no comprehensions", 1, 12),
        ("let a = np.zeros([3])", "write 'zeros(…)' for 'np.zeros(…)'", 1, 9),
        ("let a = tf.keras.layers.Dense(3)", "write 'Dense(…)' for 'tf.keras.layers.Dense(…)'", 1, 9),
        ("let a = np.random.normal(0, 1, [3])", "write 'randomNormal(…)' for 'np.random.normal(…)'", 1, 9),
        ("let a = np.linalg.norm([3])", "a lab's names have no module prefix ('np.')", 1, 9),
        ("var a = [1]\na.append(2)", "write 'a += [2]' for Python's 'a.append(2)'", 2, 3),
        ("let a = [1, 2]\nprint(a[-1])", "write 'a.last' for Python's 'a[-1]'", 2, 8),
        ("let a = [1, 2]\nprint(a[1])", "a lab does not index arrays: 'a.first' and 'a.last' are there", 2, 8),
        ("let x = zeros([2, 3])\nprint(x.shape[0])", "write 'x.shape.first' for Python's 'x.shape[0]'", 2, 14),
        ("print(zeros([2])[0])", "write 'a.first' for Python's 'a[0]'", 1, 17),
        ("let g = Sequential(\"G\", input: [10]) { Dense(3) }\ng.add(Dense(3))", "not added with Keras's 'g.add(…)'", 2, 3),
        ("print(1, end=\"\")", #"write 'end: ""' for Python's 'end=""': a lab labels an argument with ':'"#, 1, 10),
        ("print(\n    1,\n    sep=\"\")", #"write 'sep: ""' for Python's 'sep=""'"#, 3, 5),
        ("let g = Sequential(\"G\", input: [4]) { Dense(4) }\nprint(g(zeros([1, 4]), training=False))", "write 'training: false' for Python's 'training=False'", 2, 24),
        ("print('float32')", #"write "float32" in double quotes for Python's 'float32'"#, 1, 7),
        ("let g = Sequential(\"G\", input: [4]) { Dense(4, input_shape=(LATENT_DIM,)) }", "'Sequential(\"G\", input: [LATENT_DIM]) { … }', not to its first layer", 1, 48),
        ("g_loss, d_loss = step(batch)", "a lab has no tuple assignment", 1, 1),
    ] as [(String, String, Int, Int)])
    func aHabitIsNamedWhereItIs(code: String, message: String, line: Int, column: Int) throws {
        let error = try #require(try error(of: code), "\(code) ran")
        #expect(error.message.contains(message), "\(code): \(error.message)")
        // The step's first code line is line 4 of the lab file.
        #expect(error.line == 3 + line && error.column == column, "\(code): at \(error.line):\(error.column)")
    }

    /// A string given where Keras takes one and a lab an option: the option it means.
    @Test(arguments: [
        ("Dense(3, activation: \"tanh\")", "got the string \"tanh\"; write .tanh (options are written with a dot"),
        ("Dense(3, activation: \"leaky_relu\")", "write .leakyReLU"),
        ("Conv2D(3, kernelSize: 3, padding: \"Same\")", "write .same"),
        ("Conv2D(3, kernelSize: 3, padding: \"causal\")", "got the string \"causal\"; the options are .same, .valid"),
    ])
    func aKerasStringNamesItsOption(layer: String, message: String) throws {
        let error = try #require(try error(of: "let g = Sequential(\"G\", input: [8, 8, 1]) {\n    \(layer)\n}"))
        #expect(error.message.contains(message), "\(layer): \(error.message)")
        #expect(error.line == 5)
    }

    /// The same words where a lab may have them: in strings and comments, or as names the lab
    /// declared. The errors stay the evaluator's own.
    @Test(arguments: [
        ("print(\"True and None ** range(3) # f'{x}' a[0]\")\nlet y = zz", "unknown name 'zz'"),
        ("let y = zz // True, range(3), np.zeros", "unknown name 'zz'"),
        ("let range = 3\nlet q = range(4)", "unknown function 'range'"),
        ("let np = 2\nlet q = np.zeros([3])", "Int has no method 'zeros()'"),
        ("let True = 1\nlet q = True + zz", "unknown name 'zz'"),
        ("let a = [1, 2]\nlet q = a + [zz]", "unknown name 'zz'"),
        ("let s = #\"# not a comment \"#\nlet q = zz", "unknown name 'zz'"),
        ("let s = \"\"\"\n# True and False\n\"\"\"\nlet q = zz", "unknown name 'zz'"),
    ])
    func wordsALabMayHoldAreNotHabits(code: String, message: String) throws {
        let error = try #require(try error(of: code))
        #expect(error.message.hasPrefix(message), "\(code): \(error.message)")
    }

    /// Lines with nothing of Python, and lines with a habit on another line, are left alone.
    @Test func onlyTheErrorsLineIsRead() {
        let source = "let a = True\nlet b = zz"
        #expect(PythonHabits.find(in: source, line: 2, isDefined: { _ in false }, knows: { _ in true }).isEmpty)
        #expect(PythonHabits.find(in: source, line: 1, isDefined: { _ in false }, knows: { _ in true }).map(\.column) == [9])
    }

    /// A pasted notebook cell: the error is at the first line to fix, and every other line the
    /// parser found wrong that holds a habit gets a note of its own, on the console and in the
    /// report; lines without a habit, and lines the parser had nothing against, get none.
    @Test func aPastedCellShowsEveryLineToFix() throws {
        let code = """
            let EPOCHS = 3
            for epoch in range(EPOCHS):
                let x = )
                if epoch % 10 == 0 and epoch > 0:
                    print(f"에포크 {epoch}")
                elif epoch == 1:
                    print('다음', True)
            """
        let (outcome, folder, console) = try runLab("# 습관\n\n```swift\n\(code)\n```\n", write: false)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let error = try #require(outcome.error)
        #expect((error.line, error.column) == (5, 14) && error.message.hasPrefix("write '0..<EPOCHS' for Python's 'range(EPOCHS)'"))
        #expect(error.notes.map { [$0.line, $0.column] } == [[7, 24], [8, 15], [9, 5], [10, 15]])
        #expect(error.notes.map(\.message) == [
            "write 'a && b' for Python's 'a and b'; also, a block goes in braces, as 'if x > 0 { … }', not after ':' with indentation as in Python",
            #"write "에포크 \(epoch)" for Python's f"에포크 {epoch}": a lab puts values into a string with \(…)"#,
            "write 'else if' for Python's 'elif'; also, a block goes in braces, as '} else if x > 0 { … }', not after ':' with indentation as in Python",
            #"write "다음" in double quotes for Python's '다음'; also, write 'true' for Python's 'True'"#,
        ])
        #expect(error.notes.map(\.sourceLine) == [
            "    if epoch % 10 == 0 and epoch > 0:", "        print(f\"에포크 {epoch}\")", "    elif epoch == 1:", "        print('다음', True)",
        ])
        let text = error.description
        #expect(text.contains("\n        elif epoch == 1:\n        ^") && text.contains(":9:5: note: write 'else if'"), "\(text)")
        #expect(outcome.report.failure?.message == text)
        #expect(console.contains { $0.contains(":8:15: note: write \"에포크 \\(epoch)\"") })
    }

    /// Past ten noted lines the rest are counted; past the lines read, as a least.
    @Test func manyWrongLinesGetTenNotesAndACount() throws {
        let thirty = try #require(try error(of: String(repeating: "print(f\"a {1}\")\n", count: 30)))
        #expect(thirty.line == 4 && thirty.notes.count == 11)
        #expect(thirty.notes.prefix(10).map(\.line) == Array(5...14))
        #expect(thirty.notes.last.map { ($0.line, $0.message, $0.sourceLine) } ?? (0, "", "")
                == (15, "19 more lines of this step hold Python habits too", nil))
        let many = try #require(try error(of: String(repeating: "print(f\"a {1}\")\n", count: 500)))
        // The parser's diagnosis reads a window past the first mistake, so the count is a least.
        #expect(many.notes.count == 11 && many.notes.last?.message.contains(/^at least \d+ more lines of this step hold Python habits too$/) == true,
                "\(many.notes.last?.message ?? "")")
    }

    /// Python's `a // b` is valid Swift (a value, then a comment): the step runs, and a notice
    /// says what happened. Comments of words, and whole-line comments, say nothing.
    @Test func pythonsWholeNumberDivisionIsNoticed() throws {
        let code = """
            let BATCH = 256 // 배치 크기
            let half = BATCH // 2
            let quarter = (BATCH) //BATCH
            // 2
            let LR = 2e-4 /// 2
            print(half)
            """
        let lab = "# 습관\n\n```swift\n\(code)\n```\n"
        let (outcome, folder, console) = try runLab(lab)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        #expect(outcome.error == nil)
        func notices(_ outcome: LabRunner.Outcome) -> [String] {
            outcome.report.blocks.flatMap { block -> [String] in
                guard case .step(let step) = block else { return [] }
                return step.outputs.compactMap { if case .notice(let text) = $0 { text } else { nil } }
            }
        }
        // The step again, from the cache: the same notices, once each.
        let (again, _, _) = try runLab(lab, in: folder)
        #expect(again.report.blocks.contains { if case .step(let s) = $0, case .ran(_, cached: true) = s.status { true } else { false } })
        #expect(notices(again) == notices(outcome))
        #expect(notices(outcome) == [
            "line 5: '// 2' is a comment in Swift, so the code before it ends at 'BATCH'; for Python's whole-number division 'a // 2', "
                + "write 'a / 2' (two whole numbers divide to a whole number, rounded toward zero)",
            "line 6: '// BATCH' is a comment in Swift, so the code before it ends at ')'; for Python's whole-number division 'a // BATCH', "
                + "write 'a / BATCH' (two whole numbers divide to a whole number, rounded toward zero)",
        ])
        #expect(console.contains { $0.hasPrefix("note: line 5: '// 2' is a comment in Swift") })
    }

    /// Hostile steps: a line of 100,000 brackets, strings nested 100,000 interpolations deep,
    /// 50,000 lines of `x // 2`, a string of a megabyte given for an option. Each ends as the
    /// evaluator left it (or with ten notices and a count), quickly, with nothing quoted whole.
    @Test func hostileStepsCostOnePass() throws {
        let brackets = String(repeating: "(", count: 100_000)
        #expect(PythonHabits.find(in: "let a = " + brackets + "True", line: 1, isDefined: { _ in false }, knows: { _ in true }).isEmpty)
        let nested = "let s = " + String(repeating: "\"\\(", count: 100_000) + "\nlet a = True"
        #expect(PythonHabits.find(in: nested, line: 2, isDefined: { _ in false }, knows: { _ in true }).map(\.column) == [9])
        let divisions = LabFile.Step(number: 1, source: "let x = 8\n" + String(repeating: "let y = x // 2\n", count: 50_000), firstLine: 4)
        let notices = PythonHabits.integerDivisionNotices(in: divisions, isDefined: { _ in false })
        #expect(notices.count == 11 && notices.last == "49990 more lines of this step end in '// ' and a number or a name, as above")
        let long = String(repeating: "x", count: 1_000_000)
        let option = try #require(try error(of: "let g = Sequential(\"G\", input: [4]) { Dense(4, activation: \"\(long)\") }"))
        #expect(option.message.count < 200, "\(option.message.count) characters")
        let fString = try #require(try error(of: "print(f\"\(long) {x}\")"))
        #expect(fString.message.count < 300 && fString.message.contains("for Python's f\"xxx"), "\(fString.message.prefix(300))")
    }

    /// f-strings as Swift strings.
    @Test(arguments: [
        (#""epochs {EPOCHS}""#, #""epochs \(EPOCHS)""#),
        (#""{g_loss:.4f} / {d_loss:8.2f}""#, #""\(format(g_loss, decimals: 4)) / \(format(d_loss, decimals: 2))""#),
        (#""{{literal}} {x!r} {y:>5}""#, #""{literal} \(x) \(y)""#),
        (#"'say "hi" {name}'"#, #""say \"hi\" \(name)""#),
        (#""""#, #""""#),
        (#""{unclosed""#, #""{unclosed""#),
    ])
    func fStringsBecomeInterpolations(python: String, swift: String) {
        #expect(FormattedString.swiftForm(of: python) == swift)
    }

    /// The lexer never fails, whatever it is given: unterminated strings, lone quotes and
    /// brackets, raw strings left open.
    @Test(arguments: ["\"", "'", "f\"", "#\"abc", "\"\"\"", "\"\\(", "\"\\(\"", ")))", "/*", "[[[", "#", "a[", "**"])
    func brokenCodeIsReadToTheEnd(source: String) {
        _ = PythonHabits.find(in: source, line: 1, isDefined: { _ in false }, knows: { _ in false })
        #expect(CodeWord.read(source).allSatisfy { $0.line == 1 })
    }
}
