"""LaTeX debris made readable: `T\\"ULU` → `TÜLU`, `90\\%` → `90%`, `{\\em x}` → `x`.

Abstracts are stored exactly as the source gave them; this is applied where text is
shown, indexed and embedded. Math (`$…$`) is left as the author wrote it: `papertide.mathtext`
renders it, and applies this to the text around it.
"""

from __future__ import annotations

import re
import unicodedata

_ACCENTS = {'"': "\u0308", "'": "\u0301", "`": "\u0300", "^": "\u0302", "~": "\u0303",
            "=": "\u0304", ".": "\u0307", "c": "\u0327", "v": "\u030c", "u": "\u0306",
            "H": "\u030b"}
_ACCENT = re.compile(r"""\{?\\(["'`^~=.]|[cvuH](?=[{ ]))\s*\{?([A-Za-z])\}?\}?""")
_ESCAPED = re.compile(r"\\([%&_#$])")
_WRAPPED = re.compile(
    r"\\(?:textbf|textit|texttt|textrm|textsc|textsf|textsl|textup|textmd|textnormal|emph|"
    r"underline|uline|mbox|textsuperscript|textsubscript|mathrm|mathbf|url|text)\{([^{}]*)\}"
)
_COLOURED = re.compile(r"\\textcolor\{[^{}]*\}\{([^{}]*)\}|\\color\{[^{}]*\}\s*")
_CITATION = re.compile(r"\s*~?\\cite[pt]?\*?(?:\[[^\]]*\])?\{[^{}]*\}")
_HREF = re.compile(r"\\href\{([^{}]*)\}\{([^{}]*)\}")
_GROUP_STYLE = re.compile(r"\{\\(?:em|bf|it|tt|sc|rm)\s+([^{}]*)\}")
_TIE = re.compile(r"(?<=\S)~(?=\S)")
_ABBREV = {"eg": "e.g.", "ie": "i.e.", "etal": "et al.", "ldots": "…", "dots": "…", "deg": "°"}
_ABBREVIATED = re.compile(r"\\(eg|ie|etal|ldots|dots|deg)(?![A-Za-z])")
_SPACES = re.compile(r"\s+")
# TeX's ``quoted'' pair; a lone `` or '' (a double prime) is left alone.
_QUOTED = re.compile(r"``([^`\n]{1,300}?)''")


def readable(text: str) -> str:
    if "``" in text:
        text = _QUOTED.sub("\u201c\\1\u201d", text)
    if "\\" not in text:
        return _TIE.sub(" ", text) if "~" in text else text
    out = _ACCENT.sub(lambda m: m.group(2) + _ACCENTS[m.group(1)], text)
    out = _ESCAPED.sub(r"\1", out)
    if "\\href" in out:
        out = _HREF.sub(r"\2 (\1)", out)
    if "\\cite" in out:
        out = _CITATION.sub("", out)
    for _ in range(3):  # nested: \textbf{\underline{Fi}ne}
        unwrapped = _COLOURED.sub(lambda m: m.group(1) or "", _WRAPPED.sub(r"\1", out))
        if unwrapped == out:
            break
        out = unwrapped
    if "{\\" in out:
        out = _GROUP_STYLE.sub(r"\1", out)
    out = _ABBREVIATED.sub(lambda m: _ABBREV[m.group(1)], out)
    out = out.replace("\\ ", " ").replace("\\,", " ").replace("\\-", "")
    out = _TIE.sub(" ", out)
    out = _SPACES.sub(" ", out).strip()
    return unicodedata.normalize("NFC", out)
