"""Math in titles and abstracts, shown as math: MathML on pages, readable Unicode elsewhere.

    from papertide.mathtext import to_html, to_plain
    to_html("Di$\\mathtt{[M]}$O")          # Markup: "Di<math …><mi>[</mi>…</math>O"
    to_plain("costs $\\Omega(n^2 d)$ time")  # "costs Ω(n²d) time"

Math is what authors put between `$…$`, `$$…$$`, `\\(…\\)` or `\\[…\\]`; the text around it
goes through `catalog.readable` (accents, `\\%`, `\\emph{…}`). Pages get MathML made here on
the server (`latex2mathml`: no script, no CDN; browsers draw MathML Core themselves); mail,
feeds, the CLI and the keyword index get Unicode (`pylatexenc`, plus the mapping below for
what it misses: superscripts and subscripts, font commands, `\\frac`, operator names,
spacing). A `$` that opens nothing (`$5 and $10`), unbalanced braces, an author's own macro
or anything a converter refuses leaves that span as the author wrote it, escaped: these
functions never raise.

latex2mathml copies `\\text{…}` verbatim and passes `\\href`/`\\style` through as
attributes, so its output is parsed and rebuilt from an allow-list of MathML elements and
attributes (and escaped again) before it reaches a page. Both functions are cached: a page
renders the same titles many times, and the conversion costs far more than the lookup.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal
from xml.etree.ElementTree import Element

import latex2mathml.converter
from defusedxml.ElementTree import fromstring
from markupsafe import Markup, escape
from pylatexenc import latexwalker
from pylatexenc.latex2text import LatexNodes2Text, get_default_latex_context_db

from papertide.catalog import readable

__all__ = ["math_spans", "to_html", "to_plain"]

# pylatexenc logs a warning for each macro it cannot expand; such spans fall back here.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)

MAX_SPAN = 600  # longer "math" is a stray `$` pairing with a far one, not a formula


# ---- finding the math --------------------------------------------------------------------

@dataclass(frozen=True)
class _Span:
    kind: Literal["text", "inline", "display"]
    body: str    # the text, or the LaTeX between the delimiters
    source: str  # as written, delimiters included


# What the scanners stop at: an escape or command (two characters), a `$`, a paragraph break.
_MARK = re.compile(r"\\.|\$|\n\n", re.DOTALL)


def _close_dollar(text: str, start: int) -> int:
    """Index of the `$` closing an inline span whose body starts at `start`, or -1.
    As in Pandoc, the opening `$` has a non-space right after it (checked by the caller)
    and the closing one a non-space right before it, so `$5 and $10` is money, not math.
    (Pandoc also wants no digit after the closing `$`; abstracts write `$\\sim$90\\%`.)"""
    for mark in _MARK.finditer(text, start, min(len(text), start + MAX_SPAN)):
        if mark.group() == "\n\n":
            return -1
        at = mark.start()
        if mark.group() == "$" and at > start and not text[at - 1].isspace():
            return at
    return -1


def _close(text: str, start: int, closer: str) -> int:
    for mark in _MARK.finditer(text, start, min(len(text), start + MAX_SPAN)):
        if text.startswith(closer, mark.start()):
            return mark.start()
    return -1


def _spans(text: str) -> list[_Span]:
    spans: list[_Span] = []
    plain_from = i = 0
    n = len(text)
    while (mark := _MARK.search(text, i)) is not None:
        i, token = mark.start(), mark.group()
        if token in ("\\(", "\\["):
            opener, closer = token, "\\)" if token == "\\(" else "\\]"
        elif text.startswith("$$", i):
            opener = closer = "$$"
        elif token == "$" and i + 1 < n and not text[i + 1].isspace():
            opener = closer = "$"
        else:  # an escaped character (`\\$`, `\\%`), a command, a lone `$`: text
            i = mark.end()
            continue
        body_at = i + len(opener)
        end = _close_dollar(text, body_at) if opener == "$" else _close(text, body_at, closer)
        if end < 0 or not text[body_at:end].strip():
            i += len(opener)  # unbalanced: the delimiter stays as text
            continue
        if plain_from < i:
            spans.append(_Span("text", text[plain_from:i], text[plain_from:i]))
        kind: Literal["inline", "display"] = "inline" if opener in ("$", "\\(") else "display"
        spans.append(_Span(kind, text[body_at:end], text[i:end + len(closer)]))
        i = plain_from = end + len(closer)
    if plain_from < n:
        spans.append(_Span("text", text[plain_from:], text[plain_from:]))
    return spans


def _text(piece: str) -> str:
    """`readable` on a piece between formulas, keeping the space at its edges."""
    inner = readable(piece).strip()
    if not inner:
        return " " if piece and piece.isspace() else ""
    return (" " if piece[0].isspace() else "") + inner + (" " if piece[-1].isspace() else "")


def _balanced(body: str) -> bool:
    depth, i = 0, 0
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(body[i], 0)
        if depth < 0:
            return False
        i += 1
    return depth == 0


# ---- MathML for pages --------------------------------------------------------------------

_MATHML = "{http://www.w3.org/1998/Math/MathML}"
_ELEMENTS = frozenset((
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msup", "msub", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "mmultiscripts", "mprescripts", "none",
    "semantics", "merror",
))
_ATTRIBUTES = frozenset((
    "display", "mathvariant", "stretchy", "fence", "form", "separator", "accent",
    "accentunder", "linethickness", "columnalign", "rowalign", "rowspacing",
    "columnspacing", "columnlines", "rowlines", "lspace", "rspace", "minsize", "maxsize",
    "movablelimits", "largeop", "symmetric", "width", "height", "depth", "notation",
    "displaystyle", "scriptlevel", "linebreak", "columnspan", "rowspan",
))


# MathML Core (what Chromium draws) ignores `mathvariant` other than "normal" on tokens:
# \mathtt{M} would show as an italic M. The styled letters are Unicode's own characters.
_VARIANTS = {"bold": "BOLD", "italic": "ITALIC", "bold-italic": "BOLD ITALIC",
             "monospace": "MONOSPACE", "double-struck": "DOUBLE-STRUCK", "script": "SCRIPT",
             "bold-script": "BOLD SCRIPT", "fraktur": "FRAKTUR", "bold-fraktur": "BOLD FRAKTUR",
             "sans-serif": "SANS-SERIF", "bold-sans-serif": "SANS-SERIF BOLD",
             "sans-serif-italic": "SANS-SERIF ITALIC"}
_DIGITS = ["ZERO", "ONE", "TWO", "THREE", "FOUR", "FIVE", "SIX", "SEVEN", "EIGHT", "NINE"]


def _styled(char: str, style: str) -> str:
    if char.isascii() and char.isalpha():
        name = f"{style} {'CAPITAL' if char.isupper() else 'SMALL'} {char.upper()}"
    elif char.isascii() and char.isdigit():
        name = f"{style} DIGIT {_DIGITS[int(char)]}"
    else:
        return char
    for candidate in (f"MATHEMATICAL {name}", name):  # ℝ, ℬ live outside the math block
        try:
            return unicodedata.lookup(candidate)
        except KeyError:
            continue
    return char


def _rebuild(node: Element) -> str | None:
    """The element written out again from the allow-list, every text escaped; None when it
    holds anything else (an element outside MathML, a macro latex2mathml did not know)."""
    tag = node.tag.removeprefix(_MATHML)
    if tag not in _ELEMENTS:
        return None
    style = _VARIANTS.get(node.attrib.get("mathvariant", ""))
    # One letter only: a styled word (\textbf{MagicID}) stays findable text.
    if style and tag in ("mi", "mn") and len(node) == 0 and len(node.text or "") == 1:
        node.text = _styled(node.text or "", style)
        del node.attrib["mathvariant"]
    attributes = "".join(
        f' {name}="{escape(value)}"' for name, value in sorted(node.attrib.items())
        if name in _ATTRIBUTES
    )
    if tag == "math":
        attributes = ' xmlns="http://www.w3.org/1998/Math/MathML"' + attributes
    inner = [str(escape(node.text or ""))]
    for child in node:
        written = _rebuild(child)
        if written is None:
            return None
        inner.append(written + str(escape(child.tail or "")))
    body = "".join(inner)
    if "\\" in body:  # `<mi>\ours</mi>`: an unknown macro, shown as the author wrote it
        return None
    return f"<{tag}{attributes}>{body}</{tag}>"


@lru_cache(maxsize=16384)
def _mathml(body: str, display: bool) -> str | None:
    if not _balanced(body):
        return None
    try:
        raw = latex2mathml.converter.convert(_code_points(body),
                                             display="block" if display else "inline")
        return _rebuild(fromstring(raw))
    except Exception:  # any failure of either library on an author's LaTeX: keep the text
        return None


_HREF_TARGET = re.compile(r"(?<=\\href)\{[^{}]*\}")


@lru_cache(maxsize=4096)
def _to_html(text: str, text_html: Callable[[str], Markup]) -> Markup:
    out: list[str] = []
    for span in _spans(text):
        if span.kind == "text":
            out.append(text_html(_text(span.body)))
            continue
        mathml = _mathml(span.body, span.kind == "display")
        if mathml is None:
            out.append(str(escape(span.source)))
            continue
        # What a copy of the formula gives (static/copy.js) and screen readers may read.
        # An \href's target is no part of what the formula says (nor is it shown).
        alt = _math_plain(_HREF_TARGET.sub("", span.body).replace("\\href", "")) or span.source
        out.append(mathml.replace("<math ", f'<math alttext="{escape(alt)}" ', 1))
    return Markup("".join(out).strip())


def to_html(text: str | None, text_html: Callable[[str], Markup] = escape) -> Markup:
    """The text escaped (with `text_html`, e.g. a linkifier, between the formulas) and its
    math as MathML."""
    if not text:
        return Markup("")
    if "$" not in text and "\\(" not in text and "\\[" not in text:
        return text_html(readable(text))
    return _to_html(text, text_html)


def math_spans(text: str) -> list[tuple[bool, str]]:
    """The text cut into (is_math, source) pieces, delimiters kept on the math: for writers
    such as BibTeX's that keep formulas as the author wrote them. A formula with unbalanced
    braces counts as text."""
    return [(span.kind != "text" and _balanced(span.body), span.source)
            for span in _spans(text)]


# ---- Unicode for mail, feeds, the CLI and the index ---------------------------------------

_LATEX = LatexNodes2Text(math_mode="text")
_TEXT = LatexNodes2Text()
_KNOWN = get_default_latex_context_db()
# Built once: pylatexenc's own `latex_to_text` builds it again on every call (half its cost).
_PARSING = latexwalker.get_default_latex_context_db()
_SUPERSCRIPT = dict(zip(
    "0123456789+-−=()abcdefghijklmnoprstuvwxyzABDEGHIJKLMNOPRTUVWβγδθφχ′⊤*∗'",
    "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ᵃᵇᶜᵈᵉᶠᵍʰⁱʲᵏˡᵐⁿᵒᵖʳˢᵗᵘᵛʷˣʸᶻᴬᴮᴰᴱᴳᴴᴵᴶᴷᴸᴹᴺᴼᴾᴿᵀᵁⱽᵂᵝᵞᵟᶿᵠᵡ′ᵀ**′",
    strict=True))
_SUPERSCRIPT |= {value: value for value in _SUPERSCRIPT.values()} | {"∘": "°"}  # `^{\circ}`
_SUBSCRIPT = dict(zip(
    "0123456789+-−=()aehijklmnoprstuvxβγρφχ",
    "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓᵦᵧᵨᵩᵪ",
    strict=True))
_SUBSCRIPT |= {value: value for value in _SUBSCRIPT.values()}  # `E_{x_1}`: Eₓ₁
# Commands whose argument is shown in plain letters (pylatexenc would pick 𝙼 for \mathtt{M}).
_AS_TEXT = frozenset((
    "text", "textrm", "textnormal", "mbox", "textit", "textbf", "texttt", "textsf",
    "emph", "operatorname",
))
_AS_MATH = frozenset((
    "mathbin", "mathrel", "mathop", "mathrm", "mathtt", "mathsf", "mathbf", "mathit",
    "mathnormal", "boldsymbol", "bm", "pmb", "mathbfit",
))
_OPERATORS = frozenset((
    "log", "ln", "lg", "exp", "max", "min", "sin", "cos", "tan", "sinh", "cosh", "tanh",
    "arg", "argmax", "argmin", "lim", "liminf", "limsup", "sup", "inf", "det", "dim",
    "deg", "Pr", "gcd", "ker", "hom", "mod", "bmod",
))
_FRACTIONS = frozenset(("frac", "dfrac", "tfrac", "cfrac"))
_BINOMIALS = frozenset(("binom", "dbinom", "tbinom"))
_ARITY = ({name: 1 for name in _AS_TEXT | _AS_MATH | {"sqrt", "pmod"}}
          | {name: 2 for name in _FRACTIONS | _BINOMIALS | {"href"}})
# Old-style switches (`{\rm SO}(3)`, `A^\tt 3`) and sizes change only the look.
_SWITCHES = re.compile(
    r"\\(?:(?:left|right|middle|[bB]igg?[lr]?)(?:\.|(?![A-Za-z]))"
    r"|(?:rm|tt|bf|it|sf|cal|mit|displaystyle|textstyle|scriptstyle|scriptscriptstyle|boldmath"
    r"|limits|nolimits|tiny|scriptsize|footnotesize|small|normalsize|large|Large)(?![A-Za-z]))"
)
_GAP, _OPERATOR_END = "\x01", "\x02"  # a space, unless the operator's limits or ( follow
_SYMBOLS = {"|": "‖", "lVert": "‖", "rVert": "‖", "Vert": "‖", "checkmark": "✓",
            "circledR": "®", "ne": "≠", "colon": ":", "upmu": "μ", "bigstar": "★",
            "vDash": "⊨", "space": _GAP}
_OWN = frozenset(_ARITY) | _OPERATORS | frozenset(_SYMBOLS)
_ESCAPES = {c: c for c in "%&#_${}"} | {"\\": ""}
_SPACING = set(",;:! >")  # thin, medium, thick, negative and plain spaces: dropped in math
_STYLED = {"mathbb": "DOUBLE-STRUCK", "mathcal": "SCRIPT", "mathscr": "SCRIPT",
           "mathfrak": "FRAKTUR"}
_ACCENTED = {"hat": "\u0302", "widehat": "\u0302", "tilde": "\u0303", "widetilde": "\u0303",
             "bar": "\u0304", "overline": "\u0305", "vec": "\u20d7", "dot": "\u0307",
             "ddot": "\u0308", "check": "\u030c", "breve": "\u0306", "acute": "\u0301",
             "grave": "\u0300"}
_PLACEHOLDER = 0xE000  # private-use characters stand for pieces already converted
_SPACES_IN_MATH = re.compile(r"[\s\u00a0\u2000-\u200b\u202f\u205f]+")
_BINARY = "=<>≤≥≈≠∼≃≅≡≪≫∝→←↔⇒⇐⇔↦∈∉⊂⊆⊃⊇×±∓⋅∧∨∩∪⊕⊗+−-"
_SPACED = re.compile(rf"(?<=[^\s(\[{{,{_BINARY}])([{_BINARY}])(?=[^\s)\]}},;.{_BINARY}])")
_COMMA = re.compile(r"([,;])(?=[^\s)\]}])")
_MACRO = re.compile(r"\\([A-Za-z]+)")
_SCRIPTS = "".join(sorted((set(_SUPERSCRIPT.values()) | set(_SUBSCRIPT.values())) - {"*"}))
_AFTER_OPERATOR = re.compile(
    rf"\x02((?:[{_SCRIPTS}]|[_^](?:\([^)]*\)|\S))*)(?P<tight>(?=[(\[{{])|$)?"
)


def _group_end(body: str, at: int) -> int:
    """Index after the `{…}` group opening at `at`, or -1."""
    depth, i = 0, at
    while i < len(body):
        if body[i] == "\\":
            i += 2
            continue
        depth += {"{": 1, "}": -1}.get(body[i], 0)
        if depth == 0:
            return i + 1
        i += 1
    return -1


def _arity(name: str) -> int:
    if name in _ARITY:
        return _ARITY[name]
    spec = _PARSING.get_macro_spec(name)
    return str(getattr(spec.args_parser, "argspec", "")).count("{") if spec else 0


def _argument(body: str, at: int) -> tuple[str, int]:
    r"""The argument starting at `at` (spaces skipped) and the index after it: a `{group}`'s
    inside, a command with its own arguments (`^\mathrm{2}`), or one character. Raises
    ValueError where there is none."""
    while at < len(body) and body[at].isspace():
        at += 1
    if at >= len(body):
        raise ValueError("missing argument")
    if body[at] == "{":
        end = _group_end(body, at)
        if end < 0:
            raise ValueError("unbalanced group")
        return body[at + 1:end - 1], end
    if body[at] == "\\":
        word = _MACRO.match(body, at)
        end = word.end() if word else at + 2
        for _ in range(_arity(word.group(1)) if word else 0):
            end = _argument(body, end)[1]
        return body[at:end], end
    return body[at], at + 1


def _scripted(value: str, table: dict[str, str], mark: str) -> str:
    tight = value.replace(" ", "")  # `_{i = 1}`: the spaces were only the binary operator's
    if tight and all(char in table for char in tight):
        return "".join(table[char] for char in tight)
    return f"{mark}{value}" if len(value) == 1 else f"{mark}({value})"


def _grouped(value: str) -> str:
    return value if len(value) == 1 or value.isalnum() else f"({value})"


def _latex_to_text(latex: str) -> str:
    walker = latexwalker.LatexWalker(latex, latex_context=_PARSING, tolerant_parsing=False)
    return str(_LATEX.nodelist_to_text(walker.get_latex_nodes()[0]))


def _code_points(body: str) -> str:
    """`\\unicode{x2013}` (MathJax's) as the character itself."""
    def char(match: re.Match[str]) -> str:
        number = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        ok = 0x20 <= number <= 0x10FFFF and not 0xD800 <= number <= 0xDFFF
        if not ok:
            return match.group(0)
        return _ESCAPED.get(chr(number), chr(number))
    return _UNICODE.sub(char, body)


_ESCAPED = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "%": r"\%", "&": r"\&",
            "#": r"\#", "_": r"\_", "^": r"\^{}", "~": r"\sim "}
