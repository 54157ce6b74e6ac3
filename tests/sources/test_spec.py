"""PAPERTIDE_SOURCES: what it accepts, and the clear errors for everything else."""

import pytest
from pydantic import ValidationError

from papertide.config import Settings, SettingsError
from papertide.sources import SourceSpec, SpecError, parse_sources
from papertide.sources.arxiv_taxonomy import matches, oai_set, subject_code
from papertide.startup import load_settings


def test_sources_parse_into_typed_specs_with_canonical_text():
    specs = parse_sources(
        "arxiv-oai:cs.LG,cs.cl,stat.ML  hf-daily\narxiv-oai:hep-th,format=arXivRaw "
        "arxiv-api:cs.LG,max=300"
    )
    assert specs == [
        SourceSpec("arxiv-oai", ("cs.CL", "cs.LG", "stat.ML")), SourceSpec("hf-daily"),
        SourceSpec("arxiv-oai", ("hep-th",), format="arXivRaw"),
        SourceSpec("arxiv-api", ("cs.LG",), max_results=300)]
    assert [str(s) for s in specs] == [
        "arxiv-oai:cs.CL,cs.LG,stat.ML",
        "hf-daily",
        "arxiv-oai:hep-th,format=arXivRaw",
        "arxiv-api:cs.LG,max=300",
    ]
    assert parse_sources("") == []


@pytest.mark.parametrize("text, message", [
    ("arxiv:cs.LG", "unknown source 'arxiv' (choose from arxiv-oai, arxiv-api, hf-daily)"),
    ("arxiv-oai", "arxiv-oai needs at least one category"),
    ("arxiv-oai:cs.XY", "'cs.XY' is not an arXiv category or archive"),
    ("arxiv-oai:cs.LG,,cs.CL", "an empty argument"),
    ("arxiv-oai:cs.LG,format=json", "format must be one of arXiv, arXivRaw, oai_dc"),
    ("arxiv-oai:cs.LG,max=5", "unknown option 'max' for arxiv-oai (options: format)"),
    ("arxiv-api:cs.LG,max=0", "max must be a whole number from 1 to 2000"),
    ("hf-daily:cs.LG", "hf-daily takes no categories"),
    ("hf-daily arxiv-oai:cs.LG hf-daily", "source 'hf-daily' is listed twice"),
])
def test_a_bad_source_is_refused_with_the_reason(text, message):
    with pytest.raises(SpecError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_sources(text)


def test_settings_refuse_a_bad_papertide_sources(tmp_path):
    with pytest.raises(SettingsError, match="'cs.XY' is not an arXiv category") as refused:
        load_settings(data_dir=tmp_path, sources="arxiv-oai:cs.XY")
    assert refused.value.variable == "PAPERTIDE_SOURCES"
    assert load_settings(data_dir=tmp_path, sources="hf-daily").sources == "hf-daily"


def test_settings_alone_check_only_the_syntax_of_papertide_sources(tmp_path):
    # Which categories exist is the sources package's to say, at the door.
    assert Settings(data_dir=tmp_path, sources="arxiv-oai:cs.XY").sources == "arxiv-oai:cs.XY"
    with pytest.raises(ValidationError, match="not of the form NAME or NAME:ARG"):
        Settings(data_dir=tmp_path, sources="arxiv-oai:cs.LG,,cs.CL")


def test_subject_names_sets_and_aliases_of_the_taxonomy():
    assert subject_code("Computer Science - Machine Learning") == "cs.LG"
    assert subject_code("Statistics - Machine Learning") == "stat.ML"
    assert subject_code("High Energy Physics - Theory") == "hep-th"
    assert subject_code("Mathematical Physics") == "math-ph"
    assert subject_code("Condensed Matter - Strongly Correlated Electrons") == "cond-mat.str-el"
    assert subject_code("40-01, 65B10") is None
    assert [oai_set(c) for c in ("cs.LG", "stat", "astro-ph.GA", "quant-ph", "physics.optics")] == \
        ["cs", "stat", "physics:astro-ph", "physics:quant-ph", "physics:physics"]
    assert matches({"cs.SY"}, ["eess.SY"]) and matches({"cs"}, ["stat.ML", "cs.AI"])
    assert not matches({"cs.LG"}, ["cs.CV", "stat.ML"])
