"""Streaming XML parsing that refuses hostile input, for the XML-speaking live sources
(OAI-PMH, the arXiv API's Atom).

Built on defusedxml: a document type declaration (the carrier of "billion laughs" entity
expansion and of external entities that read local files or URLs) is refused outright,
never expanded; neither service sends one. Elements come one at a time, so a caller can
handle a record and clear it before the next.

    for event, element in iterparse(body, url):
        if event == "end" and element.tag == RECORD: …
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree as safe_tree

from papertide.sources._errors import MalformedResponse


def iterparse(
    body: bytes, url: str, events: tuple[str, ...] = ("end",)
) -> Iterator[tuple[str, Element]]:
    if not body.strip():
        raise MalformedResponse(f"{url}: empty response where XML was expected")
    try:
        yield from safe_tree.iterparse(io.BytesIO(body), events=events, forbid_dtd=True,
                                       forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as exc:
        raise MalformedResponse(f"{url}: refused XML with a document type or entity "
                                f"declarations (not expanded): {exc}") from None
    except ParseError as exc:
        line, column = exc.position
        raise MalformedResponse(f"{url}: malformed XML at line {line}, column {column} "
                                f"(truncated or broken response)") from None


def text(element: Element | None) -> str:
    """The element's text with its whitespace runs folded to single spaces ('' if absent)."""
    if element is None:
        return ""
    return " ".join("".join(element.itertext()).split())