_UNICODE = re.compile(r"\\unicode\{\s*(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))\s*\}")


@lru_cache(maxsize=16384)  # formulas repeat: `\times`, `^2`, `k` are a third of them
def _math_plain(body: str) -> str | None:
    """Unicode for one formula, or None when it cannot be read reliably."""
    if body.isalnum():
        return body
    body = _SWITCHES.sub("", _code_points(body))
    if not _balanced(body):
        return None
    for name in _MACRO.findall(body):
        if name not in _OWN and _KNOWN.get_macro_spec(name) is None:
            return None  # an author's own macro: pylatexenc would drop it silently
    try:
        plain = _convert(re.sub(r"(?<!\\)%", r"\\%", body))  # a bare % starts a comment
    except Exception:  # pylatexenc refuses it, or a command lacks its argument
        return None
    return plain if plain and "\\" not in plain else None


@lru_cache(maxsize=1024)
def _symbol(name: str) -> str | None:
    """What pylatexenc writes for a command without arguments (`\\times` → ×); None for
    one that takes arguments."""
    spec = _PARSING.get_macro_spec(name)
    if spec is None or set(str(getattr(spec.args_parser, "argspec", ""))) & set("{[*"):
        return None
    return _latex_to_text("\\" + name).strip()


def _text_mode(latex: str) -> str:
    if not set(latex) & set("\\{}%~$&#^_"):
        return latex
    walker = latexwalker.LatexWalker(latex, latex_context=_PARSING, tolerant_parsing=False)
    return str(_TEXT.nodelist_to_text(walker.get_latex_nodes()[0]))


