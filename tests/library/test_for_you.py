"""Recommendations through the library, on the demo corpus with its real embeddings:
saving reinforcement-learning papers brings RL papers up, each with its reason; saved
and dismissed papers never come back; a tag recommends from its papers alone."""

import re

from papertide.search import Filters
from tests.helpers import add_reader

RL = re.compile(r"reinforcement|\bRL\b|polic(y|ies)|reward", re.IGNORECASE)
# Three reinforcement-learning papers of the demo corpus (by title: a textbook, a survey of
# self-play, heterogeneous-agent RL).
THREE_RL = ["t7a332be1523cefc", "t736d151fb9e3775", "t665dc95b032e129"]


def _rl_papers(services, n):
    hits = services.search.search('"reinforcement learning"', Filters(), mode="keyword",
                                  limit=n).hits
    return [h.paper.id for h in hits]


def test_saving_rl_papers_moves_rl_papers_up_with_reasons(semantic):
    ada = add_reader(semantic, "ada@example.org")
    saved = THREE_RL
    for pid in saved:
        semantic.library.save(ada.id, pid, tags=["rl"])
    result = semantic.library.for_you(ada.id, limit=10)
    assert result.based_on == "Based on the 3 papers in your library."
    top = result.items[:5]
    assert not {s.paper.id for s in result.items} & set(saved)
    on_topic = [s for s in top if RL.search(s.paper.title + " " + s.paper.abstract)]
    assert len(on_topic) >= 4, [s.paper.title for s in top]
    titles = {semantic.catalog.get(pid).title for pid in saved}
    assert all(s.reason.startswith("close to") and any(t in s.reason for t in titles)
               for s in top)
    assert [s.score for s in result.items] == sorted((s.score for s in result.items),
                                                     reverse=True)
    by_tag = semantic.library.for_you(ada.id, tag="rl", limit=5)
    assert by_tag.based_on == "Based on the 3 papers tagged “rl”."
    assert semantic.library.for_you(ada.id, tag="none").empty


def test_a_dismissed_paper_never_comes_back(semantic):
    ada = add_reader(semantic, "ada@example.org")
    saved = _rl_papers(semantic, 6)
    semantic.library.save(ada.id, saved[0])
    first = semantic.library.for_you(ada.id, limit=10).items[0].paper.id
    semantic.library.dismiss(ada.id, first)
    for pid in [p for p in saved[1:] if p != first]:  # the library grows around it
        semantic.library.save(ada.id, pid)
        ids = [s.paper.id for s in semantic.library.for_you(ada.id, limit=100).items]
        assert first not in ids and pid not in ids
    result = semantic.library.for_you(ada.id, limit=5)
    assert "and the 1 paper you marked not interested" in result.based_on
