/// The report's equations: the part of TeX's math notation a lab's prose uses, turned into
/// MathML, which browsers draw themselves (no script, no font or file fetched from anywhere).
///
/// Supported: letters, digits and operators; `^` and `_` (with `{…}` groups); `\frac`, `\sqrt`,
/// `\underset`, `\overset`, `\hat`, `\bar`, `\tilde`; Greek letters; the usual symbols (`\sim`,
/// `\cdot`, `\int`, `\sum`, `\le`, `\approx`, `\infty`, `\|`, …); function names (`\log`, `\max`,
/// `\min`, `\exp`, …); `\mathbb`, `\mathrm`, `\mathbf`, `\mathcal`, `\operatorname`, `\text`;
/// `\left` / `\right`; spaces `\,` `\;` `\quad`; `\\` between lines of a display. Anything else
/// is shown as itself in an error box, so a typo is visible rather than dropped. Text is always
/// escaped, and nesting deeper than `maximumDepth` is shown as text rather than followed.
public enum TeXMath {
    /// How deeply groups, fractions and scripts may nest.
    static let maximumDepth = 24

    /// The MathML of `source`: a `<math>` element, displayed as a block when `display` is true.
    public static func mathML(_ source: String, display: Bool) -> String {
        var parser = TeXParser(tokens: TeXToken.split(source))
        let lines = parser.lines()
        let body: String
        if lines.count > 1 {
            body = "<mtable columnalign=\"left\">" + lines.map { "<mtr><mtd><mrow>\($0)</mrow></mtd></mtr>" }.joined() + "</mtable>"
        } else {
            body = "<mrow>\(lines.first ?? "")</mrow>"
        }
        let annotation = "<annotation encoding=\"application/x-tex\">\(escapeHTML(source))</annotation>"
        return "<math\(display ? " display=\"block\"" : "")><semantics>\(body)\(annotation)</semantics></math>"
    }
}

/// A piece of TeX source: a command (`\frac`), a character, or a brace.
enum TeXToken: Equatable {
    case command(String)
    case character(Character)
    case open, close

    /// The tokens of `source`: `\` followed by letters is one command, `\` and one other
    /// character is a command of that character (`\,`, `\\`, `\|`), a run of white space is one
    /// space (kept for `\text{…}`, ignored in math).
    static func split(_ source: String) -> [TeXToken] {
        var tokens: [TeXToken] = []
        let chars = Array(source)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\" {
                var j = i + 1
                while j < chars.count, chars[j].isASCII, chars[j].isLetter { j += 1 }
                if j == i + 1, j < chars.count { j += 1 }
                tokens.append(.command(String(chars[(i + 1)..<j])))
                i = j
            } else if c == "{" {
                tokens.append(.open); i += 1
            } else if c == "}" {
                tokens.append(.close); i += 1
            } else if c.isWhitespace {
                while i < chars.count, chars[i].isWhitespace { i += 1 }
                tokens.append(.character(" "))
            } else {
                tokens.append(.character(c)); i += 1
            }
        }
        return tokens
    }
}

/// Reads tokens into MathML, one atom at a time; scripts attach to the atom before them.
struct TeXParser {
    let tokens: [TeXToken]
    var position = 0
    var depth = 0

    init(tokens: [TeXToken]) { self.tokens = tokens }

    /// The whole source, split at `\\` into lines.
    mutating func lines() -> [String] {
        var lines: [String] = [], current = ""
        while position < tokens.count {
            if tokens[position] == .command("\\") {
                position += 1
                lines.append(current)
                current = ""
            } else if tokens[position] == .close {
                position += 1
                current += error("}")
            } else {
                current += scripted()
            }
        }
        lines.append(current)
        return lines
    }

    /// Atoms up to the matching `}` (which is consumed) or the end.
    mutating func group() -> String {
        var out = ""
        while position < tokens.count {
            if tokens[position] == .close { position += 1; return out }
            if tokens[position] == .command("\\") { position += 1; continue }
            out += scripted()
        }
        return out
    }