def _convert(body: str) -> str:
    pieces: dict[str, str] = {}

    def hold(value: str) -> str:
        key = chr(_PLACEHOLDER + len(pieces))
        pieces[key] = value
        return key

    def plain(latex: str) -> str:
        value = _math_plain(latex)
        if value is None:
            raise ValueError(f"cannot read {latex!r}")
        return value

    out, i, whole = [], 0, False  # whole: some command is left for pylatexenc to expand
    while i < len(body):
        char = body[i]
        if char in "{}~":  # grouping, and a tie (a space: the typesetter's job in math)
            i += 1
            continue
        if char in "^_":
            arg, i = _argument(body, i + 1)
            table, mark = (_SUPERSCRIPT, "^") if char == "^" else (_SUBSCRIPT, "_")
            out.append(hold(_scripted(plain(arg), table, mark)))
            continue
        if char == "\\" and body[i + 1:i + 2] == "|":
            out.append(hold(_SYMBOLS["|"]))
            i += 2
            continue
        word = _MACRO.match(body, i) if char == "\\" else None
        if word is None:
            if char != "\\":
                out.append(char)
            elif body[i + 1:i + 2] in _ESCAPES:
                out.append(hold(_ESCAPES[body[i + 1]]))
            elif body[i + 1:i + 2] not in _SPACING:
                out.append(body[i:i + 2])
                whole = True
            i += 2 if char == "\\" else 1
            continue
        name, i = word.group(1), word.end()
        if name in _SYMBOLS:
            out.append(hold(_SYMBOLS[name]))
        elif name in _OPERATORS:
            out.append(hold(f"{_GAP}{name}{_OPERATOR_END}"))
        elif name in _AS_TEXT:
            if body.startswith("*", i):
                i += 1  # \operatorname*
            arg, i = _argument(body, i)
            text = _text_mode(arg)
            shown = ((_GAP if text[:1].isspace() else "") + " ".join(text.split())
                     + (_GAP if text[-1:].isspace() else ""))  # `\text{for all }x`
            out.append(hold(f"{_GAP}{shown}{_OPERATOR_END}" if name == "operatorname" else shown))
        elif name in _AS_MATH:
            arg, i = _argument(body, i)
            out.append(hold(plain(arg)))
        elif name in _STYLED:
            arg, i = _argument(body, i)
            out.append(hold("".join(_styled(c, _STYLED[name]) for c in plain(arg))))
        elif name in _ACCENTED:
            arg, i = _argument(body, i)
            out.append(hold(plain(arg) + _ACCENTED[name]))
        elif name == "sqrt":
            degree = re.match(r"\s*\[([^\]]*)\]", body[i:])
            if degree:  # \sqrt[3]{x}: ³√x
                i += degree.end()
            arg, i = _argument(body, i)
            root = _scripted(plain(degree.group(1)), _SUPERSCRIPT, "") if degree else ""
            out.append(hold(root + "√" + _grouped(plain(arg))))
        elif name == "pmod":
            arg, i = _argument(body, i)
            out.append(hold(f"{_GAP}(mod {plain(arg)})"))
        elif name == "href":
            url, i = _argument(body, i)
            shown, i = _argument(body, i)
            shown = " ".join(_text_mode(shown).split())
            out.append(hold(shown if shown == url else f"{shown} ({url})"))
        elif name in _FRACTIONS or name in _BINOMIALS:
            top, i = _argument(body, i)
            bottom, i = _argument(body, i)
            out.append(hold(f"{_grouped(plain(top))}/{_grouped(plain(bottom))}"
                            if name in _FRACTIONS else f"C({plain(top)}, {plain(bottom)})"))
        elif (symbol := _symbol(name)) is not None:
            # Inserted as it is where a later pass cannot misread it, so that the spacing
            # below sees the operator (`L × L`).
            out.append(symbol if not set(symbol) & set("{}\\%$&#^_~") else hold(symbol))
        else:  # pylatexenc expands it: hand it over with its arguments as written
            start, end = word.start(), i
            for _ in range(_arity(name)):
                end = _argument(body, end)[1]
            out.append(body[start:end])
            i, whole = end, True
    text = _latex_to_text("".join(out)) if whole else "".join(out)
    if "\\" in text or "$" in text:  # something neither pylatexenc nor the above resolved
        raise ValueError(f"left unread: {text!r}")
    text = _SPACES_IN_MATH.sub("", text)  # spaces in TeX math are the typesetter's job
    text = _COMMA.sub(r"\1 ", _SPACED.sub(r" \1 ", text))
    for key, value in pieces.items():
        text = text.replace(key, value)
    # An operator name is set apart from its operand (`n log n`) but keeps its limits and
    # parenthesis (`argmaxₐ Q`, `log(x)`).
    text = _AFTER_OPERATOR.sub(
        lambda m: m.group(1) + ("" if m.group("tight") is not None else " "), text
    ).replace(_GAP, " ")
    text = re.sub(r" {2,}", " ", text)
    return re.sub(r"(?<=[(\[{]) | (?=[)\]},;])", "", text).strip()


@lru_cache(maxsize=8192)
def _to_plain(text: str) -> str:
    out = []
    for span in _spans(text):
        if span.kind == "text":
            out.append(_text(span.body))
        else:
            plain = _math_plain(span.body)
            out.append(plain if plain is not None else span.source)
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", "".join(out)).strip())


def to_plain(text: str | None) -> str:
    """The text with its math as readable Unicode (for mail, feeds, the CLI, the index)."""
    if not text:
        return ""
    if "$" not in text and "\\(" not in text and "\\[" not in text:
        return readable(text)
    return _to_plain(text)
