"""A reader's library on each backend: saving counts once where trending reads it, tags
and notes, the library's two orders, dismissals and follows, and what readers may type."""

import pytest

from papertide import trending
from papertide.library import LibraryError, PaperNotFound
from tests.helpers import add_reader

FIRST = "t6585e84c9ec5f39"  # the demo's first paper (no arXiv id)


def _ids(demo, n):
    return [p.id for p, _ in trending.trending(demo.catalog, "all", n)]


def test_a_save_counts_once_and_unsaving_takes_it_back(demo):
    ada = add_reader(demo, "ada@example.org")
    bob = add_reader(demo, "bob@example.org")
    library = demo.library
    for _ in range(2):  # a second click changes nothing
        item = library.save(ada.id, FIRST)
    assert item.paper.saves == 1 and library.count(ada.id) == 1
    assert library.save(bob.id, FIRST).paper.saves == 2
    # Saves are what trending weighs double: the paper leads the week.
    assert trending.trending(demo.catalog, "week", 1)[0][0].id == FIRST
    assert library.unsave(ada.id, FIRST).saves == 1
    assert library.unsave(ada.id, FIRST).saves == 1  # twice: still one save (bob's)
    assert library.get(ada.id, FIRST) is None and library.get(bob.id, FIRST) is not None


def test_tags_notes_and_the_two_orders(demo):
    ada = add_reader(demo, "ada@example.org")
    library = demo.library
    first, second, third = _ids(demo, 3)
    library.save(ada.id, first, tags=["RL ", "to  read"], note="line one\nline two")
    library.save(ada.id, second, tags=["rl"])
    library.save(ada.id, third)
    assert library.tags(ada.id) == [("rl", 2), ("to read", 1)]
    assert [i.paper.id for i in library.papers(ada.id, tag="RL")] == [second, first]
    assert library.get(ada.id, first).saved.note == "line one\nline two"
    item = library.set_tags(ada.id, first, ["theory"])
    assert item.saved.tags == ("theory",) and library.tags(ada.id) == [("rl", 1), ("theory", 1)]
    assert library.set_note(ada.id, first, "").saved.note is None
    by_published = [i.paper for i in library.papers(ada.id, sort="published")]
    dates = [p.published for p in by_published if p.published]
    assert dates == sorted(dates, reverse=True)
    # Leaving the library takes the tags along.
    library.unsave(ada.id, first)
    assert library.tags(ada.id) == [("rl", 1)]
    with pytest.raises(PaperNotFound):
        library.set_tags(ada.id, first, ["x"])


def test_what_a_reader_types_is_checked(demo):
    ada = add_reader(demo, "ada@example.org")
    library = demo.library
    with pytest.raises(PaperNotFound):
        library.save(ada.id, "no-such-paper")
    for bad in (["x" * 61], [f"t{i}" for i in range(21)], ["\x00"]):
        with pytest.raises(LibraryError):
            library.save(ada.id, FIRST, tags=bad)
    with pytest.raises(LibraryError):
        library.follow(ada.id, "category", "cs.XY")
    with pytest.raises(LibraryError):
        library.follow(ada.id, "journal", "Nature")
    assert library.follow(ada.id, "category", " cs.LG ").value == "cs.LG"
    library.follow(ada.id, "author", "Yoshua   Bengio")
    library.follow(ada.id, "author", "Yoshua Bengio")  # once
    assert [(f.kind, f.value) for f in library.follows(ada.id)] == [
        ("author", "Yoshua Bengio"), ("category", "cs.LG")]
    assert library.unfollow(ada.id, "category", "cs.LG")
    assert [f.kind for f in library.follows(ada.id)] == ["author"]


def test_dismissing_and_then_saving(demo):
    ada = add_reader(demo, "ada@example.org")
    library = demo.library
    library.dismiss(ada.id, FIRST)
    library.dismiss(ada.id, FIRST)
    assert [p.id for p, _ in library.dismissed(ada.id)] == [FIRST]
    library.save(ada.id, FIRST)  # the later word wins
    assert library.dismissed(ada.id) == []


def test_for_you_without_anything_to_go_on_says_so(demo):
    ada = add_reader(demo, "ada@example.org")
    result = demo.library.for_you(ada.id)
    assert result.empty and result.items == [] and result.based_on == ""
    demo.library.follow(ada.id, "category", "cs.LG")
    result = demo.library.for_you(ada.id)
    assert not result.empty
    assert result.based_on == "Based on the categories you follow (cs.LG)."
