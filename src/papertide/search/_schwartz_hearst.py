"""Acronym definitions in a text: the Schwartz–Hearst algorithm (the `abbreviations`
package, MIT licensed, pure Python, no data files) with papertide's own guards.

    mine("Vision-Language-Action (VLA) models …")  # {("VLA", "Vision-Language-Action")}

The package's rule picks the shortest definition whose letters spell the short form, which
cuts words in half: "self-supervised learning (SSL)" gives "supervised learning",
"Proximal Policy Optimization (PPO)" "Policy Optimization". So a definition is widened to
its whole hyphenated word, then by whole preceding words while that spells more of the
short form from word initials (within the clause, and within the rule's length bound).
A short form counts if it is one word of letters and digits with two capitals or more
(`LLMs`, `ViT`, `mAP`, `3DGS`; not `(i)` or `(see)`); a trailing `s` after a capital is a
plural (`VLAs` is `VLA`). Texts are split into sentences first: the package reads a line
with unbalanced parentheses as nothing at all.
"""

from __future__ import annotations

import logging
import re
from types import ModuleType


def _schwartz_hearst() -> ModuleType:
    """The `abbreviations` module, imported without its import-time side effect: it calls
    `logging.basicConfig(level=INFO)`, which would configure the root logger of whatever
    program imports papertide. A handler present while it runs makes that a no-op."""
    root = logging.getLogger()
    guard = logging.NullHandler()
    root.addHandler(guard)
    try:
        from abbreviations import schwartz_hearst
    finally:
        root.removeHandler(guard)
    return schwartz_hearst


_sh = _schwartz_hearst()

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")
_QUOTED = re.compile(r"([(])['\"\u2018\u201c]|['\"\u2019\u201d]([);:])")
SHORT = re.compile(r"[A-Za-z0-9]{2,10}")
# What a sentence must hold for a short form to count: " (" then a word with two capitals
# up to `)`, `;` or `:` (the package's rule runs only there: it is most of the cost).
_DEFINES = re.compile(r" \(['\"\u2018\u201c]?[a-z0-9]*[A-Z][a-z0-9]*[A-Z][A-Za-z0-9]*"
                      r"['\"\u2019\u201d]?[);:]")
_SPLIT = re.compile(r"[\s\-]+")
# The package's rule scans the sentence once per candidate short form: quadratic, so one
# hostile "sentence" of 80 kB with a parenthesis every few words took 15 s. No abstract
# sentence is this long (arXiv caps a whole abstract at 1,920 characters); longer ones are
# mined in their first `LONGEST_SENTENCE` characters.
LONGEST_SENTENCE = 2000


def short_key(short: str) -> str:
    """An acronym as the table keys it: lower case, a plural `s` after a capital dropped."""
    if len(short) > 2 and short.endswith("s") and short[-2].isupper():
        short = short[:-1]
    return short.lower()


def _spelled(definition: str, letters: str) -> int:
    """How many of the short form's letters the definition's word initials spell, in
    order (the longest common subsequence)."""
    initials = [w[0].lower() for w in _SPLIT.split(definition) if w]
    row = [0] * (len(letters) + 1)
    for initial in initials:
        previous = 0
        for j, letter in enumerate(letters, start=1):
            keep = row[j]
            row[j] = previous + 1 if initial == letter else max(row[j], row[j - 1])
            previous = keep
    return row[-1]


def _widened(sentence: str, start: int, stop: int, short: str) -> str:
    """The definition `sentence[start:stop]`, widened to its whole first word when it
    starts inside a hyphenated one, then by whole preceding words (within the clause) while
    that spells more of the short form from word initials."""
    if start > 0 and sentence[start - 1] == "-":
        while start > 0 and (sentence[start - 1].isalnum() or sentence[start - 1] == "-"):
            start -= 1
    letters = short_key(short)
    best = sentence[start:stop]
    spelled = _spelled(best, letters)
    words = len(_SPLIT.split(best))
    limit = min(len(letters) + 5, 2 * len(letters))
    before = sentence[:start].rstrip().split(" ")
    for word in reversed(before[-3:]):
        if not word or not word[0].isalnum() or word[-1] in ",;:.!?)]":
            break
        candidate = f"{word} {best}"
        words += len(_SPLIT.split(word))
        more = _spelled(candidate, letters)
        if words > limit or more <= spelled:
            break
        best, spelled = candidate, more
    return best


def mine(text: str) -> set[tuple[str, str]]:
    """The (short form, long form) pairs a text defines, as written."""
    found: set[tuple[str, str]] = set()
    text = " ".join(text.split())
    if not _DEFINES.search(text):
        return found
    for sentence in _SENTENCE.split(text):
        if len(sentence) > LONGEST_SENTENCE:
            sentence = sentence[:LONGEST_SENTENCE].rsplit(" ", 1)[0]
        if not _DEFINES.search(sentence):
            continue
        sentence = _QUOTED.sub(r"\1\2", sentence)
        try:
            candidates = list(_sh.best_candidates(sentence))
        except (ValueError, IndexError):  # unbalanced parentheses: nothing to read
            continue
        for short in candidates:
            if not SHORT.fullmatch(short) or sum(c.isupper() for c in short) < 2:
                continue
            try:
                definition = _sh.select_definition(_sh.get_definition(short, sentence), short)
            except (ValueError, IndexError):
                continue
            stop = definition.stop
            found.add((str(short), _widened(sentence, stop - len(definition), stop, short)))
    return found
