"""Template filters for the links in a paper's text.

    {{ paper.comment|linkify }}
    {{ paper.abstract|math_links }}      (the same, with its math as MathML: `mathtext`)

`linkify` escapes the text and turns its http(s) addresses — and nothing else: no
`javascript:`, no bare domains — into links marked `rel="nofollow noopener"` (an
abstract's links are the authors', not this site's recommendation).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from papertide.catalog import split_urls


def linkify(text: str | None) -> Markup:
    out = []
    for piece in split_urls(text or ""):
        if isinstance(piece, tuple):
            url, shown = piece
            out.append(Markup('<a href="{}" rel="nofollow noopener">{}</a>').format(url, shown))
        else:
            out.append(escape(piece))
    return Markup("").join(out)
