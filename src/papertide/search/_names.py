"""Paper names as researchers type them: `D^2LoRA`, `D2LoRA` and `D²LoRA` are one name,
and `GSBAK` is the name of "GSBAK$^K$: top-K …".

Titles reach the keyword index as Unicode (`mathtext.to_plain`: `$D^2LoRA$` → `D²LoRA`,
`GSBAK$^K$` → `GSBAKᴷ`), queries as typed. `spelled` writes both the same way before
they are tokenised: superscript and subscript characters as their base character (`²` →
`2`, `ᴷ` → `K`) and a caret between letters or digits dropped (`D^2LoRA`, `D^{2}LoRA` →
`D2LoRA`). `bare_words` gives the title's scripted words without their scripts (`GSBAK`,
`DLoRA`): a name is often typed without its exponent.

`name_keys` gives a title's keys for exact look-up: its short name (the part before the
colon: "DiMO", "Mask2DiT", "R1-Zero") and the whole title, each as lower-case letters and
digits only, with and without scripts. A query whose own key is one of them names that
paper (see `KeywordIndex.title_match`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from papertide.mathtext import to_plain

_CARET = re.compile(r"(?<=[^\W_])\^\{?([^\W_]+)\}?")
# A short name is a name, not a sentence: "Towards a theory of …: " is no short name.
SHORT_NAME_WORDS = 6


@lru_cache(maxsize=4096)
def _script(char: str) -> str | None:
    """The base character of a superscript or subscript character (None for others)."""
    decomposition = unicodedata.decomposition(char)
    if decomposition.startswith(("<super>", "<sub>")):
        return chr(int(decomposition.split()[1], 16))
    return None


def _scripted(char: str) -> bool:
    return not char.isascii() and _script(char) is not None


def spelled(text: str) -> str:
    """The text with scripts written on the line: `D²LoRA`, `D^2LoRA` → `D2LoRA`."""
    if "^" in text:
        text = _CARET.sub(r"\1", text)
    if text.isascii():
        return text
    return "".join(_script(c) or c if not c.isascii() else c for c in text)


def query_text(text: str) -> str:
    """A query's text as the index writes titles: LaTeX as Unicode, then `spelled`."""
    if "$" in text or "\\" in text:
        text = to_plain(text)
    return spelled(text)


def bare_words(plain_title: str) -> list[str]:
    """The words of a (plain) title that carry scripts, without them: `GSBAKᴷ` → `GSBAK`."""
    out = []
    for word in plain_title.split():
        if any(_scripted(c) for c in word):
            bare = "".join(c for c in word if not _scripted(c))
            if bare.strip(":,.;()"):
                out.append(bare)
    return out


def key(text: str) -> str:
    """Lower-case letters and digits only (accents dropped): `R1-Zero` → `r1zero`."""
    folded = unicodedata.normalize("NFKD", text)
    return "".join(c for c in folded.lower() if c.isalnum() and c.isascii())


def short_name(plain_title: str) -> str | None:
    """The part of a (plain) title before its colon, when it is short enough to be a name."""
    head, colon, _ = plain_title.partition(":")
    if not colon or not head.strip() or len(head.split()) > SHORT_NAME_WORDS:
        return None
    return head


def name_keys(plain_title: str) -> list[str]:
    """The keys a title is looked up by: its short name's and its own, each with and
    without scripts."""
    keys = []
    for part in filter(None, (short_name(plain_title), plain_title)):
        bare = "".join(c for c in part if not _scripted(c))
        keys += [key(spelled(part)), key(bare)]
    return [k for k in dict.fromkeys(keys) if k]
