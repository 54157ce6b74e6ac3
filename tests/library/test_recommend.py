"""Recommendations from a reader's saved and dismissed papers, and cold start from followed
authors and categories, on real papers (the demo corpus, a real arXiv slice) and both
stores."""

import pytest

from papertide.library import Recommendation, recommend
from tests.helpers import FIXTURES, load

RL = ["Mirror Descent Policy Optimization",
      "Maximum Entropy Heterogeneous-Agent Reinforcement Learning",
      "A Survey on Self-play Methods in Reinforcement Learning"]
VISION = ["Scalable and Incremental Learning of Gaussian Mixture Models"]
RL_WORDS = ("reinforcement", " rl ", "rl:", "policy", "policies", "reward", "self-play",
            "multi-agent")


def _recommend(services, **options) -> list[Recommendation]:
    return recommend(services.catalog, services.search, **options)


def paper_id(services, title):
    hits = services.search.search(f'ti:"{title}"', mode="keyword").hits
    assert hits and hits[0].paper.title == title, title
    return hits[0].paper.id


def is_rl(services, recs):
    papers = {p.id: p for p in services.catalog.get_many([r.id for r in recs])}
    return [any(w in f" {papers[r.id].title} {papers[r.id].abstract} ".lower() for w in RL_WORDS)
            for r in recs]


@pytest.fixture
def rl_reader(semantic_demo):
    return semantic_demo, [paper_id(semantic_demo, t) for t in RL]


@pytest.mark.slow
def test_saving_three_rl_papers_moves_rl_papers_to_the_top(rl_reader):
    services, saved = rl_reader
    other = _recommend(services, positives=[paper_id(services, t) for t in VISION], limit=10)
    recs = _recommend(services, positives=saved, limit=10)
    assert len(recs) == 10 and all(isinstance(r, Recommendation) for r in recs)
    assert not set(saved) & {r.id for r in recs}
    rl = is_rl(services, recs)
    assert all(rl[:3]) and sum(rl) >= 7, rl
    assert sum(is_rl(services, other)) < sum(rl)
    scores = [r.score for r in recs]
    assert scores == sorted(scores, reverse=True)
    assert all(r.reason in {f'close to "{t}" in your library' for t in RL} for r in recs)


@pytest.mark.slow
def test_a_dismissed_paper_never_comes_back(rl_reader):
    services, saved = rl_reader
    first = _recommend(services, positives=saved, limit=5)
    dismissed = first[0].id
    again = _recommend(services, positives=saved, negatives=[dismissed], limit=50)
    assert dismissed not in {r.id for r in again}
    assert len(again) == 50
    # Saved and dismissed at once (a stale client): still never shown.
    both = _recommend(services, positives=[*saved, dismissed], negatives=[dismissed], limit=50)
    assert dismissed not in {r.id for r in both}


@pytest.mark.slow
def test_excluded_papers_are_never_returned(rl_reader):
    services, saved = rl_reader
    longer = _recommend(services, positives=saved, limit=20)
    seen = {r.id for r in longer[:10]}
    recs = _recommend(services, positives=saved, exclude=seen, limit=10)
    assert not seen & {r.id for r in recs}
    assert recs == longer[10:]  # the same list, the seen papers skipped


def test_no_library_and_no_follows_recommends_nothing(services):
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    assert _recommend(services, positives=[]) == []
    assert _recommend(services, positives=["2503.11731"], limit=0) == []


def test_cold_start_by_category_says_so(services):
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    recs = _recommend(services, positives=[], categories=["cs.LG"], limit=20)
    papers = {p.id: p for p in services.catalog.get_many([r.id for r in recs])}
    assert len(recs) == 5  # the slice holds five cs.LG papers
    assert all("cs.LG" in papers[r.id].categories for r in recs)
    assert {r.reason for r in recs} == {"in cs.LG, which you follow"}


def test_cold_start_by_author_puts_their_papers_first(services):
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    recs = _recommend(services, positives=[], authors=["Shun Zou"], categories=["cs.AI"],
                     exclude=["2503.12014"], limit=10)
    assert recs[0].id == "2503.11995"  # their other paper is excluded
    assert recs[0].reason == "new from Shun Zou, whom you follow"
    assert "2503.12014" not in {r.id for r in recs}
    assert {r.reason for r in recs[1:]} == {"in cs.AI, which you follow"}
    assert len(recs) == 10


@pytest.mark.slow
def test_a_followed_authors_paper_ranks_high_beside_the_library(services):
    load(services, FIXTURES / "arxiv-sample-40.jsonl")
    services.search.catch_up(embed=True)
    splatting = ["2503.11731", "2503.11979"]  # Gaussian splatting papers saved
    plain = _recommend(services, positives=splatting, limit=5)
    assert plain[0].id == "2503.12001"  # the third Gaussian splatting paper
    assert plain[0].reason.startswith('close to "') and "Splatting" in plain[0].reason
    followed = _recommend(services, positives=splatting, authors=["Shun Zou"], limit=5)
    assert {r.id for r in followed[:2]} == {"2503.11995", "2503.12014"}
    assert followed[0].reason == "new from Shun Zou, whom you follow"
    assert followed[2].id == "2503.12001"


@pytest.mark.slow
def test_papers_like_a_dismissed_one_move_down(rl_reader):
    services, saved = rl_reader
    before = [r.id for r in _recommend(services, positives=saved, limit=30)]
    dismissed = before[0]
    vectors = services.search.semantic.vectors
    target = vectors.vector_of(dismissed)
    # The recommended papers most and least like the dismissed one.
    def likeness(pid):
        return float(vectors.vector_of(pid) @ target)

    near, far = max(before[1:10], key=likeness), min(before[1:10], key=likeness)
    after = [r.id for r in _recommend(services, positives=saved, negatives=[dismissed], limit=30)]
    # Everything moves up one place as the dismissed paper leaves; the paper like it moves
    # down all the same, the paper unlike it moves up more.
    assert after.index(near) >= before.index(near) + 1
    assert after.index(far) < before.index(far) - 1
