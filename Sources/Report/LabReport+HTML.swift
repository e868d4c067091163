import Foundation

extension LabReport {
    /// The report as one HTML page: header with run facts, an error banner when a step failed,
    /// then prose and steps in order. Figures are linked beside the page, or embedded when
    /// `selfContained`.
    public func html(selfContained: Bool = false) -> String {
        var body = "<header><h1>\(escapeHTML(title))</h1>\n\(metadataHTML())</header>\n"
        for warning in metadata.warnings { body += "<p class=\"notice\" role=\"note\">\(escapeHTML(warning))</p>\n" }
        if let failure {
            let target = failure.stepNumber.map { "<a href=\"#step-\($0)\">Step \($0)</a> failed" } ?? "The lab could not be run"
            body += "<div class=\"banner\" role=\"alert\"><strong>\(target).</strong><pre>\(escapeHTML(failure.message))</pre></div>\n"
        }
        var titleSkipped = false
        for block in blocks {
            switch block {
            case .prose(let text):
                var text = text
                if !titleSkipped, let range = text.range(of: "# " + title) {
                    text.removeSubrange(range)
                    titleSkipped = true
                }
                body += "<section class=\"prose\">\(Markdown.html(text))</section>\n"
            case .step(let step):
                body += stepHTML(step, selfContained: selfContained)
            }
        }
        return """
            <!DOCTYPE html>
            <html lang="ko">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(escapeHTML(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <main>
            \(body)</main>
            </body>
            </html>

            """
    }

    private func metadataHTML() -> String {
        var rows = [
            ("실행 일시 (run)", metadata.date),
            ("컴퓨터 (machine)", metadata.machine),
            ("실습 파일 (lab)", sourcePath),
            ("총 시간 (total)", String(format: "%.1f s", metadata.totalSeconds) + cacheSummary),
        ]
        if let numerics = metadata.numerics { rows.insert(("계산 설정 (numerics)", numerics), at: 2) }
        if let dataset = metadata.dataset { rows.insert(("데이터 (data)", dataset), at: 2) }
        if let seed = metadata.seed { rows.append(("시드 (seed)", String(seed))) }
        var html = "<dl class=\"facts\">" + rows.map { "<dt>\(escapeHTML($0))</dt><dd>\(escapeHTML($1))</dd>" }.joined() + "</dl>\n"
        if !metadata.parameters.isEmpty {
            html += "<table class=\"parameters\"><caption>매개변수 (parameters)</caption><thead><tr><th>이름</th><th>값</th><th>설명</th></tr></thead><tbody>"
            for p in metadata.parameters {
                let mark = p.overridden ? " <span class=\"overridden\" title=\"-P로 바꾼 값 (set with -P)\">-P</span>" : ""
                html += "<tr><td><code>\(escapeHTML(p.name))</code></td><td><code>\(escapeHTML(p.value))</code>\(mark)</td><td>\(escapeHTML(p.comment))</td></tr>"
            }
            html += "</tbody></table>\n"
        }
        return html
    }

    /// ", 8 of 9 steps from the cache" when some were.
    private var cacheSummary: String {
        var total = 0, cached = 0
        for case .step(let step) in blocks {
            total += 1
            if case .ran(_, true) = step.status { cached += 1 }
        }
        return cached == 0 ? "" : " · \(cached)/\(total) 단계 캐시 사용 (\(cached) of \(total) steps from the cache)"
    }

    private func stepHTML(_ step: StepReport, selfContained: Bool) -> String {
        let status: String
        switch step.status {
        case .ran(let seconds, let cached):
            status = String(format: "%.1f s", seconds) + (cached ? " · 캐시 (cached)" : "")
        case .failed(let seconds):
            status = String(format: "실패 (failed) · %.1f s", seconds)
        case .notRun:
            status = "실행 안 됨 (not run)"
        }
        let statusClass = step.status == .notRun ? "not-run" : { if case .failed = step.status { return "failed" } else { return "ran" } }()
        let code = step.code.map { token in
            token.kind == .plain ? escapeHTML(token.text) : "<span class=\"\(token.kind.rawValue)\">\(escapeHTML(token.text))</span>"
        }.joined()
        var html = "<section class=\"step \(statusClass)\" id=\"step-\(step.number)\">\n"
        html += "<div class=\"step-head\"><span>Step \(step.number)</span><span class=\"line\">line \(step.line)</span><span class=\"time\">\(status)</span></div>\n"
        html += "<pre class=\"code\"><code>\(code)</code></pre>\n"
        for output in step.outputs {
            switch output {
            case .text(let text):
                html += "<pre class=\"output\">\(escapeHTML(text))</pre>\n"
            case .notice(let text):
                html += "<p class=\"notice\">\(escapeHTML(text))</p>\n"
            case .table(let table):
                html += tableHTML(table)
            case .figure(let figure):
                let source = selfContained && figure.data != nil
                    ? "data:image/png;base64," + Data(figure.data!).base64EncodedString() : escapeHTML(figure.fileName)
                html += "<figure><img src=\"\(source)\" alt=\"\(escapeHTML(figure.caption))\"><figcaption>\(escapeHTML(figure.caption))</figcaption></figure>\n"
            case .files(let saved):
                // Linked by name: they are beside the page in both forms of the report.
                html += "<p class=\"saved-files\">\(escapeHTML(saved.caption)) (\(saved.files.count) files beside this page): "
                    + saved.files.map { "<a href=\"\(escapeHTML($0.name))\">\(escapeHTML($0.name))</a>" }.joined(separator: " · ") + "</p>\n"
            }
        }
        return html + "</section>\n"
    }

