"""Search inside a reader's library, on the demo corpus with its real embeddings: by
keywords and by meaning among the saved papers only (the catalog's other papers never
come back), with the query language's exclusions, by a word of the reader's note, and
"more like these" from a few chosen papers."""

from __future__ import annotations

import pytest

from papertide.library import LibraryError
from papertide.search import Filters
from papertide.services import Services
from tests.helpers import add_reader


def first(services: Services, query: str) -> str:
    hits = services.search.search(query, Filters(), mode="keyword", limit=1).hits
    assert hits, query
    return hits[0].paper.id


@pytest.fixture
def library(semantic: Services) -> tuple[Services, int, dict[str, str]]:
    saved = {
        "federated": first(semantic, '"Federated Learning (FL) is a way for machines"'),
        "fpga": first(semantic, 'FPGAs "flexible and efficient platform"'),
        "marl": first(semantic, '"general-sum Markov Games"'),
        "vit": first(semantic, '"Vision transformers (ViTs) have gained popularity"'),
        "interpret": first(semantic, "InterpretML"),
    }
    reader = add_reader(semantic, "ada@example.org")
    for name, pid in saved.items():
        semantic.library.save(reader.id, pid, tags=["hardware"] if name == "fpga" else [])
    semantic.library.set_note(reader.id, saved["fpga"], "Ask Grace about the lab's budget "
                              "before the reading group.")
    return semantic, reader.id, saved


def ids(found: object) -> list[str]:
    return [item.paper.id for item in found.items]  # type: ignore[attr-defined]


def test_keywords_find_only_saved_papers(library: tuple[Services, int, dict[str, str]]) -> None:
    services, reader, saved = library
    catalog_wide = {h.paper.id for h in services.search.search(
        '"reinforcement learning"', Filters(), mode="keyword", limit=50).hits}
    assert len(catalog_wide) > 5  # the catalog has many RL papers …
    found = services.library.search(reader, '"reinforcement learning"', mode="keyword")
    assert ids(found) == [saved["marl"]] and found.mode == "keyword"  # … the library one
    learning = ids(services.library.search(reader, "learning", mode="keyword"))
    assert saved["federated"] in learning and set(learning) <= set(saved.values())
    assert saved["federated"] not in ids(services.library.search(
        reader, "learning -federated", mode="keyword"))


def test_meaning_finds_a_saved_paper_without_its_words(
        library: tuple[Services, int, dict[str, str]]) -> None:
    services, reader, saved = library
    query = "privacy preserving training on phones that keep their own data"
    found = services.library.search(reader, query, mode="semantic")
    assert found.mode == "semantic" and ids(found)[0] == saved["federated"]
    assert set(ids(found)) <= set(saved.values())
    hybrid = services.library.search(reader, query, mode="hybrid")
    assert ids(hybrid)[0] == saved["federated"]


def test_a_word_of_the_note_finds_the_paper(
        library: tuple[Services, int, dict[str, str]]) -> None:
    services, reader, saved = library
    found = services.library.search(reader, "Budget", mode="hybrid")
    assert ids(found)[0] == saved["fpga"] and found.in_notes == {saved["fpga"]}
    assert ids(services.library.search(reader, "grace", tag="hardware")) == [saved["fpga"]]
    assert services.library.search(reader, "grace -fpga", mode="keyword").in_notes == {
        saved["fpga"]}  # an exclusion applies to the paper, the note's words still count
    with pytest.raises(LibraryError):
        services.library.search(reader, "x" * 501)


def test_more_like_these_recommends_from_the_chosen_papers(
        library: tuple[Services, int, dict[str, str]]) -> None:
    services, reader, saved = library
    result = services.library.more_like(reader, [saved["marl"]], limit=5)
    assert result.based_on == "Based on the 1 paper you chose."
    titles = [s.paper.title + " " + s.paper.abstract for s in result.items]
    assert sum("reinforcement" in t.lower() or "agent" in t.lower() for t in titles) >= 3
    assert not {s.paper.id for s in result.items} & set(saved.values())
    assert all(s.reason.startswith("close to") for s in result.items)
    unsaved = first(services, '"double descent"')
    with pytest.raises(LibraryError, match="from your library"):
        services.library.more_like(reader, [unsaved])