    /// One atom with its `^` and `_` scripts.
    mutating func scripted() -> String {
        skipSpaces()
        let base = atom()
        skipSpaces()
        var sub: String?, sup: String?
        while position < tokens.count, case .character(let c) = tokens[position], c == "^" || c == "_" {
            position += 1
            let script = argument()
            if c == "^" { sup = script } else { sub = script }
            skipSpaces()
        }
        switch (sub, sup) {
        case (nil, nil): return base
        case (let s?, nil): return "<msub>\(base)<mrow>\(s)</mrow></msub>"
        case (nil, let p?): return "<msup>\(base)<mrow>\(p)</mrow></msup>"
        case (let s?, let p?): return "<msubsup>\(base)<mrow>\(s)</mrow><mrow>\(p)</mrow></msubsup>"
        }
    }

    /// A command's argument: a `{…}` group or a single atom.
    mutating func argument() -> String {
        skipSpaces()
        guard position < tokens.count else { return "" }
        guard depth < TeXMath.maximumDepth else {
            position = tokens.count
            return error("…")
        }
        depth += 1
        defer { depth -= 1 }
        if tokens[position] == .open {
            position += 1
            return "<mrow>" + group() + "</mrow>"
        }
        return atom()
    }

    /// The plain text of a `{…}` argument (for `\text`, `\operatorname`, `\mathbb`).
    mutating func textArgument() -> String {
        guard position < tokens.count else { return "" }
        skipSpaces()
        guard position < tokens.count else { return "" }
        if tokens[position] != .open {
            position += 1
            switch tokens[position - 1] {
            case .character(let c): return String(c)
            case .command(let name): return name
            default: return ""
            }
        }
        position += 1
        var text = "", level = 0
        while position < tokens.count {
            let token = tokens[position]
            position += 1
            switch token {
            case .open: level += 1; text += "{"
            case .close:
                if level == 0 { return text }
                level -= 1; text += "}"
            case .character(let c): text.append(c)
            case .command(let name): text += name.count == 1 && !name.first!.isLetter ? name : "\\" + name
            }
        }
        return text
    }

    /// Steps over spaces: in math they separate tokens and mean nothing else.
    mutating func skipSpaces() {
        while position < tokens.count, tokens[position] == .character(" ") { position += 1 }
    }

    /// One atom: a character, a group, or a command with its arguments.
    mutating func atom() -> String {
        guard position < tokens.count else { return "" }
        let token = tokens[position]
        position += 1
        switch token {
        case .open:
            guard depth < TeXMath.maximumDepth else { position = tokens.count; return error("…") }
            depth += 1
            defer { depth -= 1 }
            return "<mrow>" + group() + "</mrow>"
        case .close:
            return error("}")
        case .character(" "):
            return ""
        case .character(let c):
            if c.isNumber {
                var digits = String(c)
                while position < tokens.count, case .character(let d) = tokens[position], d.isNumber || (d == "." && digits.last?.isNumber == true) {
                    digits.append(d); position += 1
                }
                return "<mn>\(escapeHTML(digits))</mn>"
            }
            if c.isLetter { return "<mi>\(escapeHTML(String(c)))</mi>" }
            if c == "'" { return "<mo>′</mo>" }
            return "<mo>\(escapeHTML(String(c)))</mo>"
        case .command(let name):
            return command(name)
        }
    }

