"""The links and ids a researcher pastes into search are read as the paper they name:
every site that puts an arXiv id in its path, arXiv's DOI, with versions, `.pdf`, queries
and fragments, old-style ids too; links that name no paper stay words."""

from __future__ import annotations

import pytest

from papertide.search import arxiv_in_path, identify, split_ids

NEW = "arXiv:2503.15457"
OLD = "arXiv:hep-th/9901001"


@pytest.mark.parametrize("pasted", [
    "https://huggingface.co/papers/2503.15457",
    "huggingface.co/papers/2503.15457v2",
    "https://hf.co/papers/2503.15457",
    "https://www.alphaxiv.org/abs/2503.15457",
    "https://alphaxiv.org/abs/2503.15457v3",
    "https://www.alphaxiv.org/overview/2503.15457",
    "https://arxiv.org/html/2503.15457",
    "https://arxiv.org/html/2503.15457v1",
    "https://arxiv.org/html/2503.15457v1/#S3.SS2",
    "https://arxiv.org/html/2503.15457v2/x1.png",
    "https://ar5iv.labs.arxiv.org/html/2503.15457",
    "https://ar5iv.org/abs/2503.15457",
    "https://www.semanticscholar.org/arxiv/2503.15457",
    "https://api.semanticscholar.org/arXiv:2503.15457",
    "10.48550/arXiv.2503.15457",
    "10.48550/ARXIV.2503.15457",
    "doi:10.48550/arxiv.2503.15457",
    "https://doi.org/10.48550/arXiv.2503.15457",
    "http://dx.doi.org/10.48550/arXiv.2503.15457",
    "https://export.arxiv.org/abs/2503.15457v2",
    "http://export.arxiv.org/pdf/2503.15457",
    "https://arxiv.org/abs/2503.15457?context=cs.LG",
    "https://arxiv.org/abs/2503.15457v2#comments",
    "https://arxiv.org/pdf/2503.15457v2.pdf",
    "https://arxiv.org/pdf/2503.15457.pdf?download=1",
    "HTTPS://ArXiv.org/ABS/2503.15457",
    "(https://huggingface.co/papers/2503.15457).",  # pasted inside a sentence
    "<https://arxiv.org/html/2503.15457v1>",
])
def test_a_pasted_link_names_its_arxiv_paper(pasted):
    assert identify(pasted) == NEW
    assert split_ids(f"see {pasted} on vision") == ([NEW], "see on vision")


@pytest.mark.parametrize("pasted", [
    "hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001v2",
    "https://arxiv.org/pdf/hep-th/9901001v1.pdf", "http://export.arxiv.org/abs/hep-th/9901001",
    "https://ar5iv.labs.arxiv.org/html/hep-th/9901001", "https://ar5iv.org/abs/hep-th/9901001",
    "https://www.semanticscholar.org/arxiv/hep-th/9901001",
    "https://huggingface.co/papers/hep-th/9901001",
    "10.48550/arXiv.hep-th/9901001", "https://doi.org/10.48550/arXiv.HEP-TH/9901001",
])
def test_old_style_ids_are_read_from_links_too(pasted):
    assert identify(pasted) == OLD


@pytest.mark.parametrize("pasted", [
    "https://huggingface.co/papers/trending", "https://arxiv.org/list/cs.LG/recent",
    "https://www.alphaxiv.org/explore", "https://example.org/abs/2503.15457",
    "https://arxiv.org/abs/2503", "https", "diffusion",
])
def test_links_that_name_no_paper_are_left_as_words(pasted):
    assert identify(pasted) is None
    assert split_ids(pasted) == ([], pasted)


def test_other_dois_stay_dois():
    assert identify("https://doi.org/10.1103/PhysRevLett.116.061102") == (
        "doi:10.1103/physrevlett.116.061102")


def test_one_paper_named_twice_is_one_id():
    assert split_ids("https://huggingface.co/papers/2503.15457 10.48550/arXiv.2503.15457v2") == (
        [NEW], "")


@pytest.mark.parametrize(("path", "arxiv_id"), [
    ("2503.15457", "2503.15457"), ("2503.15457v2", "2503.15457"),
    ("2503.15457v2.pdf", "2503.15457"), ("hep-th/9901001", "hep-th/9901001"),
    ("hep-th/9901001v1", "hep-th/9901001"), ("math.AG/0211159.pdf", "math.ag/0211159"),
    ("2503", None), ("", None), ("nonsense", None), ("../2503.15457", None),
])
def test_an_arxiv_path_names_its_id(path, arxiv_id):
    assert arxiv_in_path(path) == arxiv_id


@pytest.mark.parametrize("pasted", [
    "٢٥٠٣.١٥٤٥٧",  # Arabic-Indic digits
    "２５０３.１５４５７",  # full-width digits
    "https://arxiv.org/abs/٢٥٠٣.١٥٤٥٧",
    "2503.15457v" + "9" * 5000,  # a version int() refuses to read
    "https://arxiv.org/pdf/hep-th/9901001v" + "9" * 5000,
])
def test_look_alike_digits_and_endless_versions_name_no_paper(pasted):
    assert identify(pasted) is None
    assert arxiv_in_path(pasted.removeprefix("https://arxiv.org/abs/")) is None
    assert split_ids(f"{pasted} diffusion") == ([], f"{pasted} diffusion")