    private func tableHTML(_ table: TableOutput) -> String {
        var html = "<div class=\"table-wrap\"><table class=\"summary\"><caption>\(escapeHTML(table.caption))</caption><thead><tr>"
        html += table.headers.enumerated().map { column, header in
            "<th\(table.numericColumns.contains(column) ? " class=\"num\"" : "")>\(escapeHTML(header))</th>"
        }.joined()
        html += "</tr></thead><tbody>"
        for row in table.rows {
            html += "<tr>" + row.enumerated().map { column, cell in
                "<td\(table.numericColumns.contains(column) ? " class=\"num\"" : "")>\(escapeHTML(cell))</td>"
            }.joined() + "</tr>"
        }
        html += "</tbody></table>"
        if !table.footer.isEmpty {
            html += "<ul class=\"table-footer\">" + table.footer.map { "<li>\(escapeHTML($0))</li>" }.joined() + "</ul>"
        }
        return html + "</div>\n"
    }

    /// The page's style: readable on a laptop and a phone, clean in print, Korean fonts first.
    static let style = """
        :root { --ink: #1f2328; --muted: #59636e; --line: #d1d9e0; --accent: #1f77b4; --bad: #d62728; }
        * { box-sizing: border-box; }
        body { margin: 0; color: var(--ink); background: #fff; line-height: 1.65;
          font-family: "Apple SD Gothic Neo", "Noto Sans KR", "Malgun Gothic", "Nanum Gothic", system-ui, sans-serif; }
        main { max-width: 920px; margin: 0 auto; padding: 1.5rem 1rem 4rem; }
        h1 { font-size: 1.9rem; margin: 0 0 .5rem; } h2 { margin-top: 2.2rem; border-bottom: 1px solid var(--line); }
        pre { overflow-x: auto; max-width: 100%; }
        math[display="block"] { margin: .9rem 0; overflow-x: auto; font-size: 1.08em; } merror { color: var(--bad); }
        code, pre { font-family: "SF Mono", Menlo, Consolas, "D2Coding", monospace; font-size: .88rem; }
        .facts { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; color: var(--muted); margin: .5rem 0 1rem; }
        .facts dt { font-weight: 600; } .facts dd { margin: 0; }
        table { border-collapse: collapse; margin: .6rem 0; font-size: .92rem; }
        th, td { border-bottom: 1px solid var(--line); padding: .3rem .7rem; text-align: left; vertical-align: top; }
        th.num, td.num { text-align: right; font-variant-numeric: tabular-nums; }
        caption { text-align: left; font-weight: 600; padding-bottom: .3rem; }
        .overridden { background: #fff3cd; border-radius: 3px; padding: 0 .3rem; font-size: .8rem; }
        .banner { border-left: 5px solid var(--bad); background: #fdecea; padding: .6rem 1rem; margin: 1rem 0; }
        .notice { border-left: 5px solid #ff7f0e; background: #fff4e5; padding: .5rem .8rem; margin: 0; border-top: 1px dashed var(--line); }
        .banner a { color: var(--bad); } .banner pre { white-space: pre-wrap; margin: .4rem 0 0; }
        .step { border: 1px solid var(--line); border-radius: 8px; margin: 1rem 0; overflow: hidden; }
        .step.failed { border-color: var(--bad); } .step.not-run { opacity: .55; }
        .step-head { display: flex; gap: 1rem; background: #f6f8fa; padding: .3rem .8rem; font-size: .85rem; color: var(--muted); }
        .step-head .time { margin-left: auto; }
        pre.code { margin: 0; padding: .8rem; overflow-x: auto; background: #fbfcfd; }
        pre.output { margin: 0; padding: .6rem .8rem; border-top: 1px dashed var(--line); white-space: pre-wrap; }
        .keyword { color: #cf222e; } .number { color: #0550ae; } .string { color: #0a3069; }
        .comment { color: #6e7781; font-style: italic; } .type { color: #8250df; } .call { color: #6639ba; }
        .table-wrap { overflow-x: auto; padding: 0 .8rem; border-top: 1px dashed var(--line); }
        .table-footer { list-style: none; padding: 0; color: var(--muted); font-size: .88rem; }
        figure { margin: .8rem; text-align: center; } figure img { max-width: 100%; height: auto; }
        figcaption { color: var(--muted); font-size: .88rem; }
        @media (max-width: 600px) { main { padding: 1rem .6rem; } h1 { font-size: 1.5rem; } .facts { grid-template-columns: 1fr; } }
        @media print { .step { break-inside: avoid; } pre.code { white-space: pre-wrap; } a { color: inherit; } }
        """
}