    mutating func command(_ name: String) -> String {
        if let letter = TeXSymbols.greek[name] { return "<mi>\(letter)</mi>" }
        if let symbol = TeXSymbols.operators[name] { return "<mo>\(symbol)</mo>" }
        if TeXSymbols.functions.contains(name) { return "<mi>\(name)</mi>" }
        if let space = TeXSymbols.spaces[name] { return "<mspace width=\"\(space)\"></mspace>" }
        switch name {
        case "frac", "dfrac", "tfrac":
            let numerator = argument(), denominator = argument()
            return "<mfrac>\(numerator)\(denominator)</mfrac>"
        case "sqrt": return "<msqrt>\(argument())</msqrt>"
        case "underset":
            let under = argument(), base = argument()
            return "<munder>\(base)\(under)</munder>"
        case "overset":
            let over = argument(), base = argument()
            return "<mover>\(base)\(over)</mover>"
        case "hat", "bar", "tilde", "overline":
            let accent = ["hat": "^", "bar": "¯", "tilde": "~", "overline": "¯"][name]!
            return "<mover accent=\"true\">\(argument())<mo>\(accent)</mo></mover>"
        case "mathbb": return "<mi mathvariant=\"double-struck\">\(escapeHTML(textArgument()))</mi>"
        case "mathcal": return "<mi mathvariant=\"script\">\(escapeHTML(textArgument()))</mi>"
        case "mathbf": return "<mi mathvariant=\"bold\">\(escapeHTML(textArgument()))</mi>"
        case "mathrm", "operatorname": return "<mi mathvariant=\"normal\">\(escapeHTML(textArgument()))</mi>"
        case "text", "textrm", "mbox": return "<mtext>\(escapeHTML(textArgument()))</mtext>"
        case "left", "right", "big", "Big", "bigl", "bigr", "Bigl", "Bigr":
            // The delimiter that follows is drawn stretchy; `.` means none.
            skipSpaces()
            guard position < tokens.count else { return "" }
            let delimiter = tokens[position]
            position += 1
            switch delimiter {
            case .character("."): return ""
            case .character(let c): return "<mo stretchy=\"true\">\(escapeHTML(String(c)))</mo>"
            case .command(let inner): return "<mo stretchy=\"true\">\(TeXSymbols.operators[inner] ?? escapeHTML(inner))</mo>"
            default: return error("\\" + name)
            }
        default:
            return error("\\" + name)
        }
    }

    /// Source shown as itself in an error box.
    func error(_ text: String) -> String { "<merror><mtext>\(escapeHTML(text))</mtext></merror>" }
}

/// The names TeX gives to letters and symbols.
enum TeXSymbols {
    static let greek: [String: String] = [
        "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ", "varepsilon": "ε", "zeta": "ζ", "eta": "η",
        "theta": "θ", "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ", "pi": "π", "rho": "ρ",
        "sigma": "σ", "tau": "τ", "upsilon": "υ", "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω",
        "Gamma": "Γ", "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ", "Phi": "Φ",
        "Psi": "Ψ", "Omega": "Ω", "nabla": "∇", "partial": "∂", "infty": "∞", "ell": "ℓ",
    ]
    static let operators: [String: String] = [
        "sim": "∼", "cdot": "⋅", "times": "×", "div": "÷", "pm": "±", "mp": "∓", "le": "≤", "leq": "≤", "ge": "≥",
        "geq": "≥", "ne": "≠", "neq": "≠", "approx": "≈", "equiv": "≡", "propto": "∝", "to": "→", "rightarrow": "→",
        "leftarrow": "←", "Rightarrow": "⇒", "Leftrightarrow": "⇔", "mapsto": "↦", "in": "∈", "notin": "∉",
        "subset": "⊂", "cup": "∪", "cap": "∩", "forall": "∀", "exists": "∃", "int": "∫", "sum": "∑", "prod": "∏",
        "|": "‖", "parallel": "∥", "mid": "|", "lVert": "‖", "rVert": "‖", "lvert": "|", "rvert": "|",
        "langle": "⟨", "rangle": "⟩", "{": "{", "}": "}", "ldots": "…", "cdots": "⋯", "dots": "…",
        "circ": "∘", "ast": "∗", "star": "⋆", "odot": "⊙", "oplus": "⊕", "%": "%", "$": "$", "#": "#", "&": "&amp;",
        "_": "_",
    ]
    static let functions: Set<String> = [
        "log", "ln", "exp", "max", "min", "sup", "inf", "lim", "sin", "cos", "tan", "tanh", "arg", "det", "Pr", "dim",
    ]
    static let spaces: [String: String] = [",": "0.167em", ":": "0.222em", ";": "0.278em", "!": "0", " ": "0.25em",
                                           "quad": "1em", "qquad": "2em"]
}
