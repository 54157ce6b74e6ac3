"""Search-result snippets: the part of an abstract that best shows why a paper matched,
starting at a sentence (or, failing that, a clause) boundary, with the query's words in
<b>. Stop words are never highlighted ("the", "of": they say nothing about the match).

    snippet = make_snippet(abstract, terms={"diffus", "model"}, stem=analyzer_fn)

Words are compared by the ranking field's analyzer (`stem`: lowercase, folded, stemmed, and
empty for a stop word), so "models" in the text lights up for "model" in the query. The
text is escaped; only the <b> tags are markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from markupsafe import Markup, escape

_WORD = re.compile(r"\w+", re.UNICODE)
# Where a sentence ends (the next one starts after the space), and where a clause does.
_SENTENCE = re.compile(r"[.!?](?:\s+)(?=[\"'(\[]?[A-Z0-9])")
_CLAUSE = re.compile(r"[;:,](?:\s+)")


def _starts(text: str) -> tuple[list[int], list[int]]:
    sentences = [0] + [m.end() for m in _SENTENCE.finditer(text)]
    clauses = [m.end() for m in _CLAUSE.finditer(text)]
    return sentences, clauses


def make_snippet(text: str, terms: set[str], stem: Callable[[str], str | None],
                 max_chars: int = 320) -> Markup:
    """The best window of `text` of at most `max_chars`, starting at a boundary."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    cache: dict[str, str | None] = {}

    def matches(word: str) -> bool:
        if word not in cache:
            cache[word] = stem(word)
        key = cache[word]
        return key is not None and key in terms

    # A stem begins with its word's first three letters (nearly always): only those words
    # go through the analyzer.
    heads = {term[:3] for term in terms}
    hits = [(start, end) for start, end, word in words
            if word[:3].lower() in heads and matches(word)]
    sentences, clauses = _starts(text)

    def score(start: int) -> tuple[int, int]:
        inside = [text[s:e].lower() for s, e in hits if s >= start and e <= start + max_chars]
        return len(set(inside)), len(inside)

    best = 0
    if hits and len(text) > max_chars:
        # A sentence start unless a clause start shows more distinct query words.
        best = max(sentences, key=lambda s: (score(s), -s))
        clause = max(clauses, key=lambda s: (score(s), -s), default=None)
        if clause is not None and score(clause)[0] > score(best)[0]:
            best = clause
    end = len(text)
    if end - best > max_chars:
        cut = text.rfind(" ", best, best + max_chars)
        end = cut if cut > best else best + max_chars
    out = Markup("… ") if best > 0 else Markup("")
    position = best
    for start, stop in hits:
        if start < best or stop > end:
            continue
        out += escape(text[position:start]) + Markup("<b>") + escape(text[start:stop]) \
            + Markup("</b>")
        position = stop
    out += escape(text[position:end])
    if end < len(text):
        out += Markup(" …")
    return Markup(out)
