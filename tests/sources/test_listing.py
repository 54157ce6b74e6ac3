"""The trending listing: the real seed page, parsed as it is."""

from papertide.catalog import Paper, readable
from papertide.sources import Rejected, detect_format, read_file
from tests.helpers import DEMO


def test_listing_yields_all_255_papers_in_order():
    items = list(read_file(DEMO, "listing"))
    assert all(isinstance(i, Paper) for i in items)
    assert len(items) == 255
    assert [p.rank_hint for p in items] == list(range(1, 256))


def test_first_title_loses_the_glued_subscribe():
    first = next(iter(read_file(DEMO, "listing")))
    assert first.title == "Sample-Efficient Multi-Agent RL: An Optimization Perspective"
    assert first.abstract.startswith("We study multi-agent reinforcement learning (MARL)")


def test_abstracts_are_kept_intact_and_latex_debris_reads_as_text():
    papers = list(read_file(DEMO, "listing"))
    tulu = next(p for p in papers if 'T\\"ULU' in p.abstract)
    assert "TÜLU" in readable(tulu.abstract)
    percent = next(p for p in papers if "90\\%" in p.abstract)
    assert "90%" in readable(percent.abstract) and "\\%" not in readable(percent.abstract)
    last = papers[-1]
    assert last.title == "Predicting performance difficulty from piano sheet music images"
    assert last.abstract.endswith("transparency and reproducibility.")


def test_listing_is_detected_automatically():
    assert detect_format(DEMO) == "listing"


def test_a_title_without_abstract_at_the_end_is_rejected_with_its_line(tmp_path):
    path = tmp_path / "listing.txt"
    path.write_text("SubscribeA title\nIts abstract.\nA dangling title\n")
    items = list(read_file(path, "listing"))
    assert isinstance(items[0], Paper) and items[0].title == "A title"
    assert isinstance(items[1], Rejected) and items[1].line == 3


def test_invalid_utf8_in_a_listing_rejects_that_pair_only(tmp_path):
    path = tmp_path / "listing.txt"
    path.write_bytes(
        b"Good title\nGood abstract.\nBad \xff title\nIts abstract\nNext title\nNext abstract.\n"
    )
    items = list(read_file(path, "listing"))
    papers = [i for i in items if isinstance(i, Paper)]
    rejected = [i for i in items if isinstance(i, Rejected)]
    assert [(p.title, p.abstract) for p in papers] == [("Good title", "Good abstract."),
                                                       ("Next title", "Next abstract.")]
    assert len(rejected) == 1 and rejected[0].line == 3 and "UTF-8" in rejected[0].reason
